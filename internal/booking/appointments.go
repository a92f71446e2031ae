package booking

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
)

// Attendance values of appointments and visits.
const (
	AttendanceNoShow    = -1
	AttendanceWaiting   = 0
	AttendanceArrived   = 1
	AttendanceConfirmed = 2
)

// ServiceLine is one service of an appointment, priced in minor units.
type ServiceLine struct {
	ServiceID int64
	Title     string
	FirstCost int64
	Discount  int64 // percent
	Cost      int64
	Amount    int64
	Length    int64 // the member's duration for it, seconds
	PriceMin  int64 // the catalog's prices (reads)
	PriceMax  int64
}

// maxLineMinor bounds a service line's price, price × quantity and cost
// (minor units; the largest payment), so that pricing a line and adding up
// a visit cannot overflow int64.
const maxLineMinor = maxPaymentMinorAmount

// reprice applies price overrides; nil keeps a value. The cost is the
// price times the quantity less the discount (percent), unless given. It
// reports whether the line is a price: none negative, a discount of 0–100,
// an amount of at least 1, and price × amount and cost at most
// maxLineMinor (checked before multiplying).
func (l *ServiceLine) reprice(firstCost, discount, amount, cost *int64) bool {
	if firstCost != nil {
		l.FirstCost = *firstCost
	}
	if discount != nil {
		l.Discount = *discount
	}
	if amount != nil {
		l.Amount = *amount
	}
	if l.FirstCost < 0 || l.FirstCost > maxLineMinor || l.Discount < 0 || l.Discount > 100 ||
		l.Amount < 1 || l.Amount > maxLineMinor/max(l.FirstCost, 1) {
		return false
	}
	l.Cost = l.FirstCost * l.Amount * (100 - l.Discount) / 100
	if cost != nil {
		l.Cost = *cost
	}
	return l.Cost >= 0 && l.Cost <= maxLineMinor
}

// Appointment is one booked slot of one team member ("record").
type Appointment struct {
	ID                     int64
	LocationID             int64
	TeamMemberID           int64
	ClientID               *int64
	VisitID                int64
	Start                  time.Time
	SeanceLength           int64 // seconds, technical break included
	TechnicalBreakDuration int64
	Comment                string
	Attendance             int64
	VisitAttendance        int64 // reads
	PaidFull               bool  // reads: the visit's payments cover its total
	VisitPaid              int64 // reads: the visit's payments, minor units
	Confirmed              int64 // stored; 1 for every booking appointd takes
	APIID                  string
	CustomColor            string
	RecordLabels           []int64
	CustomFields           map[string]any
	SMSRemainHours         *int64
	EmailRemainHours       *int64
	SendSMS                bool
	CreatedUserID          int64
	PartnerID              int64
	ActivityID             int64 // the group event it is a seat of, or 0
	ClientScheduleID       int64 // the client schedule that booked it, or 0
	ClientsCount           int64 // seats it takes in its group event (1 otherwise)
	Sequence               int64 // reads: how many times it was changed
	CreatedAt              time.Time
	UpdatedAt              time.Time
	Deleted                bool
	Services               []ServiceLine
	Goods                  []GoodsLine // reads: goods sold through it
}

// End is when the member is free again.
func (a Appointment) End() time.Time {
	return a.Start.Add(time.Duration(a.SeanceLength) * time.Second)
}

// Visit groups a client's appointments of one local day.
type Visit struct {
	ID         int64
	LocationID int64
	ClientID   *int64
	Day        time.Time
	Attendance int64
	Comment    string
	Paid       int64 // reads: the sum of its payments, minor units
	CreatedAt  time.Time
	// CreatedUserID (writes) is the user of the visit's document.
	CreatedUserID int64
}

// AppointmentTx is the store's part for appointments and visits.
type AppointmentTx interface {
	CreateAppointment(ctx context.Context, a Appointment) (int64, error)
	// Appointment returns one, deleted ones included (Deleted set).
	Appointment(ctx context.Context, locationID, id int64) (Appointment, error)
	// Overlapping lists the member's non-deleted appointments outside group
	// events that overlap [from, to), except the one with id except.
	Overlapping(ctx context.Context, teamMemberID int64, from, to time.Time, except int64) ([]Appointment, error)
	// Appointments returns a page in start order (then id) and the total.
	Appointments(ctx context.Context, q AppointmentQuery) ([]Appointment, int, error)
	// UpdateAppointment rewrites an appointment and its service lines.
	UpdateAppointment(ctx context.Context, a Appointment) error
	DeleteAppointment(ctx context.Context, locationID, id int64, at time.Time) error
	// VisitOf finds the client's non-deleted visit of a local day.
	VisitOf(ctx context.Context, locationID, clientID int64, day time.Time) (Visit, error)
	CreateVisit(ctx context.Context, v Visit) (int64, error)
	// VisitAppointments counts the visit's non-deleted appointments.
	VisitAppointments(ctx context.Context, visitID int64) (int, error)
	DeleteVisit(ctx context.Context, visitID int64, at time.Time) error
	// ClientAttendance summarises the clients' appointments of a location
	// by attendance (deleted ones left out).
	ClientAttendance(ctx context.Context, locationID int64, clientIDs []int64) (map[int64]ClientAttendance, error)
}

