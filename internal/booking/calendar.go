package booking

import (
	"context"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
)

// calendarDayMax bounds the appointments one day view loads.
const calendarDayMax = 2000

// CalendarDay is one location's day as the operator calendar draws it.
type CalendarDay struct {
	Location     Location
	Locations    []Location // the caller's locations, for the switcher
	Date         time.Time  // midnight UTC of the local date
	Today        time.Time  // today at the location, likewise
	Permissions  auth.Permissions
	Columns      []CalendarColumn
	Appointments []AppointmentView
}

// CalendarColumn is one team member's column: their working hours that day
// (none = day off).
type CalendarColumn struct {
	Member TeamMember
	Slots  []Slot
}

// SeesOnlyOwnColumn is the calendar's rule for workers: a user with the
// worker role who is linked to a team member of the location sees only that
// member's column and appointments.
func SeesOnlyOwnColumn(m Membership) bool {
	return m.Role == auth.RoleWorker && m.StaffID != nil
}

// CalendarDay loads the day view of a location (0 = the caller's first
// location) for date (YYYY-MM-DD; "" = today at the location). It needs
// timetable_access; phones are left out without timetable_phones_access.
func (s *Service) CalendarDay(ctx context.Context, c Caller, locationID int64, date string) (CalendarDay, error) {
	if c.User == nil {
		return CalendarDay{}, ErrUnauthorized
	}
	var out CalendarDay
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if out.Locations, err = tx.ListLocations(ctx, LocationFilter{MyOnly: true, UserID: c.User.ID, Page: 1, Count: 1000}); err != nil {
			return err
		}
		if locationID == 0 {
			if len(out.Locations) == 0 {
				return ErrNotFound
			}
			locationID = out.Locations[0].ID
		}
		loc, m, err := s.access(ctx, tx, c, locationID, auth.PermTimetable)
		if err != nil {
			return err
		}
		zone := loc.Zone()
		out.Location, out.Permissions = loc, m.Permissions()
		ownOnly := SeesOnlyOwnColumn(m)
		y, mo, d := s.now().In(zone).Date()
		out.Today = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
		out.Date = out.Today
		if date != "" {
			if out.Date, err = apitime.ParseDate(date); err != nil {
				return Invalid("date", "date: %s", err.Error())
			}
		}
		// The API's reach: a day before last_days_count allows is refused.
		if r := reachOf(m, out.Permissions, loc, s.now()); !r.from.IsZero() {
			day := time.Date(out.Date.Year(), out.Date.Month(), out.Date.Day(), 0, 0, 0, 0, zone)
			if day.Before(r.from) {
				return ErrForbidden
			}
		}
		members, err := tx.TeamMembers(ctx, locationID)
		if err != nil {
			return err
		}
		q := AppointmentQuery{LocationIDs: []int64{locationID}, Limit: calendarDayMax}
		from, to := wallClock(out.Date, 0, zone), wallClock(out.Date.AddDate(0, 0, 1), 0, zone)
		q.StartFrom, q.StartBefore = &from, &to
		if ownOnly {
			q.TeamMemberID = *m.StaffID
		}
		list, _, err := tx.Appointments(ctx, q)
		if err != nil {
			return err
		}
		byID := make(map[int64]TeamMember, len(members))
		for _, mem := range members {
			byID[mem.ID] = mem
		}
		if out.Appointments, err = viewsWith(ctx, tx, map[int64]Location{loc.ID: loc}, list, byID); err != nil {
			return err
		}
		if out.Permissions.Allows(auth.PermTimetablePhones) {
			maskViews(out.Permissions, out.Appointments)
		} else { // the calendar's own right: without it, masked whatever else is granted
			maskViews(auth.Permissions{}, out.Appointments)
		}
		// Columns: the bookable members, and any other member who has an
		// appointment that day (so that no appointment is left undrawn).
		booked := map[int64]bool{}
		for _, a := range list {
			booked[a.TeamMemberID] = true
		}
		var ids []int64
		for _, mem := range members {
			if ownOnly && mem.ID != *m.StaffID {
				continue
			}
			if mem.Bookable() || booked[mem.ID] {
				out.Columns = append(out.Columns, CalendarColumn{Member: mem})
				ids = append(ids, mem.ID)
			}
		}
		days, err := tx.WorkDays(ctx, ids, out.Date, out.Date)
		if err != nil {
			return err
		}
		for _, wd := range days {
			for i := range out.Columns {
				if out.Columns[i].Member.ID == wd.TeamMemberID {
					out.Columns[i].Slots = wd.Slots
				}
			}
		}
		return nil
	})
	return out, err
}
