package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"appointd/internal/auth"
	"appointd/internal/booking"
)

// catalogRoutes lists the team member, service and schedule routes.
func (s *Server) catalogRoutes() []route {
	const v1 = "/api/v1"
	loc := v1 + "/company/{location_id}"
	return []route{
		{method: "GET", path: v1 + "/staff/{location_id}", auth: authPartner, handle: s.listStaff},
		{method: "POST", path: v1 + "/staff/{location_id}", auth: authUser, perm: auth.PermSettings, handle: s.createStaff},
		{method: "GET", path: v1 + "/staff/{location_id}/{team_member_id}", auth: authPartner, handle: s.getStaffPublic},
		{method: "PUT", path: v1 + "/staff/{location_id}/{team_member_id}", auth: authUser, perm: auth.PermSettings, handle: s.updateStaff},
		{method: "DELETE", path: v1 + "/staff/{location_id}/{team_member_id}", auth: authUser, perm: auth.PermSettings, handle: s.deleteStaff},
		{method: "POST", path: loc + "/staff/quick", auth: authUser, perm: auth.PermSettings, handle: s.quickStaff},
		{method: "GET", path: loc + "/staff", auth: authUser, handle: s.companyStaff},
		{method: "GET", path: loc + "/staff/{team_member_id}", auth: authUser, handle: s.companyStaff},
		{method: "GET", path: loc + "/staff/positions", auth: authUser, handle: s.positions},

		{method: "POST", path: v1 + "/service_categories/{location_id}", auth: authUser, perm: auth.PermSettings, handle: s.createCategory},
		{method: "GET", path: v1 + "/service_categories/{location_id}", auth: authPartner, handle: s.publicCategories},
		{method: "GET", path: v1 + "/service_categories/{location_id}/{id}", auth: authPartner, handle: s.publicCategories},
		{method: "GET", path: v1 + "/service_category/{location_id}/{id}", auth: authPartner, handle: s.getCategory},
		{method: "PUT", path: v1 + "/service_category/{location_id}/{id}", auth: authUser, perm: auth.PermSettings, handle: s.updateCategory},
		{method: "DELETE", path: v1 + "/service_category/{location_id}/{id}", auth: authUser, perm: auth.PermSettings, handle: s.deleteCategory},
		{method: "GET", path: loc + "/service_categories", auth: authUser, handle: s.companyCategories},
		{method: "GET", path: loc + "/service_categories/{id}", auth: authUser, handle: s.companyCategories},

		{method: "GET", path: v1 + "/services/{location_id}", auth: authPartner, handle: s.listServices},
		{method: "POST", path: v1 + "/services/{location_id}", auth: authUser, perm: auth.PermSettings, handle: s.createService},
		{method: "GET", path: v1 + "/services/{location_id}/{service_id}", auth: authPartner, handle: s.getServicePublic},
		{method: "PUT", path: v1 + "/services/{location_id}/{service_id}", auth: authUser, perm: auth.PermSettings, handle: s.updateService},
		{method: "PATCH", path: v1 + "/services/{location_id}/{service_id}", auth: authUser, perm: auth.PermSettings, handle: s.updateService},
		{method: "DELETE", path: v1 + "/services/{location_id}/{service_id}", auth: authUser, perm: auth.PermSettings, handle: s.deleteService},
		{method: "GET", path: loc + "/services", auth: authUser, handle: s.companyServices},
		{method: "GET", path: loc + "/services/{service_id}", auth: authUser, handle: s.companyServices},
		{method: "POST", path: loc + "/services/{service_id}/staff", auth: authUser, meta: metaObject, perm: auth.PermSettings, handle: s.linkStaff},
		{method: "PUT", path: loc + "/services/{service_id}/staff/{team_member_id}", auth: authUser, meta: metaObject, perm: auth.PermSettings, handle: s.linkStaff},
		{method: "DELETE", path: loc + "/services/{service_id}/staff/{team_member_id}", auth: authUser, meta: metaObject, perm: auth.PermSettings, handle: s.unlinkStaff},

		{method: "GET", path: v1 + "/schedule/{location_id}/{team_member_id}/{start_date}/{end_date}", auth: authUser, perm: auth.PermTimetable, handle: s.getSchedule},
		{method: "PUT", path: v1 + "/schedule/{location_id}/{team_member_id}/{start_date}/{end_date}", auth: authUser, perm: auth.PermScheduleEdit, handle: s.putScheduleRange},
		{method: "PUT", path: v1 + "/schedule/{location_id}/{team_member_id}", auth: authUser, perm: auth.PermScheduleEdit, handle: s.putScheduleDay},
		{method: "GET", path: loc + "/staff/schedule", auth: authUser, perm: auth.PermTimetable, handle: s.staffSchedules},
		{method: "PUT", path: loc + "/staff/schedule", auth: authUser, perm: auth.PermScheduleEdit, handle: s.setStaffSchedules},
		{method: "PUT", path: v1 + "/location/{location_id}/staff/schedule", auth: authUser, perm: auth.PermScheduleEdit, handle: s.setStaffSchedules},

		{method: "GET", path: v1 + "/timetable/dates/{location_id}/{date}", auth: authUser, perm: auth.PermTimetable, handle: s.timetableDates},
		{method: "GET", path: v1 + "/timetable/seances/{location_id}/{team_member_id}/{date}", auth: authUser, perm: auth.PermTimetable, handle: s.timetableSeances},
		{method: "GET", path: loc + "/settings/timetable", auth: authUser, handle: s.getTimetableSettings},
		{method: "PATCH", path: loc + "/settings/timetable", auth: authUser, perm: auth.PermSettings, handle: s.patchTimetableSettings},
		{method: "GET", path: v1 + "/resources/{location_id}", auth: authUser, handle: s.resources},
	}
}

