package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
)

// EventSchedule repeats a group event weekly from its date to DateEnd.
type EventSchedule struct {
	ID                 int64
	LocationID         int64
	OriginalEntityType string
	OriginalEntityID   int64
	DateStart, DateEnd time.Time // local dates (midnight UTC)
	AddClients         bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Series             []Series // reads: the live ones, by weekday
}

// Series is one weekday of a schedule ("schedule day" in the API).
type Series struct {
	ID                  int64
	ScheduleID          int64
	Weekday             time.Weekday
	Time                int64 // local wall-clock seconds since midnight
	Duration            int64 // seconds
	Capacity            int64
	MasterID            int64
	LabelIDs            []int64
	ResourceInstanceIDs []int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Start is the series' event instant on a local date: wall-clock time, so
// a 19:00 class stays at 19:00 across DST changes. A time a change skips
// (02:30 when clocks jump from 02:00 to 03:00) moves forward by the gap.
func (s Series) Start(day time.Time, zone *time.Location) time.Time {
	y, m, d := day.Date()
	sec := int(s.Time)
	t := time.Date(y, m, d, sec/3600, sec/60%60, sec%60, 0, zone)
	if got := t.Hour()*3600 + t.Minute()*60 + t.Second(); got < sec {
		t = t.Add(time.Duration(sec-got) * time.Second)
	}
	return t
}

// Event statuses (7.2).
const (
	EventStable        = "stable"
	EventEntityDeleted = "entity_deleted"
	EventEntityFailed  = "entity_failed"
)

// Event is one date of a series and the activity it created (0: creation
// failed because the team member was busy).
type Event struct {
	ID         int64
	SeriesID   int64
	Day        time.Time
	ActivityID int64
	Status     string // stored: stable or entity_failed
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ClientSchedule attaches a client to series of one schedule.
type ClientSchedule struct {
	ID         int64
	LocationID int64
	ScheduleID int64
	ClientID   int64
	ComerID    *int64
	SeriesIDs  []int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ScheduleTx is the store's part for event and client schedules. Reads
// return live rows only.
type ScheduleTx interface {
	CreateSchedule(ctx context.Context, s EventSchedule) (int64, error)
	// Schedule returns a live schedule with its live series.
	Schedule(ctx context.Context, locationID, id int64) (EventSchedule, error)
	// ScheduleOfActivity finds the live schedule an activity started or
	// was created by.
	ScheduleOfActivity(ctx context.Context, locationID, activityID int64) (EventSchedule, error)
	UpdateSchedule(ctx context.Context, s EventSchedule) error
	DeleteSchedule(ctx context.Context, id int64, at time.Time) error

	CreateSeries(ctx context.Context, s Series) (int64, error)
	UpdateSeries(ctx context.Context, s Series) error
	DeleteSeries(ctx context.Context, id int64, at time.Time) error

	CreateEvent(ctx context.Context, e Event) (int64, error)
	// Events lists a series' live events by day.
	Events(ctx context.Context, seriesID int64) ([]Event, error)
	DeleteEvent(ctx context.Context, id int64, at time.Time) error

	CreateClientSchedule(ctx context.Context, cs ClientSchedule) (int64, error)
	ClientSchedule(ctx context.Context, scheduleID, id int64) (ClientSchedule, error)
	ClientSchedules(ctx context.Context, scheduleID int64) ([]ClientSchedule, error)
	SetClientScheduleSeries(ctx context.Context, id int64, seriesIDs []int64, at time.Time) error
	DeleteClientSchedule(ctx context.Context, id int64, at time.Time) error
	// DetachSeries removes a series from every client schedule.
	DetachSeries(ctx context.Context, seriesID int64) error
	// ClientScheduleRecords lists the live appointments a client schedule
	// booked.
	ClientScheduleRecords(ctx context.Context, clientScheduleID int64) ([]Appointment, error)
}

// Weekdays are the API's day_of_week names.
var Weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekday reads "mon".."sun".
func ParseWeekday(s string) (time.Weekday, bool) {
	i := slices.Index(Weekdays, s)
	return time.Weekday(i), i >= 0
}

// ParseEventsTime reads "HH:MM:SS" (or "H:MM:SS") as seconds since midnight.
func ParseEventsTime(s string) (int64, error) {
	h, m, sec, ok := parseClockParts(s)
	if !ok || sec < 0 || h > 23 {
		return 0, fmt.Errorf("%q is not a time of day in HH:MM:SS", s)
	}
	return int64(h*3600 + m*60 + sec), nil
}

// FormatEventsTime renders seconds since midnight as "HH:MM:SS".
func FormatEventsTime(sec int64) string {
	return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
}

// SeriesDates are the dates in [from, to] that fall on wd.
func SeriesDates(from, to time.Time, wd time.Weekday) []time.Time {
	var out []time.Time
	d := from.AddDate(0, 0, (int(wd)-int(from.Weekday())+7)%7)
	for ; !d.After(to); d = d.AddDate(0, 0, 7) {
		out = append(out, d)
	}
	return out
}

// FinalDay is D15: the last event of the series up to the schedule's end,
// as a local "YYYY-MM-DD HH:MM:SS"; "" when none is left.
func FinalDay(sch EventSchedule, series []Series) string {
	var last time.Time
	var lastSeries Series
	for _, s := range series {
		dates := SeriesDates(sch.DateStart, sch.DateEnd, s.Weekday)
		if len(dates) == 0 {
			continue
		}
		d := dates[len(dates)-1]
		if d.After(last) || (d.Equal(last) && s.Time > lastSeries.Time) {
			last, lastSeries = d, s
		}
	}
	if last.IsZero() {
		return ""
	}
	return last.Format(apitime.Date) + " " + FormatEventsTime(lastSeries.Time)
}

// maxScheduleReach bounds how far a schedule reaches, and so the work of
// materialising it.
const maxScheduleReach = 366

// SeriesInput creates a series or (nil fields keep) changes one.
type SeriesInput struct {
	DayOfWeek           *string
	MasterID            *int64
	Time                *string
	Duration            *int64
	Capacity            *int64
	LabelIDs            *[]int64
	ResourceInstanceIDs *[]int64
}

func (in SeriesInput) apply(ctx context.Context, tx Tx, loc Location, s Series, field string) (Series, error) {
	v := &ValidationError{}
	if in.DayOfWeek != nil {
		wd, ok := ParseWeekday(*in.DayOfWeek)
		if !ok {
			v.Add(field+"day_of_week", "day_of_week is one of mon, tue, wed, thu, fri, sat, sun")
		}
		s.Weekday = wd
	} else if s.ID == 0 {
		v.Add(field+"day_of_week", "day_of_week is required")
	}
	if in.Time != nil {
		t, err := ParseEventsTime(*in.Time)
		if err != nil {
			v.Add(field+"events_time", "events_time: %s", err.Error())
		}
		s.Time = t
	} else if s.ID == 0 {
		v.Add(field+"events_time", "events_time is required")
	}
	if in.MasterID != nil {
		s.MasterID = *in.MasterID
	}
	if m, err := tx.TeamMember(ctx, loc.ID, s.MasterID); errors.Is(err, ErrNotFound) || (err == nil && !m.Bookable()) {
		v.Add(field+"events_master_id", "team member %d does not exist in this location or cannot be booked", s.MasterID)
	} else if err != nil {
		return s, err
	}
	if in.Duration != nil {
		s.Duration = *in.Duration
	}
	if s.Duration < minSeance || s.Duration > maxSeance {
		v.Add(field+"events_duration", "events_duration must be from 300 to 86100 seconds")
	}
	if in.Capacity != nil {
		s.Capacity = *in.Capacity
	}
	if s.Capacity < 1 || s.Capacity > maxCapacity {
		v.Add(field+"events_capacity", "events_capacity is from 1 to %d", maxCapacity)
	}
	if in.LabelIDs != nil {
		s.LabelIDs = *in.LabelIDs
	}
	if in.ResourceInstanceIDs != nil {
		s.ResourceInstanceIDs = *in.ResourceInstanceIDs
	}
	return s, v.Err()
}

// ScheduleInput is POST /company/{id}/schedules.
type ScheduleInput struct {
	OriginalEntityType string
	OriginalEntityID   int64
	DateEnd            string
	AddClients         bool
	Days               []SeriesInput
}

// SeriesView is a series with its team member and, when asked, events.
type SeriesView struct {
	Series
	Master TeamMember
	Events []EventView
}

// EventView is an event with the activity it created (nil: none).
type EventView struct {
	Event
	Start    time.Time
	Series   Series
	Activity *Activity
	Master   *TeamMember // the activity's
}

// Status is the event_status of 7.2.
func (e EventView) Status() string {
	switch {
	case e.Event.Status == EventEntityFailed:
		return EventEntityFailed
	case e.Activity == nil || e.Activity.Deleted:
		return EventEntityDeleted
	}
	return EventStable
}

// ScheduleView is a schedule as its answers show it.
type ScheduleView struct {
	EventSchedule
	Location Location
	Series   []SeriesView
}

func (s *Service) scheduleView(ctx context.Context, tx Tx, loc Location, sch EventSchedule, withEvents bool) (ScheduleView, error) {
	v := ScheduleView{EventSchedule: sch, Location: loc}
	for _, sr := range sch.Series {
		sv, err := s.seriesView(ctx, tx, loc, sr, withEvents)
		if err != nil {
			return v, err
		}
		v.Series = append(v.Series, sv)
	}
	return v, nil
}

func (s *Service) seriesView(ctx context.Context, tx Tx, loc Location, sr Series, withEvents bool) (SeriesView, error) {
	v := SeriesView{Series: sr}
	var err error
	if v.Master, err = tx.TeamMember(ctx, loc.ID, sr.MasterID); err != nil {
		return v, err
	}
	if withEvents {
		v.Events, err = eventViews(ctx, tx, loc, sr)
	}
	return v, err
}

func eventViews(ctx context.Context, tx Tx, loc Location, sr Series) ([]EventView, error) {
	events, err := tx.Events(ctx, sr.ID)
	if err != nil {
		return nil, err
	}
	out := make([]EventView, 0, len(events))
	for _, e := range events {
		ev := EventView{Event: e, Start: sr.Start(e.Day, loc.Zone()), Series: sr}
		if e.ActivityID != 0 {
			a, err := tx.Activity(ctx, loc.ID, e.ActivityID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			if err == nil {
				ev.Activity = &a
				m, err := tx.TeamMember(ctx, loc.ID, a.TeamMemberID)
				if err != nil {
					return nil, err
				}
				ev.Master = &m
			}
		}
		out = append(out, ev)
	}
	return out, nil
}

// lockSchedule is the start of every schedule change: the caller's access,
// the schedule's row lock, then the schedule (ErrNotFound if it is not a
// live schedule of the location), which must be inside the caller's reach
// (ErrForbidden: a worker's schedules are her own column's).
func (s *Service) lockSchedule(ctx context.Context, tx Tx, c Caller, locationID, id int64, perm string) (Location, EventSchedule, reach, error) {
	loc, m, err := s.access(ctx, tx, c, locationID, perm)
	if err != nil {
		return loc, EventSchedule{}, reach{}, err
	}
	r := reachOf(m, m.Permissions(), loc, s.now())
	if err := tx.Lock(ctx, LockSchedule, id); err != nil {
		return loc, EventSchedule{}, r, err
	}
	sch, err := tx.Schedule(ctx, locationID, id)
	if err == nil {
		err = r.checkSchedule(sch.Series)
	}
	return loc, sch, r, err
}

// lockAll locks rows of one table in ascending id order, each once (ids
// of 0 are skipped). A missing row does not stop the others from being
// locked; it is ErrNotFound at the end. See the lock order in
// docs/ARCHITECTURE.md.
func lockAll(ctx context.Context, tx Tx, table Lockable, ids []int64) error {
	var missing error
	ids = slices.Clone(ids)
	slices.Sort(ids)
	for i, id := range ids {
		if id == 0 || (i > 0 && ids[i-1] == id) {
			continue
		}
		if err := tx.Lock(ctx, table, id); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		} else if err != nil {
			missing = err
		}
	}
	return missing
}

// lockEvents locks the activities of every event of the series at once, in
// id order: a change that walks several series (or a series whose event
// ids are not in date order) must not take them one series at a time.
// The caller holds the schedule's lock and takes team members after this.
func lockEvents(ctx context.Context, tx Tx, series []Series) error {
	var ids []int64
	for _, sr := range series {
		events, err := tx.Events(ctx, sr.ID)
		if err != nil {
			return err
		}
		for _, e := range events {
			ids = append(ids, e.ActivityID)
		}
	}
	return lockAll(ctx, tx, LockActivity, ids)
}

// masters are the team members of the series.
func masters(series []Series) []int64 {
	ids := make([]int64, len(series))
	for i, sr := range series {
		ids[i] = sr.MasterID
	}
	return ids
}

// seriesOf finds a live series of the schedule.
func seriesOf(sch EventSchedule, id int64) (Series, error) {
	for _, sr := range sch.Series {
		if sr.ID == id {
			return sr, nil
		}
	}
	return Series{}, ErrNotFound
}

// CreateSchedule is POST /company/{id}/schedules: it stores the schedule
// and its series and materialises their events.
func (s *Service) CreateSchedule(ctx context.Context, c Caller, locationID int64, in ScheduleInput) (ScheduleView, error) {
	var out ScheduleView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermEditRecords)
		if err != nil {
			return err
		}
		r := reachOf(m, m.Permissions(), loc, s.now())
		v := &ValidationError{}
		var orig Activity
		switch in.OriginalEntityType {
		case "activity":
			if err := tx.Lock(ctx, LockActivity, in.OriginalEntityID); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			orig, err = liveActivity(ctx, tx, locationID, in.OriginalEntityID)
			if errors.Is(err, ErrNotFound) {
				v.Add("original_entity_id", "group event %d does not exist in this location", in.OriginalEntityID)
			} else if err != nil {
				return err
			} else if _, err := tx.ScheduleOfActivity(ctx, locationID, orig.ID); err == nil {
				v.Add("original_entity_id", "group event %d already belongs to a schedule", orig.ID)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		case "record":
			v.Add("original_entity_type", "schedules of individual appointments are not supported; use activity")
		default:
			v.Add("original_entity_type", "original_entity_type is activity")
		}
		now := s.now()
		sch := EventSchedule{LocationID: loc.ID, OriginalEntityType: in.OriginalEntityType, OriginalEntityID: in.OriginalEntityID,
			AddClients: in.AddClients, CreatedAt: now, UpdatedAt: now}
		if orig.ID != 0 {
			sch.DateStart = localDate(orig.Start, loc.Zone())
		}
		end, err := apitime.ParseDate(in.DateEnd)
		if err != nil {
			v.Add("date_end", "date_end: %s", err.Error())
		} else if orig.ID != 0 {
			sch.DateEnd = end
			if err := checkScheduleEnd(sch); err != nil {
				v.Errors = append(v.Errors, err.(*ValidationError).Errors...)
			}
		}
		if len(in.Days) < 1 || len(in.Days) > 7 {
			v.Add("days", "days holds 1 to 7 series")
		}
		var series []Series
		seen := map[time.Weekday]bool{}
		for i, d := range in.Days {
			sr, err := d.apply(ctx, tx, loc, Series{CreatedAt: now, UpdatedAt: now}, fmt.Sprintf("days[%d].", i))
			var ve *ValidationError
			if errors.As(err, &ve) {
				v.Errors = append(v.Errors, ve.Errors...)
			} else if err != nil {
				return err
			}
			if d.DayOfWeek != nil && seen[sr.Weekday] {
				v.Add(fmt.Sprintf("days[%d].day_of_week", i), "day_of_week %s appears twice", *d.DayOfWeek)
			}
			seen[sr.Weekday] = true
			series = append(series, sr)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := r.check(orig.TeamMemberID, orig.Start); err != nil {
			return err
		}
		if err := r.checkSchedule(series); err != nil {
			return err
		}
		if sch.ID, err = tx.CreateSchedule(ctx, sch); err != nil {
			return err
		}
		if err := lockAll(ctx, tx, LockTeamMember, masters(series)); err != nil {
			return err
		}
		for _, sr := range series {
			sr.ScheduleID = sch.ID
			if sr.ID, err = tx.CreateSeries(ctx, sr); err != nil {
				return err
			}
			if err := s.materialize(ctx, tx, c, loc, sch, sr, sch.DateStart, sch.DateEnd); err != nil {
				return err
			}
		}
		if sch, err = tx.Schedule(ctx, loc.ID, sch.ID); err != nil {
			return err
		}
		out, err = s.scheduleView(ctx, tx, loc, sch, false)
		return err
	})
	return out, err
}

func localDate(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

func checkScheduleEnd(sch EventSchedule) error {
	if sch.DateEnd.Before(sch.DateStart) {
		return Invalid("date_end", "date_end %s is before the schedule's start %s", sch.DateEnd.Format(apitime.Date),
			sch.DateStart.Format(apitime.Date))
	}
	if sch.DateEnd.After(sch.DateStart.AddDate(0, 0, maxScheduleReach)) {
		return Invalid("date_end", "a schedule reaches at most %d days past its start", maxScheduleReach)
	}
	return nil
}

// materialize creates the series' missing events on dates in [from, to]:
// the original activity on its own date, a new activity on every later one
// (an event whose team member is busy records entity_failed). Events in
// the past are not created. New events get the original's clients (when
// the schedule says so) and the attached client schedules' clients.
func (s *Service) materialize(ctx context.Context, tx Tx, c Caller, loc Location, sch EventSchedule, sr Series, from, to time.Time) error {
	orig, err := tx.Activity(ctx, loc.ID, sch.OriginalEntityID)
	if err != nil {
		return err
	}
	existing, err := tx.Events(ctx, sr.ID)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, e := range existing {
		have[e.Day.Format(apitime.Date)] = true
	}
	// Callers changing existing events lock them (lockEvents) before this;
	// the activities created below are invisible to other transactions.
	if err := tx.Lock(ctx, LockTeamMember, sr.MasterID); err != nil {
		return err
	}
	now := s.now()
	var origClients []int64
	if sch.AddClients {
		recs, err := tx.ActivityRecords(ctx, orig.ID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.ClientID != nil {
				origClients = append(origClients, *r.ClientID)
			}
		}
	}
	var created []Activity
	for _, day := range SeriesDates(from, to, sr.Weekday) {
		if have[day.Format(apitime.Date)] {
			continue
		}
		e := Event{SeriesID: sr.ID, Day: day, Status: EventStable, CreatedAt: now, UpdatedAt: now}
		start := sr.Start(day, loc.Zone())
		switch {
		case day.Equal(sch.DateStart) && !orig.Deleted:
			e.ActivityID = orig.ID
		case start.Before(now):
			continue
		default:
			a := Activity{LocationID: loc.ID, ServiceID: orig.ServiceID, TeamMemberID: sr.MasterID, Start: start,
				Length: sr.Duration, Capacity: sr.Capacity, Comment: orig.Comment, Color: orig.Color, FontColor: orig.FontColor,
				Instructions: orig.Instructions, StreamLink: orig.StreamLink, LabelIDs: sr.LabelIDs, CreatedAt: now, UpdatedAt: now}
			if err := checkActivityPlacement(ctx, tx, a); err != nil {
				var v *ValidationError
				if !errors.As(err, &v) {
					return err
				}
				e.Status = EventEntityFailed
				break
			}
			if a.ID, err = tx.CreateActivity(ctx, a); err != nil {
				return err
			}
			e.ActivityID = a.ID
			created = append(created, a)
		}
		if _, err := tx.CreateEvent(ctx, e); err != nil {
			return err
		}
	}
	for _, a := range created {
		for _, cl := range origClients {
			if _, err := s.seat(ctx, tx, loc, a, cl, s.newSeat(c, 0)); err != nil && !skippable(err) {
				return err
			}
		}
	}
	css, err := tx.ClientSchedules(ctx, sch.ID)
	if err != nil {
		return err
	}
	for _, cs := range css {
		if slices.Contains(cs.SeriesIDs, sr.ID) {
			if _, err := s.bookFuture(ctx, tx, c, loc, cs, []int64{sr.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// newSeat is the blank appointment a schedule books into an event.
func (s *Service) newSeat(c Caller, clientScheduleID int64) Appointment {
	now := s.now()
	a := Appointment{ClientScheduleID: clientScheduleID, PartnerID: c.Partner.ID, CreatedAt: now, UpdatedAt: now}
	if c.User != nil {
		a.CreatedUserID = c.User.ID
	}
	return a
}

// skippable tells a seat that could not be taken (full, or the client is
// in the event already) from a failure.
func skippable(err error) bool {
	var v *ValidationError
	return errors.As(err, &v) && len(v.Errors) == 1 &&
		(v.Errors[0].Code == codeActivityFull || v.Errors[0].Code == codeAlreadyBooked)
}

// Skipped is an event a client schedule could not book because it is full.
type Skipped struct {
	EventID    int64
	ActivityID int64
	Start      time.Time
}

// bookFuture books a client schedule's client into every future event of
// the series, in activity id order (the lock order). Full events are
// skipped and returned; events the client is in already are left alone.
func (s *Service) bookFuture(ctx context.Context, tx Tx, c Caller, loc Location, cs ClientSchedule, seriesIDs []int64) ([]Skipped, error) {
	now := s.now()
	var events []Event
	for _, id := range seriesIDs {
		evs, err := tx.Events(ctx, id)
		if err != nil {
			return nil, err
		}
		events = append(events, evs...)
	}
	sort.Slice(events, func(i, j int) bool { return events[i].ActivityID < events[j].ActivityID })
	skipped := []Skipped{}
	for _, e := range events {
		if e.ActivityID == 0 {
			continue
		}
		if err := tx.Lock(ctx, LockActivity, e.ActivityID); err != nil {
			return nil, err
		}
		act, err := tx.Activity(ctx, loc.ID, e.ActivityID)
		if err != nil {
			return nil, err
		}
		if act.Deleted || !act.Start.After(now) {
			continue
		}
		_, err = s.seat(ctx, tx, loc, act, cs.ClientID, s.newSeat(c, cs.ID))
		var v *ValidationError
		switch {
		case errors.As(err, &v) && v.Errors[0].Code == codeActivityFull:
			skipped = append(skipped, Skipped{EventID: e.ID, ActivityID: act.ID, Start: act.Start})
		case err != nil && !skippable(err):
			return nil, err
		}
	}
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Start.Before(skipped[j].Start) })
	return skipped, nil
}

// removeFutureEvents deletes the series' events after day `after` (all when
// zero) that have not started: their activities and appointments go too.
func (s *Service) removeFutureEvents(ctx context.Context, tx Tx, loc Location, sr Series, after time.Time) error {
	events, err := tx.Events(ctx, sr.ID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, e := range events {
		if !e.Day.After(after) || !sr.Start(e.Day, loc.Zone()).After(now) {
			continue
		}
		if e.ActivityID != 0 {
			if err := tx.Lock(ctx, LockActivity, e.ActivityID); err != nil {
				return err
			}
			a, err := tx.Activity(ctx, loc.ID, e.ActivityID)
			if err != nil {
				return err
			}
			if !a.Deleted && a.Start.After(now) {
				if err := s.removeActivity(ctx, tx, loc.ID, a.ID); err != nil {
					return err
				}
			}
		}
		if err := tx.DeleteEvent(ctx, e.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// UpdateSchedule is PATCH /company/{id}/schedules/{schedule_id}: a later
// date_end adds events, an earlier one removes the future events past it.
func (s *Service) UpdateSchedule(ctx context.Context, c Caller, locationID, id int64, dateEnd string) (ScheduleView, error) {
	var out ScheduleView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, sch, _, err := s.lockSchedule(ctx, tx, c, locationID, id, auth.PermEditRecords)
		if err != nil {
			return err
		}
		end, err := apitime.ParseDate(dateEnd)
		if err != nil {
			return Invalid("date_end", "date_end: %s", err.Error())
		}
		old := sch.DateEnd
		sch.DateEnd, sch.UpdatedAt = end, s.now()
		if err := checkScheduleEnd(sch); err != nil {
			return err
		}
		if err := tx.UpdateSchedule(ctx, sch); err != nil {
			return err
		}
		if err := lockEvents(ctx, tx, sch.Series); err != nil {
			return err
		}
		if end.After(old) {
			if err := lockAll(ctx, tx, LockTeamMember, masters(sch.Series)); err != nil {
				return err
			}
		}
		for _, sr := range sch.Series {
			if end.After(old) {
				err = s.materialize(ctx, tx, c, loc, sch, sr, old.AddDate(0, 0, 1), end)
			} else {
				err = s.removeFutureEvents(ctx, tx, loc, sr, end)
			}
			if err != nil {
				return err
			}
		}
		out, err = s.scheduleView(ctx, tx, loc, sch, false)
		return err
	})
	return out, err
}

// DeleteSchedule removes a schedule, its series and client schedules, and
// the future events with their appointments; past ones stay.
func (s *Service) DeleteSchedule(ctx context.Context, c Caller, locationID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		loc, sch, _, err := s.lockSchedule(ctx, tx, c, locationID, id, auth.PermDeleteRecords)
		if err != nil {
			return err
		}
		if err := lockEvents(ctx, tx, sch.Series); err != nil {
			return err
		}
		css, err := tx.ClientSchedules(ctx, sch.ID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, cs := range css {
			if err := tx.DeleteClientSchedule(ctx, cs.ID, now); err != nil {
				return err
			}
		}
		for _, sr := range sch.Series {
			if err := s.removeSeries(ctx, tx, loc, sr); err != nil {
				return err
			}
		}
		return tx.DeleteSchedule(ctx, sch.ID, now)
	})
}

func (s *Service) removeSeries(ctx context.Context, tx Tx, loc Location, sr Series) error {
	if err := s.removeFutureEvents(ctx, tx, loc, sr, time.Time{}); err != nil {
		return err
	}
	if err := tx.DetachSeries(ctx, sr.ID); err != nil {
		return err
	}
	return tx.DeleteSeries(ctx, sr.ID, s.now())
}

// AddSeries is POST .../schedules/{schedule_id}/days.
func (s *Service) AddSeries(ctx context.Context, c Caller, locationID, scheduleID int64, in SeriesInput) (SeriesView, error) {
	var out SeriesView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, sch, r, err := s.lockSchedule(ctx, tx, c, locationID, scheduleID, auth.PermEditRecords)
		if err != nil {
			return err
		}
		now := s.now()
		sr, err := in.apply(ctx, tx, loc, Series{ScheduleID: sch.ID, CreatedAt: now, UpdatedAt: now}, "")
		if err != nil {
			return err
		}
		if err := r.checkSchedule([]Series{sr}); err != nil {
			return err
		}
		for _, o := range sch.Series {
			if o.Weekday == sr.Weekday {
				return Invalid("day_of_week", "the schedule has a %s series already", Weekdays[sr.Weekday])
			}
		}
		if sr.ID, err = tx.CreateSeries(ctx, sr); err != nil {
			return err
		}
		if err := s.materialize(ctx, tx, c, loc, sch, sr, sch.DateStart, sch.DateEnd); err != nil {
			return err
		}
		out, err = s.seriesView(ctx, tx, loc, sr, true)
		return err
	})
	return out, err
}

// UpdateSeries is PATCH .../days/{day_id}: the series changes and so do its
// future events; without force an event changed by hand keeps that change.
// A new placement that collides with other bookings fails the whole change.
func (s *Service) UpdateSeries(ctx context.Context, c Caller, locationID, scheduleID, seriesID int64, in SeriesInput, force bool) (SeriesView, error) {
	var out SeriesView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, sch, r, err := s.lockSchedule(ctx, tx, c, locationID, scheduleID, auth.PermEditRecords)
		if err != nil {
			return err
		}
		old, err := seriesOf(sch, seriesID)
		if err != nil {
			return err
		}
		if in.DayOfWeek != nil && *in.DayOfWeek != Weekdays[old.Weekday] {
			return Invalid("day_of_week", "a series keeps its day of the week; add another series instead")
		}
		in.DayOfWeek = nil
		sr, err := in.apply(ctx, tx, loc, old, "")
		if err != nil {
			return err
		}
		if err := r.checkSchedule([]Series{sr}); err != nil {
			return err
		}
		sr.UpdatedAt = s.now()
		if err := tx.UpdateSeries(ctx, sr); err != nil {
			return err
		}
		// All the events first, then every member they move from or to.
		if err := lockEvents(ctx, tx, []Series{old}); err != nil {
			return err
		}
		events, err := eventViews(ctx, tx, loc, old)
		if err != nil {
			return err
		}
		members := []int64{old.MasterID, sr.MasterID}
		for _, e := range events {
			if e.Activity != nil {
				members = append(members, e.Activity.TeamMemberID)
			}
		}
		if err := lockAll(ctx, tx, LockTeamMember, members); err != nil {
			return err
		}
		zone := loc.Zone()
		for _, e := range events {
			if e.Activity == nil || e.Activity.Deleted || !e.Activity.Start.After(sr.UpdatedAt) {
				continue
			}
			if err := tx.Lock(ctx, LockActivity, e.Activity.ID); err != nil {
				return err
			}
			prev := *e.Activity
			a := prev
			if force || a.TeamMemberID == old.MasterID {
				a.TeamMemberID = sr.MasterID
			}
			if force || a.Start.Equal(e.Start) {
				a.Start = sr.Start(e.Day, zone)
			}
			if force || a.Length == old.Duration {
				a.Length = sr.Duration
			}
			if force || slices.Equal(a.LabelIDs, old.LabelIDs) {
				a.LabelIDs = sr.LabelIDs
			}
			a.Capacity, a.UpdatedAt = sr.Capacity, sr.UpdatedAt
			if err := s.moveActivity(ctx, tx, loc, prev, a, false); err != nil {
				var v *ValidationError
				if errors.As(err, &v) {
					for i := range v.Errors {
						v.Errors[i].Message = fmt.Sprintf("%s (event of %s)", v.Errors[i].Message, e.Day.Format(apitime.Date))
					}
				}
				return err
			}
		}
		out, err = s.seriesView(ctx, tx, loc, sr, true)
		return err
	})
	return out, err
}

// DeleteSeries is DELETE .../days/{day_id}.
func (s *Service) DeleteSeries(ctx context.Context, c Caller, locationID, scheduleID, seriesID int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		loc, sch, _, err := s.lockSchedule(ctx, tx, c, locationID, scheduleID, auth.PermDeleteRecords)
		if err != nil {
			return err
		}
		sr, err := seriesOf(sch, seriesID)
		if err != nil {
			return err
		}
		if err := lockEvents(ctx, tx, []Series{sr}); err != nil {
			return err
		}
		return s.removeSeries(ctx, tx, loc, sr)
	})
}

// SeriesEvents is GET .../days/{day_id}/events.
func (s *Service) SeriesEvents(ctx context.Context, c Caller, locationID, scheduleID, seriesID int64) ([]EventView, Location, error) {
	var out []EventView
	var loc Location
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		var m Membership
		if loc, m, err = s.access(ctx, tx, c, locationID, auth.PermTimetable); err != nil {
			return err
		}
		sch, err := tx.Schedule(ctx, locationID, scheduleID)
		if err != nil {
			return err
		}
		if err := reachOf(m, m.Permissions(), loc, s.now()).checkSchedule(sch.Series); err != nil {
			return err
		}
		sr, err := seriesOf(sch, seriesID)
		if err != nil {
			return err
		}
		out, err = eventViews(ctx, tx, loc, sr)
		return err
	})
	return out, loc, err
}

