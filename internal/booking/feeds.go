package booking

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"

	"appointd/internal/auth"
)

// Feed is a team member's calendar feed: the secret in its URL is shown
// once; the store keeps only its SHA-256.
type Feed struct {
	LocationID   int64
	TeamMemberID int64
	SecretHash   string
	CreatedAt    time.Time
}

// FeedTx is the store's part for calendar feeds.
type FeedTx interface {
	// PutFeed sets the member's feed, replacing the one it had.
	PutFeed(ctx context.Context, f Feed) error
	// DeleteFeed removes the member's feed; having none is not an error.
	DeleteFeed(ctx context.Context, locationID, teamMemberID int64) error
	FeedBySecretHash(ctx context.Context, hash string) (Feed, error)
}

// The window of a feed around now, and a bound on its size.
const (
	FeedPast      = 30 * 24 * time.Hour
	FeedAhead     = 180 * 24 * time.Hour
	maxFeedEvents = 10000
)

// FeedEvent is one appointment as a feed shows it: what the member needs
// to know, and no contact details of the client.
type FeedEvent struct {
	AppointmentID int64
	Start, End    time.Time
	Summary       string
	Description   string
	// Tentative: the client has not confirmed yet (attendance "waiting").
	Tentative bool
	// Sequence grows with every change of the appointment.
	Sequence             int64
	CreatedAt, UpdatedAt time.Time
}

// MemberCalendar is what a feed URL answers.
type MemberCalendar struct {
	Location Location
	Member   TeamMember
	// From and To bound the appointments' starts: [From, To).
	From, To time.Time
	Now      time.Time
	Events   []FeedEvent
}

// RotateFeed gives the team member a new feed secret (settings_access);
// the old one stops working. It returns the secret, shown only here.
func (s *Service) RotateFeed(ctx context.Context, c Caller, locationID, teamMemberID int64) (string, error) {
	return s.rotateFeed(ctx, s.settingsGuard(c, locationID), locationID, teamMemberID)
}

// RotateFeedAdmin is RotateFeed for the command line (no caller).
func (s *Service) RotateFeedAdmin(ctx context.Context, locationID, teamMemberID int64) (string, error) {
	return s.rotateFeed(ctx, liveLocation(locationID), locationID, teamMemberID)
}

// DeleteFeed turns the member's feed off (settings_access). A member
// without a feed is not an error.
func (s *Service) DeleteFeed(ctx context.Context, c Caller, locationID, teamMemberID int64) error {
	return s.deleteFeed(ctx, s.settingsGuard(c, locationID), locationID, teamMemberID)
}

// DeleteFeedAdmin is DeleteFeed for the command line (no caller).
func (s *Service) DeleteFeedAdmin(ctx context.Context, locationID, teamMemberID int64) error {
	return s.deleteFeed(ctx, liveLocation(locationID), locationID, teamMemberID)
}

// A feedGuard decides, in the transaction, whether the feed may be changed.
type feedGuard func(ctx context.Context, tx Tx) error

// settingsGuard: the caller needs settings_access in the location.
func (s *Service) settingsGuard(c Caller, locationID int64) feedGuard {
	return func(ctx context.Context, tx Tx) error {
		_, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings)
		return err
	}
}

// liveLocation: the command line may change any location that exists.
func liveLocation(locationID int64) feedGuard {
	return func(ctx context.Context, tx Tx) error { return locationExists(ctx, tx, locationID) }
}

func (s *Service) rotateFeed(ctx context.Context, guard feedGuard, locationID, teamMemberID int64) (string, error) {
	secret := auth.NewToken()
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := guard(ctx, tx); err != nil {
			return err
		}
		if _, err := feedMember(ctx, tx, locationID, teamMemberID); err != nil {
			return err
		}
		return tx.PutFeed(ctx, Feed{LocationID: locationID, TeamMemberID: teamMemberID, SecretHash: auth.HashToken(secret),
			CreatedAt: s.now()})
	})
	return secret, err
}

func (s *Service) deleteFeed(ctx context.Context, guard feedGuard, locationID, teamMemberID int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if err := guard(ctx, tx); err != nil {
			return err
		}
		if _, err := feedMember(ctx, tx, locationID, teamMemberID); err != nil {
			return err
		}
		return tx.DeleteFeed(ctx, locationID, teamMemberID)
	})
}