// optionalID reads a path id that a route may lack (0 when absent).
func optionalID(r *http.Request, name string) (int64, error) {
	if r.PathValue(name) == "" {
		return 0, nil
	}
	return pathID(r, name)
}

// queryAlias reads the first integer of an alias family (staff_id =
// team_member_id = master_id); 0 when absent.
func queryAlias(r *http.Request, names ...string) (int64, error) {
	for _, n := range names {
		if r.URL.Query().Get(n) != "" {
			return queryInt(r, n, 0)
		}
	}
	return 0, nil
}

// queryIDs reads name[] and name (repeated or comma-separated).
func queryIDs(r *http.Request, name string) ([]int64, error) {
	var out []int64
	q := r.URL.Query()
	for _, raw := range append(q[name+"[]"], q[name]...) {
		for _, p := range strings.Split(raw, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			id, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, booking.Invalid(name, "%s must hold integers", name)
			}
			out = append(out, id)
		}
	}
	return out, nil
}

func flag01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// money renders minor units as the API's number.
func money(minor int64) float64 { return float64(minor) / 100 }

// toMinor reads a money amount (major units, up to 2 decimals). What is
// not a finite number within int64 (NaN, Infinity, 1e300: the decoder takes
// them) becomes math.MinInt64, which every money rule refuses, on every
// platform (converting it directly is implementation-defined in Go).
func toMinor(f Float) *int64 {
	if !f.Set {
		return nil
	}
	v := int64(math.MinInt64)
	if m := math.Round(f.V * 100); m > math.MinInt64 && m < math.MaxInt64 { // false for NaN
		v = int64(m)
	}
	return &v
}

// ---- team members ----

type positionOut struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"` // not kept: ""
}

