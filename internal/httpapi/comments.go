package httpapi

import (
	"net/http"

	"appointd/internal/apitime"
	"appointd/internal/booking"
)

func (s *Server) commentRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "GET", path: v1 + "/comments/{location_id}", auth: authUser, handle: s.listComments},
		{method: "POST", path: v1 + "/comments/{location_id}/{team_member_id}", auth: authUser, handle: s.leaveComment},
	}
}

// commentOut is the comment object (6.1).
type commentOut struct {
	ID         int64  `json:"id"`
	SalonID    int64  `json:"salon_id"`
	Type       int64  `json:"type"`
	MasterID   int64  `json:"master_id"`
	Text       string `json:"text"`
	Date       string `json:"date"`
	Rating     int64  `json:"rating"`
	UserID     int64  `json:"user_id"`
	UserName   string `json:"user_name"`
	UserAvatar string `json:"user_avatar"`
	RecordID   int64  `json:"record_id"`
}

func renderComment(c booking.Comment, loc booking.Location) commentOut {
	return commentOut{ID: c.ID, SalonID: c.LocationID, Type: c.Type, MasterID: c.TeamMemberID, Text: c.Text,
		Date: apitime.FormatISO(c.CreatedAt, loc.Zone()), Rating: c.Rating, UserID: c.UserID, UserName: c.UserName,
		UserAvatar: "/images/no-master.png", RecordID: c.RecordID}
}

func (s *Server) listComments(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	f := booking.CommentFilter{StartDate: c.r.URL.Query().Get("start_date"), EndDate: c.r.URL.Query().Get("end_date")}
	if f.Page, f.Count, err = pageCount(c.r, "count", 25, 200); err != nil {
		return err
	}
	if f.TeamMemberID, err = queryAlias(c.r, "team_member_id", "staff_id"); err != nil {
		return err
	}
	if f.Rating, err = queryInt(c.r, "rating", 0); err != nil {
		return err
	}
	list, l, err := s.Service.ListComments(c.ctx, c.caller, loc, f)
	if err != nil {
		return err
	}
	out := make([]commentOut, 0, len(list))
	for _, cm := range list {
		out = append(out, renderComment(cm, l))
	}
	return c.ok(http.StatusOK, out)
}

type commentBody struct {
	Mark Int    `json:"mark"`
	Name String `json:"name"`
	Text String `json:"text"`
}

// leaveComment is POST /comments/{location_id}/{team_member_id}: 201 with
// an array of the one created comment, as the current page documents (an
// older sample shows a bare object).
func (s *Server) leaveComment(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	// Team member 0 names no member: a review of the location.
	member := int64(0)
	if c.r.PathValue("team_member_id") != "0" {
		if member, err = pathID(c.r, "team_member_id"); err != nil {
			return err
		}
	}
	var body commentBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	cm, l, err := s.Service.LeaveComment(c.ctx, c.caller, loc, member,
		booking.CommentInput{Mark: body.Mark.Ptr(), Name: body.Name.V, Text: body.Text.V})
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, []commentOut{renderComment(cm, l)})
}
