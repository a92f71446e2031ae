package booking

import (
	"context"
	"errors"
	"strings"
	"time"

	"appointd/internal/auth"
)

// LocationInput is a create or a partial update: nil fields are absent.
type LocationInput struct {
	Title          *string
	ShortDescr     *string
	Description    *string
	Phones         *[]string
	Email          *string
	Site           *string
	CountryID      *int64
	Country        *string
	CityID         *int64
	City           *string
	TimezoneName   *string
	Address        *string
	Zip            *string
	CoordinateLat  *float64
	CoordinateLon  *float64
	BusinessTypeID *int64
	Currency       *string
	Social         *Social
}

// Countries and cities known by id; an unknown id keeps the given name.
var countries = map[int64]string{1: "Russia", 2: "Ukraine", 3: "Kazakhstan", 5: "United States",
	7: "United Kingdom", 8: "Germany", 30: "Latvia", 31: "Lithuania", 32: "Estonia"}

// ValidZone reports whether name is a loadable IANA time zone.
func ValidZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

func (in LocationInput) apply(l *Location, creating bool) error {
	v := &ValidationError{}
	str := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	str(&l.Title, in.Title)
	str(&l.ShortDescr, in.ShortDescr)
	str(&l.Description, in.Description)
	str(&l.Email, in.Email)
	str(&l.Site, in.Site)
	str(&l.City, in.City)
	str(&l.Address, in.Address)
	str(&l.Zip, in.Zip)
	str(&l.Currency, in.Currency)
	if in.Country != nil && in.CountryID == nil {
		l.Country, l.CountryID = strings.TrimSpace(*in.Country), 0
	}
	if in.CountryID != nil {
		l.CountryID = *in.CountryID
		if name, ok := countries[*in.CountryID]; ok {
			l.Country = name
		}
	}
	if in.CityID != nil {
		l.CityID = *in.CityID
	}
	if in.TimezoneName != nil {
		tz := strings.TrimSpace(*in.TimezoneName)
		if !ValidZone(tz) {
			v.Add("timezone_name", "timezone_name %q is not an IANA time zone", tz)
		}
		l.TimezoneName = tz
	}
	if in.CoordinateLat != nil {
		if !(*in.CoordinateLat >= -90 && *in.CoordinateLat <= 90) { // NaN too
			v.Add("coordinate_lat", "coordinate_lat must be between -90 and 90")
		}
		l.CoordinateLat = *in.CoordinateLat
	}
	if in.CoordinateLon != nil {
		if !(*in.CoordinateLon >= -180 && *in.CoordinateLon <= 180) { // NaN too
			v.Add("coordinate_lon", "coordinate_lon must be between -180 and 180")
		}
		l.CoordinateLon = *in.CoordinateLon
	}
	if in.BusinessTypeID != nil {
		l.BusinessTypeID = *in.BusinessTypeID
	}
	if in.Phones != nil {
		l.Phones = nil
		for _, p := range *in.Phones {
			if d := PhoneDigits(p); len(d) < 9 || len(d) > 15 {
				v.Add("phones", "phone %q must contain 9 to 15 digits", p)
			} else {
				l.Phones = append(l.Phones, "+"+d)
			}
		}
		l.Phone = ""
		if len(l.Phones) > 0 {
			l.Phone = l.Phones[0]
		}
	}
	if in.Social != nil {
		l.Social = *in.Social
	}
	if l.Title == "" && (creating || in.Title != nil) {
		v.Add("title", "title is required")
	}
	if len(l.Title) > 255 {
		v.Add("title", "title must be at most 255 characters")
	}
	if l.Email != "" && !strings.Contains(l.Email, "@") {
		v.Add("email", "email %q is not a valid address", l.Email)
	}
	return v.Err()
}

// ListLocations answers GET /companies. The partner token alone sees every
// active location (the public catalogue); MyOnly needs a user and lists the
// locations the user is linked to.
func (s *Service) ListLocations(ctx context.Context, c Caller, f LocationFilter) ([]Location, error) {
	if f.MyOnly {
		if c.User == nil {
			return nil, ErrUnauthorized
		}
		f.UserID = c.User.ID
	}
	var out []Location
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListLocations(ctx, f)
		return err
	})
	return out, err
}

// GetLocation answers GET /company/{id}; with my the caller must be linked
// and the membership is returned too.
func (s *Service) GetLocation(ctx context.Context, c Caller, id int64, my bool) (Location, *Membership, error) {
	var loc Location
	var mem *Membership
	err := s.store.Read(ctx, func(tx Tx) error {
		if my {
			l, m, err := s.access(ctx, tx, c, id, "")
			loc, mem = l, &m
			return err
		}
		var err error
		loc, err = tx.LocationByID(ctx, id)
		return err
	})
	return loc, mem, err
}

// CreateLocation adds a location; the calling user becomes its owner.
func (s *Service) CreateLocation(ctx context.Context, c Caller, in LocationInput) (Location, error) {
	if c.User == nil {
		return Location{}, ErrUnauthorized
	}
	return s.addLocation(ctx, in, c.User.ID)
}

// SeedLocation adds a location with no owner (admin command line and demo).
func (s *Service) SeedLocation(ctx context.Context, in LocationInput) (Location, error) {
	return s.addLocation(ctx, in, 0)
}

// addLocation validates and stores a new location; with ownerID set, that
// user becomes its owner in the same transaction.
func (s *Service) addLocation(ctx context.Context, in LocationInput, ownerID int64) (Location, error) {
	now := s.now()
	loc := Location{Active: true, TimezoneName: "UTC", Currency: "USD", CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&loc, true); err != nil {
		return Location{}, err
	}
	loc.PublicTitle = loc.Title
	err := s.store.Write(ctx, func(tx Tx) error {
		id, err := tx.CreateLocation(ctx, loc)
		if err != nil {
			return err
		}
		loc.ID = id
		for _, a := range defaultAccounts {
			a.LocationID, a.CreatedAt = id, now
			if _, err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
		if ownerID == 0 {
			return nil
		}
		return tx.PutMembership(ctx, Membership{LocationID: id, UserID: ownerID, Role: auth.RoleOwner, CreatedAt: now})
	})
	return loc, err
}

// UpdateLocation applies a partial update; settings_access is needed.
func (s *Service) UpdateLocation(ctx context.Context, c Caller, id int64, in LocationInput) (Location, error) {
	var loc Location
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.Lock(ctx, LockLocation, id); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		l, _, err := s.access(ctx, tx, c, id, auth.PermSettings)
		if err != nil {
			return err
		}
		if err := in.apply(&l, false); err != nil {
			return err
		}
		if in.Title != nil {
			l.PublicTitle = l.Title
		}
		l.UpdatedAt = s.now()
		loc = l
		return tx.UpdateLocation(ctx, l)
	})
	return loc, err
}

// DeleteLocation soft-deletes a location: it disappears from every route.
// Only an owner may do it.
func (s *Service) DeleteLocation(ctx context.Context, c Caller, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		_, m, err := s.access(ctx, tx, c, id, "")
		if err != nil {
			return err
		}
		if m.Role != auth.RoleOwner {
			return ErrForbidden
		}
		return tx.DeleteLocation(ctx, id, s.now())
	})
}

// Empty reports whether the store holds no location yet (demo seeding).
func (s *Service) Empty(ctx context.Context) (bool, error) {
	var n int
	err := s.store.Read(ctx, func(tx Tx) error {
		locs, err := tx.ListLocations(ctx, LocationFilter{Count: 1})
		n = len(locs)
		return err
	})
	return n == 0, err
}
