package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"appointd/internal/booking"
)

const clientColumns = `id, location_id, name, surname, middle_name, phone_digits, email, gender_id, importance_id,
	discount, card, birth_date, comment, sms_check, sms_not, spent, balance, visits, categories, custom_fields,
	created_at, updated_at`

func scanClient(r scanner) (booking.Client, error) {
	var c booking.Client
	var digits, cats, custom string
	var birth sql.NullString
	var created, updated int64
	err := r.Scan(&c.ID, &c.LocationID, &c.Name, &c.Surname, &c.MiddleName, &digits, &c.Email, &c.GenderID,
		&c.ImportanceID, &c.Discount, &c.Card, &birth, &c.Comment, &c.SMSCheck, &c.SMSNot, &c.Spent, &c.Balance,
		&c.Visits, &cats, &custom, &created, &updated)
	if err != nil {
		return c, one(err)
	}
	c.Phone = "+" + digits
	if birth.Valid {
		if d, err := time.Parse(dayLayout, birth.String); err == nil {
			c.BirthDate = &d
		}
	}
	_ = json.Unmarshal([]byte(cats), &c.Categories)
	_ = json.Unmarshal([]byte(custom), &c.CustomFields)
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	return c, nil
}

func birthDate(c booking.Client) any {
	if c.BirthDate == nil {
		return nil
	}
	return c.BirthDate.Format(dayLayout)
}

func clientJSON(c booking.Client) (cats, custom string) {
	if c.Categories == nil {
		c.Categories = []int64{}
	}
	if c.CustomFields == nil {
		c.CustomFields = map[string]any{}
	}
	return jsonText(c.Categories), jsonText(c.CustomFields)
}