// ClientAttendance is a client's record at a location: appointments that
// arrived and that were no-shows, and the start of the first that arrived.
type ClientAttendance struct {
	Arrived, NoShow int64
	FirstArrived    *time.Time
}

// Payment statuses of an appointment (docs/ARCHITECTURE.md).
const (
	PaymentNone = 0
	PaymentPart = 1
	PaymentFull = 2
)

// PaymentStatus is how far the visit's payments cover the visit.
func (a Appointment) PaymentStatus() int {
	switch {
	case a.PaidFull:
		return PaymentFull
	case a.VisitPaid > 0:
		return PaymentPart
	}
	return PaymentNone
}

// Placement errors (D1).
const (
	CodeBusy       = 433
	CodeNotWorking = 436
)

// CheckPlacement is the double-booking rule: [start, end) must lie inside
// one working slot of the member's day and overlap none of busy.
func CheckPlacement(work []Interval, busy []Busy, start, end time.Time) error {
	inside := false
	for _, w := range work {
		if !start.Before(w.Start) && !end.After(w.End) {
			inside = true
		}
	}
	if !inside {
		msg := "The team member does not work at the selected time."
		return &ValidationError{Errors: []FieldError{{Code: CodeNotWorking, Message: msg}}}
	}
	if len(busy) > 0 {
		return errBusy()
	}
	return nil
}

// errBusy is D1's answer for a team member who is booked already.
func errBusy() error {
	msg := "The team member is busy at the selected time."
	return &ValidationError{Errors: []FieldError{{Code: CodeBusy, Message: msg}}}
}

// ClientRef is the client of a create request: an id, or contact details.
type ClientRef struct {
	ID                 int64
	Name, Phone, Email string
}

// ServiceRequest is one requested service with optional price overrides.
type ServiceRequest struct {
	ID                        int64
	FirstCost, Discount, Cost *int64
	Amount                    *int64
}

// AppointmentInput is a create request. Money is in minor units.
type AppointmentInput struct {
	TeamMemberID     int64
	Services         []ServiceRequest
	Client           ClientRef
	Datetime         string // any accepted shape; no offset = location time
	SeanceLength     *int64
	TechnicalBreak   *int64
	SaveIfBusy       bool
	Comment          string
	Attendance       *int64
	APIID            string
	CustomColor      string
	RecordLabels     []int64
	CustomFields     map[string]any
	SMSRemainHours   *int64
	EmailRemainHours *int64
	SendSMS          bool
	ActivityID       int64
	ClientsCount     *int64 // seats to take in the group event (default 1)
}

// AppointmentView is an appointment with what its answer shows.
type AppointmentView struct {
	Appointment
	Location      Location
	Member        TeamMember
	Client        *Client
	Document      *Document        // the visit's document
	Payments      []Payment        // the visit's payments taken through this appointment
	ClientRecord  ClientAttendance // the client's attendance counts
	UpdateBlocked bool             // the caller could not edit it (blockUpdates)
	MayDelete     bool             // the caller could delete it (blockUpdates)
}

// ClientIsNew: the client had no appointment that arrived before this one.
func (v AppointmentView) ClientIsNew() bool {
	first := v.ClientRecord.FirstArrived
	return first == nil || !first.Before(v.Start)
}

// view loads the member and client of an appointment.
func view(ctx context.Context, tx Tx, loc Location, a Appointment) (AppointmentView, error) {
	v := AppointmentView{Appointment: a, Location: loc}
	var err error
	if v.Member, err = tx.TeamMember(ctx, loc.ID, a.TeamMemberID); err != nil {
		return v, err
	}
	if a.ClientID != nil {
		cl, err := tx.Client(ctx, loc.ID, *a.ClientID)
		if err == nil {
			v.Client = &cl
		} else if !errors.Is(err, ErrNotFound) {
			return v, err
		}
		stats, err := tx.ClientAttendance(ctx, loc.ID, []int64{*a.ClientID})
		if err != nil {
			return v, err
		}
		v.ClientRecord = stats[*a.ClientID]
	}
	one := []AppointmentView{v}
	err = attachVisitData(ctx, tx, one)
	return one[0], err
}