type staffOut struct {
	ID                 int64         `json:"id"`
	APIID              string        `json:"api_id"`
	CompanyID          int64         `json:"company_id"`
	Name               string        `json:"name"`
	Specialization     string        `json:"specialization"`
	Rating             int64         `json:"rating"`
	ShowRating         int           `json:"show_rating"`
	UserID             int64         `json:"user_id"`
	HasAccessTimetable bool          `json:"has_access_timetable"`
	Avatar             string        `json:"avatar"`
	AvatarBig          string        `json:"avatar_big"`
	CommentsCount      int64         `json:"comments_count"`
	VotesCount         int64         `json:"votes_count"`
	Bookable           bool          `json:"bookable"`
	ImageGroup         []any         `json:"image_group"`
	Information        string        `json:"information"`
	PositionID         int64         `json:"position_id"`
	ScheduleTill       string        `json:"schedule_till"`
	Weight             int64         `json:"weight"`
	Fired              int           `json:"fired"`
	Status             int           `json:"status"`
	Hidden             int           `json:"hidden"`
	IsPaidStaff        bool          `json:"is_paid_staff"`
	User               *staffUserOut `json:"user"`
	Prepaid            string        `json:"prepaid"`
	Position           any           `json:"position"`
	IsFired            bool          `json:"is_fired"`
	IsDeleted          bool          `json:"is_deleted"`
	IsOnline           bool          `json:"is_online"`
	IsBookable         bool          `json:"is_bookable"`
	IsRatingShown      bool          `json:"is_rating_shown"`
	SeanceStep         int64         `json:"seance_step"`
	ServicesLinks      []linkOut     `json:"services_links"`
}

// staffUserOut is the user account a team member is linked to.
type staffUserOut struct {
	ID int64 `json:"id"`
}

// roundedRating is a team member's rating where Altegio's samples show a
// whole score (the team member, the appointment's staff): the mean of the
// votes rounded. The group event's staff keeps the fraction, as its sample
// does; a client typed for a fraction also reads a whole number.
func roundedRating(m booking.TeamMember) int64 { return int64(math.Round(m.Rating)) }

func renderStaff(m booking.TeamMember) staffOut {
	out := staffOut{ID: m.ID, APIID: m.APIID, CompanyID: m.LocationID, Name: m.Name, Specialization: m.Specialization,
		Rating: roundedRating(m), ShowRating: 1, HasAccessTimetable: m.HasAccessTimetable, Avatar: m.Avatar, AvatarBig: m.Avatar,
		CommentsCount: m.CommentsCount, VotesCount: m.VotesCount, Bookable: m.Bookable() && !m.Hidden,
		ImageGroup: []any{}, Information: m.Information, Weight: m.Weight, Fired: flag01(m.Fired),
		Status: flag01(m.Deleted), Hidden: flag01(m.Hidden), IsPaidStaff: m.IsPaidStaff,
		Prepaid: "forbidden", Position: []any{}, IsFired: m.Fired, IsDeleted: m.Deleted, IsOnline: !m.Hidden,
		IsBookable: m.Bookable() && !m.Hidden, IsRatingShown: true, SeanceStep: m.SeanceStep, ServicesLinks: []linkOut{}}
	if m.UserID != nil && *m.UserID != 0 {
		out.UserID = *m.UserID
		out.User = &staffUserOut{ID: *m.UserID}
	}
	for _, l := range m.ServiceLinks {
		out.ServicesLinks = append(out.ServicesLinks, renderLink(l))
	}
	if m.Position != nil {
		out.PositionID = m.Position.ID
		out.Position = positionOut{ID: m.Position.ID, Title: m.Position.Title}
	}
	return out
}

type staffBody struct {
	Name               String `json:"name"`
	Specialization     String `json:"specialization"`
	PositionID         Int    `json:"position_id"`
	APIID              String `json:"api_id"`
	Information        String `json:"information"`
	Avatar             String `json:"avatar"`
	Weight             Int    `json:"weight"`
	UserID             Int    `json:"user_id"`
	HasAccessTimetable Bool   `json:"has_access_timetable"`
	Hidden             Bool   `json:"hidden"`
	Fired              Bool   `json:"fired"`
	IsPaidStaff        Bool   `json:"is_paid_staff"`
}

func boolPtr(b Bool) *bool {
	if !b.Set {
		return nil
	}
	return &b.V
}

func (b staffBody) input() booking.TeamMemberInput {
	return booking.TeamMemberInput{Name: b.Name.Ptr(), Specialization: b.Specialization.Ptr(),
		PositionID: b.PositionID.Ptr(), APIID: b.APIID.Ptr(), Information: b.Information.Ptr(),
		Avatar: b.Avatar.Ptr(), Weight: b.Weight.Ptr(), UserID: b.UserID.Ptr(),
		HasAccessTimetable: boolPtr(b.HasAccessTimetable), Hidden: boolPtr(b.Hidden), Fired: boolPtr(b.Fired),
		IsPaidStaff: boolPtr(b.IsPaidStaff)}
}

