package httpapi

import (
	"net/http"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
)

// activityRoutes lists the group-event routes (8.11).
func (s *Server) activityRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "POST", path: v1 + "/activity/{location_id}", auth: authUser, perm: auth.PermCreateRecords, handle: s.createActivity},
		{method: "GET", path: v1 + "/activity/{location_id}/search", auth: authUser, meta: metaObject, perm: auth.PermTimetable, handle: s.searchActivities},
		{method: "GET", path: v1 + "/activity/{location_id}/search_dates", auth: authUser, meta: metaObject, perm: auth.PermTimetable, handle: s.activityDates},
		{method: "GET", path: v1 + "/activity/{location_id}/{activity_id}", auth: authUser, perm: auth.PermTimetable, handle: s.getActivity},
		{method: "PUT", path: v1 + "/activity/{location_id}/{activity_id}", auth: authUser, perm: auth.PermEditRecords, handle: s.updateActivity},
		{method: "DELETE", path: v1 + "/activity/{location_id}/{activity_id}", auth: authUser, perm: auth.PermDeleteRecords, handle: s.deleteActivity},
	}
}

type activityServiceOut struct {
	ID             int64               `json:"id"`
	CategoryID     int64               `json:"category_id"`
	Title          string              `json:"title"`
	PriceMin       float64             `json:"price_min"`
	PriceMax       float64             `json:"price_max"`
	Comment        string              `json:"comment"`
	ImageURL       string              `json:"image_url"`
	Prepaid        string              `json:"prepaid"`
	IsCategory     bool                `json:"is_category"` // a service, never a category
	SalonServiceID int64               `json:"salon_service_id"`
	Category       activityCategoryOut `json:"category"`
}

type activityCategoryOut struct {
	ID         int64  `json:"id"`
	CategoryID int64  `json:"category_id"` // no parent category is kept: 0
	Title      string `json:"title"`
}

// activityStaffOut is the group event's team member: the short member plus
// its rating and booking fields.
type activityStaffOut struct {
	masterOut
	APIID         string  `json:"api_id"`
	UserID        int64   `json:"user_id"`
	Rating        float64 `json:"rating"`
	ShowRating    int     `json:"show_rating"`
	CommentsCount int64   `json:"comments_count"`
	VotesCount    int64   `json:"votes_count"`
	AverageScore  float64 `json:"average_score"` // the rating: the mean of the votes
	Prepaid       string  `json:"prepaid"`
}

func renderActivityStaff(m booking.TeamMember) activityStaffOut {
	out := activityStaffOut{masterOut: renderMaster(m), APIID: m.APIID, Rating: m.Rating, ShowRating: 1,
		CommentsCount: m.CommentsCount, VotesCount: m.VotesCount, AverageScore: m.Rating, Prepaid: "forbidden"}
	if m.UserID != nil {
		out.UserID = *m.UserID
	}
	return out
}

// masterOut is the short team member of group events and schedules.
type masterOut struct {
	ID             int64        `json:"id"`
	Name           string       `json:"name"`
	CompanyID      int64        `json:"company_id"`
	Specialization string       `json:"specialization"`
	Avatar         string       `json:"avatar"`
	AvatarBig      string       `json:"avatar_big"`
	Position       *positionOut `json:"position"`
	IsPaidStaff    bool         `json:"is_paid_staff"`
}

func renderMaster(m booking.TeamMember) masterOut {
	out := masterOut{ID: m.ID, Name: m.Name, CompanyID: m.LocationID, Specialization: m.Specialization, Avatar: m.Avatar,
		AvatarBig: m.Avatar, IsPaidStaff: m.IsPaidStaff}
	if m.Position != nil {
		out.Position = &positionOut{ID: m.Position.ID, Title: m.Position.Title}
	}
	return out
}

type labelOut struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Color string `json:"color"`
}

// renderLabels shows label ids; there are no label entities yet.
func renderLabels(ids []int64) []labelOut {
	out := make([]labelOut, 0, len(ids))
	for _, id := range ids {
		out = append(out, labelOut{ID: id})
	}
	return out
}

// activityOut is the group event object (8.11).
type activityOut struct {
	ID                     int64              `json:"id"`
	CompanyID              int64              `json:"company_id"`
	SalonID                int64              `json:"salon_id"`
	ServiceID              int64              `json:"service_id"`
	StaffID                int64              `json:"staff_id"`
	Date                   string             `json:"date"`
	Length                 int64              `json:"length"`
	Capacity               int64              `json:"capacity"`
	RecordsCount           int64              `json:"records_count"`
	Color                  string             `json:"color"`
	FontColor              string             `json:"font_color"`
	Comment                string             `json:"comment"`
	Instructions           string             `json:"instructions"`
	StreamLink             string             `json:"stream_link"`
	Notified               bool               `json:"notified"`
	Prepaid                string             `json:"prepaid"`
	TechnicalBreakDuration int64              `json:"technical_break_duration"`
	Timestamp              int64              `json:"timestamp"` // the start, Unix seconds
	Service                activityServiceOut `json:"service"`
	Staff                  activityStaffOut   `json:"staff"`
	ResourceInstances      []any              `json:"resource_instances"`
	Labels                 []labelOut         `json:"labels"`
}

