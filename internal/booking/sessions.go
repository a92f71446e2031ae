package booking

import (
	"context"
	"errors"
	"strings"
	"time"

	"appointd/internal/auth"
)

// touchEvery limits how often a session's last-use time is written.
const touchEvery = time.Minute

// Authenticate turns the Authorization header's tokens into a Caller. A
// partner token is always required; a user token, when given, must be valid
// and must have been issued through that same partner (an unknown or foreign
// token is never silently ignored).
func (s *Service) Authenticate(ctx context.Context, cred auth.Credentials, ip string) (Caller, error) {
	if cred.Partner == "" {
		return Caller{}, ErrUnauthorized
	}
	key := [2]string{auth.HashToken(cred.Partner), ""}
	if cred.User != "" {
		key[1] = auth.HashToken(cred.User)
	}
	return s.authenticate(ctx, key, ip)
}

// authenticate resolves key (the partner's and the user's token hashes; the
// user's may be empty) into a Caller.
func (s *Service) authenticate(ctx context.Context, key [2]string, ip string) (Caller, error) {
	now := s.now()
	if e, ok := s.auths.get(key, now); ok {
		if s.sessionIdle > 0 && e.caller.User != nil && now.Sub(e.lastUsed) > s.sessionIdle {
			return Caller{}, ErrUnauthorized
		}
		e.caller.IP = ip
		if e.caller.User != nil {
			u := *e.caller.User // callers must not share one User
			e.caller.User = &u
		}
		return e.caller, nil
	}
	c := Caller{IP: ip}
	var touch *Session
	var lastUsed time.Time
	err := s.store.Read(ctx, func(tx Tx) error {
		p, err := tx.PartnerByTokenHash(ctx, key[0])
		if err != nil {
			return err
		}
		if !p.RevokedAt.IsZero() {
			return ErrNotFound
		}
		c.Partner = p
		if key[1] == "" {
			return nil
		}
		hash := key[1]
		sess, err := tx.SessionByTokenHash(ctx, hash)
		if err != nil {
			return err
		}
		if !auth.SameHash(sess.TokenHash, hash) {
			return ErrNotFound
		}
		// A session answers only with the partner it was issued through: a
		// calendar session (web partner) never with an API partner token,
		// and an API session never with another partner's token.
		if sess.PartnerID != c.Partner.ID {
			return ErrNotFound
		}
		if s.sessionIdle > 0 && now.Sub(sess.LastUsedAt) > s.sessionIdle {
			return ErrNotFound
		}
		u, err := tx.UserByID(ctx, sess.UserID)
		if err != nil {
			return err
		}
		c.User, c.SessionID = &u, sess.ID
		lastUsed = sess.LastUsedAt
		if now.Sub(sess.LastUsedAt) > touchEvery {
			touch = &sess
			lastUsed = now
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return Caller{}, ErrUnauthorized
	}
	if err != nil {
		return Caller{}, err
	}
	if touch != nil {
		err := s.store.Write(ctx, func(tx Tx) error { return tx.TouchSession(ctx, touch.ID, now) })
		if err != nil {
			return Caller{}, err
		}
	}
	s.auths.put(key, authEntry{caller: c, lastUsed: lastUsed, expires: now.Add(authCacheTTL)})
	return c, nil
}

// Login waits: while a throttled key has pending attempts (reserved, their
// password check not answered yet, reserved within loginPendingFor), an
// attempt waits up to loginWaitTries × loginWaitStep for them to settle
// before it answers 429, so that concurrent right passwords are not refused
// for attempts that will be taken back. An older pending row (its process
// died between reserving and settling) counts as a plain failure.
const (
	loginPendingFor = 30 * time.Second
	loginWaitStep   = 50 * time.Millisecond
	loginWaitTries  = 100
)

// errLoginBusy: the limit is reached only with attempts still pending.
var errLoginBusy = errors.New("login attempts pending")

// Login checks a login and password and issues a user token, which is
// returned once and stored only as a hash. Failures are counted per login and
// per client IP in the store, so the throttle holds across processes.
//
// Each attempt is reserved as a pending failure of both keys, under their
// row locks, before bcrypt runs: however many attempts arrive at once, at
// most the throttle's limit of password checks run per key in a window. A
// wrong password settles the reservation as a failure; a right one takes it
// back (and clears the login's failures).
func (s *Service) Login(ctx context.Context, c Caller, login, password string) (User, string, error) {
	v := &ValidationError{}
	login = strings.TrimSpace(login)
	if login == "" {
		v.Add("login", "login is required")
	}
	if password == "" {
		v.Add("password", "password is required")
	}
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	// Always the login key first, then the IP key: one lock order for all.
	keys := []string{"login:" + strings.ToLower(login)}
	if c.IP != "" {
		keys = append(keys, "ip:"+c.IP)
	}
	var user User
	var reserved []int64
	var now time.Time
	var throttled *ThrottledError
	reserve := func(tx Tx) error {
		reserved, throttled = reserved[:0], nil
		for _, k := range keys {
			if err := tx.LockLoginKey(ctx, k, now); err != nil {
				return err
			}
			times, err := tx.LoginFailures(ctx, k, now.Add(-s.throttle.Window))
			if err != nil {
				return err
			}
			if wait := s.throttle.RetryAfter(now, times); wait > 0 {
				throttled = &ThrottledError{RetryAfter: wait}
				n, err := tx.PendingLoginAttempts(ctx, k, now.Add(-loginPendingFor))
				if err != nil {
					return err
				}
				if n > 0 {
					return errLoginBusy
				}
				return throttled
			}
		}
		for _, k := range keys {
			id, err := tx.ReserveLoginAttempt(ctx, k, now)
			if err != nil {
				return err
			}
			reserved = append(reserved, id)
		}
		u, err := tx.UserByLogin(ctx, login)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		user = u
		return err
	}
	for try := 1; ; try++ {
		now = s.now()
		err := s.store.Write(ctx, reserve)
		if err == nil {
			break
		}
		if !errors.Is(err, errLoginBusy) {
			return User{}, "", err
		}
		if try == loginWaitTries {
			return User{}, "", throttled
		}
		select {
		case <-ctx.Done():
			return User{}, "", ctx.Err()
		case <-time.After(loginWaitStep):
		}
	}
	// From here on the reservation is settled or taken back even when the
	// client has gone, so that a cancelled request never leaves it pending.
	reqCtx := ctx
	ctx = context.WithoutCancel(ctx)
	// Outside any transaction: bcrypt is slow and must not hold a lock.
	if s.passwordChecked != nil {
		s.passwordChecked()
	}
	if !s.hasher.Check(user.PasswordHash, password) {
		// Pruning passes over rows others hold, so this transaction never
		// waits for a login attempt.
		err := s.store.Write(ctx, func(tx Tx) error {
			for _, id := range reserved {
				if err := tx.SettleLoginFailure(ctx, id); err != nil {
					return err
				}
			}
			return tx.PruneLoginFailures(ctx, now.Add(-s.throttle.Window))
		})
		if err != nil {
			return User{}, "", err
		}
		return User{}, "", ErrBadCredentials
	}
	token := auth.NewToken()
	gone := false
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.ClearLoginFailures(ctx, keys[0]); err != nil {
			return err
		}
		for _, id := range reserved[1:] {
			if err := tx.DeleteLoginFailure(ctx, id); err != nil {
				return err
			}
		}
		if gone = reqCtx.Err() != nil; gone {
			return nil // the client has gone: commit the take-back, no session
		}
		_, err := tx.CreateSession(ctx, Session{
			UserID: user.ID, PartnerID: c.Partner.ID, TokenHash: auth.HashToken(token),
			CreatedAt: now, LastUsedAt: now,
		})
		return err
	})
	if err == nil && gone {
		err = reqCtx.Err()
	}
	if err != nil {
		return User{}, "", err
	}
	return user, token, nil
}

