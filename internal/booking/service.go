package booking

import (
	"context"
	"sync/atomic"
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
	// Hooks renders webhook payloads; nil writes no deliveries.
	Hooks HookRenderer
	// PasswordChecked, when set, is called before each password check of a
	// login (tests count the bcrypt evaluations with it).
	PasswordChecked func()
	// HookWritten is called after a committed write that queued webhook
	// deliveries (it wakes the delivery worker).
	HookWritten func()
	// HookAllowLocal lets the settings API save webhook URLs naming a
	// loopback, private or this host's own address (the server's
	// --webhook-allow-loopback); the worker checks again when it dials.
	HookAllowLocal bool
}

// Service holds the use cases.
type Service struct {
	store           Store
	outbox          Store // the store unwrapped: the worker's transactions leave the caches alone
	hasher          *auth.Hasher
	throttle        auth.Throttle
	sessionIdle     time.Duration
	now             func() time.Time
	auths           authCache
	accesses        accessCache
	hooks           HookRenderer
	hookWritten     atomic.Bool
	hookLocal       bool
	passwordChecked func()
}

func NewService(store Store, o Options) *Service {
	s := &Service{
		store:           store,
		outbox:          store,
		hasher:          auth.NewHasher(o.BcryptCost),
		throttle:        auth.DefaultThrottle,
		sessionIdle:     o.SessionIdleTimeout,
		now:             o.Now,
		hooks:           o.Hooks,
		hookLocal:       o.HookAllowLocal,
		passwordChecked: o.PasswordChecked,
	}
	if o.Throttle != nil {
		s.throttle = *o.Throttle
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.store = clearingStore{Store: store, cache: &s.accesses}
	if o.HookWritten != nil {
		s.store = notifyingStore{Store: s.store, written: &s.hookWritten, notify: o.HookWritten}
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
	now := s.now()
	e, cached := accessEntry{}, false
	if !tx.Writable() { // a write decides on fresh rows
		e, cached = s.accesses.get(c.User.ID, locationID, now)
	}
	if !cached {
		var err error
		if e.loc, err = tx.LocationByID(ctx, locationID); err != nil {
			return Location{}, Membership{}, err
		}
		if e.member, err = tx.Membership(ctx, locationID, c.User.ID); err != nil {
			return Location{}, Membership{}, err
		}
		if !tx.Writable() {
			e.expires = now.Add(authCacheTTL)
			s.accesses.put(c.User.ID, locationID, e)
		}
	}
	if err := e.allows(perm); err != nil {
		return Location{}, Membership{}, err
	}
	return e.loc, e.member, nil
}

// Authorize is the access check alone: ErrNotFound when the caller is not
// a member of the location, ErrForbidden when the member lacks perm ("" =
// membership is enough). The HTTP layer calls it before it reads a request,
// so that an outsider or a member without the right never learns more than
// that; every use case still checks in its own transaction.
func (s *Service) Authorize(ctx context.Context, c Caller, locationID int64, perm string) error {
	if c.User != nil {
		if e, ok := s.accesses.get(c.User.ID, locationID, s.now()); ok {
			return e.allows(perm)
		}
	}
	return s.store.Read(ctx, func(tx Tx) error {
		_, _, err := s.access(ctx, tx, c, locationID, perm)
		return err
	})
}
