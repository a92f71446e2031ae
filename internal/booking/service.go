package booking

import (
	"context"
	"time"

	"appointd/internal/auth"
)

// Options tune a Service. Zero values mean the documented defaults.
type Options struct {
	// BcryptCost for new password hashes (default bcrypt.DefaultCost).
	BcryptCost int
	// Throttle for failed logins (default auth.DefaultThrottle).
	Throttle *auth.Throttle
	// SessionIdleTimeout expires user tokens unused for this long; 0 = never.
	SessionIdleTimeout time.Duration
	// Now is the clock (tests move it).
	Now func() time.Time
}

// Service holds the use cases.
type Service struct {
	store       Store
	hasher      *auth.Hasher
	throttle    auth.Throttle
	sessionIdle time.Duration
	now         func() time.Time
	auths       authCache
}

func NewService(store Store, o Options) *Service {
	s := &Service{
		store:       store,
		hasher:      auth.NewHasher(o.BcryptCost),
		throttle:    auth.DefaultThrottle,
		sessionIdle: o.SessionIdleTimeout,
		now:         o.Now,
	}
	if o.Throttle != nil {
		s.throttle = *o.Throttle
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Ping reports whether the store answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// access is the one gate for location-scoped use cases: the caller must be a
// user linked to the (non-deleted) location, else ErrNotFound (existence does
// not leak); with perm set, a linked user lacking it gets ErrForbidden.
func (s *Service) access(ctx context.Context, tx Tx, c Caller, locationID int64, perm string) (Location, Membership, error) {
	if c.User == nil {
		return Location{}, Membership{}, ErrUnauthorized
	}
	loc, err := tx.LocationByID(ctx, locationID)
	if err != nil {
		return Location{}, Membership{}, err
	}
	m, err := tx.Membership(ctx, locationID, c.User.ID)
	if err != nil {
		return Location{}, Membership{}, err
	}
	if perm != "" && !m.Permissions().Allows(perm) {
		return Location{}, Membership{}, ErrForbidden
	}
	return loc, m, nil
}
