package booking

import (
	"context"
	"time"

	"appointd/internal/auth"
)

// Account types: where a payment goes.
const (
	AccountCash     = 0
	AccountCashless = 1
)

// Account is a cash desk or a card account of a location.
type Account struct {
	ID         int64
	LocationID int64
	Title      string
	Type       int64
	Comment    string
	CreatedAt  time.Time
}

// defaultAccounts are created with every location (and by migration 0005
// for the locations that existed before).
var defaultAccounts = []Account{
	{Title: "Main location account", Type: AccountCash, Comment: "Cash"},
	{Title: "Card payment account", Type: AccountCashless, Comment: "Cashless"},
}

// Payment is money taken for a visit through one of its appointments.
type Payment struct {
	ID            int64
	LocationID    int64
	VisitID       int64
	AppointmentID int64
	AccountID     int64
	ClientID      *int64
	TeamMemberID  int64
	Amount        int64 // minor units, > 0
	Comment       string
	CreatedUserID int64
	CreatedAt     time.Time
	DocumentID    int64  // reads: the visit's document
	AccountTitle  string // reads
}

// DocumentVisit is the type of the document every visit has ("Visit").
const DocumentVisit = 7

// Document is a visit's document: created with the visit, named by its
// payments (docs/ARCHITECTURE.md, "Visit documents").
type Document struct {
	ID         int64
	LocationID int64
	TypeID     int64
	VisitID    int64
	UserID     int64
	Number     int64
	Comment    string
	CreatedAt  time.Time
}

// VisitTx is the store's part for visits, accounts and payments.
type VisitTx interface {
	// Visit returns a non-deleted visit.
	Visit(ctx context.Context, id int64) (Visit, error)
	// VisitRecords lists the visit's non-deleted appointments in start
	// order, with their service lines.
	VisitRecords(ctx context.Context, visitID int64) ([]Appointment, error)
	UpdateVisit(ctx context.Context, v Visit) error
	// SetVisitAttendance sets the attendance of the visit's non-deleted
	// appointments.
	SetVisitAttendance(ctx context.Context, visitID, attendance int64, at time.Time) error
	// UpdateServiceLine rewrites the prices of an appointment's lines of
	// one service.
	UpdateServiceLine(ctx context.Context, appointmentID int64, l ServiceLine, at time.Time) error
	Accounts(ctx context.Context, locationID int64) ([]Account, error)
	CreateAccount(ctx context.Context, a Account) (int64, error)
	// Payments lists the visit's non-deleted payments in id order.
	Payments(ctx context.Context, visitID int64) ([]Payment, error)
	// RecordPayments lists the non-deleted payments taken through the
	// appointments, in id order, in one query.
	RecordPayments(ctx context.Context, appointmentIDs []int64) ([]Payment, error)
	// VisitDocuments returns the visits' documents in one query.
	VisitDocuments(ctx context.Context, visitIDs []int64) ([]Document, error)
	CreatePayment(ctx context.Context, p Payment) (int64, error)
	// DeletePayment removes a non-deleted payment of the visit, else
	// ErrNotFound.
	DeletePayment(ctx context.Context, visitID, id int64, at time.Time) error
	// SumVisitPaid rewrites visits.paid from the visit's payments.
	SumVisitPaid(ctx context.Context, visitID int64) error
	// MovePayments moves the live payments taken through an appointment
	// from one visit to another and says how many moved.
	MovePayments(ctx context.Context, appointmentID, from, to int64) (int64, error)
}

// Paid states of a visit.
const (
	NotPaid     = "not_paid"
	PaidNotFull = "paid_not_full"
	PaidFull    = "paid_full"
	PaidOver    = "paid_over"
)

// VisitDetails is a visit with everything its answers and its receipt show.
type VisitDetails struct {
	Visit    Visit
	Location Location
	Records  []AppointmentView
	Client   *Client
	Payments []Payment
	Accounts map[int64]Account
}

// Total is what the visit costs: the sum of its service and goods lines.
func (d VisitDetails) Total() int64 {
	var t int64
	for _, r := range d.Records {
		for _, l := range r.Services {
			t += l.Cost
		}
		for _, l := range r.Goods {
			t += l.Cost
		}
	}
	return t
}

// Paid is the sum of the visit's payments.
func (d VisitDetails) Paid() int64 {
	var p int64
	for _, pay := range d.Payments {
		p += pay.Amount
	}
	return p
}

// PaidState compares payments with the total.
func (d VisitDetails) PaidState() string {
	return paidState(d.Paid(), d.Total())
}

func paidState(paid, total int64) string {
	switch {
	case paid == 0:
		return NotPaid
	case paid < total:
		return PaidNotFull
	case paid == total:
		return PaidFull
	default:
		return PaidOver
	}
}