// blockUpdates sets UpdateBlocked: the membership could not edit the
// appointment because it lacks edit_records_access, the appointment is
// deleted or outside its reach, or the visit is paid in full and it lacks
// record_edit_full_paid_access (docs/RIGHTS.md). MayDelete is
// delete_records_access on a live appointment inside the reach.
func blockUpdates(m Membership, now time.Time, list []AppointmentView) {
	p := m.Permissions()
	for i := range list {
		v := &list[i]
		r := reachOf(m, p, v.Location, now)
		v.UpdateBlocked = !p.Allows(auth.PermEditRecords) || v.Deleted || !r.allows(v.TeamMemberID, v.Start) ||
			(v.PaidFull && !p.Allows(auth.PermEditFullPaid))
		v.MayDelete = p.Allows(auth.PermDeleteRecords) && !v.Deleted && r.allows(v.TeamMemberID, v.Start)
	}
}

// present readies answers for a membership: contacts masked as its rights
// say, UpdateBlocked set.
func (s *Service) present(m Membership, list []AppointmentView) {
	maskViews(m.Permissions(), list)
	blockUpdates(m, s.now(), list)
}

func (s *Service) presentOne(m Membership, v *AppointmentView) {
	list := []AppointmentView{*v}
	s.present(m, list)
	*v = list[0]
}

// CreateAppointment books an appointment. In one write transaction it
// locks the team member's row, checks working hours and overlaps (unless
// SaveIfBusy), resolves the client (D10) and the visit (D11), and inserts.
func (s *Service) CreateAppointment(ctx context.Context, c Caller, locationID int64, in AppointmentInput) (AppointmentView, error) {
	var out AppointmentView
	var member Membership
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermCreateRecords)
		if err != nil {
			return err
		}
		member = m
		perms := m.Permissions()
		if in.Attendance != nil && *in.Attendance != AttendanceWaiting && !perms.Allows(auth.PermEditAttendance) {
			return ErrForbidden
		}
		if !canEditCustomFields(m) {
			in.CustomFields = nil
		}
		var a Appointment
		r := reachOf(m, perms, loc, s.now())
		if in.ActivityID != 0 {
			if a, err = s.joinActivity(ctx, tx, c, loc, in); err != nil {
				return err
			}
			if err := r.check(a.TeamMemberID, a.Start); err != nil {
				return err
			}
			return s.reread(ctx, tx, loc, a.ID, &out)
		}
		a, err = s.buildAppointment(ctx, tx, loc, in)
		if err != nil {
			return err
		}
		if err := r.check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		a.CreatedUserID, a.PartnerID = c.User.ID, c.Partner.ID
		if err := tx.Lock(ctx, LockTeamMember, a.TeamMemberID); err != nil {
			return err
		}
		if !in.SaveIfBusy {
			if err := s.checkPlacement(ctx, tx, loc, a, 0); err != nil {
				return err
			}
		}
		if a.ClientID, err = s.resolveClient(ctx, tx, locationID, in.Client); err != nil {
			return err
		}
		if a.VisitID, err = s.visitFor(ctx, tx, loc, a); err != nil {
			return err
		}
		id, err := tx.CreateAppointment(ctx, a)
		if err != nil {
			return err
		}
		if err := s.reread(ctx, tx, loc, id, &out); err != nil {
			return err
		}
		return s.hookView(ctx, tx, out, HookCreate)
	})
	s.presentOne(member, &out)
	return out, err
}

// reread loads a just-written appointment into its answer.
func (s *Service) reread(ctx context.Context, tx Tx, loc Location, id int64, out *AppointmentView) error {
	a, err := tx.Appointment(ctx, loc.ID, id)
	if err != nil {
		return err
	}
	*out, err = view(ctx, tx, loc, a)
	return err
}

// canEditCustomFields: custom field values change only with both the read
// and the edit permission; without them they are left as they are.
func canEditCustomFields(m Membership) bool {
	p := m.Permissions()
	return p.Allows(auth.PermCustomFieldsRead) && p.Allows(auth.PermCustomFieldsEdit)
}