// Logout revokes the user token the caller presented.
func (s *Service) Logout(ctx context.Context, c Caller) error {
	if c.User == nil || c.SessionID == 0 {
		return ErrUnauthorized
	}
	err := s.store.Write(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, c.SessionID) })
	s.auths.forgetSession(c.SessionID)
	return err
}

// CreatePartner issues a partner token; the token is returned once.
func (s *Service) CreatePartner(ctx context.Context, name string) (Partner, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Partner{}, "", Invalid("name", "partner name is required")
	}
	token := auth.NewToken()
	p, err := s.AddPartnerToken(ctx, name, token)
	return p, token, err
}

// Partners lists the partners, oldest first.
func (s *Service) Partners(ctx context.Context) ([]Partner, error) {
	var list []Partner
	err := s.store.Read(ctx, func(tx Tx) (err error) {
		list, err = tx.Partners(ctx)
		return err
	})
	return list, err
}

// RevokePartner stops a partner's token and deletes the sessions issued
// through it. The row stays, so its id keeps meaning the same partner. In
// this process it takes effect at once; other processes drop their cached
// credentials within authCacheTTL.
func (s *Service) RevokePartner(ctx context.Context, id int64) (Partner, error) {
	var p Partner
	err := s.store.Write(ctx, func(tx Tx) error {
		list, err := tx.Partners(ctx)
		if err != nil {
			return err
		}
		for _, q := range list {
			if q.ID == id {
				p = q
			}
		}
		if p.ID == 0 {
			return ErrNotFound
		}
		if p.TokenHash == webPartnerHash {
			return Invalid("id", "the web calendar's built-in partner cannot be revoked")
		}
		if p.RevokedAt.IsZero() {
			p.RevokedAt = s.now()
		}
		return tx.RevokePartner(ctx, id, p.RevokedAt)
	})
	s.auths.forgetPartner(id)
	return p, err
}

// UserRoles is a user with its memberships, for the operator's listing.
type UserRoles struct {
	User  User
	Roles []Membership // by location id
}

// UsersWithRoles lists every user, oldest first, with its role in each
// location.
func (s *Service) UsersWithRoles(ctx context.Context) ([]UserRoles, error) {
	var out []UserRoles
	err := s.store.Read(ctx, func(tx Tx) error {
		out = out[:0]
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			ms, err := tx.Memberships(ctx, u.ID)
			if err != nil {
				return err
			}
			out = append(out, UserRoles{User: u, Roles: ms})
		}
		return nil
	})
	return out, err
}

// AddPartnerToken registers a partner with a token chosen by the operator
// (the demo's fixed token).
func (s *Service) AddPartnerToken(ctx context.Context, name, token string) (Partner, error) {
	p := Partner{Name: name, TokenHash: auth.HashToken(token), CreatedAt: s.now()}
	err := s.store.Write(ctx, func(tx Tx) error {
		id, err := tx.CreatePartner(ctx, p)
		p.ID = id
		return err
	})
	return p, err
}
