package booking

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
)

// Client is a customer of a location.
type Client struct {
	ID           int64
	LocationID   int64
	Name         string
	Surname      string
	MiddleName   string
	Phone        string // "+" and digits
	Email        string
	GenderID     int64 // 0 unknown, 1 male, 2 female
	ImportanceID int64 // 0 none, 1 bronze, 2 silver, 3 gold
	Discount     int64 // percent
	Card         string
	BirthDate    *time.Time // a calendar date
	Comment      string
	SMSCheck     bool
	SMSNot       bool
	Spent        int64 // minor units
	Balance      int64 // minor units
	Visits       int64
	Categories   []int64
	CustomFields map[string]any
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SearchText is what quick search matches, lower-cased.
func (c Client) SearchText() string {
	return strings.ToLower(strings.Join([]string{c.Name, c.Surname, c.MiddleName, c.Email}, " "))
}

// ClientQuery narrows and orders a client list.
type ClientQuery struct {
	LocationID    int64
	IDs           []int64
	Quick         string // name, surname, e-mail (case-insensitive) or phone digits
	FullName      string
	PhoneDigits   string
	Email         string
	Card          string
	GenderIDs     []int64
	ImportanceIDs []int64
	ChangedAfter  *time.Time
	ChangedBefore *time.Time
	OrderBy       string // id, name, phone, email, discount, sold_amount, visit_count
	Desc          bool
	Limit, Offset int
}

// ClientTx is the store's part for clients. A second non-deleted client
// with the same phone digits in a location is ErrConflict.
type ClientTx interface {
	CreateClient(ctx context.Context, c Client) (int64, error)
	Client(ctx context.Context, locationID, id int64) (Client, error)
	ClientByPhone(ctx context.Context, locationID int64, digits string) (Client, error)
	UpdateClient(ctx context.Context, c Client) error
	DeleteClient(ctx context.Context, locationID, id int64, at time.Time) error
	// Clients returns one page and the total count of the query.
	Clients(ctx context.Context, q ClientQuery) ([]Client, int, error)
	// ClientsByID reads the given clients of a location (deleted ones and
	// other locations' left out), by primary key.
	ClientsByID(ctx context.Context, locationID int64, ids []int64) ([]Client, error)
}

// ClientInput is a create or partial update of a client. Money is in minor
// units.
type ClientInput struct {
	Name, Surname, MiddleName, Phone, Email, Card, Comment *string
	GenderID, ImportanceID, Discount, Spent, Balance       *int64
	BirthDate                                              *string // yyyy-mm-dd; "" clears
	SMSCheck, SMSNot                                       *bool
	Categories                                             *[]int64
	CustomFields                                           map[string]any
}

// maxClientMoneyMinor bounds a client's spent and balance: the largest
// whole number of minor units a JSON number carries exactly.
const maxClientMoneyMinor = 1 << 53

// Client field rules, shared by create, edit and bulk.
func (in ClientInput) apply(c *Client, creating bool) *ValidationError {
	v := &ValidationError{}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&c.Name, in.Name}, {&c.Surname, in.Surname}, {&c.MiddleName, in.MiddleName}, {&c.Email, in.Email},
		{&c.Card, in.Card}, {&c.Comment, in.Comment}} {
		if f.src != nil {
			*f.dst = strings.TrimSpace(*f.src)
		}
	}
	for _, f := range []struct {
		dst *int64
		src *int64
	}{{&c.GenderID, in.GenderID}, {&c.ImportanceID, in.ImportanceID}, {&c.Discount, in.Discount},
		{&c.Spent, in.Spent}, {&c.Balance, in.Balance}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	for _, m := range []struct {
		name string
		v    *int64
	}{{"spent", in.Spent}, {"balance", in.Balance}} {
		if m.v != nil && (*m.v < -maxClientMoneyMinor || *m.v > maxClientMoneyMinor) {
			v.Add(m.name, "%s is out of range", m.name)
		}
	}
	if in.SMSCheck != nil {
		c.SMSCheck = *in.SMSCheck
	}
	if in.SMSNot != nil {
		c.SMSNot = *in.SMSNot
	}
	if in.Categories != nil {
		c.Categories = append([]int64{}, *in.Categories...)
	}
	if in.CustomFields != nil {
		c.CustomFields = in.CustomFields
	}
	if c.Name == "" && (creating || in.Name != nil) {
		v.Add("name", "Client name not specified")
	}
	if len(c.Name) > 255 {
		v.Add("name", "name must be at most 255 characters")
	}
	if in.Phone != nil || creating {
		p := ""
		if in.Phone != nil {
			p = strings.TrimSpace(*in.Phone)
		}
		d := PhoneDigits(p)
		switch {
		case p == "":
			v.Add("phone", "Customer phone number cannot be empty")
		case strings.Trim(p, "+0123456789-() .") != "" || len(d) < 9 || len(d) > 15:
			v.Add("phone", "Phone must contain 9 to 15 digits")
		default:
			c.Phone = "+" + d
		}
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			v.Add("email", "email %q is not a valid address", c.Email)
		}
	}
	if c.GenderID < 0 || c.GenderID > 2 {
		v.Add("gender_id", "gender_id is 0 (unknown), 1 (male) or 2 (female)")
	}
	if c.ImportanceID < 0 || c.ImportanceID > 3 {
		v.Add("importance_id", "importance_id is 0 to 3")
	}
	if c.Discount < 0 || c.Discount > 100 {
		v.Add("discount", "discount is a percentage from 0 to 100")
	}
	if in.BirthDate != nil {
		c.BirthDate = nil
		if s := strings.TrimSpace(*in.BirthDate); s != "" && s != "0" {
			d, err := apitime.ParseDate(s)
			if err != nil || d.Year() < 1900 || d.After(time.Now()) {
				v.Add("birth_date", "birth_date must be a past date as yyyy-mm-dd")
			} else {
				c.BirthDate = &d
			}
		}
	}
	return v
}

