package booking

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
)

// Activity is a group event: one team member, one service, a start, a
// length and a number of seats that appointments (one per client) fill.
type Activity struct {
	ID           int64
	LocationID   int64
	ServiceID    int64
	TeamMemberID int64
	Start        time.Time
	Length       int64 // seconds
	Capacity     int64
	Comment      string
	Color        string
	FontColor    string
	Instructions string
	StreamLink   string
	LabelIDs     []int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Deleted      bool
	RecordsCount int64 // reads: the seats its non-deleted appointments take
}

// End is when the member is free again.
func (a Activity) End() time.Time { return a.Start.Add(time.Duration(a.Length) * time.Second) }

// ActivityTx is the store's part for group events.
type ActivityTx interface {
	CreateActivity(ctx context.Context, a Activity) (int64, error)
	// Activity returns one of the location's, deleted ones included.
	Activity(ctx context.Context, locationID, id int64) (Activity, error)
	UpdateActivity(ctx context.Context, a Activity) error
	DeleteActivity(ctx context.Context, locationID, id int64, at time.Time) error
	// Activities returns a page of non-deleted ones in start order and the
	// total.
	Activities(ctx context.Context, q ActivityQuery) ([]Activity, int, error)
	// ActivitiesOverlapping lists the member's non-deleted activities that
	// overlap [from, to), except the one with id except.
	ActivitiesOverlapping(ctx context.Context, teamMemberID int64, from, to time.Time, except int64) ([]Activity, error)
	// ActivityRecords lists an activity's non-deleted appointments.
	ActivityRecords(ctx context.Context, activityID int64) ([]Appointment, error)
}

// ActivityQuery narrows an activity search; Limit 0 means all.
type ActivityQuery struct {
	LocationID                int64
	From, Before              time.Time
	ServiceIDs, TeamMemberIDs []int64
	Limit, Offset             int
}

// Group-event limits.
const (
	maxCapacity       = 1000
	codeActivityFull  = 434
	codeAlreadyBooked = 435
)

// ActivityView is an activity with what its answer shows.
type ActivityView struct {
	Activity
	Location Location
	Service  SalonService
	Category ServiceCategory // the service's; only id when the category is gone
	Member   TeamMember
}

func activityView(ctx context.Context, tx Tx, loc Location, a Activity) (ActivityView, error) {
	v := ActivityView{Activity: a, Location: loc}
	var err error
	if v.Service, err = tx.Service(ctx, loc.ID, a.ServiceID); err != nil {
		return v, err
	}
	v.Category, err = tx.Category(ctx, loc.ID, v.Service.CategoryID)
	if errors.Is(err, ErrNotFound) {
		v.Category, err = ServiceCategory{ID: v.Service.CategoryID}, nil
	}
	if err != nil {
		return v, err
	}
	v.Member, err = tx.TeamMember(ctx, loc.ID, a.TeamMemberID)
	return v, err
}

// ActivityInput creates or (nil fields keep) changes a group event.
type ActivityInput struct {
	Datetime     *string
	ServiceID    *int64
	TeamMemberID *int64
	Capacity     *int64
	Length       *int64
	Comment      *string
	Color        *string
	FontColor    *string
	Instructions *string
	StreamLink   *string
	LabelIDs     *[]int64
	Force        bool
}

