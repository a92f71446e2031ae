package booking

import (
	"context"
	"errors"
	"time"

	"appointd/internal/auth"
)

// maxScheduleDays bounds one schedule read or write.
const maxScheduleDays = 366

// DateRange checks an inclusive range of local dates.
func DateRange(from, to time.Time) error {
	if to.Before(from) {
		return Invalid("end_date", "end date is before start date")
	}
	if to.Sub(from) > maxScheduleDays*24*time.Hour {
		return Invalid("end_date", "a range may span at most %d days", maxScheduleDays)
	}
	return nil
}

func eachDay(from, to time.Time, fn func(time.Time)) {
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		fn(d)
	}
}

// scheduleMember loads a member whose hours may be read or set.
func scheduleMember(ctx context.Context, tx Tx, locationID, id int64, writing bool) (TeamMember, error) {
	m, err := tx.TeamMember(ctx, locationID, id)
	if err != nil {
		return m, err
	}
	if m.Deleted {
		return m, ErrNotFound
	}
	if writing && !m.HasAccessTimetable {
		return m, Invalid("team_member_id", "team member %d has no access to the timetable (has_access_timetable is false)", id)
	}
	return m, nil
}

// Schedule returns every local date of [from, to] for a member; dates never
// set are days off.
func (s *Service) Schedule(ctx context.Context, c Caller, locationID, memberID int64, from, to time.Time) ([]WorkDay, error) {
	if err := DateRange(from, to); err != nil {
		return nil, err
	}
	var out []WorkDay
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermTimetable); err != nil {
			return err
		}
		if _, err := scheduleMember(ctx, tx, locationID, memberID, false); err != nil {
			return err
		}
		set, err := tx.WorkDays(ctx, []int64{memberID}, from, to)
		if err != nil {
			return err
		}
		byDate := map[time.Time][]Slot{}
		for _, d := range set {
			byDate[d.Date] = d.Slots
		}
		eachDay(from, to, func(d time.Time) {
			out = append(out, WorkDay{TeamMemberID: memberID, Date: d, Slots: byDate[d]})
		})
		return nil
	})
	return out, err
}

// ScheduleChange sets (Slots non-empty) or clears (day off) dates of a member.
type ScheduleChange struct {
	TeamMemberID int64
	Dates        []time.Time
	Slots        []Slot
}

// SetSchedules applies changes in one transaction; schedule_edit_access is
// needed and every member needs has_access_timetable. It returns the
// affected members' days from the earliest to the latest changed date.
func (s *Service) SetSchedules(ctx context.Context, c Caller, locationID int64, changes []ScheduleChange) ([]WorkDay, error) {
	var out []WorkDay
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermScheduleEdit); err != nil {
			return err
		}
		var first, last time.Time
		members := []int64{}
		seen := map[int64]bool{}
		for _, ch := range changes {
			if _, err := scheduleMember(ctx, tx, locationID, ch.TeamMemberID, true); err != nil {
				return err
			}
			slots, err := ValidateSlots(ch.Slots)
			if err != nil {
				return Invalid("slots", "%s", err.Error())
			}
			if len(ch.Dates) == 0 {
				return Invalid("dates", "dates must not be empty")
			}
			for _, d := range ch.Dates {
				if err := tx.PutWorkDay(ctx, WorkDay{TeamMemberID: ch.TeamMemberID, Date: d, Slots: slots}); err != nil {
					return err
				}
				if first.IsZero() || d.Before(first) {
					first = d
				}
				if d.After(last) {
					last = d
				}
			}
			if !seen[ch.TeamMemberID] {
				seen[ch.TeamMemberID] = true
				members = append(members, ch.TeamMemberID)
			}
		}
		if len(members) == 0 {
			return nil
		}
		if err := DateRange(first, last); err != nil {
			return err
		}
		var err error
		out, err = tx.WorkDays(ctx, members, first, last)
		return err
	})
	return out, err
}

// ScheduleDay is a working day with, when asked for, the appointments of
// that local day.
type ScheduleDay struct {
	WorkDay
	Busy []Busy
}

// WorkingDays lists the set working days of a location's bookable members
// (or the given ones) in [from, to]; withBusy adds each day's appointments.
func (s *Service) WorkingDays(ctx context.Context, c Caller, locationID int64, memberIDs []int64, from, to time.Time, withBusy bool) ([]ScheduleDay, error) {
	if err := DateRange(from, to); err != nil {
		return nil, err
	}
	var out []ScheduleDay
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, _, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		ids, err := bookableIDs(ctx, tx, locationID, memberIDs)
		if err != nil {
			return err
		}
		days, err := tx.WorkDays(ctx, ids, from, to)
		if err != nil {
			return err
		}
		zone := loc.Zone()
		for _, d := range days {
			if len(d.Slots) == 0 {
				continue
			}
			sd := ScheduleDay{WorkDay: d}
			if withBusy {
				start := wallClock(d.Date, 0, zone)
				if sd.Busy, err = busyAt(ctx, tx, d.TeamMemberID, start, wallClock(d.Date.AddDate(0, 0, 1), 0, zone), 0, 0); err != nil {
					return err
				}
			}
			out = append(out, sd)
		}
		return nil
	})
	return out, err
}