// FindSchedule is GET /company/{id}/schedules/search/{type}/{id}: the
// schedule a group event (or an appointment's group event) belongs to.
func (s *Service) FindSchedule(ctx context.Context, c Caller, locationID int64, entityType string, entityID int64) (ScheduleView, error) {
	var out ScheduleView
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		activityID := entityID
		switch entityType {
		case "activity":
		case "record":
			a, err := tx.Appointment(ctx, locationID, entityID)
			if err != nil {
				return err
			}
			if activityID = a.ActivityID; activityID == 0 {
				return ErrNotFound
			}
		default:
			return Invalid("entity_type", "entity_type is activity or record")
		}
		sch, err := tx.ScheduleOfActivity(ctx, locationID, activityID)
		if err != nil {
			return err
		}
		if err := reachOf(m, m.Permissions(), loc, s.now()).checkSchedule(sch.Series); err != nil {
			return err
		}
		out, err = s.scheduleView(ctx, tx, loc, sch, false)
		return err
	})
	return out, err
}

// ClientScheduleView is a client schedule as its answers show it.
type ClientScheduleView struct {
	ClientSchedule
	FinalDay string
	Series   []SeriesView
	Skipped  []Skipped
}

// checkSeriesIDs: 1..7 distinct live series of the schedule.
func checkSeriesIDs(sch EventSchedule, ids []int64) ([]Series, error) {
	if len(ids) < 1 || len(ids) > 7 {
		return nil, Invalid("schedule_days_ids", "schedule_days_ids holds 1 to 7 series ids")
	}
	var out []Series
	for _, id := range ids {
		i := slices.IndexFunc(sch.Series, func(s Series) bool { return s.ID == id })
		if i < 0 {
			return nil, Invalid("schedule_days_ids", "series %d is not a series of schedule %d", id, sch.ID)
		}
		if slices.ContainsFunc(out, func(s Series) bool { return s.ID == id }) {
			return nil, Invalid("schedule_days_ids", "series %d appears twice", id)
		}
		out = append(out, sch.Series[i])
	}
	return out, nil
}

