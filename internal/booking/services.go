package booking

import (
	"context"
	"errors"
	"strings"

	"appointd/internal/auth"
)

// Duration limits (seconds) of services and team-member links.
const (
	minSeance    = 300
	maxSeance    = 86100
	maxTechBreak = 3600
)

func validSeance(sec int64) bool { return sec >= minSeance && sec <= maxSeance && sec%300 == 0 }

// CategoryInput is a create or partial update of a service category.
type CategoryInput struct {
	Title  *string
	APIID  *string
	Weight *int64
}

// Categories lists a location's categories; TeamMemberID narrows to those
// with a service the member performs. public skips the user check.
func (s *Service) Categories(ctx context.Context, c Caller, f ServiceFilter, public bool) ([]ServiceCategory, error) {
	var out []ServiceCategory
	err := s.store.Read(ctx, func(tx Tx) error {
		if err := s.readGate(ctx, tx, c, f.LocationID, public); err != nil {
			return err
		}
		var err error
		out, err = tx.Categories(ctx, f)
		return err
	})
	return out, err
}

// readGate: public reads need only the location; others a linked user.
func (s *Service) readGate(ctx context.Context, tx Tx, c Caller, locationID int64, public bool) error {
	if public {
		return locationExists(ctx, tx, locationID)
	}
	_, _, err := s.access(ctx, tx, c, locationID, "")
	return err
}

// Category returns one category.
func (s *Service) Category(ctx context.Context, c Caller, locationID, id int64, public bool) (ServiceCategory, error) {
	var out ServiceCategory
	err := s.store.Read(ctx, func(tx Tx) error {
		if err := s.readGate(ctx, tx, c, locationID, public); err != nil {
			return err
		}
		var err error
		out, err = tx.Category(ctx, locationID, id)
		return err
	})
	return out, err
}

// SaveCategory creates (id 0) or changes a category; settings_access needed.
func (s *Service) SaveCategory(ctx context.Context, c Caller, locationID, id int64, in CategoryInput) (ServiceCategory, error) {
	var out ServiceCategory
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		cat := ServiceCategory{LocationID: locationID}
		if id != 0 {
			var err error
			if cat, err = tx.Category(ctx, locationID, id); err != nil {
				return err
			}
		}
		if in.Title != nil {
			cat.Title = strings.TrimSpace(*in.Title)
		}
		if in.APIID != nil {
			cat.APIID = strings.TrimSpace(*in.APIID)
		}
		if in.Weight != nil {
			cat.Weight = *in.Weight
		}
		if cat.Title == "" {
			return Invalid("title", "title is required")
		}
		if id == 0 {
			var err error
			if id, err = tx.CreateCategory(ctx, cat); err != nil {
				return err
			}
		} else if err := tx.UpdateCategory(ctx, cat); err != nil {
			return err
		}
		var err error
		out, err = tx.Category(ctx, locationID, id)
		return err
	})
	return out, err
}

// DeleteCategory removes an empty category.
func (s *Service) DeleteCategory(ctx context.Context, c Caller, locationID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		if _, err := tx.Category(ctx, locationID, id); err != nil {
			return err
		}
		svcs, err := tx.Services(ctx, ServiceFilter{LocationID: locationID, CategoryID: id})
		if err != nil {
			return err
		}
		if len(svcs) > 0 {
			return Invalid("id", "category %d still has %d service(s); move or delete them first", id, len(svcs))
		}
		return tx.DeleteCategory(ctx, locationID, id, s.now())
	})
}

// ServiceInput is a create or partial update of a service. Money is in
// minor units.
type ServiceInput struct {
	Title                  *string
	BookingTitle           *string
	CategoryID             *int64
	PriceMin               *int64
	PriceMax               *int64
	Duration               *int64
	TechnicalBreakDuration *int64
	TechnicalBreakSet      bool // true with a nil value clears it
	Discount               *int64
	Comment                *string
	Weight                 *int64
	Active                 *bool
	APIID                  *string
	Staff                  *[]StaffLink // replaces the links
}