// Start is when the visit's first appointment starts.
func (d VisitDetails) Start() time.Time {
	if len(d.Records) == 0 {
		return time.Time{}
	}
	return d.Records[0].Start
}

// visitDetails loads a visit's details inside tx.
func visitDetails(ctx context.Context, tx Tx, loc Location, v Visit) (VisitDetails, error) {
	d := VisitDetails{Visit: v, Location: loc, Accounts: map[int64]Account{}}
	list, err := tx.VisitRecords(ctx, v.ID)
	if err != nil {
		return d, err
	}
	if d.Records, err = views(ctx, tx, map[int64]Location{loc.ID: loc}, list); err != nil {
		return d, err
	}
	if v.ClientID != nil {
		c, err := tx.Client(ctx, loc.ID, *v.ClientID)
		if err == nil {
			d.Client = &c
		}
	}
	if d.Payments, err = tx.Payments(ctx, v.ID); err != nil {
		return d, err
	}
	accounts, err := tx.Accounts(ctx, loc.ID)
	for _, a := range accounts {
		d.Accounts[a.ID] = a
	}
	return d, err
}

// attachVisitData adds the visit's document and the appointment's payments
// to each view, one query each for the whole list.
func attachVisitData(ctx context.Context, tx Tx, list []AppointmentView) error {
	if len(list) == 0 {
		return nil
	}
	var ids, visitIDs []int64
	at := map[int64]int{}
	for i, v := range list {
		ids, visitIDs, at[v.ID] = append(ids, v.ID), append(visitIDs, v.VisitID), i
	}
	docs, err := tx.VisitDocuments(ctx, visitIDs)
	if err != nil {
		return err
	}
	byVisit := map[int64]*Document{}
	for i := range docs {
		byVisit[docs[i].VisitID] = &docs[i]
	}
	for i := range list {
		list[i].Document = byVisit[list[i].VisitID]
	}
	pays, err := tx.RecordPayments(ctx, ids)
	for _, p := range pays {
		i := at[p.AppointmentID]
		list[i].Payments = append(list[i].Payments, p)
	}
	return err
}

// visitAccess finds a visit the caller may see: 404 for an unknown visit or
// one in a location the caller is not linked to (D16).
func (s *Service) visitAccess(ctx context.Context, tx Tx, c Caller, visitID int64, perm string) (Visit, Location, Membership, error) {
	v, err := tx.Visit(ctx, visitID)
	if err != nil {
		return v, Location{}, Membership{}, err
	}
	loc, m, err := s.access(ctx, tx, c, v.LocationID, perm)
	return v, loc, m, err
}

// GetVisit is GET /visits/{id} and the receipt's data.
func (s *Service) GetVisit(ctx context.Context, c Caller, visitID int64) (VisitDetails, error) {
	var d VisitDetails
	err := s.store.Read(ctx, func(tx Tx) error {
		v, loc, m, err := s.visitAccess(ctx, tx, c, visitID, auth.PermTimetable)
		if err != nil {
			return err
		}
		if d, err = visitDetails(ctx, tx, loc, v); err != nil {
			return err
		}
		perms := m.Permissions()
		maskVisit(perms, &d)
		blockUpdates(m, s.now(), d.Records)
		return reachOf(m, perms, loc, s.now()).checkAny(d.Records)
	})
	return d, err
}

// GetVisitDetails is GET /visit/details/{location}/{record}/{visit}: the
// visit must be in the location and the appointment in the visit.
func (s *Service) GetVisitDetails(ctx context.Context, c Caller, locationID, recordID, visitID int64) (VisitDetails, error) {
	var d VisitDetails
	err := s.store.Read(ctx, func(tx Tx) error {
		v, loc, m, err := s.visitAccess(ctx, tx, c, visitID, auth.PermTimetable)
		if err != nil {
			return err
		}
		if v.LocationID != locationID {
			return ErrNotFound
		}
		if d, err = visitDetails(ctx, tx, loc, v); err != nil {
			return err
		}
		rec, err := d.record(recordID)
		if err != nil {
			return err
		}
		perms := m.Permissions()
		maskVisit(perms, &d)
		blockUpdates(m, s.now(), d.Records)
		return reachOf(m, perms, loc, s.now()).check(rec.TeamMemberID, rec.Start)
	})
	return d, err
}

// PaidInFull reports whether the visit's payments cover its total.
func (d VisitDetails) PaidInFull() bool {
	st := d.PaidState()
	return st == PaidFull || st == PaidOver
}

func (d VisitDetails) record(id int64) (AppointmentView, error) {
	for _, r := range d.Records {
		if r.ID == id {
			return r, nil
		}
	}
	return AppointmentView{}, ErrNotFound
}