// buildAppointment validates a request into an appointment (no writes).
func (s *Service) buildAppointment(ctx context.Context, tx Tx, loc Location, in AppointmentInput) (Appointment, error) {
	v := &ValidationError{}
	now := s.now()
	a := Appointment{LocationID: loc.ID, TeamMemberID: in.TeamMemberID, Comment: strings.TrimSpace(in.Comment),
		APIID: in.APIID, CustomColor: strings.TrimPrefix(in.CustomColor, "#"), RecordLabels: in.RecordLabels,
		CustomFields: in.CustomFields, SMSRemainHours: in.SMSRemainHours, EmailRemainHours: in.EmailRemainHours,
		SendSMS: in.SendSMS, CreatedAt: now, UpdatedAt: now}
	if in.Attendance != nil {
		if *in.Attendance < -1 || *in.Attendance > 2 {
			v.Add("attendance", "attendance is -1, 0, 1 or 2")
		}
		a.Attendance = *in.Attendance
	}
	start, err := apitime.ParseDateTime(in.Datetime, loc.Zone())
	if err != nil {
		v.Add("datetime", "datetime: %s", err.Error())
	}
	a.Start = start.Truncate(time.Second)
	member, err := tx.TeamMember(ctx, loc.ID, in.TeamMemberID)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && member.Deleted):
		v.Add("staff_id", "team member %d does not exist in this location", in.TeamMemberID)
	case err != nil:
		return a, err
	case !member.Bookable():
		v.Add("staff_id", "team member %d cannot be booked (fired or without timetable access)", in.TeamMemberID)
	}
	if len(in.Services) == 0 {
		v.Add("services", "at least one service is required")
	}
	var length, brk int64
	for i, req := range in.Services {
		sv, err := tx.Service(ctx, loc.ID, req.ID)
		if errors.Is(err, ErrNotFound) {
			v.Add("services", "service %d does not exist in this location", req.ID)
			continue
		} else if err != nil {
			return a, err
		}
		line := ServiceLine{ServiceID: sv.ID, Title: sv.Title, FirstCost: sv.PriceMin, Amount: 1,
			PriceMin: sv.PriceMin, PriceMax: sv.PriceMax}
		linked := false
		for _, l := range sv.Staff {
			if l.TeamMemberID == in.TeamMemberID {
				linked, line.Length = true, l.SeanceLength
			}
		}
		if !linked {
			v.Add("services", "team member %d does not perform service %d", in.TeamMemberID, req.ID)
		}
		if !line.reprice(req.FirstCost, req.Discount, req.Amount, req.Cost) {
			v.Add("services", "services[%d]: costs must be 0 to 1000000000 (price × amount too), discount 0–100 and amount at least 1", i)
		}
		a.Services = append(a.Services, line)
		length += line.Length
		if sv.TechnicalBreakDuration != nil {
			brk = max(brk, *sv.TechnicalBreakDuration)
		}
	}
	if in.TechnicalBreak != nil {
		brk = *in.TechnicalBreak
		if brk < 0 || brk > maxTechBreak || brk%300 != 0 {
			v.Add("technical_break_duration", "technical_break_duration must be a multiple of 300 seconds up to 3600")
		}
	}
	a.TechnicalBreakDuration = brk
	a.SeanceLength = length + brk
	if in.SeanceLength != nil {
		a.SeanceLength = *in.SeanceLength
		if a.SeanceLength < minSeance || a.SeanceLength > maxSeance {
			v.Add("seance_length", "seance_length must be from 300 to 86100 seconds")
		}
	}
	if in.Client.ID == 0 && PhoneDigits(in.Client.Phone) == "" {
		v.Add("client", "client.phone or client_id is required")
	}
	return a, v.Err()
}

// checkPlacement loads the member's day and busy appointments and applies
// CheckPlacement.
func (s *Service) checkPlacement(ctx context.Context, tx Tx, loc Location, a Appointment, except int64) error {
	zone := loc.Zone()
	local := a.Start.In(zone)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	days, err := tx.WorkDays(ctx, []int64{a.TeamMemberID}, day, day)
	if err != nil {
		return err
	}
	var work []Interval
	if len(days) > 0 {
		work = WorkIntervals(day, days[0].Slots, zone)
	}
	busy, err := busyAt(ctx, tx, a.TeamMemberID, a.Start, a.End(), except, 0)
	if err != nil {
		return err
	}
	return CheckPlacement(work, busy, a.Start, a.End())
}