// apply validates in over a (the stored activity, or a zero one).
func (in ActivityInput) apply(ctx context.Context, tx Tx, loc Location, a Activity) (Activity, error) {
	v := &ValidationError{}
	if in.Datetime != nil {
		t, err := apitime.ParseDateTime(*in.Datetime, loc.Zone())
		if err != nil {
			v.Add("date", "date: %s", err.Error())
		}
		a.Start = t.Truncate(time.Second)
	} else if a.ID == 0 {
		v.Add("date", "date is required")
	}
	set := func(dst *int64, src *int64) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.ServiceID, in.ServiceID)
	set(&a.TeamMemberID, in.TeamMemberID)
	set(&a.Capacity, in.Capacity)
	set(&a.Length, in.Length)
	for _, f := range []struct {
		dst *string
		src *string
	}{{&a.Comment, in.Comment}, {&a.Color, in.Color}, {&a.FontColor, in.FontColor},
		{&a.Instructions, in.Instructions}, {&a.StreamLink, in.StreamLink}} {
		if f.src != nil {
			*f.dst = strings.TrimSpace(*f.src)
		}
	}
	if in.LabelIDs != nil {
		a.LabelIDs = *in.LabelIDs
	}
	if _, err := tx.Service(ctx, loc.ID, a.ServiceID); errors.Is(err, ErrNotFound) {
		v.Add("service_id", "service %d does not exist in this location", a.ServiceID)
	} else if err != nil {
		return a, err
	}
	if m, err := tx.TeamMember(ctx, loc.ID, a.TeamMemberID); errors.Is(err, ErrNotFound) || (err == nil && !m.Bookable()) {
		v.Add("staff_id", "team member %d does not exist in this location or cannot be booked", a.TeamMemberID)
	} else if err != nil {
		return a, err
	}
	if a.Capacity < 1 || a.Capacity > maxCapacity {
		v.Add("capacity", "capacity is from 1 to %d", maxCapacity)
	}
	if a.Length < minSeance || a.Length > maxSeance {
		v.Add("length", "length must be from 300 to 86100 seconds")
	}
	if a.RecordsCount > a.Capacity && in.Capacity != nil {
		v.Add("capacity", "capacity %d is below the %d clients already booked", a.Capacity, a.RecordsCount)
	}
	return a, v.Err()
}

// Busy is one thing that occupies a team member.
type Busy struct {
	Interval
	EntityType string // "record" or "activity"
	EntityID   int64
}

// busyAt lists what occupies the member in [from, to): appointments outside
// group events and group events, except the appointment exceptRecord and
// the activity exceptActivity.
func busyAt(ctx context.Context, tx Tx, memberID int64, from, to time.Time, exceptRecord, exceptActivity int64) ([]Busy, error) {
	appts, err := tx.Overlapping(ctx, memberID, from, to, exceptRecord)
	if err != nil {
		return nil, err
	}
	acts, err := tx.ActivitiesOverlapping(ctx, memberID, from, to, exceptActivity)
	if err != nil {
		return nil, err
	}
	out := make([]Busy, 0, len(appts)+len(acts))
	for _, a := range appts {
		out = append(out, Busy{Interval{a.Start, a.End()}, "record", a.ID})
	}
	for _, a := range acts {
		out = append(out, Busy{Interval{a.Start, a.End()}, "activity", a.ID})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// checkActivityPlacement: a group event may not overlap anything else of
// its team member (working hours are the business's to decide).
func checkActivityPlacement(ctx context.Context, tx Tx, a Activity) error {
	busy, err := busyAt(ctx, tx, a.TeamMemberID, a.Start, a.End(), 0, a.ID)
	if err != nil || len(busy) == 0 {
		return err
	}
	return errBusy()
}

// CreateActivity is POST /activity/{location_id}.
func (s *Service) CreateActivity(ctx context.Context, c Caller, locationID int64, in ActivityInput) (ActivityView, error) {
	var out ActivityView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermCreateRecords)
		if err != nil {
			return err
		}
		now := s.now()
		a, err := in.apply(ctx, tx, loc, Activity{LocationID: loc.ID, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		if err := reachOf(m, m.Permissions(), loc, now).check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		if err := tx.Lock(ctx, LockTeamMember, a.TeamMemberID); err != nil {
			return err
		}
		if !in.Force {
			if err := checkActivityPlacement(ctx, tx, a); err != nil {
				return err
			}
		}
		if a.ID, err = tx.CreateActivity(ctx, a); err != nil {
			return err
		}
		out, err = activityView(ctx, tx, loc, a)
		return err
	})
	return out, err
}

// GetActivity returns a non-deleted activity.
func (s *Service) GetActivity(ctx context.Context, c Caller, locationID, id int64) (ActivityView, error) {
	var out ActivityView
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		a, err := liveActivity(ctx, tx, locationID, id)
		if err != nil {
			return err
		}
		if err := reachOf(m, m.Permissions(), loc, s.now()).check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		out, err = activityView(ctx, tx, loc, a)
		return err
	})
	return out, err
}