// Accounts lists a location's accounts (GET /accounts/{location_id}).
func (s *Service) Accounts(ctx context.Context, c Caller, locationID int64) ([]Account, error) {
	var out []Account
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermFinances); err != nil {
			return err
		}
		var err error
		out, err = tx.Accounts(ctx, locationID)
		return err
	})
	return out, err
}

// VisitEdit is PUT /visits/{visit}/{record}; nil and empty fields change
// nothing. Money is in minor units.
type VisitEdit struct {
	Attendance        *int64
	Comment           *string
	Services          []ServiceLineEdit
	NewPayments       []PaymentInput
	DeletedPaymentIDs []int64
	FastPayment       int64
	Goods             *[]GoodsLineInput // nil: the goods lines stay; else they replace them
}

// ServiceLineEdit reprices one service line of an appointment of the visit
// (RecordID 0: the appointment of the path).
type ServiceLineEdit struct {
	ServiceID, RecordID       int64
	FirstCost, Discount, Cost *int64
}

// PaymentInput is one new payment.
type PaymentInput struct {
	Amount    int64
	AccountID int64
}

// Fast payment methods: pay what is left in one step.
const (
	FastCash              = 1
	FastCashless          = 2
	FastCashPrinted       = 129
	FastCashlessPrinted   = 130
	maxPaymentMinorAmount = 1_000_000_000_00
)

// EditVisit changes a visit's attendance, comment, prices and payments in
// one write transaction under the visit's row lock, so that two payments
// racing for the same remainder cannot both be taken.
func (s *Service) EditVisit(ctx context.Context, c Caller, visitID, recordID int64, in VisitEdit) (VisitDetails, error) {
	if err := in.validate(); err != nil {
		return VisitDetails{}, err
	}
	var d VisitDetails
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.Lock(ctx, LockVisit, visitID); err != nil {
			return err
		}
		v, loc, m, err := s.visitAccess(ctx, tx, c, visitID, auth.PermTimetable)
		if err != nil {
			return err
		}
		if d, err = visitDetails(ctx, tx, loc, v); err != nil {
			return err
		}
		rec, err := d.record(recordID)
		if err != nil {
			return err
		}
		perms := m.Permissions()
		if err := reachOf(m, perms, loc, s.now()).check(rec.TeamMemberID, rec.Start); err != nil {
			return err
		}
		money := in.Goods != nil || len(in.Services) > 0 || len(in.NewPayments) > 0 || len(in.DeletedPaymentIDs) > 0 || in.FastPayment != 0
		if (money || in.Comment != nil) && !perms.Allows(auth.PermEditRecords) {
			return ErrForbidden
		}
		if (len(in.NewPayments) > 0 || len(in.DeletedPaymentIDs) > 0 || in.FastPayment != 0) && !perms.Allows(auth.PermFinances) {
			return ErrForbidden
		}
		if d.PaidInFull() && (in.Goods != nil || len(in.Services) > 0 || len(in.DeletedPaymentIDs) > 0) &&
			!perms.Allows(auth.PermEditFullPaid) {
			return ErrForbidden
		}
		now := s.now()
		if in.Attendance != nil || in.Comment != nil {
			if in.Attendance != nil && *in.Attendance != v.Attendance && !perms.Allows(auth.PermEditAttendance) {
				return ErrForbidden
			}
			if in.Attendance != nil {
				v.Attendance = *in.Attendance
				if err := tx.SetVisitAttendance(ctx, v.ID, v.Attendance, now); err != nil {
					return err
				}
			}
			if in.Comment != nil {
				v.Comment = *in.Comment
			}
			if err := tx.UpdateVisit(ctx, v); err != nil {
				return err
			}
		}
		if err := s.repriceLines(ctx, tx, d, rec, in.Services, now); err != nil {
			return err
		}
		if err := s.setVisitGoods(ctx, tx, d, rec, in.Goods, now); err != nil {
			return err
		}
		if err := s.changePayments(ctx, tx, d, rec, c, in, now); err != nil {
			return err
		}
		if d, err = visitDetails(ctx, tx, loc, v); err != nil {
			return err
		}
		if err := s.hookVisit(ctx, tx, d); err != nil {
			return err
		}
		maskVisit(perms, &d)
		return nil
	})
	return d, err
}

