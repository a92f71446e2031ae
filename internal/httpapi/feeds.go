package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/ical"
)

// feedRoutes are the calendar feeds (an appointd extension): owners and
// managers create, rotate and remove a team member's feed; the feed itself
// needs no token, its secret URL is the credential.
func (s *Server) feedRoutes() []route {
	member := "/api/v1/company/{location_id}/staff/{team_member_id}/ical"
	return []route{
		{method: "POST", path: member, auth: authUser, perm: auth.PermSettings, handle: s.rotateFeed},
		{method: "DELETE", path: member, auth: authUser, perm: auth.PermSettings, handle: s.deleteFeed},
		// ServeMux wildcards are whole segments: the handler wants ".ics".
		{method: "GET", path: "/ical/{file}", handle: s.feed},
	}
}

type feedOut struct {
	TeamMemberID int64  `json:"team_member_id"`
	URL          string `json:"url"`
	Secret       string `json:"secret"`
}

// FeedPath is where a feed secret is served.
func FeedPath(secret string) string { return "/ical/" + secret + ".ics" }

func (s *Server) rotateFeed(c *call) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	secret, err := s.Service.RotateFeed(c.ctx, c.caller, p[0], p[1])
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, feedOut{TeamMemberID: p[1], URL: s.baseURL(c.r) + FeedPath(secret), Secret: secret})
}

func (s *Server) deleteFeed(c *call) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteFeed(c.ctx, c.caller, p[0], p[1]); err != nil {
		return err
	}
	return c.noContent()
}

// baseURL is --base-url, else the scheme and host the request came to.
func (s *Server) baseURL(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimSuffix(s.BaseURL, "/")
	}
	scheme := "http"
	if RequestTLS(r, s.TrustForwardedFor) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// feedRefresh is how often subscribers are asked to reload a feed.
const feedRefresh = 15 * time.Minute

// feed is GET /ical/{secret}.ics: the member's calendar, or a plain 404.
func (s *Server) feed(c *call) error {
	secret, ok := strings.CutSuffix(c.r.PathValue("file"), ".ics")
	if !ok {
		return feedNotFound(c.w)
	}
	cal, err := s.Service.MemberCalendar(c.ctx, secret)
	if errors.Is(err, booking.ErrNotFound) {
		return feedNotFound(c.w)
	} else if err != nil {
		return err
	}
	zone := cal.Location.Zone()
	out := ical.Calendar{Name: cal.Member.Name + " — " + cal.Location.Title, Zone: zone, From: cal.From, To: cal.To,
		Stamp: cal.Now, Refresh: feedRefresh}
	place := cal.Location.Title
	if cal.Location.Address != "" {
		place += ", " + cal.Location.Address
	}
	for _, ev := range cal.Events {
		status := "CONFIRMED"
		if ev.Tentative {
			status = "TENTATIVE"
		}
		out.Events = append(out.Events, ical.Event{UID: fmt.Sprintf("record-%d@appointd", ev.AppointmentID),
			Sequence: ev.Sequence, Start: ev.Start, End: ev.End, Created: ev.CreatedAt, LastModified: ev.UpdatedAt,
			Summary: ev.Summary, Description: ev.Description, Location: place, Status: status})
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="team-member-%d.ics"`, cal.Member.ID))
	h.Set("Cache-Control", "private, no-cache")
	_, err = c.w.Write(ical.Render(out))
	return err
}

func feedNotFound(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("Not found.\n"))
	return nil
}
