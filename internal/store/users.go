package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"appointd/internal/booking"
)

func unix(t time.Time) int64 { return t.Unix() }

func fromUnix(v int64) time.Time { return time.Unix(v, 0).UTC() }

func (t *tx) CreatePartner(ctx context.Context, p booking.Partner) (int64, error) {
	return t.insert(ctx, "INSERT INTO partners (name, token_hash, created_at) VALUES (?, ?, ?)",
		p.Name, p.TokenHash, unix(p.CreatedAt))
}

const partnerColumns = "id, name, token_hash, created_at, revoked_at"

func scanPartner(r scanner) (booking.Partner, error) {
	var p booking.Partner
	var created int64
	var revoked sql.NullInt64
	err := r.Scan(&p.ID, &p.Name, &p.TokenHash, &created, &revoked)
	p.CreatedAt = fromUnix(created)
	if revoked.Valid {
		p.RevokedAt = fromUnix(revoked.Int64)
	}
	return p, err
}

func (t *tx) PartnerByTokenHash(ctx context.Context, hash string) (booking.Partner, error) {
	p, err := scanPartner(t.queryRow(ctx, "SELECT "+partnerColumns+" FROM partners WHERE token_hash = ?", hash))
	return p, one(err)
}

// Partners lists every partner in id order.
func (t *tx) Partners(ctx context.Context) ([]booking.Partner, error) {
	rows, err := t.query(ctx, "SELECT "+partnerColumns+" FROM partners ORDER BY id")
	return scanAll(rows, err, scanPartner)
}

// RevokePartner marks a partner revoked (keeping the first revocation time)
// and deletes the sessions issued through it.
func (t *tx) RevokePartner(ctx context.Context, id int64, at time.Time) error {
	if err := mustAffect(t.exec(ctx, "UPDATE partners SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", unix(at), id)); err != nil {
		return err
	}
	_, err := t.exec(ctx, "DELETE FROM sessions WHERE partner_id = ?", id)
	return err
}

const userColumns = "id, login, email, phone, name, avatar, information, password_hash, is_approved, is_email_confirmed, created_at"

type scanner interface{ Scan(...any) error }

func scanUser(r scanner) (booking.User, error) {
	var u booking.User
	var created int64
	err := r.Scan(&u.ID, &u.Login, &u.Email, &u.Phone, &u.Name, &u.Avatar, &u.Information,
		&u.PasswordHash, &u.IsApproved, &u.IsEmailConfirmed, &created)
	u.CreatedAt = fromUnix(created)
	return u, one(err)
}

func (t *tx) CreateUser(ctx context.Context, u booking.User) (int64, error) {
	return t.insert(ctx, `INSERT INTO users (login, email, phone, name, avatar, information, password_hash,
		is_approved, is_email_confirmed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Login, u.Email, u.Phone, u.Name, u.Avatar, u.Information, u.PasswordHash,
		u.IsApproved, u.IsEmailConfirmed, unix(u.CreatedAt))
}

func (t *tx) UserByID(ctx context.Context, id int64) (booking.User, error) {
	return scanUser(t.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
}

// Users lists every user in id order.
func (t *tx) Users(ctx context.Context) ([]booking.User, error) {
	rows, err := t.query(ctx, "SELECT "+userColumns+" FROM users ORDER BY id")
	return scanAll(rows, err, scanUser)
}

func (t *tx) UserByLogin(ctx context.Context, login string) (booking.User, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	phone := ""
	if d := booking.PhoneDigits(login); len(d) >= 9 && strings.Trim(login, "+0123456789-() ") == "" {
		phone = "+" + d
	}
	// Exact login first, then e-mail, then phone: the ORDER BY makes a user
	// whose login is the string win over one whose e-mail is.
	return scanUser(t.queryRow(ctx, "SELECT "+userColumns+` FROM users
		WHERE login = ? OR (email <> '' AND lower(email) = ?) OR (phone <> '' AND phone = ?)
		ORDER BY CASE WHEN login = ? THEN 0 ELSE 1 END, id LIMIT 1`, login, login, phone, login))
}

func (t *tx) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return mustAffect(t.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, userID))
}

func (t *tx) CreateSession(ctx context.Context, s booking.Session) (int64, error) {
	return t.insert(ctx, `INSERT INTO sessions (user_id, partner_id, token_hash, created_at, last_used_at)
		VALUES (?, ?, ?, ?, ?)`, s.UserID, s.PartnerID, s.TokenHash, unix(s.CreatedAt), unix(s.LastUsedAt))
}

func (t *tx) SessionByTokenHash(ctx context.Context, hash string) (booking.Session, error) {
	var s booking.Session
	var created, used int64
	err := t.queryRow(ctx, `SELECT id, user_id, partner_id, token_hash, created_at, last_used_at
		FROM sessions WHERE token_hash = ?`, hash).
		Scan(&s.ID, &s.UserID, &s.PartnerID, &s.TokenHash, &created, &used)
	s.CreatedAt, s.LastUsedAt = fromUnix(created), fromUnix(used)
	return s, one(err)
}

func (t *tx) TouchSession(ctx context.Context, id int64, at time.Time) error {
	_, err := t.exec(ctx, "UPDATE sessions SET last_used_at = ? WHERE id = ?", unix(at), id)
	return err
}

func (t *tx) DeleteSession(ctx context.Context, id int64) error {
	return mustAffect(t.exec(ctx, "DELETE FROM sessions WHERE id = ?", id))
}

func (t *tx) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := t.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
	return err
}

func (t *tx) LoginFailures(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	rows, err := t.query(ctx, "SELECT at FROM login_failures WHERE subject = ? AND at >= ? ORDER BY at, id",
		key, unix(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, fromUnix(at))
	}
	return out, rows.Err()
}

// LockLoginKey upserts key's row; on PostgreSQL the upsert keeps the row
// locked until the transaction ends, so attempts for one key take turns.
func (t *tx) LockLoginKey(ctx context.Context, key string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO login_keys (subject, last_at) VALUES (?, ?)
		ON CONFLICT (subject) DO UPDATE SET last_at = excluded.last_at`, key, unix(at))
	return err
}

func (t *tx) ReserveLoginAttempt(ctx context.Context, key string, at time.Time) (int64, error) {
	return t.insert(ctx, "INSERT INTO login_failures (subject, at, pending) VALUES (?, ?, ?)", key, unix(at), true)
}

func (t *tx) PendingLoginAttempts(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, "SELECT count(*) FROM login_failures WHERE subject = ? AND at >= ? AND pending = ?",
		key, unix(since), true).Scan(&n)
	return n, err
}

func (t *tx) SettleLoginFailure(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, "UPDATE login_failures SET pending = ? WHERE id = ?", false, id)
	return err
}

func (t *tx) DeleteLoginFailure(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, "DELETE FROM login_failures WHERE id = ?", id)
	return err
}

func (t *tx) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := t.exec(ctx, "DELETE FROM login_failures WHERE subject = ?", key)
	return err
}

// PruneLoginFailures deletes failures and keys older than before. It passes
// over rows another transaction holds (a login attempt's key), so it never
// waits for one and never deadlocks with it; they go at a later prune.
func (t *tx) PruneLoginFailures(ctx context.Context, before time.Time) error {
	_, err := t.exec(ctx, `DELETE FROM login_failures WHERE id IN
		(SELECT id FROM login_failures WHERE at < ?`+t.d.skipLocked()+`)`, unix(before))
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `DELETE FROM login_keys WHERE subject IN
		(SELECT subject FROM login_keys WHERE last_at < ?`+t.d.skipLocked()+`)`, unix(before))
	return err
}