func (in ServiceInput) apply(ctx context.Context, tx Tx, sv *SalonService, creating bool) error {
	v := &ValidationError{}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&sv.Title, in.Title}, {&sv.BookingTitle, in.BookingTitle}, {&sv.Comment, in.Comment}, {&sv.APIID, in.APIID}} {
		if f.src != nil {
			*f.dst = strings.TrimSpace(*f.src)
		}
	}
	for _, f := range []struct {
		dst *int64
		src *int64
	}{{&sv.CategoryID, in.CategoryID}, {&sv.PriceMin, in.PriceMin}, {&sv.PriceMax, in.PriceMax},
		{&sv.Duration, in.Duration}, {&sv.Discount, in.Discount}, {&sv.Weight, in.Weight}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.Active != nil {
		sv.Active = *in.Active
	}
	if in.TechnicalBreakSet {
		sv.TechnicalBreakDuration = in.TechnicalBreakDuration
	}
	if sv.Title == "" {
		v.Add("title", "title is required")
	}
	if in.CategoryID != nil || creating {
		if _, err := tx.Category(ctx, sv.LocationID, sv.CategoryID); errors.Is(err, ErrNotFound) {
			v.Add("category_id", "category %d does not exist in this location", sv.CategoryID)
		} else if err != nil {
			return err
		}
	}
	if sv.PriceMin < 0 || sv.PriceMin > maxLineMinor {
		v.Add("price_min", "price_min must be 0 to 1000000000")
	}
	if sv.PriceMax < 0 || sv.PriceMax > maxLineMinor {
		v.Add("price_max", "price_max must be 0 to 1000000000")
	}
	if sv.PriceMin > sv.PriceMax {
		v.Add("price_max", "price_max must not be less than price_min")
	}
	if !validSeance(sv.Duration) {
		v.Add("duration", "duration must be a multiple of 300 seconds from 300 to 86100")
	}
	if b := sv.TechnicalBreakDuration; b != nil && (*b < 0 || *b > maxTechBreak || *b%300 != 0) {
		v.Add("technical_break_duration", "technical_break_duration must be null or a multiple of 300 seconds up to 3600")
	}
	if sv.Discount < 0 || sv.Discount > 100 {
		v.Add("discount", "discount is a percentage from 0 to 100")
	}
	if in.Staff != nil {
		seen := map[int64]bool{}
		links := []StaffLink{}
		for _, l := range *in.Staff {
			if l.SeanceLength == 0 {
				l.SeanceLength = sv.Duration
			}
			if err := checkLink(ctx, tx, sv.LocationID, l, v, "staff"); err != nil {
				return err
			}
			if seen[l.TeamMemberID] {
				v.Add("staff", "team member %d is listed twice", l.TeamMemberID)
			}
			seen[l.TeamMemberID] = true
			links = append(links, l)
		}
		sv.Staff = links
	}
	return v.Err()
}

// checkLink validates one team-member link into v.
func checkLink(ctx context.Context, tx Tx, locationID int64, l StaffLink, v *ValidationError, field string) error {
	m, err := tx.TeamMember(ctx, locationID, l.TeamMemberID)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && m.Deleted):
		v.Add(field, "team member %d does not exist in this location", l.TeamMemberID)
	case err != nil:
		return err
	}
	if !validSeance(l.SeanceLength) {
		v.Add(field, "seance_length must be a multiple of 300 seconds from 300 to 86100")
	}
	return nil
}

// Services lists services; public skips the user check.
func (s *Service) Services(ctx context.Context, c Caller, f ServiceFilter, public bool) ([]SalonService, error) {
	var out []SalonService
	err := s.store.Read(ctx, func(tx Tx) error {
		if err := s.readGate(ctx, tx, c, f.LocationID, public); err != nil {
			return err
		}
		var err error
		if out, err = tx.Services(ctx, f); err != nil {
			return err
		}
		return withGrid(ctx, tx, f.LocationID, out)
	})
	return out, err
}