// phoneTaken is the documented duplicate message.
const phoneTaken = "The client with the specified phone number already exists in the database"

// CreateClient adds a client; one client per phone per location.
func (s *Service) CreateClient(ctx context.Context, c Caller, locationID int64, in ClientInput) (Client, error) {
	var out Client
	err := s.store.Write(ctx, func(tx Tx) error {
		_, m, err := s.access(ctx, tx, c, locationID, auth.PermClients)
		if err != nil {
			return err
		}
		if out, err = s.insertClient(ctx, tx, locationID, in); err != nil {
			return err
		}
		maskClient(m.Permissions(), &out)
		return nil
	})
	return out, err
}

func (s *Service) insertClient(ctx context.Context, tx Tx, locationID int64, in ClientInput) (Client, error) {
	now := s.now()
	cl := Client{LocationID: locationID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&cl, true).Err(); err != nil {
		return cl, err
	}
	if _, err := tx.ClientByPhone(ctx, locationID, PhoneDigits(cl.Phone)); err == nil {
		return cl, Invalid("phone", phoneTaken)
	} else if !errors.Is(err, ErrNotFound) {
		return cl, err
	}
	id, err := tx.CreateClient(ctx, cl)
	if errors.Is(err, ErrConflict) {
		return cl, Invalid("phone", phoneTaken)
	} else if err != nil {
		return cl, err
	}
	cl.ID = id
	return cl, s.hookClient(ctx, tx, cl, HookCreate)
}

// GetClient returns a client of the location.
func (s *Service) GetClient(ctx context.Context, c Caller, locationID, id int64) (Client, error) {
	var out Client
	err := s.store.Read(ctx, func(tx Tx) error {
		_, m, err := s.access(ctx, tx, c, locationID, auth.PermClients)
		if err != nil {
			return err
		}
		if out, err = tx.Client(ctx, locationID, id); err != nil {
			return err
		}
		maskClient(m.Permissions(), &out)
		return nil
	})
	return out, err
}

// UpdateClient changes a client; absent fields keep their values.
func (s *Service) UpdateClient(ctx context.Context, c Caller, locationID, id int64, in ClientInput) (Client, error) {
	var out Client
	err := s.store.Write(ctx, func(tx Tx) error {
		_, m, err := s.access(ctx, tx, c, locationID, auth.PermClients)
		if err != nil {
			return err
		}
		// A partial edit rewrites the whole row: read it under its lock.
		if err := tx.Lock(ctx, LockClient, id); err != nil {
			return err
		}
		cl, err := tx.Client(ctx, locationID, id)
		if err != nil {
			return err
		}
		if err := in.unmasked(m.Permissions(), cl).apply(&cl, false).Err(); err != nil {
			return err
		}
		if other, err := tx.ClientByPhone(ctx, locationID, PhoneDigits(cl.Phone)); err == nil && other.ID != id {
			return Invalid("phone", phoneTaken)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		cl.UpdatedAt = s.now()
		if err := tx.UpdateClient(ctx, cl); errors.Is(err, ErrConflict) {
			return Invalid("phone", phoneTaken)
		} else if err != nil {
			return err
		}
		if err := s.hookClient(ctx, tx, cl, HookUpdate); err != nil {
			return err
		}
		out = cl
		maskClient(m.Permissions(), &out)
		return nil
	})
	return out, err
}

// DeleteClient removes a client (soft; the phone is free again);
// clients_delete_access is needed.
func (s *Service) DeleteClient(ctx context.Context, c Caller, locationID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermClientsDelete); err != nil {
			return err
		}
		cl, err := tx.Client(ctx, locationID, id)
		if err != nil {
			return err
		}
		cl.UpdatedAt = s.now()
		if err := tx.DeleteClient(ctx, locationID, id, cl.UpdatedAt); err != nil {
			return err
		}
		return s.hookClient(ctx, tx, cl, HookDelete)
	})
}