func (s *Service) clientScheduleView(ctx context.Context, tx Tx, loc Location, sch EventSchedule, cs ClientSchedule, series []Series) (ClientScheduleView, error) {
	v := ClientScheduleView{ClientSchedule: cs, FinalDay: FinalDay(sch, series)}
	for _, sr := range series {
		sv, err := s.seriesView(ctx, tx, loc, sr, false)
		if err != nil {
			return v, err
		}
		v.Series = append(v.Series, sv)
	}
	return v, nil
}

// ClientScheduleInput is the body of the client schedule routes.
type ClientScheduleInput struct {
	ClientID  int64
	SeriesIDs []int64
	ComerID   *int64
}

// CreateClientSchedule is POST .../client_schedules: the client is booked
// into every future event of the series, all in this one transaction.
func (s *Service) CreateClientSchedule(ctx context.Context, c Caller, locationID, scheduleID int64, in ClientScheduleInput) (ClientScheduleView, error) {
	var out ClientScheduleView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, sch, _, err := s.lockSchedule(ctx, tx, c, locationID, scheduleID, auth.PermCreateRecords)
		if err != nil {
			return err
		}
		if in.ClientID == 0 {
			return Invalid("client_id", "client_id is required")
		}
		if _, err := tx.Client(ctx, locationID, in.ClientID); err != nil {
			return err
		}
		// One link per client: two would claim the same seats, and
		// deleting one would remove bookings the other still holds. The
		// schedule's lock makes this check and the insert one step.
		links, err := tx.ClientSchedules(ctx, sch.ID)
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.ClientID == in.ClientID {
				return Invalid("client_id", "client %d is already attached to this schedule by client schedule %d; change that one instead", in.ClientID, l.ID)
			}
		}
		series, err := checkSeriesIDs(sch, in.SeriesIDs)
		if err != nil {
			return err
		}
		now := s.now()
		cs := ClientSchedule{LocationID: loc.ID, ScheduleID: sch.ID, ClientID: in.ClientID, ComerID: in.ComerID,
			SeriesIDs: in.SeriesIDs, CreatedAt: now, UpdatedAt: now}
		if cs.ID, err = tx.CreateClientSchedule(ctx, cs); err != nil {
			return err
		}
		skipped, err := s.bookFuture(ctx, tx, c, loc, cs, cs.SeriesIDs)
		if err != nil {
			return err
		}
		out, err = s.clientScheduleView(ctx, tx, loc, sch, cs, series)
		out.Skipped = skipped
		return err
	})
	return out, err
}

