package booking

import (
	"context"
	"errors"
	"strings"

	"appointd/internal/auth"
)

// TeamMemberInput is a create or partial update of a team member.
type TeamMemberInput struct {
	Name               *string
	Specialization     *string
	PositionID         *int64 // 0 unlinks
	APIID              *string
	Information        *string
	Avatar             *string
	Weight             *int64
	UserID             *int64 // 0 unlinks
	HasAccessTimetable *bool
	Hidden             *bool
	Fired              *bool
	IsPaidStaff        *bool
}

func (in TeamMemberInput) apply(ctx context.Context, tx Tx, m *TeamMember, creating bool) error {
	v := &ValidationError{}
	setStr := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	setStr(&m.Name, in.Name)
	setStr(&m.Specialization, in.Specialization)
	setStr(&m.APIID, in.APIID)
	setStr(&m.Information, in.Information)
	setStr(&m.Avatar, in.Avatar)
	if in.Weight != nil {
		m.Weight = *in.Weight
	}
	for _, f := range []struct {
		dst *bool
		src *bool
	}{{&m.HasAccessTimetable, in.HasAccessTimetable}, {&m.Hidden, in.Hidden}, {&m.Fired, in.Fired}, {&m.IsPaidStaff, in.IsPaidStaff}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if m.Name == "" && (creating || in.Name != nil) {
		v.Add("name", "name is required")
	}
	if len(m.Name) > 255 {
		v.Add("name", "name must be at most 255 characters")
	}
	if in.PositionID != nil {
		m.PositionID = nil
		if *in.PositionID != 0 {
			if _, err := tx.Position(ctx, m.LocationID, *in.PositionID); errors.Is(err, ErrNotFound) {
				v.Add("position_id", "position %d does not exist in this location", *in.PositionID)
			} else if err != nil {
				return err
			}
			id := *in.PositionID
			m.PositionID = &id
		}
	}
	if in.UserID != nil {
		m.UserID = nil
		if *in.UserID != 0 {
			if _, err := tx.Membership(ctx, m.LocationID, *in.UserID); errors.Is(err, ErrNotFound) {
				v.Add("user_id", "user %d does not work in this location", *in.UserID)
			} else if err != nil {
				return err
			}
			id := *in.UserID
			m.UserID = &id
		}
	}
	return v.Err()
}

// locationExists is the gate of the public (partner-token) reads.
func locationExists(ctx context.Context, tx Tx, id int64) error {
	_, err := tx.LocationByID(ctx, id)
	return err
}

// TeamMembers lists a location's team members (partner token is enough).
func (s *Service) TeamMembers(ctx context.Context, locationID int64) ([]TeamMember, error) {
	var out []TeamMember
	err := s.store.Read(ctx, func(tx Tx) error {
		if err := locationExists(ctx, tx, locationID); err != nil {
			return err
		}
		var err error
		if out, err = tx.TeamMembers(ctx, locationID); err != nil {
			return err
		}
		return withMemberDetails(ctx, tx, locationID, out)
	})
	return out, err
}

// withMemberDetails sets the location's slot grid and each member's service
// links on the members, for the team-member answer.
func withMemberDetails(ctx context.Context, tx Tx, locationID int64, list []TeamMember) error {
	settings, err := tx.TimetableSettings(ctx, locationID)
	if err != nil {
		return err
	}
	services, err := tx.Services(ctx, ServiceFilter{LocationID: locationID})
	if err != nil {
		return err
	}
	links := map[int64][]StaffLink{}
	for _, sv := range services {
		for _, l := range sv.Staff {
			links[l.TeamMemberID] = append(links[l.TeamMemberID], l)
		}
	}
	for i := range list {
		list[i].SeanceStep = settings.SeanceStep
		list[i].ServiceLinks = links[list[i].ID]
	}
	return nil
}

// oneMember reads one member with its details.
func oneMember(ctx context.Context, tx Tx, locationID, id int64) (TeamMember, error) {
	m, err := tx.TeamMember(ctx, locationID, id)
	if err != nil {
		return m, err
	}
	list := []TeamMember{m}
	err = withMemberDetails(ctx, tx, locationID, list)
	return list[0], err
}

// TeamMember returns one non-removed team member (partner token is enough).
func (s *Service) TeamMember(ctx context.Context, locationID, id int64) (TeamMember, error) {
	var m TeamMember
	err := s.store.Read(ctx, func(tx Tx) error {
		if err := locationExists(ctx, tx, locationID); err != nil {
			return err
		}
		var err error
		m, err = oneMember(ctx, tx, locationID, id)
		if err == nil && m.Deleted {
			err = ErrNotFound
		}
		return err
	})
	return m, err
}

// CreateTeamMember adds a team member; settings_access is needed.
func (s *Service) CreateTeamMember(ctx context.Context, c Caller, locationID int64, in TeamMemberInput) (TeamMember, error) {
	var m TeamMember
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		now := s.now()
		m = TeamMember{LocationID: locationID, IsPaidStaff: true, CreatedAt: now, UpdatedAt: now}
		if err := in.apply(ctx, tx, &m, true); err != nil {
			return err
		}
		id, err := tx.CreateTeamMember(ctx, m)
		if err != nil {
			return err
		}
		m, err = oneMember(ctx, tx, locationID, id)
		return err
	})
	return m, err
}

// UpdateTeamMember changes a team member; absent fields keep their values.
func (s *Service) UpdateTeamMember(ctx context.Context, c Caller, locationID, id int64, in TeamMemberInput) (TeamMember, error) {
	var m TeamMember
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		if err := tx.Lock(ctx, LockTeamMember, id); err != nil {
			return err
		}
		var err error
		if m, err = tx.TeamMember(ctx, locationID, id); err != nil {
			return err
		}
		if m.Deleted {
			return ErrNotFound
		}
		if err := in.apply(ctx, tx, &m, false); err != nil {
			return err
		}
		m.UpdatedAt = s.now()
		if err := tx.UpdateTeamMember(ctx, m); err != nil {
			return err
		}
		m, err = oneMember(ctx, tx, locationID, id)
		return err
	})
	return m, err
}

// DeleteTeamMember removes a team member (status 1); links to services go.
func (s *Service) DeleteTeamMember(ctx context.Context, c Caller, locationID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		return tx.DeleteTeamMember(ctx, locationID, id, s.now())
	})
}

// Positions lists a location's positions.
func (s *Service) Positions(ctx context.Context, c Caller, locationID int64) ([]Position, error) {
	var out []Position
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, ""); err != nil {
			return err
		}
		var err error
		out, err = tx.Positions(ctx, locationID)
		return err
	})
	return out, err
}

// CreatePosition adds a position (demo seed and quick create).
func (s *Service) CreatePosition(ctx context.Context, locationID int64, title string) (Position, error) {
	p := Position{LocationID: locationID, Title: strings.TrimSpace(title)}
	if p.Title == "" {
		return p, Invalid("title", "title is required")
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := locationExists(ctx, tx, locationID); err != nil {
			return err
		}
		id, err := tx.CreatePosition(ctx, p)
		p.ID = id
		return err
	})
	return p, err
}
