package booking

import (
	"context"
	"errors"

	"appointd/internal/auth"
)

// webPartnerHash stands in the partners table for the built-in web calendar:
// its sessions and the appointments made through it belong to this partner.
// It is not a hex SHA-256, so no token hashes to it.
const webPartnerHash = "builtin:web-calendar"

// webPartner returns the web calendar's partner, creating it on first use.
func (s *Service) webPartner(ctx context.Context) (Partner, error) {
	var p Partner
	find := func(tx Tx) error {
		var err error
		p, err = tx.PartnerByTokenHash(ctx, webPartnerHash)
		return err
	}
	err := s.store.Read(ctx, find)
	if !errors.Is(err, ErrNotFound) {
		return p, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := find(tx); !errors.Is(err, ErrNotFound) {
			return err
		}
		p = Partner{Name: "appointd web calendar", TokenHash: webPartnerHash, CreatedAt: s.now()}
		p.ID, err = tx.CreatePartner(ctx, p)
		return err
	})
	if err != nil { // another process created it first (unique token_hash)
		if err2 := s.store.Read(ctx, find); err2 == nil {
			return p, nil
		}
	}
	return p, err
}

// WebLogin signs a user in to the web calendar: the same password check and
// throttle as POST /auth, and a session in the same store. The token goes in
// the session cookie.
func (s *Service) WebLogin(ctx context.Context, ip, login, password string) (User, string, error) {
	p, err := s.webPartner(ctx)
	if err != nil {
		return User{}, "", err
	}
	return s.Login(ctx, Caller{Partner: p, IP: ip}, login, password)
}

// AuthenticateWeb turns a session cookie's token into a Caller acting
// through the web calendar's partner. Idle expiry and revocation apply as
// for API tokens.
func (s *Service) AuthenticateWeb(ctx context.Context, token, ip string) (Caller, error) {
	if token == "" {
		return Caller{}, ErrUnauthorized
	}
	return s.authenticate(ctx, [2]string{webPartnerHash, auth.HashToken(token)}, ip)
}