// bookableIDs narrows the location's bookable members to want (all when
// want is empty); a wanted id not in the location is ErrNotFound.
func bookableIDs(ctx context.Context, tx Tx, locationID int64, want []int64) ([]int64, error) {
	all, err := tx.TeamMembers(ctx, locationID)
	if err != nil {
		return nil, err
	}
	ok := map[int64]bool{}
	var ids []int64
	for _, m := range all {
		if m.Bookable() {
			ok[m.ID] = true
			ids = append(ids, m.ID)
		}
	}
	if len(want) == 0 {
		return ids, nil
	}
	for _, id := range want {
		if _, err := tx.TeamMember(ctx, locationID, id); err != nil {
			return nil, err
		}
	}
	ids = ids[:0]
	for _, id := range want {
		if ok[id] {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// BookableDates is /timetable/dates: the dates of the month containing day
// on which the member (or any bookable member) works (D14).
func (s *Service) BookableDates(ctx context.Context, c Caller, locationID, memberID int64, day time.Time) ([]time.Time, error) {
	from := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, -1)
	var want []int64
	if memberID != 0 {
		want = []int64{memberID}
	}
	days, err := s.WorkingDays(ctx, c, locationID, want, from, to, false)
	if err != nil {
		return nil, err
	}
	out := []time.Time{}
	for _, d := range days {
		if len(out) == 0 || !out[len(out)-1].Equal(d.Date) {
			out = append(out, d.Date)
		}
	}
	return out, nil
}

// FreeSeances is /timetable/seances: the member's grid for a local date.
// With services, a start is free only if the sum of the member's durations
// for them fits.
func (s *Service) FreeSeances(ctx context.Context, c Caller, locationID, memberID int64, day time.Time, serviceIDs []int64) ([]Seance, error) {
	var out []Seance
	err := s.store.Read(ctx, func(tx Tx) error {
		loc, _, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		m, err := scheduleMember(ctx, tx, locationID, memberID, false)
		if err != nil {
			return err
		}
		settings, err := tx.TimetableSettings(ctx, locationID)
		if err != nil {
			return err
		}
		step := time.Duration(settings.SeanceStep) * time.Second
		var length time.Duration
		for _, id := range serviceIDs {
			sv, err := tx.Service(ctx, locationID, id)
			if errors.Is(err, ErrNotFound) {
				return Invalid("service_ids", "service %d does not exist in this location", id)
			} else if err != nil {
				return err
			}
			linked := false
			for _, l := range sv.Staff {
				if l.TeamMemberID == memberID {
					linked, length = true, length+time.Duration(l.SeanceLength)*time.Second
				}
			}
			if !linked {
				return Invalid("service_ids", "team member %d does not perform service %d", memberID, id)
			}
		}
		out = []Seance{}
		if !m.Bookable() {
			return nil
		}
		days, err := tx.WorkDays(ctx, []int64{memberID}, day, day)
		if err != nil || len(days) == 0 {
			return err
		}
		zone := loc.Zone()
		work := WorkIntervals(day, days[0].Slots, zone)
		busy, err := busyIntervals(ctx, tx, memberID, work)
		if err != nil {
			return err
		}
		out = Seances(work, busy, step, length, zone)
		return nil
	})
	return out, err
}

// GetTimetableSettings returns the location's calendar settings.
func (s *Service) GetTimetableSettings(ctx context.Context, c Caller, locationID int64) (TimetableSettings, error) {
	var out TimetableSettings
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, ""); err != nil {
			return err
		}
		var err error
		out, err = tx.TimetableSettings(ctx, locationID)
		return err
	})
	return out, err
}

// TimetableSettingsInput is a partial change of the settings.
type TimetableSettingsInput struct {
	RecordType                    *int64
	ActivityRecordClientsCountMax *int64
	IsShowNewsletterAgreement     *bool
	IsShowPersonalDataProcessing  *bool
	SeanceStep                    *int64
}

// UpdateTimetableSettings changes the settings; settings_access is needed.
func (s *Service) UpdateTimetableSettings(ctx context.Context, c Caller, locationID int64, in TimetableSettingsInput) (TimetableSettings, error) {
	var out TimetableSettings
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		// The settings row is the location's: a partial edit reads it
		// under the location's lock.
		if err := tx.Lock(ctx, LockLocation, locationID); err != nil {
			return err
		}
		var err error
		if out, err = tx.TimetableSettings(ctx, locationID); err != nil {
			return err
		}
		v := &ValidationError{}
		if p := in.RecordType; p != nil {
			if *p < 0 || *p > 2 {
				v.Add("record_type", "record_type is 0 (mixed), 1 (individual) or 2 (group events)")
			}
			out.RecordType = *p
		}
		if p := in.ActivityRecordClientsCountMax; p != nil {
			if *p < 1 || *p > 255 {
				v.Add("activity_record_clients_count_max", "activity_record_clients_count_max is from 1 to 255")
			}
			out.ActivityRecordClientsCountMax = *p
		}
		if p := in.SeanceStep; p != nil {
			if *p < 300 || *p > 3600 || *p%300 != 0 {
				v.Add("seance_step", "seance_step is a multiple of 300 seconds from 300 to 3600")
			}
			out.SeanceStep = *p
		}
		if in.IsShowNewsletterAgreement != nil {
			out.IsShowNewsletterAgreement = *in.IsShowNewsletterAgreement
		}
		if in.IsShowPersonalDataProcessing != nil {
			out.IsShowPersonalDataProcessing = *in.IsShowPersonalDataProcessing
		}
		if err := v.Err(); err != nil {
			return err
		}
		return tx.PutTimetableSettings(ctx, out)
	})
	return out, err
}

// busyIntervals are the member's appointments (technical breaks included)
// and group events that touch the working intervals.
func busyIntervals(ctx context.Context, tx Tx, memberID int64, work []Interval) ([]Interval, error) {
	if len(work) == 0 {
		return nil, nil
	}
	busy, err := busyAt(ctx, tx, memberID, work[0].Start, work[len(work)-1].End, 0, 0)
	out := make([]Interval, 0, len(busy))
	for _, b := range busy {
		out = append(out, b.Interval)
	}
	return out, err
}