// feedMember is a non-removed team member of the location.
func feedMember(ctx context.Context, tx Tx, locationID, teamMemberID int64) (TeamMember, error) {
	m, err := tx.TeamMember(ctx, locationID, teamMemberID)
	if err == nil && m.Deleted {
		err = ErrNotFound
	}
	return m, err
}

// MemberCalendar resolves a feed secret to its member's non-deleted
// appointments starting from FeedPast before now to FeedAhead after.
// An unknown secret, a removed member or a deleted location is
// ErrNotFound.
func (s *Service) MemberCalendar(ctx context.Context, secret string) (MemberCalendar, error) {
	var out MemberCalendar
	if len(secret) != 2*auth.TokenBytes {
		return out, ErrNotFound
	}
	now := s.now()
	out.Now, out.From, out.To = now, now.Add(-FeedPast), now.Add(FeedAhead)
	err := s.store.Read(ctx, func(tx Tx) error {
		f, err := tx.FeedBySecretHash(ctx, auth.HashToken(secret))
		if err != nil {
			return err
		}
		if out.Location, err = tx.LocationByID(ctx, f.LocationID); err != nil {
			return err
		}
		if out.Member, err = feedMember(ctx, tx, f.LocationID, f.TeamMemberID); err != nil {
			return err
		}
		list, _, err := tx.Appointments(ctx, AppointmentQuery{LocationIDs: []int64{f.LocationID},
			TeamMemberID: f.TeamMemberID, StartFrom: &out.From, StartBefore: &out.To, Limit: maxFeedEvents})
		if err != nil {
			return err
		}
		views, err := viewsWith(ctx, tx, map[int64]Location{out.Location.ID: out.Location}, list,
			map[int64]TeamMember{out.Member.ID: out.Member})
		if err != nil {
			return err
		}
		out.Events = make([]FeedEvent, 0, len(views))
		for _, v := range views {
			out.Events = append(out.Events, feedEvent(v.Appointment, v.Client))
		}
		return nil
	})
	return out, err
}

// feedEvent writes an appointment for a calendar that may be shared or
// synced to a phone: the services and the client's first name, never a
// phone number or an e-mail address.
func feedEvent(a Appointment, cl *Client) FeedEvent {
	titles := make([]string, 0, len(a.Services))
	for _, l := range a.Services {
		titles = append(titles, l.Title)
	}
	services := strings.Join(titles, ", ")
	summary := services
	first := ""
	if cl != nil {
		first = FirstName(cl.Name)
	}
	if first != "" {
		summary += " — " + first
	}
	desc := []string{"Services: " + services}
	if first != "" {
		desc = append(desc, "Client: "+first)
	}
	desc = append(desc, "Attendance: "+attendanceText[a.Attendance])
	if c := ScrubContacts(strings.TrimSpace(a.Comment)); c != "" {
		desc = append(desc, "Comment: "+c)
	}
	return FeedEvent{AppointmentID: a.ID, Start: a.Start, End: a.End(), Summary: summary,
		Description: strings.Join(desc, "\n"), Tentative: a.Attendance == AttendanceWaiting,
		Sequence: a.Sequence, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

var attendanceText = map[int64]string{
	AttendanceNoShow:    "the client did not come",
	AttendanceWaiting:   "waiting",
	AttendanceArrived:   "the client came",
	AttendanceConfirmed: "confirmed",
}

// FirstName is the first word of a client's name, or "" when that word
// could be contact details: a client booked by phone alone is named after
// the phone number.
func FirstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 || strings.ContainsFunc(f[0], func(r rune) bool { return unicode.IsDigit(r) || r == '@' }) {
		return ""
	}
	return f[0]
}

var (
	emailLike = regexp.MustCompile(`[^\s@;,<>()\[\]"']+@[^\s@;,<>()\[\]"']*[^\s@;,<>()\[\]"'.!?:]`)
	// seven or more digits, with the separators phone numbers are written
	// with between them
	phoneLike = regexp.MustCompile(`\+?\d(?:[\s\-.()/]*\d){6,}`)
)

// ScrubContacts hides what looks like an e-mail address or a phone number
// in free text.
func ScrubContacts(s string) string {
	s = emailLike.ReplaceAllString(s, "[hidden]")
	return phoneLike.ReplaceAllString(s, "[hidden]")
}