func renderActivity(v booking.ActivityView) activityOut {
	a, sv := v.Activity, v.Service
	return activityOut{ID: a.ID, CompanyID: a.LocationID, SalonID: a.LocationID, ServiceID: a.ServiceID, StaffID: a.TeamMemberID,
		Date: apitime.FormatISO(a.Start, v.Location.Zone()), Length: a.Length, Capacity: a.Capacity, RecordsCount: a.RecordsCount,
		Color: a.Color, FontColor: a.FontColor, Comment: a.Comment, Instructions: a.Instructions, StreamLink: a.StreamLink,
		Prepaid: "forbidden", Timestamp: a.Start.Unix(), Service: activityServiceOut{ID: sv.ID, CategoryID: sv.CategoryID,
			Title: sv.Title, PriceMin: money(sv.PriceMin), PriceMax: money(sv.PriceMax), Comment: sv.Comment, Prepaid: "forbidden",
			SalonServiceID: sv.ID, Category: activityCategoryOut{ID: v.Category.ID, Title: v.Category.Title}},
		Staff: renderActivityStaff(v.Member), ResourceInstances: []any{}, Labels: renderLabels(a.LabelIDs)}
}

type activityBody struct {
	Date         String `json:"date"`
	ServiceID    Int    `json:"service_id"`
	StaffID      Int    `json:"staff_id"`
	Capacity     Int    `json:"capacity"`
	Length       Int    `json:"length"`
	Force        Bool   `json:"force"`
	Comment      String `json:"comment"`
	Color        String `json:"color"`
	FontColor    String `json:"font_color"`
	Instructions String `json:"instructions"`
	StreamLink   String `json:"stream_link"`
	LabelIDs     []Int  `json:"label_ids"`
	// resource_instance_ids is accepted and ignored: no resource booking.
	ResourceInstanceIDs []Int `json:"resource_instance_ids"`
}

func (b activityBody) input() booking.ActivityInput {
	in := booking.ActivityInput{Datetime: b.Date.Ptr(), ServiceID: b.ServiceID.Ptr(), TeamMemberID: b.StaffID.Ptr(),
		Capacity: b.Capacity.Ptr(), Length: b.Length.Ptr(), Comment: b.Comment.Ptr(), Color: b.Color.Ptr(),
		FontColor: b.FontColor.Ptr(), Instructions: b.Instructions.Ptr(), StreamLink: b.StreamLink.Ptr(), Force: b.Force.V}
	if b.LabelIDs != nil {
		in.LabelIDs = ptrTo(intValues(b.LabelIDs))
	}
	return in
}

func intValues(list []Int) []int64 {
	out := make([]int64, 0, len(list))
	for _, n := range list {
		out = append(out, n.V)
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }

// createActivity is POST /activity/{location_id}: 200 with the event.
func (s *Server) createActivity(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body activityBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v, err := s.Service.CreateActivity(c.ctx, c.caller, loc, body.input())
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderActivity(v))
}

func (s *Server) getActivity(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "activity_id")
	if err != nil {
		return err
	}
	v, err := s.Service.GetActivity(c.ctx, c.caller, ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderActivity(v))
}

func (s *Server) updateActivity(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "activity_id")
	if err != nil {
		return err
	}
	var body activityBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v, err := s.Service.UpdateActivity(c.ctx, c.caller, ids[0], ids[1], body.input())
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderActivity(v))
}

// deleteActivity is DELETE /activity/{location_id}/{id}: 202 Accepted.
func (s *Server) deleteActivity(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "activity_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteActivity(c.ctx, c.caller, ids[0], ids[1]); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusAccepted, map[string]any{"success": true, "meta": map[string]string{"message": "Accepted"}})
	return nil
}

func activityFilter(r *http.Request) (booking.ActivityFilter, error) {
	f := booking.ActivityFilter{From: r.URL.Query().Get("from"), Till: r.URL.Query().Get("till")}
	var err error
	if f.Page, f.Count, err = pageCount(r, "count", 25, 200); err != nil {
		return f, err
	}
	if f.ServiceIDs, err = queryIDs(r, "service_ids"); err != nil {
		return f, err
	}
	f.TeamMemberIDs, err = queryIDs(r, "staff_ids")
	return f, err
}

// searchActivities is GET /activity/{location_id}/search.
func (s *Server) searchActivities(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	f, err := activityFilter(c.r)
	if err != nil {
		return err
	}
	list, total, err := s.Service.SearchActivities(c.ctx, c.caller, loc, f)
	if err != nil {
		return err
	}
	out := make([]activityOut, 0, len(list))
	for _, v := range list {
		out = append(out, renderActivity(v))
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"count": total})
}

// activityDates is GET /activity/{location_id}/search_dates.
func (s *Server) activityDates(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	f, err := activityFilter(c.r)
	if err != nil {
		return err
	}
	dates, err := s.Service.ActivityDates(c.ctx, c.caller, loc, f)
	if err != nil {
		return err
	}
	return c.okMeta(http.StatusOK, dates, map[string]int{"count": len(dates)})
}