func (in VisitEdit) validate() error {
	e := &ValidationError{}
	if a := in.Attendance; a != nil && (*a < AttendanceNoShow || *a > AttendanceConfirmed) {
		e.Add("attendance", "attendance must be one of -1, 0, 1, 2")
	}
	for _, l := range in.Services {
		if l.ServiceID <= 0 {
			e.Add("services", "each service needs the id of a service of the appointment")
		}
		if (l.FirstCost != nil && *l.FirstCost < 0) || (l.Cost != nil && *l.Cost < 0) {
			e.Add("services", "service prices must not be negative")
		}
		if l.Discount != nil && (*l.Discount < 0 || *l.Discount > 100) {
			e.Add("services", "discount is a percentage from 0 to 100")
		}
	}
	for _, p := range in.NewPayments {
		if p.Amount <= 0 || p.Amount > maxPaymentMinorAmount {
			e.Add("new_transactions", "a payment amount must be a positive number")
		}
		if p.AccountID <= 0 {
			e.Add("new_transactions", "a payment needs the account_id of an account of the location")
		}
	}
	for _, id := range in.DeletedPaymentIDs {
		if id <= 0 {
			e.Add("deleted_transaction_ids", "transaction ids are positive numbers")
		}
	}
	if in.Goods != nil {
		for _, l := range *in.Goods {
			l.validate(e)
		}
	}
	switch in.FastPayment {
	case 0, FastCash, FastCashless, FastCashPrinted, FastCashlessPrinted:
	default:
		e.Add("fast_payment", "fast_payment must be 1 (cash), 2 (cashless), 129 or 130")
	}
	return e.Err()
}

// repriceLines applies the services part of a visit edit.
func (s *Service) repriceLines(ctx context.Context, tx Tx, d VisitDetails, path AppointmentView, edits []ServiceLineEdit, now time.Time) error {
	for _, e := range edits {
		rec := path
		if e.RecordID != 0 && e.RecordID != path.ID {
			var err error
			if rec, err = d.record(e.RecordID); err != nil {
				return Invalid("services", "appointment %d is not in this visit", e.RecordID)
			}
		}
		var line *ServiceLine
		for i := range rec.Services {
			if rec.Services[i].ServiceID == e.ServiceID {
				line = &rec.Services[i]
			}
		}
		if line == nil {
			return Invalid("services", "service %d is not a service of appointment %d", e.ServiceID, rec.ID)
		}
		l := *line
		if !l.reprice(e.FirstCost, e.Discount, nil, e.Cost) {
			return Invalid("services", "service %d: prices must be 0 to 1000000000 (price × amount too) and discount 0–100", e.ServiceID)
		}
		if err := tx.UpdateServiceLine(ctx, rec.ID, l, now); err != nil {
			return err
		}
		*line = l // later edits and the fast payment see the new price
	}
	return nil
}

// changePayments applies the payment part of a visit edit: deletions, new
// payments, then the fast payment of what is left.
func (s *Service) changePayments(ctx context.Context, tx Tx, d VisitDetails, rec AppointmentView, c Caller, in VisitEdit, now time.Time) error {
	if len(in.NewPayments) == 0 && len(in.DeletedPaymentIDs) == 0 && in.FastPayment == 0 {
		return nil
	}
	paid := d.Paid()
	for _, id := range in.DeletedPaymentIDs {
		var amount int64 = -1
		for _, p := range d.Payments {
			if p.ID == id {
				amount = p.Amount
			}
		}
		if amount < 0 {
			return Invalid("deleted_transaction_ids", "transaction %d is not a payment of this visit", id)
		}
		if err := tx.DeletePayment(ctx, d.Visit.ID, id, now); err != nil {
			return err
		}
		paid -= amount
	}
	pay := func(amount, accountID int64) error {
		_, err := tx.CreatePayment(ctx, Payment{LocationID: d.Location.ID, VisitID: d.Visit.ID, AppointmentID: rec.ID,
			AccountID: accountID, ClientID: d.Visit.ClientID, TeamMemberID: rec.TeamMemberID, Amount: amount,
			CreatedUserID: c.User.ID, CreatedAt: now})
		paid += amount
		return err
	}
	for _, p := range in.NewPayments {
		if _, ok := d.Accounts[p.AccountID]; !ok {
			return Invalid("new_transactions", "account %d is not an account of this location", p.AccountID)
		}
		if err := pay(p.Amount, p.AccountID); err != nil {
			return err
		}
	}
	if in.FastPayment != 0 {
		total := d.Total()
		if paid >= total {
			return Invalid("fast_payment", "nothing is left to pay for this visit")
		}
		kind := int64(AccountCash)
		if in.FastPayment == FastCashless || in.FastPayment == FastCashlessPrinted {
			kind = AccountCashless
		}
		var account int64
		for _, a := range d.Accounts {
			if a.Type == kind && (account == 0 || a.ID < account) {
				account = a.ID
			}
		}
		if account == 0 {
			return Invalid("fast_payment", "the location has no account for this payment method")
		}
		if err := pay(total-paid, account); err != nil {
			return err
		}
	}
	return tx.SumVisitPaid(ctx, d.Visit.ID)
}