func liveActivity(ctx context.Context, tx Tx, locationID, id int64) (Activity, error) {
	a, err := tx.Activity(ctx, locationID, id)
	if err == nil && a.Deleted {
		err = ErrNotFound
	}
	return a, err
}

// UpdateActivity is PUT /activity/{location_id}/{id}: a move takes its
// clients' appointments along.
func (s *Service) UpdateActivity(ctx context.Context, c Caller, locationID, id int64, in ActivityInput) (ActivityView, error) {
	var out ActivityView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermEditRecords)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, LockActivity, id); err != nil {
			return err
		}
		old, err := liveActivity(ctx, tx, locationID, id)
		if err != nil {
			return err
		}
		a, err := in.apply(ctx, tx, loc, old)
		if err != nil {
			return err
		}
		r := reachOf(m, m.Permissions(), loc, s.now())
		if err := r.check(old.TeamMemberID, old.Start); err != nil {
			return err
		}
		if err := r.check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		a.UpdatedAt = s.now()
		if err := s.moveActivity(ctx, tx, loc, old, a, in.Force); err != nil {
			return err
		}
		out, err = activityView(ctx, tx, loc, a)
		return err
	})
	return out, err
}

// moveActivity stores a changed activity after the placement check (unless
// force) and moves its appointments with it. The caller holds the
// activity's lock.
func (s *Service) moveActivity(ctx context.Context, tx Tx, loc Location, old, a Activity, force bool) error {
	for _, mid := range []int64{min(old.TeamMemberID, a.TeamMemberID), max(old.TeamMemberID, a.TeamMemberID)} {
		if err := tx.Lock(ctx, LockTeamMember, mid); err != nil {
			return err
		}
	}
	moved := !a.Start.Equal(old.Start) || a.Length != old.Length || a.TeamMemberID != old.TeamMemberID
	if moved && !force {
		if err := checkActivityPlacement(ctx, tx, a); err != nil {
			return err
		}
	}
	if err := tx.UpdateActivity(ctx, a); err != nil {
		return err
	}
	if !moved && a.ServiceID == old.ServiceID {
		return nil
	}
	records, err := tx.ActivityRecords(ctx, a.ID)
	if err != nil {
		return err
	}
	line, err := activityLine(ctx, tx, loc, a)
	if err != nil {
		return err
	}
	for _, r := range records {
		r.TeamMemberID, r.Start, r.SeanceLength, r.UpdatedAt = a.TeamMemberID, a.Start, a.Length, a.UpdatedAt
		if a.ServiceID != old.ServiceID {
			r.Services = []ServiceLine{line}
		}
		if err := tx.UpdateAppointment(ctx, r); err != nil {
			return err
		}
		if err := s.hookRecord(ctx, tx, loc.ID, r.ID, HookUpdate); err != nil {
			return err
		}
	}
	return nil
}

// DeleteActivity soft-deletes a group event and its clients' appointments.
func (s *Service) DeleteActivity(ctx context.Context, c Caller, locationID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermDeleteRecords)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, LockActivity, id); err != nil {
			return err
		}
		a, err := liveActivity(ctx, tx, locationID, id)
		if err != nil {
			return err
		}
		if err := reachOf(m, m.Permissions(), loc, s.now()).check(a.TeamMemberID, a.Start); err != nil {
			return err
		}
		return s.removeActivity(ctx, tx, locationID, id)
	})
}