// resolveClient is D10: the id if it is of this location, else the phone
// match, else a new client.
func (s *Service) resolveClient(ctx context.Context, tx Tx, locationID int64, ref ClientRef) (*int64, error) {
	if ref.ID != 0 {
		if cl, err := tx.Client(ctx, locationID, ref.ID); err == nil {
			return &cl.ID, nil
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	digits := PhoneDigits(ref.Phone)
	if digits == "" {
		return nil, Invalid("client", "client %d does not exist in this location; send client.phone", ref.ID)
	}
	if cl, err := tx.ClientByPhone(ctx, locationID, digits); err == nil {
		return &cl.ID, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	name := strings.TrimSpace(ref.Name)
	if name == "" {
		name = "+" + digits
	}
	in := ClientInput{Name: &name, Phone: &ref.Phone}
	if ref.Email != "" {
		in.Email = &ref.Email
	}
	cl, err := s.insertClient(ctx, tx, locationID, in)
	if err != nil {
		var v *ValidationError
		if errors.As(err, &v) {
			for i := range v.Errors {
				v.Errors[i].Field = "client." + v.Errors[i].Field
			}
		}
		return nil, err
	}
	return &cl.ID, nil
}

// visitFor is D11: the client's visit of the appointment's local day,
// locked (joinVisit), or a new one. held are the visits the transaction
// holds already, for the lock order.
func (s *Service) visitFor(ctx context.Context, tx Tx, loc Location, a Appointment, held ...int64) (int64, error) {
	local := a.Start.In(loc.Zone())
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	if a.ClientID != nil {
		v, err := tx.VisitOf(ctx, loc.ID, *a.ClientID, day)
		if err == nil {
			if live, err := joinVisit(ctx, tx, v.ID, held); err != nil || live {
				return v.ID, err
			}
		} else if !errors.Is(err, ErrNotFound) {
			return 0, err
		}
	}
	return tx.CreateVisit(ctx, Visit{LocationID: loc.ID, ClientID: a.ClientID, Day: day, Attendance: a.Attendance,
		CreatedAt: s.now(), CreatedUserID: a.CreatedUserID})
}

// GetAppointment returns an appointment, deleted ones included.
func (s *Service) GetAppointment(ctx context.Context, c Caller, locationID, id int64) (AppointmentView, error) {
	var out AppointmentView
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		a, err := tx.Appointment(ctx, locationID, id)
		if err != nil {
			return err
		}
		perms := m.Permissions()
		if err := reachOf(m, perms, loc, s.now()).check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		out, err = view(ctx, tx, loc, a)
		s.presentOne(m, &out)
		return err
	})
	return out, err
}

// DeleteAppointment soft-deletes an appointment (D12); the visit goes with
// its last appointment.
func (s *Service) DeleteAppointment(ctx context.Context, c Caller, locationID, id int64) error {
	return s.writeRelocking(ctx, func(tx Tx, plan relock) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermDeleteRecords)
		if err != nil {
			return err
		}
		a, err := lockAppointment(ctx, tx, locationID, id, plan)
		if err != nil {
			return err
		}
		perms := m.Permissions()
		if err := reachOf(m, perms, loc, s.now()).check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		if a.Attendance == AttendanceArrived && !perms.Allows(auth.PermDeleteCameRecords) {
			return ErrForbidden
		}
		if v, err := tx.Visit(ctx, a.VisitID); err != nil {
			return err
		} else if v.Paid > 0 && !perms.Allows(auth.PermDeletePaidRecords) {
			return ErrForbidden
		}
		return s.removeAppointment(ctx, tx, a)
	})
}

// liveAppointment is a non-deleted appointment of the location.
func liveAppointment(ctx context.Context, tx Tx, locationID, id int64) (Appointment, error) {
	a, err := tx.Appointment(ctx, locationID, id)
	if err == nil && a.Deleted {
		err = ErrNotFound
	}
	return a, err
}

// dropEmptyVisit deletes a visit that has no appointment left.
func (s *Service) dropEmptyVisit(ctx context.Context, tx Tx, visitID int64) error {
	left, err := tx.VisitAppointments(ctx, visitID)
	if err != nil || left > 0 {
		return err
	}
	return tx.DeleteVisit(ctx, visitID, s.now())
}

// AppointmentPatch is an edit: nil fields keep their values (D5).
type AppointmentPatch struct {
	TeamMemberID     *int64
	Services         *[]ServiceRequest
	Client           *ClientRef
	Datetime         *string
	SeanceLength     *int64
	TechnicalBreak   *int64
	SaveIfBusy       bool
	Comment          *string
	Attendance       *int64
	APIID            *string
	CustomColor      *string
	RecordLabels     *[]int64
	CustomFields     map[string]any
	SMSRemainHours   *int64
	EmailRemainHours *int64
	SendSMS          *bool
	ActivityID       *int64
}

