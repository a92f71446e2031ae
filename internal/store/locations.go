package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"appointd/internal/booking"
)

const locationColumns = `id, title, public_title, short_descr, description, logo, active, phone, phones,
	email, site, country_id, country, city_id, city, timezone_name, address, zip, coordinate_lat,
	coordinate_lon, business_type_id, currency, social, created_at, updated_at`

func scanLocation(r scanner) (booking.Location, error) {
	var l booking.Location
	var phones, social string
	var created, updated int64
	err := r.Scan(&l.ID, &l.Title, &l.PublicTitle, &l.ShortDescr, &l.Description, &l.Logo, &l.Active,
		&l.Phone, &phones, &l.Email, &l.Site, &l.CountryID, &l.Country, &l.CityID, &l.City,
		&l.TimezoneName, &l.Address, &l.Zip, &l.CoordinateLat, &l.CoordinateLon, &l.BusinessTypeID,
		&l.Currency, &social, &created, &updated)
	if err != nil {
		return l, one(err)
	}
	l.CreatedAt, l.UpdatedAt = fromUnix(created), fromUnix(updated)
	_ = json.Unmarshal([]byte(phones), &l.Phones)
	_ = json.Unmarshal([]byte(social), &l.Social)
	return l, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (t *tx) CreateLocation(ctx context.Context, l booking.Location) (int64, error) {
	if l.Phones == nil {
		l.Phones = []string{}
	}
	return t.insert(ctx, `INSERT INTO locations (title, public_title, short_descr, description, logo,
		active, phone, phones, email, site, country_id, country, city_id, city, timezone_name, address,
		zip, coordinate_lat, coordinate_lon, business_type_id, currency, social, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.Title, l.PublicTitle, l.ShortDescr, l.Description, l.Logo, l.Active, l.Phone,
		jsonText(l.Phones), l.Email, l.Site, l.CountryID, l.Country, l.CityID, l.City, l.TimezoneName,
		l.Address, l.Zip, l.CoordinateLat, l.CoordinateLon, l.BusinessTypeID, l.Currency,
		jsonText(l.Social), unix(l.CreatedAt), unix(l.UpdatedAt))
}

func (t *tx) LocationByID(ctx context.Context, id int64) (booking.Location, error) {
	return scanLocation(t.queryRow(ctx, "SELECT "+locationColumns+
		" FROM locations WHERE id = ? AND deleted_at IS NULL", id))
}

func (t *tx) ListLocations(ctx context.Context, f booking.LocationFilter) ([]booking.Location, error) {
	q := "SELECT " + locationColumns + " FROM locations WHERE deleted_at IS NULL"
	var args []any
	if f.UserID != 0 {
		q += " AND id IN (SELECT location_id FROM location_users WHERE user_id = ?)"
		args = append(args, f.UserID)
	}
	if len(f.IDs) > 0 {
		q += " AND id IN (?" + strings.Repeat(", ?", len(f.IDs)-1) + ")"
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	q += " ORDER BY id"
	if f.Count > 0 {
		page := max(f.Page, 1)
		q += " LIMIT ? OFFSET ?"
		args = append(args, f.Count, (page-1)*f.Count)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []booking.Location{}
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *tx) UpdateLocation(ctx context.Context, l booking.Location) error {
	if l.Phones == nil {
		l.Phones = []string{}
	}
	return mustAffect(t.exec(ctx, `UPDATE locations SET title = ?, public_title = ?, short_descr = ?,
		description = ?, logo = ?, active = ?, phone = ?, phones = ?, email = ?, site = ?, country_id = ?,
		country = ?, city_id = ?, city = ?, timezone_name = ?, address = ?, zip = ?, coordinate_lat = ?,
		coordinate_lon = ?, business_type_id = ?, currency = ?, social = ?, updated_at = ?
		WHERE id = ? AND deleted_at IS NULL`,
		l.Title, l.PublicTitle, l.ShortDescr, l.Description, l.Logo, l.Active, l.Phone, jsonText(l.Phones),
		l.Email, l.Site, l.CountryID, l.Country, l.CityID, l.City, l.TimezoneName, l.Address, l.Zip,
		l.CoordinateLat, l.CoordinateLon, l.BusinessTypeID, l.Currency, jsonText(l.Social),
		unix(l.UpdatedAt), l.ID))
}

func (t *tx) DeleteLocation(ctx context.Context, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE locations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
		unix(at), id))
}

const membershipColumns = "location_id, user_id, role, permissions, staff_id, created_at"

func scanMembership(r scanner) (booking.Membership, error) {
	var m booking.Membership
	var perms string
	var staff sql.NullInt64
	var created int64
	if err := r.Scan(&m.LocationID, &m.UserID, &m.Role, &perms, &staff, &created); err != nil {
		return m, one(err)
	}
	m.CreatedAt = fromUnix(created)
	if staff.Valid {
		m.StaffID = &staff.Int64
	}
	m.Overrides = decodeOverrides(perms)
	return m, nil
}

// decodeOverrides reads the stored JSON, keeping numbers as int64.
func decodeOverrides(s string) map[string]any {
	raw := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(s), &raw)
	out := map[string]any{}
	for k, v := range raw {
		var b bool
		var n int64
		if json.Unmarshal(v, &b) == nil {
			out[k] = b
		} else if json.Unmarshal(v, &n) == nil {
			out[k] = n
		}
	}
	return out
}

func (t *tx) PutMembership(ctx context.Context, m booking.Membership) error {
	if m.Overrides == nil {
		m.Overrides = map[string]any{}
	}
	var staff any
	if m.StaffID != nil {
		staff = *m.StaffID
	}
	_, err := t.exec(ctx, `INSERT INTO location_users (location_id, user_id, role, permissions, staff_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (location_id, user_id)
		DO UPDATE SET role = excluded.role, permissions = excluded.permissions, staff_id = excluded.staff_id`,
		m.LocationID, m.UserID, m.Role, jsonText(m.Overrides), staff, unix(m.CreatedAt))
	return err
}

func (t *tx) Membership(ctx context.Context, locationID, userID int64) (booking.Membership, error) {
	return scanMembership(t.queryRow(ctx, "SELECT "+membershipColumns+
		" FROM location_users WHERE location_id = ? AND user_id = ?", locationID, userID))
}

func (t *tx) Memberships(ctx context.Context, userID int64) ([]booking.Membership, error) {
	rows, err := t.query(ctx, "SELECT "+membershipColumns+" FROM location_users WHERE user_id = ? ORDER BY location_id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []booking.Membership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t *tx) LocationMembers(ctx context.Context, locationID int64) ([]booking.Member, error) {
	rows, err := t.query(ctx, "SELECT lu.location_id, lu.user_id, lu.role, lu.permissions, lu.staff_id, lu.created_at, "+
		prefixed("u.", userColumns)+" FROM location_users lu JOIN users u ON u.id = lu.user_id"+
		" WHERE lu.location_id = ? ORDER BY u.id", locationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []booking.Member{}
	for rows.Next() {
		var m booking.Member
		var perms string
		var staff sql.NullInt64
		var created, ucreated int64
		u := &m.User
		if err := rows.Scan(&m.LocationID, &m.UserID, &m.Role, &perms, &staff, &created,
			&u.ID, &u.Login, &u.Email, &u.Phone, &u.Name, &u.Avatar, &u.Information,
			&u.PasswordHash, &u.IsApproved, &u.IsEmailConfirmed, &ucreated); err != nil {
			return nil, err
		}
		m.CreatedAt, u.CreatedAt = fromUnix(created), fromUnix(ucreated)
		if staff.Valid {
			m.StaffID = &staff.Int64
		}
		m.Overrides = decodeOverrides(perms)
		out = append(out, m)
	}
	return out, rows.Err()
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

func (t *tx) DeleteMembership(ctx context.Context, locationID, userID int64) error {
	return mustAffect(t.exec(ctx, "DELETE FROM location_users WHERE location_id = ? AND user_id = ?", locationID, userID))
}