// lockClientSchedule is the start of a client schedule change: the
// caller's access, the schedule's lock (a concurrent change of its series
// waits, so no link to a series deleted meanwhile is left), then a live
// client schedule of it.
func (s *Service) lockClientSchedule(ctx context.Context, tx Tx, c Caller, locationID, scheduleID, id int64, perm string) (Location, EventSchedule, ClientSchedule, error) {
	loc, sch, _, err := s.lockSchedule(ctx, tx, c, locationID, scheduleID, perm)
	if err != nil {
		return loc, sch, ClientSchedule{}, err
	}
	cs, err := tx.ClientSchedule(ctx, scheduleID, id)
	return loc, sch, cs, err
}

// UpdateClientSchedule is PATCH .../client_schedules/{id}: series ids is
// the new full set. Detached series lose the client's future appointments;
// attached ones gain them.
func (s *Service) UpdateClientSchedule(ctx context.Context, c Caller, locationID, scheduleID, id int64, seriesIDs []int64) (ClientScheduleView, error) {
	var out ClientScheduleView
	err := s.store.Write(ctx, func(tx Tx) error {
		loc, sch, cs, err := s.lockClientSchedule(ctx, tx, c, locationID, scheduleID, id, auth.PermEditRecords)
		if err != nil {
			return err
		}
		series, err := checkSeriesIDs(sch, seriesIDs)
		if err != nil {
			return err
		}
		detached := map[int64]bool{}
		for _, old := range cs.SeriesIDs {
			if !slices.Contains(seriesIDs, old) {
				events, err := tx.Events(ctx, old)
				if err != nil {
					return err
				}
				for _, e := range events {
					detached[e.ActivityID] = true
				}
			}
		}
		if err := s.removeFutureSeats(ctx, tx, cs, func(a Appointment) bool { return detached[a.ActivityID] }); err != nil {
			return err
		}
		cs.SeriesIDs, cs.UpdatedAt = seriesIDs, s.now()
		if err := tx.SetClientScheduleSeries(ctx, cs.ID, seriesIDs, cs.UpdatedAt); err != nil {
			return err
		}
		skipped, err := s.bookFuture(ctx, tx, c, loc, cs, seriesIDs)
		if err != nil {
			return err
		}
		out, err = s.clientScheduleView(ctx, tx, loc, sch, cs, series)
		out.Skipped = skipped
		return err
	})
	return out, err
}

// removeFutureSeats deletes the client schedule's appointments that have
// not started and match.
func (s *Service) removeFutureSeats(ctx context.Context, tx Tx, cs ClientSchedule, match func(Appointment) bool) error {
	records, err := tx.ClientScheduleRecords(ctx, cs.ID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, r := range records {
		if r.Start.After(now) && match(r) {
			if err := s.removeAppointment(ctx, tx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteClientSchedule is DELETE .../client_schedules/{id}: the future
// appointments go, past ones stay.
func (s *Service) DeleteClientSchedule(ctx context.Context, c Caller, locationID, scheduleID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		_, _, cs, err := s.lockClientSchedule(ctx, tx, c, locationID, scheduleID, id, auth.PermDeleteRecords)
		if err != nil {
			return err
		}
		if err := s.removeFutureSeats(ctx, tx, cs, func(Appointment) bool { return true }); err != nil {
			return err
		}
		return tx.DeleteClientSchedule(ctx, cs.ID, s.now())
	})
}