// merge is the full input the patch makes of a stored appointment.
func (p AppointmentPatch) merge(a Appointment, zone *time.Location) AppointmentInput {
	in := AppointmentInput{TeamMemberID: a.TeamMemberID, Datetime: apitime.FormatISO(a.Start, zone),
		TechnicalBreak: &a.TechnicalBreakDuration, SaveIfBusy: p.SaveIfBusy, Comment: a.Comment,
		Attendance: &a.Attendance, APIID: a.APIID, CustomColor: a.CustomColor, RecordLabels: a.RecordLabels,
		CustomFields: a.CustomFields, SMSRemainHours: a.SMSRemainHours, EmailRemainHours: a.EmailRemainHours,
		SendSMS: a.SendSMS}
	for _, l := range a.Services {
		l := l
		in.Services = append(in.Services, ServiceRequest{ID: l.ServiceID, FirstCost: &l.FirstCost, Discount: &l.Discount,
			Cost: &l.Cost, Amount: &l.Amount})
	}
	if a.ClientID != nil {
		in.Client.ID = *a.ClientID
	}
	// The stored length stays unless the member or the services change.
	if p.Services == nil && p.TeamMemberID == nil {
		in.SeanceLength = &a.SeanceLength
	}
	if p.TeamMemberID != nil {
		in.TeamMemberID = *p.TeamMemberID
	}
	if p.Services != nil {
		in.Services = *p.Services
	}
	if p.Client != nil {
		in.Client = *p.Client
	}
	if p.Datetime != nil {
		in.Datetime = *p.Datetime
	}
	if p.SeanceLength != nil {
		in.SeanceLength = p.SeanceLength
	}
	if p.TechnicalBreak != nil {
		in.TechnicalBreak = p.TechnicalBreak
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Comment, p.Comment)
	set(&in.APIID, p.APIID)
	set(&in.CustomColor, p.CustomColor)
	if p.Attendance != nil {
		in.Attendance = p.Attendance
	}
	if p.RecordLabels != nil {
		in.RecordLabels = *p.RecordLabels
	}
	if p.CustomFields != nil {
		in.CustomFields = p.CustomFields
	}
	if p.SMSRemainHours != nil {
		in.SMSRemainHours = p.SMSRemainHours
	}
	if p.EmailRemainHours != nil {
		in.EmailRemainHours = p.EmailRemainHours
	}
	if p.SendSMS != nil {
		in.SendSMS = *p.SendSMS
	}
	if p.ActivityID != nil {
		in.ActivityID = *p.ActivityID
	}
	return in
}

// UpdateAppointment edits an appointment under the same rules as create;
// a move is checked against the member's other appointments. A new day or
// client moves it to that client's visit of that day.
func (s *Service) UpdateAppointment(ctx context.Context, c Caller, locationID, id int64, p AppointmentPatch) (AppointmentView, error) {
	var out AppointmentView
	var member Membership
	err := s.writeRelocking(ctx, func(tx Tx, plan relock) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermEditRecords)
		if err != nil {
			return err
		}
		member = m
		perms := m.Permissions()
		if p.TeamMemberID != nil {
			plan.members = append(slices.Clone(plan.members), *p.TeamMemberID)
		}
		old, err := lockAppointment(ctx, tx, locationID, id, plan)
		if err != nil {
			return err
		}
		if p.Attendance != nil && *p.Attendance != old.Attendance && !perms.Allows(auth.PermEditAttendance) {
			return ErrForbidden
		}
		r := reachOf(m, perms, loc, s.now())
		if err := r.check(old.TeamMemberID, old.Start); err != nil {
			return err
		}
		if !canEditCustomFields(m) {
			p.CustomFields = nil
		}
		held := append(slices.Clone(plan.visits), old.VisitID)
		if old.ActivityID != 0 || (p.ActivityID != nil && *p.ActivityID != 0) {
			if old.ActivityID == 0 {
				return Invalid("activity_id", "an appointment cannot join a group event; book the event with activity_id instead")
			}
			if _, err := s.updateSeat(ctx, tx, loc, old, p, held); err != nil {
				return err
			}
			if err := s.reread(ctx, tx, loc, id, &out); err != nil {
				return err
			}
			return s.hookView(ctx, tx, out, HookUpdate)
		}
		in := p.merge(old, loc.Zone())
		a, err := s.buildAppointment(ctx, tx, loc, in)
		if err != nil {
			return err
		}
		a.ID, a.CreatedAt, a.CreatedUserID, a.PartnerID = old.ID, old.CreatedAt, old.CreatedUserID, old.PartnerID
		if err := r.check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		moved := a.TeamMemberID != old.TeamMemberID || !a.Start.Equal(old.Start) || a.SeanceLength != old.SeanceLength
		if (moved || !sameServiceLines(a.Services, old.Services)) && !perms.Allows(auth.PermEditFullPaid) {
			if paid, err := paidInFull(ctx, tx, loc, old.VisitID); err != nil {
				return err
			} else if paid {
				return ErrForbidden
			}
		}
		// Only a change of time, length or member is checked for overlap:
		// an appointment placed over another with save_if_busy stays
		// editable in everything else.
		if moved && !p.SaveIfBusy {
			if err := s.checkPlacement(ctx, tx, loc, a, id); err != nil {
				return err
			}
		}
		if a.ClientID, err = s.resolveClient(ctx, tx, locationID, in.Client); err != nil {
			return err
		}
		a.VisitID = old.VisitID
		zone := loc.Zone()
		sameDay := old.Start.In(zone).Format(apitime.Date) == a.Start.In(zone).Format(apitime.Date)
		sameClient := (old.ClientID == nil && a.ClientID == nil) || (old.ClientID != nil && a.ClientID != nil && *old.ClientID == *a.ClientID)
		if !sameDay || !sameClient {
			if a.VisitID, err = s.visitFor(ctx, tx, loc, a, held...); err != nil {
				return err
			}
		}
		if err := tx.UpdateAppointment(ctx, a); err != nil {
			return err
		}
		if err := s.leaveVisit(ctx, tx, id, old.VisitID, a.VisitID); err != nil {
			return err
		}
		if err := s.reread(ctx, tx, loc, id, &out); err != nil {
			return err
		}
		return s.hookView(ctx, tx, out, HookUpdate)
	})
	s.presentOne(member, &out)
	return out, err
}

