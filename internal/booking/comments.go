package booking

import (
	"context"
	"strings"
	"time"

	"appointd/internal/apitime"
)

// Comment is a review of a team member (type 1) or of the location (type 0).
type Comment struct {
	ID           int64
	LocationID   int64
	Type         int64
	TeamMemberID int64
	Text         string
	Rating       int64
	UserID       int64
	UserName     string
	RecordID     int64
	CreatedAt    time.Time
}

// CommentQuery is a page of GET /comments/{location_id}.
type CommentQuery struct {
	LocationID   int64
	From, To     *time.Time // [From, To)
	TeamMemberID int64
	Rating       int64
	Limit        int
	Offset       int
}

// CommentTx is the store's part for comments.
type CommentTx interface {
	CreateComment(ctx context.Context, c Comment) (int64, error)
	// Comments returns a page, newest first (D8).
	Comments(ctx context.Context, q CommentQuery) ([]Comment, error)
	// RateTeamMember recomputes rating, votes_count and comments_count of a
	// team member from its comments.
	RateTeamMember(ctx context.Context, teamMemberID int64) error
}

// CommentFilter is what GET /comments/{location_id} asks for.
type CommentFilter struct {
	StartDate, EndDate string // YYYY-MM-DD, local, inclusive
	TeamMemberID       int64
	Rating             int64
	Page, Count        int
}

// ListComments pages a location's comments.
func (s *Service) ListComments(ctx context.Context, c Caller, locationID int64, f CommentFilter) ([]Comment, Location, error) {
	var out []Comment
	var loc Location
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if loc, _, err = s.access(ctx, tx, c, locationID, ""); err != nil {
			return err
		}
		q := CommentQuery{LocationID: locationID, TeamMemberID: f.TeamMemberID, Rating: f.Rating,
			Limit: f.Count, Offset: (f.Page - 1) * f.Count}
		v := &ValidationError{}
		if f.StartDate != "" {
			if d, err := apitime.ParseDate(f.StartDate); err != nil {
				v.Add("start_date", "start_date must be a date like 2026-09-30")
			} else {
				from := localMidnight(d, loc)
				q.From = &from
			}
		}
		if f.EndDate != "" {
			if d, err := apitime.ParseDate(f.EndDate); err != nil {
				v.Add("end_date", "end_date must be a date like 2026-09-30")
			} else {
				to := localMidnight(d.AddDate(0, 0, 1), loc)
				q.To = &to
			}
		}
		if f.Rating != 0 && (f.Rating < 1 || f.Rating > 5) {
			v.Add("rating", "rating must be from 1 to 5")
		}
		if err := v.Err(); err != nil {
			return err
		}
		out, err = tx.Comments(ctx, q)
		return err
	})
	return out, loc, err
}

// localMidnight is the start of the location-local day of d (a date).
func localMidnight(d time.Time, loc Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc.Zone())
}

// CommentInput is POST /comments/{location_id}/{team_member_id}.
type CommentInput struct {
	Mark *int64
	Name string
	Text string
}

// LeaveComment stores a review of a team member and updates the member's
// rating in the same transaction (D17); team member 0 reviews the location.
func (s *Service) LeaveComment(ctx context.Context, c Caller, locationID, teamMemberID int64, in CommentInput) (Comment, Location, error) {
	v := &ValidationError{}
	if in.Mark == nil || *in.Mark < 1 || *in.Mark > 5 {
		v.Add("mark", "mark must be a whole number from 1 to 5")
	}
	in.Name, in.Text = strings.TrimSpace(in.Name), strings.TrimSpace(in.Text)
	if in.Name == "" {
		v.Add("name", "name is required")
	}
	if in.Text == "" {
		v.Add("text", "text is required")
	}
	if err := v.Err(); err != nil {
		return Comment{}, Location{}, err
	}
	var out Comment
	var loc Location
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if loc, _, err = s.access(ctx, tx, c, locationID, ""); err != nil {
			return err
		}
		// Team member 0 is a review of the location itself (type 0): no
		// member, no member's rating.
		if teamMemberID == 0 {
			out = Comment{LocationID: locationID, Type: 0, Text: in.Text, Rating: *in.Mark,
				UserID: c.User.ID, UserName: in.Name, CreatedAt: s.now()}
			out.ID, err = tx.CreateComment(ctx, out)
			return err
		}
		if err := tx.Lock(ctx, LockTeamMember, teamMemberID); err != nil && err != ErrNotFound {
			return err
		}
		m, err := tx.TeamMember(ctx, locationID, teamMemberID)
		if err == ErrNotFound || (err == nil && m.Deleted) {
			return Invalid("team_member_id", "team member %d is not in this location", teamMemberID)
		} else if err != nil {
			return err
		}
		out = Comment{LocationID: locationID, Type: 1, TeamMemberID: teamMemberID, Text: in.Text, Rating: *in.Mark,
			UserID: c.User.ID, UserName: in.Name, CreatedAt: s.now()}
		if out.ID, err = tx.CreateComment(ctx, out); err != nil {
			return err
		}
		return tx.RateTeamMember(ctx, teamMemberID)
	})
	return out, loc, err
}