// ClientListInput is a list request; changed_* are location-local datetimes.
type ClientListInput struct {
	ClientQuery
	ChangedAfterRaw, ChangedBeforeRaw string
}

// ListClients returns a page of clients and the total count.
func (s *Service) ListClients(ctx context.Context, c Caller, in ClientListInput) ([]Client, int, error) {
	var out []Client
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, in.LocationID, auth.PermClients)
		if err != nil {
			return err
		}
		q := in.ClientQuery
		for _, f := range []struct {
			raw, name string
			dst       **time.Time
		}{{in.ChangedAfterRaw, "changed_after", &q.ChangedAfter}, {in.ChangedBeforeRaw, "changed_before", &q.ChangedBefore}} {
			if f.raw == "" {
				continue
			}
			t, err := apitime.ParseDateTime(f.raw, loc.Zone())
			if err != nil {
				return Invalid(f.name, "%s: %s", f.name, err.Error())
			}
			*f.dst = &t
		}
		if out, total, err = tx.Clients(ctx, q); err != nil {
			return err
		}
		maskClients(m.Permissions(), out)
		return nil
	})
	return out, total, err
}

// BulkError is one refused row of a bulk create.
type BulkError struct {
	Phone, Name, Error string
}

// BulkCreateClients creates every valid row in one transaction and reports
// the others (invalid, or a phone taken, also within the request). Rows are
// inserted in phone order so that two bulk requests sharing phones wait for
// each other instead of deadlocking on the phone index; the answer keeps the
// request's order.
func (s *Service) BulkCreateClients(ctx context.Context, c Caller, locationID int64, rows []ClientInput) ([]Client, []BulkError, error) {
	if len(rows) > 1000 {
		return nil, nil, Invalid("", "at most 1000 clients per request")
	}
	phone := func(in ClientInput) string {
		if in.Phone == nil {
			return ""
		}
		return *in.Phone
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return strings.Compare(PhoneDigits(phone(rows[a])), PhoneDigits(phone(rows[b])))
	})
	var created []Client
	var refused []BulkError
	err := s.store.Write(ctx, func(tx Tx) error {
		_, m, err := s.access(ctx, tx, c, locationID, auth.PermClients)
		if err != nil {
			return err
		}
		made := make([]*Client, len(rows))
		failed := make([]*BulkError, len(rows))
		for _, i := range order {
			in := rows[i]
			// A row refused by the database (a phone another request took
			// meanwhile) must not abort the rows around it.
			var cl Client
			err := tx.Savepoint(ctx, func() error {
				var err error
				cl, err = s.insertClient(ctx, tx, locationID, in)
				return err
			})
			var v *ValidationError
			switch {
			case errors.As(err, &v):
				name := ""
				if in.Name != nil {
					name = *in.Name
				}
				failed[i] = &BulkError{Phone: phone(in), Name: name, Error: v.Error()}
			case err != nil:
				return err
			default:
				made[i] = &cl
			}
		}
		created, refused = nil, nil
		for i := range rows {
			if made[i] != nil {
				created = append(created, *made[i])
			}
			if failed[i] != nil {
				refused = append(refused, *failed[i])
			}
		}
		maskClients(m.Permissions(), created)
		return nil
	})
	return created, refused, err
}

// GenderTitle and ImportanceTitle are the API's display strings.
func GenderTitle(id int64) string {
	return [...]string{"unknown", "Male", "Female"}[min(max(id, 0), 2)]
}

func ImportanceTitle(id int64) string {
	return [...]string{"No importance class", "Bronze", "Silver", "Gold"}[min(max(id, 0), 3)]
}