func (s *Server) listStaff(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	list, err := s.Service.TeamMembers(c.ctx, loc)
	if err != nil {
		return err
	}
	out := make([]staffOut, len(list))
	for i, m := range list {
		out[i] = renderStaff(m)
	}
	return c.ok(http.StatusOK, out)
}

// getStaffPublic is the deprecated public read: data is an array.
func (s *Server) getStaffPublic(c *call) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	loc, id := p[0], p[1]
	m, err := s.Service.TeamMember(c.ctx, loc, id)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, []staffOut{renderStaff(m)})
}

func (s *Server) createStaff(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body staffBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	m, err := s.Service.CreateTeamMember(c.ctx, c.caller, loc, body.input())
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderStaff(m))
}

func (s *Server) updateStaff(c *call) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	loc, id := p[0], p[1]
	var body staffBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	m, err := s.Service.UpdateTeamMember(c.ctx, c.caller, loc, id, body.input())
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderStaff(m))
}

func (s *Server) deleteStaff(c *call) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	loc, id := p[0], p[1]
	if err := s.Service.DeleteTeamMember(c.ctx, c.caller, loc, id); err != nil {
		return err
	}
	return c.noContent()
}

// quickStaff is POST /company/{id}/staff/quick.
func (s *Server) quickStaff(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body struct {
		Name           String `json:"name"`
		Specialization String `json:"specialization"`
		PositionID     Int    `json:"position_id"`
		PhoneNumber    String `json:"phone_number"`
		UserEmail      String `json:"user_email"`
		UserPhone      String `json:"user_phone"`
		IsUserInvite   Bool   `json:"is_user_invite"`
		IsPaidStaff    Bool   `json:"is_paid_staff"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v := &booking.ValidationError{}
	for _, p := range []struct {
		field string
		val   String
	}{{"phone_number", body.PhoneNumber}, {"user_phone", body.UserPhone}} {
		if d := booking.PhoneDigits(p.val.V); p.val.V != "" && (len(d) < 9 || len(d) > 15 || strings.ContainsAny(p.val.V, "abcdefghijklmnopqrstuvwxyz")) {
			v.Add(p.field, "%s must contain 9 to 15 digits", p.field)
		}
	}
	if e := body.UserEmail.V; e != "" && !strings.Contains(e, "@") {
		v.Add("user_email", "user_email %q is not a valid address", e)
	}
	if err := v.Err(); err != nil {
		return err
	}
	in := booking.TeamMemberInput{Name: body.Name.Ptr(), Specialization: body.Specialization.Ptr(),
		PositionID: body.PositionID.Ptr(), IsPaidStaff: boolPtr(body.IsPaidStaff)}
	if in.Name == nil {
		empty := ""
		in.Name = &empty
	}
	m, err := s.Service.CreateTeamMember(c.ctx, c.caller, loc, in)
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderStaff(m))
}

// companyStaff is GET /company/{id}/staff[/{team_member_id}]: a list with
// meta.total_count.
func (s *Server) companyStaff(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	id, err := optionalID(c.r, "team_member_id")
	if err != nil {
		return err
	}
	if _, err := s.Service.MyPermissions(c.ctx, c.caller, loc); err != nil {
		return err
	}
	var list []booking.TeamMember
	if id != 0 {
		m, err := s.Service.TeamMember(c.ctx, loc, id)
		if err != nil {
			return err
		}
		list = []booking.TeamMember{m}
	} else if list, err = s.Service.TeamMembers(c.ctx, loc); err != nil {
		return err
	}
	out := make([]staffOut, len(list))
	for i, m := range list {
		out[i] = renderStaff(m)
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"total_count": len(out)})
}

func (s *Server) positions(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	list, err := s.Service.Positions(c.ctx, c.caller, loc)
	if err != nil {
		return err
	}
	type posOut struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
		APIID string `json:"api_id"`
	}
	out := make([]posOut, len(list))
	for i, p := range list {
		out[i] = posOut{p.ID, p.Title, p.APIID}
	}
	return c.ok(http.StatusOK, out)
}