// withGrid sets the location's slot grid on each service: the answer shows it
// as the service's step and seance_search_step (docs/ARCHITECTURE.md).
func withGrid(ctx context.Context, tx Tx, locationID int64, list []SalonService) error {
	settings, err := tx.TimetableSettings(ctx, locationID)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].SeanceStep = settings.SeanceStep
	}
	return nil
}

// oneWithGrid reads one service with the location's slot grid.
func oneWithGrid(ctx context.Context, tx Tx, locationID, id int64) (SalonService, error) {
	sv, err := tx.Service(ctx, locationID, id)
	if err != nil {
		return sv, err
	}
	list := []SalonService{sv}
	err = withGrid(ctx, tx, locationID, list)
	return list[0], err
}

// GetService returns one service with its links.
func (s *Service) GetService(ctx context.Context, c Caller, locationID, id int64, public bool) (SalonService, error) {
	var out SalonService
	err := s.store.Read(ctx, func(tx Tx) error {
		if err := s.readGate(ctx, tx, c, locationID, public); err != nil {
			return err
		}
		var err error
		out, err = oneWithGrid(ctx, tx, locationID, id)
		return err
	})
	return out, err
}

// SaveService creates (id 0) or changes a service and, when given, its
// links; settings_access is needed.
func (s *Service) SaveService(ctx context.Context, c Caller, locationID, id int64, in ServiceInput) (SalonService, error) {
	var out SalonService
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		sv := SalonService{LocationID: locationID, Duration: 3600, Active: true}
		if id != 0 {
			// A partial edit rewrites the whole row: read it under its lock.
			if err := tx.Lock(ctx, LockService, id); err != nil {
				return err
			}
			var err error
			if sv, err = tx.Service(ctx, locationID, id); err != nil {
				return err
			}
		}
		if err := in.apply(ctx, tx, &sv, id == 0); err != nil {
			return err
		}
		if id == 0 {
			var err error
			if id, err = tx.CreateService(ctx, sv); err != nil {
				return err
			}
		} else if err := tx.UpdateService(ctx, sv); err != nil {
			return err
		}
		if in.Staff != nil {
			if err := tx.SetStaffLinks(ctx, id, sv.Staff); err != nil {
				return err
			}
		}
		var err error
		out, err = oneWithGrid(ctx, tx, locationID, id)
		return err
	})
	return out, err
}

// DeleteService removes a service.
func (s *Service) DeleteService(ctx context.Context, c Caller, locationID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		return tx.DeleteService(ctx, locationID, id, s.now())
	})
}

// LinkStaff creates or changes one team-member link (create: the link must
// not exist yet).
func (s *Service) LinkStaff(ctx context.Context, c Caller, locationID int64, l StaffLink, creating bool) (StaffLink, error) {
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		sv, err := tx.Service(ctx, locationID, l.ServiceID)
		if err != nil {
			return err
		}
		exists := false
		for _, x := range sv.Staff {
			exists = exists || x.TeamMemberID == l.TeamMemberID
		}
		if !creating && !exists {
			return ErrNotFound
		}
		v := &ValidationError{}
		if creating && exists {
			v.Add("master_id", "team member %d is already linked to service %d", l.TeamMemberID, l.ServiceID)
		}
		if err := checkLink(ctx, tx, locationID, l, v, "seance_length"); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		return tx.PutStaffLink(ctx, l)
	})
	return l, err
}

// UnlinkStaff removes one team-member link.
func (s *Service) UnlinkStaff(ctx context.Context, c Caller, locationID, serviceID, teamMemberID int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		if _, err := tx.Service(ctx, locationID, serviceID); err != nil {
			return err
		}
		return tx.DeleteStaffLink(ctx, serviceID, teamMemberID)
	})
}