// leaveVisit finishes an appointment's move from one visit to another: the
// payments taken through it go with it, both visits' paid sums are
// rewritten, and the old visit is dropped if it is left empty.
func (s *Service) leaveVisit(ctx context.Context, tx Tx, appointmentID, from, to int64) error {
	if from == to {
		return nil
	}
	if moved, err := tx.MovePayments(ctx, appointmentID, from, to); err != nil {
		return err
	} else if moved > 0 {
		for _, v := range []int64{from, to} {
			if err := tx.SumVisitPaid(ctx, v); err != nil {
				return err
			}
		}
	}
	return s.dropEmptyVisit(ctx, tx, from)
}

// AppointmentQuery narrows an appointment list; instants are half-open
// bounds.
type AppointmentQuery struct {
	LocationIDs                []int64
	TeamMemberID, ClientID     int64
	CreatedUserID, PartnerID   int64
	StartFrom, StartBefore     *time.Time
	CreatedFrom, CreatedBefore *time.Time
	ChangedFrom, ChangedBefore *time.Time
	WithDeleted                bool
	Limit, Offset              int
}

// AppointmentFilter is a list request as the API sends it: dates are
// location-local whole days (D8), changed_* local datetimes.
type AppointmentFilter struct {
	TeamMemberID, ClientID, CreatedUserID int64
	StartDate, EndDate                    string
	CreatedStartDate, CreatedEndDate      string
	ChangedAfter, ChangedBefore           string
	WithDeleted                           bool
	Page, Count                           int
}

// query turns the filter into instants in zone.
func (f AppointmentFilter) query(zone *time.Location, names [6]string) (AppointmentQuery, error) {
	q := AppointmentQuery{TeamMemberID: f.TeamMemberID, ClientID: f.ClientID, CreatedUserID: f.CreatedUserID,
		WithDeleted: f.WithDeleted, Limit: f.Count, Offset: (f.Page - 1) * f.Count}
	v := &ValidationError{}
	day := func(s, name string, next bool) *time.Time {
		if s == "" {
			return nil
		}
		d, err := apitime.ParseDate(s)
		if err != nil {
			v.Add(name, "%s: %s", name, err.Error())
			return nil
		}
		if next {
			d = d.AddDate(0, 0, 1)
		}
		t := wallClock(d, 0, zone)
		return &t
	}
	q.StartFrom, q.StartBefore = day(f.StartDate, names[0], false), day(f.EndDate, names[1], true)
	q.CreatedFrom, q.CreatedBefore = day(f.CreatedStartDate, names[2], false), day(f.CreatedEndDate, names[3], true)
	for _, c := range []struct {
		raw, name string
		dst       **time.Time
	}{{f.ChangedAfter, names[4], &q.ChangedFrom}, {f.ChangedBefore, names[5], &q.ChangedBefore}} {
		if c.raw == "" {
			continue
		}
		t, err := apitime.ParseDateTime(c.raw, zone)
		if err != nil {
			v.Add(c.name, "%s: %s", c.name, err.Error())
			continue
		}
		*c.dst = &t
	}
	return q, v.Err()
}