func (t *tx) CreateClient(ctx context.Context, c booking.Client) (int64, error) {
	cats, custom := clientJSON(c)
	return t.insert(ctx, `INSERT INTO clients (location_id, name, surname, middle_name, phone_digits, email,
		gender_id, importance_id, discount, card, birth_date, comment, sms_check, sms_not, spent, balance, visits,
		categories, custom_fields, search_text, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.LocationID, c.Name, c.Surname, c.MiddleName, booking.PhoneDigits(c.Phone), c.Email, c.GenderID,
		c.ImportanceID, c.Discount, c.Card, birthDate(c), c.Comment, c.SMSCheck, c.SMSNot, c.Spent, c.Balance,
		c.Visits, cats, custom, c.SearchText(), unix(c.CreatedAt), unix(c.UpdatedAt))
}

func (t *tx) Client(ctx context.Context, locationID, id int64) (booking.Client, error) {
	return scanClient(t.queryRow(ctx, "SELECT "+clientColumns+
		" FROM clients WHERE location_id = ? AND id = ? AND deleted_at IS NULL", locationID, id))
}

func (t *tx) ClientByPhone(ctx context.Context, locationID int64, digits string) (booking.Client, error) {
	return scanClient(t.queryRow(ctx, "SELECT "+clientColumns+
		" FROM clients WHERE location_id = ? AND phone_digits = ? AND deleted_at IS NULL", locationID, digits))
}

func (t *tx) UpdateClient(ctx context.Context, c booking.Client) error {
	cats, custom := clientJSON(c)
	return mustAffect(t.exec(ctx, `UPDATE clients SET name = ?, surname = ?, middle_name = ?, phone_digits = ?,
		email = ?, gender_id = ?, importance_id = ?, discount = ?, card = ?, birth_date = ?, comment = ?,
		sms_check = ?, sms_not = ?, spent = ?, balance = ?, visits = ?, categories = ?, custom_fields = ?,
		search_text = ?, updated_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL`,
		c.Name, c.Surname, c.MiddleName, booking.PhoneDigits(c.Phone), c.Email, c.GenderID, c.ImportanceID,
		c.Discount, c.Card, birthDate(c), c.Comment, c.SMSCheck, c.SMSNot, c.Spent, c.Balance, c.Visits,
		cats, custom, c.SearchText(), unix(c.UpdatedAt), c.LocationID, c.ID))
}

func (t *tx) DeleteClient(ctx context.Context, locationID, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE clients SET deleted_at = ?, updated_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), unix(at), locationID, id))
}

// likeArg makes a LIKE pattern that matches s anywhere, literally.
func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

var clientOrder = map[string]string{"id": "id", "name": "name", "phone": "phone_digits", "email": "email",
	"discount": "discount", "sold_amount": "spent", "visit_count": "visits"}

func inList(col string, ids []int64, where *[]string, args *[]any) {
	if len(ids) == 0 {
		return
	}
	*where = append(*where, col+" IN (?"+strings.Repeat(", ?", len(ids)-1)+")")
	for _, id := range ids {
		*args = append(*args, id)
	}
}

// ClientsByID looks clients up by primary key only: with a location
// condition in the same query, SQLite's planner (no statistics) scans the
// location's clients through its index once the id list is long (0.6 ms
// for 50 ids among 4,000 clients, against 0.05 ms by key).
func (t *tx) ClientsByID(ctx context.Context, locationID int64, ids []int64) ([]booking.Client, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	inList("id", ids, &where, &args)
	rows, err := t.query(ctx, "SELECT "+clientColumns+" FROM clients WHERE "+where[0]+" AND deleted_at IS NULL", args...)
	all, err := scanAll(rows, err, scanClient)
	out := all[:0]
	for _, c := range all {
		if c.LocationID == locationID {
			out = append(out, c)
		}
	}
	return out, err
}

func (t *tx) Clients(ctx context.Context, q booking.ClientQuery) ([]booking.Client, int, error) {
	where := []string{"location_id = ?", "deleted_at IS NULL"}
	args := []any{q.LocationID}
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	inList("id", q.IDs, &where, &args)
	inList("gender_id", q.GenderIDs, &where, &args)
	inList("importance_id", q.ImportanceIDs, &where, &args)
	if q.Quick != "" {
		// A phone-like query also matches phone digits ("+7 916", "9160").
		if d := booking.PhoneDigits(q.Quick); d != "" && strings.Trim(q.Quick, "+0123456789-() .") == "" {
			where = append(where, `(search_text LIKE ? ESCAPE '\' OR phone_digits LIKE ? ESCAPE '\')`)
			args = append(args, likeArg(strings.ToLower(q.Quick)), likeArg(d))
		} else {
			add(`search_text LIKE ? ESCAPE '\'`, likeArg(strings.ToLower(q.Quick)))
		}
	}
	if q.FullName != "" {
		add(`search_text LIKE ? ESCAPE '\'`, likeArg(strings.ToLower(q.FullName)))
	}
	if q.PhoneDigits != "" {
		add(`phone_digits LIKE ? ESCAPE '\'`, likeArg(q.PhoneDigits))
	}
	if q.Email != "" {
		add(`lower(email) = ?`, strings.ToLower(q.Email))
	}
	if q.Card != "" {
		add("card = ?", q.Card)
	}
	if q.ChangedAfter != nil {
		add("updated_at >= ?", unix(*q.ChangedAfter))
	}
	if q.ChangedBefore != nil {
		add("updated_at < ?", unix(*q.ChangedBefore))
	}
	cond := " FROM clients WHERE " + strings.Join(where, " AND ")
	var total int
	if err := t.queryRow(ctx, "SELECT COUNT(*)"+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := clientOrder[q.OrderBy]
	if order == "" {
		order = "id"
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	query := "SELECT " + clientColumns + cond + " ORDER BY " + order + dir + ", id" + dir
	if q.Limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, q.Limit, q.Offset)
	}
	rows, err := t.query(ctx, query, args...)
	list, err := scanAll(rows, err, scanClient)
	return list, total, err
}