// removeActivity deletes an activity with its appointments.
func (s *Service) removeActivity(ctx context.Context, tx Tx, locationID, id int64) error {
	records, err := tx.ActivityRecords(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range records {
		if err := s.removeAppointment(ctx, tx, r); err != nil {
			return err
		}
	}
	return tx.DeleteActivity(ctx, locationID, id, s.now())
}

// removeAppointment soft-deletes an appointment and a visit it empties; the
// goods sold through it go back to stock. The goods lines are read again
// once the delete holds the visit's lock, under which they change.
func (s *Service) removeAppointment(ctx context.Context, tx Tx, a Appointment) error {
	if err := tx.DeleteAppointment(ctx, a.LocationID, a.ID, s.now()); err != nil {
		return err
	}
	gone, err := tx.Appointment(ctx, a.LocationID, a.ID)
	if err != nil {
		return err
	}
	if err := returnGoods(ctx, tx, gone); err != nil {
		return err
	}
	if err := s.dropEmptyVisit(ctx, tx, a.VisitID); err != nil {
		return err
	}
	return s.hookRecord(ctx, tx, a.LocationID, a.ID, HookDelete)
}

// ActivityFilter is GET /activity/{location_id}/search: whole local days
// From..Till.
type ActivityFilter struct {
	From, Till                string
	ServiceIDs, TeamMemberIDs []int64
	Page, Count               int
}

func (f ActivityFilter) query(loc Location) (ActivityQuery, error) {
	v := &ValidationError{}
	from, err := apitime.ParseDate(f.From)
	if err != nil {
		v.Add("from", "from: %s", err.Error())
	}
	till, err := apitime.ParseDate(f.Till)
	if err != nil {
		v.Add("till", "till: %s", err.Error())
	}
	if err := v.Err(); err != nil {
		return ActivityQuery{}, err
	}
	if till.Before(from) {
		return ActivityQuery{}, Invalid("till", "till is before from")
	}
	zone := loc.Zone()
	return ActivityQuery{LocationID: loc.ID, From: wallClock(from, 0, zone), Before: wallClock(till.AddDate(0, 0, 1), 0, zone),
		ServiceIDs: f.ServiceIDs, TeamMemberIDs: f.TeamMemberIDs, Limit: f.Count, Offset: (f.Page - 1) * f.Count}, nil
}

// SearchActivities lists a page of group events and the total.
func (s *Service) SearchActivities(ctx context.Context, c Caller, locationID int64, f ActivityFilter) ([]ActivityView, int, error) {
	var out []ActivityView
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		q, err := f.query(loc)
		if err != nil {
			return err
		}
		reachOf(m, m.Permissions(), loc, s.now()).narrowActivities(&q)
		list, n, err := tx.Activities(ctx, q)
		if err != nil {
			return err
		}
		total, out = n, make([]ActivityView, 0, len(list))
		for _, a := range list {
			v, err := activityView(ctx, tx, loc, a)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, total, err
}

// ActivityDates lists the local dates (YYYY-MM-DD) that have group events.
func (s *Service) ActivityDates(ctx context.Context, c Caller, locationID int64, f ActivityFilter) ([]string, error) {
	out := []string{}
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		q, err := f.query(loc)
		if err != nil {
			return err
		}
		reachOf(m, m.Permissions(), loc, s.now()).narrowActivities(&q)
		q.Limit, q.Offset = 0, 0
		list, _, err := tx.Activities(ctx, q)
		if err != nil {
			return err
		}
		for _, a := range list {
			d := a.Start.In(loc.Zone()).Format(apitime.Date)
			if len(out) == 0 || out[len(out)-1] != d {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// activityLine is the service line of an appointment in a group event.
func activityLine(ctx context.Context, tx Tx, loc Location, a Activity) (ServiceLine, error) {
	sv, err := tx.Service(ctx, loc.ID, a.ServiceID)
	if err != nil {
		return ServiceLine{}, err
	}
	l := ServiceLine{ServiceID: sv.ID, Title: sv.Title, FirstCost: sv.PriceMin, Amount: 1, Length: a.Length,
		PriceMin: sv.PriceMin, PriceMax: sv.PriceMax}
	if !l.reprice(nil, nil, nil, nil) {
		return ServiceLine{}, Invalid("service_id", "the price of service %d is out of range", sv.ID)
	}
	return l, nil
}

// seat books a client into a locked, live activity: staff, service, start
// and length come from the activity. It fails with 422 when the activity
// is full or the client is in it already.
func (s *Service) seat(ctx context.Context, tx Tx, loc Location, act Activity, clientID int64, a Appointment) (Appointment, error) {
	records, err := tx.ActivityRecords(ctx, act.ID)
	if err != nil {
		return a, err
	}
	taken := int64(0)
	for _, r := range records {
		if r.ClientID != nil && *r.ClientID == clientID {
			return a, &ValidationError{Errors: []FieldError{{Code: codeAlreadyBooked, Field: "client",
				Message: "The client is already booked into this group event."}}}
		}
		taken += r.ClientsCount
	}
	a.ClientsCount = max(a.ClientsCount, 1)
	if taken+a.ClientsCount > act.Capacity {
		return a, &ValidationError{Errors: []FieldError{{Code: codeActivityFull, Field: "activity_id",
			Message: "The group event is full."}}}
	}
	line, err := activityLine(ctx, tx, loc, act)
	if err != nil {
		return a, err
	}
	a.LocationID, a.ActivityID, a.TeamMemberID, a.Start = loc.ID, act.ID, act.TeamMemberID, act.Start
	a.SeanceLength, a.TechnicalBreakDuration, a.Services, a.ClientID = act.Length, 0, []ServiceLine{line}, &clientID
	if a.VisitID, err = s.visitFor(ctx, tx, loc, a); err != nil {
		return a, err
	}
	if a.ID, err = tx.CreateAppointment(ctx, a); err != nil {
		return a, err
	}
	return a, s.hookRecord(ctx, tx, loc.ID, a.ID, HookCreate)
}

// joinActivity is POST /records with activity_id: the client takes a seat.
func (s *Service) joinActivity(ctx context.Context, tx Tx, c Caller, loc Location, in AppointmentInput) (Appointment, error) {
	v := &ValidationError{}
	if in.Attendance != nil && (*in.Attendance < -1 || *in.Attendance > 2) {
		v.Add("attendance", "attendance is -1, 0, 1 or 2")
	}
	if in.Client.ID == 0 && PhoneDigits(in.Client.Phone) == "" {
		v.Add("client", "client.phone or client_id is required")
	}
	if in.ClientsCount != nil && (*in.ClientsCount < 1 || *in.ClientsCount > maxCapacity) {
		v.Add("clients_count", "clients_count is the number of seats to take, from 1")
	}
	if err := v.Err(); err != nil {
		return Appointment{}, err
	}
	if err := tx.Lock(ctx, LockActivity, in.ActivityID); errors.Is(err, ErrNotFound) {
		return Appointment{}, Invalid("activity_id", "group event %d does not exist in this location", in.ActivityID)
	} else if err != nil {
		return Appointment{}, err
	}
	act, err := liveActivity(ctx, tx, loc.ID, in.ActivityID)
	if errors.Is(err, ErrNotFound) {
		return Appointment{}, Invalid("activity_id", "group event %d does not exist in this location", in.ActivityID)
	} else if err != nil {
		return Appointment{}, err
	}
	clientID, err := s.resolveClient(ctx, tx, loc.ID, in.Client)
	if err != nil {
		return Appointment{}, err
	}
	now := s.now()
	a := Appointment{Comment: strings.TrimSpace(in.Comment), APIID: in.APIID, CustomColor: strings.TrimPrefix(in.CustomColor, "#"),
		RecordLabels: in.RecordLabels, CustomFields: in.CustomFields, SMSRemainHours: in.SMSRemainHours,
		EmailRemainHours: in.EmailRemainHours, SendSMS: in.SendSMS, CreatedUserID: c.User.ID, PartnerID: c.Partner.ID,
		CreatedAt: now, UpdatedAt: now}
	if in.Attendance != nil {
		a.Attendance = *in.Attendance
	}
	if in.ClientsCount != nil {
		a.ClientsCount = *in.ClientsCount
	}
	return s.seat(ctx, tx, loc, act, *clientID, a)
}

// updateSeat edits an appointment in a group event. Its member, time,
// length and service are the event's: a patch may repeat them but not
// change them (move the event instead).
func (s *Service) updateSeat(ctx context.Context, tx Tx, loc Location, old Appointment, p AppointmentPatch, held []int64) (Appointment, error) {
	v := &ValidationError{}
	if p.ActivityID != nil && *p.ActivityID != old.ActivityID {
		v.Add("activity_id", "an appointment cannot move to another group event; delete it and book the other one")
	}
	if p.TeamMemberID != nil && *p.TeamMemberID != old.TeamMemberID {
		v.Add("staff_id", "the appointment is a seat of group event %d; change the event's team member instead", old.ActivityID)
	}
	if p.Datetime != nil {
		if t, err := apitime.ParseDateTime(*p.Datetime, loc.Zone()); err != nil || !t.Equal(old.Start) {
			v.Add("datetime", "the appointment is a seat of group event %d; move the event instead", old.ActivityID)
		}
	}
	if p.SeanceLength != nil && *p.SeanceLength != old.SeanceLength {
		v.Add("seance_length", "the appointment is a seat of group event %d; change the event's length instead", old.ActivityID)
	}
	if p.Services != nil {
		for _, sv := range *p.Services {
			if len(old.Services) == 0 || sv.ID != old.Services[0].ServiceID {
				v.Add("services", "the appointment is a seat of group event %d; its service is the event's", old.ActivityID)
				break
			}
		}
	}
	if p.Attendance != nil && (*p.Attendance < -1 || *p.Attendance > 2) {
		v.Add("attendance", "attendance is -1, 0, 1 or 2")
	}
	if err := v.Err(); err != nil {
		return old, err
	}
	in := p.merge(old, loc.Zone())
	a := old
	a.Comment, a.APIID, a.CustomColor = strings.TrimSpace(in.Comment), in.APIID, strings.TrimPrefix(in.CustomColor, "#")
	a.Attendance, a.RecordLabels, a.CustomFields = *in.Attendance, in.RecordLabels, in.CustomFields
	a.SMSRemainHours, a.EmailRemainHours, a.SendSMS, a.UpdatedAt = in.SMSRemainHours, in.EmailRemainHours, in.SendSMS, s.now()
	if p.Client != nil {
		id, err := s.resolveClient(ctx, tx, loc.ID, in.Client)
		if err != nil {
			return old, err
		}
		if old.ClientID == nil || *id != *old.ClientID {
			records, err := tx.ActivityRecords(ctx, old.ActivityID)
			if err != nil {
				return old, err
			}
			for _, r := range records {
				if r.ClientID != nil && *r.ClientID == *id {
					return old, &ValidationError{Errors: []FieldError{{Code: codeAlreadyBooked, Field: "client",
						Message: "The client is already booked into this group event."}}}
				}
			}
			a.ClientID = id
			if a.VisitID, err = s.visitFor(ctx, tx, loc, a, held...); err != nil {
				return old, err
			}
		}
	}
	if err := tx.UpdateAppointment(ctx, a); err != nil {
		return old, err
	}
	return a, s.leaveVisit(ctx, tx, a.ID, old.VisitID, a.VisitID)
}