// ListAppointments is GET /records/{location_id}.
func (s *Service) ListAppointments(ctx context.Context, c Caller, locationID int64, f AppointmentFilter) ([]AppointmentView, int, error) {
	var out []AppointmentView
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		q, err := f.query(loc.Zone(), [6]string{"start_date", "end_date", "c_start_date", "c_end_date", "changed_after", "changed_before"})
		if err != nil {
			return err
		}
		q.LocationIDs = []int64{locationID}
		perms := m.Permissions()
		reachOf(m, perms, loc, s.now()).narrow(&q)
		list, n, err := tx.Appointments(ctx, q)
		if err != nil {
			return err
		}
		total = n
		out, err = views(ctx, tx, map[int64]Location{loc.ID: loc}, list)
		s.present(m, out)
		return err
	})
	return out, total, err
}

// views loads members and clients for a page with one query per location
// for each, not one per appointment.
func views(ctx context.Context, tx Tx, locs map[int64]Location, list []Appointment) ([]AppointmentView, error) {
	members := map[int64]TeamMember{}
	for locID := range locs {
		all, err := tx.TeamMembers(ctx, locID)
		if err != nil {
			return nil, err
		}
		for _, m := range all {
			members[m.ID] = m
		}
	}
	return viewsWith(ctx, tx, locs, list, members)
}

// viewsWith is views with the locations' members read already (by id).
func viewsWith(ctx context.Context, tx Tx, locs map[int64]Location, list []Appointment, members map[int64]TeamMember) ([]AppointmentView, error) {
	clients := map[int64]Client{}
	clientIDs := map[int64][]int64{}
	for _, a := range list {
		if a.ClientID != nil {
			clientIDs[a.LocationID] = append(clientIDs[a.LocationID], *a.ClientID)
		}
	}
	records := map[int64]ClientAttendance{}
	for locID, ids := range clientIDs {
		found, err := tx.ClientsByID(ctx, locID, ids)
		if err != nil {
			return nil, err
		}
		for _, c := range found {
			clients[c.ID] = c
		}
		stats, err := tx.ClientAttendance(ctx, locID, ids)
		if err != nil {
			return nil, err
		}
		for id, r := range stats {
			records[id] = r
		}
	}
	out := make([]AppointmentView, 0, len(list))
	for _, a := range list {
		v := AppointmentView{Appointment: a, Location: locs[a.LocationID]}
		m, ok := members[a.TeamMemberID]
		if !ok { // a removed member: not in the list of current ones
			var err error
			if m, err = tx.TeamMember(ctx, a.LocationID, a.TeamMemberID); err != nil {
				return nil, err
			}
			members[m.ID] = m
		}
		v.Member = m
		if a.ClientID != nil {
			if c, ok := clients[*a.ClientID]; ok {
				v.Client = &c
			}
			v.ClientRecord = records[*a.ClientID]
		}
		out = append(out, v)
	}
	return out, attachVisitData(ctx, tx, out)
}

// PartnerAppointments is GET /records/partner: the appointments created
// through the caller's partner token, in the locations where the user may
// see the timetable (or the one asked for).
func (s *Service) PartnerAppointments(ctx context.Context, c Caller, locationID int64, f AppointmentFilter) ([]AppointmentView, int, error) {
	if c.User == nil {
		return nil, 0, ErrUnauthorized
	}
	var out []AppointmentView
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		ms, err := tx.Memberships(ctx, c.User.ID)
		if err != nil {
			return err
		}
		locs := map[int64]Location{}
		members := map[int64]Membership{}
		var ids []int64
		refused := false // a member of the location asked for, without timetable_access
		for _, m := range ms {
			if locationID != 0 && m.LocationID != locationID {
				continue
			}
			if !m.Permissions().Allows(auth.PermTimetable) {
				refused = locationID != 0
				continue
			}
			loc, err := tx.LocationByID(ctx, m.LocationID)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			locs[loc.ID], ids = loc, append(ids, loc.ID)
			members[loc.ID] = m
		}
		if locationID != 0 && len(ids) == 0 {
			if refused { // D16: 403 where the user may see the location
				if _, err := tx.LocationByID(ctx, locationID); err == nil {
					return ErrForbidden
				} else if !errors.Is(err, ErrNotFound) {
					return err
				}
			}
			return ErrNotFound
		}
		if len(ids) == 0 {
			out = []AppointmentView{}
			return nil
		}
		// Whole days are read in the first location's zone.
		q, err := f.query(locs[ids[0]].Zone(), [6]string{"start_date", "end_date", "created_start_date", "created_end_date", "changed_after", "changed_before"})
		if err != nil {
			return err
		}
		q.LocationIDs, q.PartnerID = ids, c.Partner.ID
		list, n, err := tx.Appointments(ctx, q)
		if err != nil {
			return err
		}
		total = n
		out, err = views(ctx, tx, locs, list)
		for i := range out {
			s.present(members[out[i].LocationID], out[i:i+1])
		}
		return err
	})
	return out, total, err
}
