package httpapi

import (
	"net/http"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/booking"
)

type slotOut struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func renderSlots(slots []booking.Slot) []slotOut {
	out := make([]slotOut, len(slots))
	for i, s := range slots {
		out[i] = slotOut{booking.FormatClock(s.From), booking.FormatClock(s.To)}
	}
	return out
}

type slotBody struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func parseSlots(in []slotBody) ([]booking.Slot, error) {
	out := make([]booking.Slot, 0, len(in))
	for _, s := range in {
		from, err := booking.ParseClock(s.From)
		if err != nil {
			return nil, booking.Invalid("slots", "slot from: %s", err.Error())
		}
		to, err := booking.ParseClock(s.To)
		if err != nil {
			return nil, booking.Invalid("slots", "slot to: %s", err.Error())
		}
		out = append(out, booking.Slot{From: from, To: to})
	}
	return out, nil
}

// pathDate reads a date path parameter (20251201 or 2025-12-01).
func pathDate(r *http.Request, name string) (time.Time, error) {
	d, err := apitime.ParseDate(r.PathValue(name))
	if err != nil {
		return d, booking.Invalid(name, "%s: %s", name, err.Error())
	}
	return d, nil
}

func queryDate(r *http.Request, name string) (time.Time, error) {
	d, err := apitime.ParseDate(r.URL.Query().Get(name))
	if err != nil {
		return d, booking.Invalid(name, "%s: %s", name, err.Error())
	}
	return d, nil
}

type dayOut struct {
	Date      string    `json:"date"`
	IsWorking int       `json:"is_working"`
	Slots     []slotOut `json:"slots"`
}

func renderDays(days []booking.WorkDay) []dayOut {
	out := make([]dayOut, len(days))
	for i, d := range days {
		out[i] = dayOut{Date: d.Date.Format(apitime.Date), IsWorking: flag01(len(d.Slots) > 0), Slots: renderSlots(d.Slots)}
	}
	return out
}

func (s *Server) getSchedule(c *call) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	loc, member := p[0], p[1]
	from, err := pathDate(c.r, "start_date")
	if err != nil {
		return err
	}
	to, err := pathDate(c.r, "end_date")
	if err != nil {
		return err
	}
	days, err := s.Service.Schedule(c.ctx, c.caller, loc, member, from, to)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderDays(days))
}

type dayBody struct {
	Date      String     `json:"date"`
	IsWorking Bool       `json:"is_working"`
	Slots     []slotBody `json:"slots"`
}

// change turns a day body into the slots to set (none for a day off).
func (b dayBody) slots() ([]booking.Slot, error) {
	if b.IsWorking.Set && !b.IsWorking.V {
		return nil, nil
	}
	// An empty body says nothing: days off are set with is_working false.
	if !b.IsWorking.Set && len(b.Slots) == 0 {
		return nil, booking.Invalid("slots", "slots (or is_working: false for days off) is required")
	}
	slots, err := parseSlots(b.Slots)
	if err == nil && len(slots) == 0 && b.IsWorking.V {
		err = booking.Invalid("slots", "a working day needs slots")
	}
	return slots, err
}

// putSchedule sets dates of one member and answers the member's days (201).
func (s *Server) putSchedule(c *call, dates []time.Time, slots []booking.Slot) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	loc, member := p[0], p[1]
	days, err := s.Service.SetSchedules(c.ctx, c.caller, loc, []booking.ScheduleChange{{TeamMemberID: member, Dates: dates, Slots: slots}})
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderDays(days))
}

func (s *Server) putScheduleRange(c *call) error {
	from, err := pathDate(c.r, "start_date")
	if err != nil {
		return err
	}
	to, err := pathDate(c.r, "end_date")
	if err != nil {
		return err
	}
	if err := booking.DateRange(from, to); err != nil {
		return err
	}
	var body dayBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	slots, err := body.slots()
	if err != nil {
		return err
	}
	var dates []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		dates = append(dates, d)
	}
	return s.putSchedule(c, dates, slots)
}

func (s *Server) putScheduleDay(c *call) error {
	var body dayBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	d, err := apitime.ParseDate(body.Date.V)
	if err != nil {
		return booking.Invalid("date", "date: %s", err.Error())
	}
	slots, err := body.slots()
	if err != nil {
		return err
	}
	return s.putSchedule(c, []time.Time{d}, slots)
}

type busyOut struct {
	EntityType string `json:"entity_type"`
	EntityID   int64  `json:"entity_id"`
	From       string `json:"from"`
	To         string `json:"to"`
}

type memberDayOut struct {
	StaffID       int64     `json:"staff_id"`
	Date          string    `json:"date"`
	Slots         []slotOut `json:"slots"`
	BusyIntervals []busyOut `json:"busy_intervals"`
	OffDayType    *int      `json:"off_day_type"`
}

// staffSchedules is GET /company/{id}/staff/schedule: working days only.
func (s *Server) staffSchedules(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	from, err := queryDate(c.r, "start_date")
	if err != nil {
		return err
	}
	to, err := queryDate(c.r, "end_date")
	if err != nil {
		return err
	}
	ids, err := queryIDs(c.r, "staff_ids")
	if err != nil {
		return err
	}
	withBusy := false
	for _, inc := range append(c.r.URL.Query()["include[]"], c.r.URL.Query()["include"]...) {
		withBusy = withBusy || inc == "busy_intervals"
	}
	l, err := s.location(c, loc)
	if err != nil {
		return err
	}
	days, err := s.Service.WorkingDays(c.ctx, c.caller, loc, ids, from, to, withBusy)
	if err != nil {
		return err
	}
	zone := l.Zone()
	out := make([]memberDayOut, len(days))
	for i, d := range days {
		out[i] = memberDayOut{StaffID: d.TeamMemberID, Date: d.Date.Format(apitime.Date), Slots: renderSlots(d.Slots),
			BusyIntervals: []busyOut{}}
		for _, b := range d.Busy {
			out[i].BusyIntervals = append(out[i].BusyIntervals, busyOut{EntityType: b.EntityType, EntityID: b.EntityID,
				From: b.Start.In(zone).Format("15:04:05"), To: b.End.In(zone).Format("15:04:05")})
		}
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"count": len(out)})
}

// setStaffSchedules is PUT /company/{id}/staff/schedule.
func (s *Server) setStaffSchedules(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body struct {
		Set []struct {
			TeamMemberID Int        `json:"team_member_id"`
			StaffID      Int        `json:"staff_id"`
			Dates        []string   `json:"dates"`
			Slots        []slotBody `json:"slots"`
		} `json:"schedules_to_set"`
		Delete []struct {
			TeamMemberID Int      `json:"team_member_id"`
			StaffID      Int      `json:"staff_id"`
			Dates        []string `json:"dates"`
		} `json:"schedules_to_delete"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	var changes []booking.ScheduleChange
	dates := func(in []string) ([]time.Time, error) {
		var out []time.Time
		for _, s := range in {
			d, err := apitime.ParseDate(s)
			if err != nil {
				return nil, booking.Invalid("dates", "dates: %s", err.Error())
			}
			out = append(out, d)
		}
		return out, nil
	}
	member := func(a, b Int) int64 {
		if a.Set {
			return a.V
		}
		return b.V
	}
	for _, x := range body.Set {
		ds, err := dates(x.Dates)
		if err != nil {
			return err
		}
		slots, err := parseSlots(x.Slots)
		if err != nil {
			return err
		}
		if len(slots) == 0 {
			return booking.Invalid("slots", "schedules_to_set needs slots; use schedules_to_delete for days off")
		}
		changes = append(changes, booking.ScheduleChange{TeamMemberID: member(x.TeamMemberID, x.StaffID), Dates: ds, Slots: slots})
	}
	for _, x := range body.Delete {
		ds, err := dates(x.Dates)
		if err != nil {
			return err
		}
		changes = append(changes, booking.ScheduleChange{TeamMemberID: member(x.TeamMemberID, x.StaffID), Dates: ds})
	}
	if len(changes) == 0 {
		return booking.Invalid("schedules_to_set", "nothing to change: give schedules_to_set or schedules_to_delete")
	}
	days, err := s.Service.SetSchedules(c.ctx, c.caller, loc, changes)
	if err != nil {
		return err
	}
	type out struct {
		TeamMemberID int64     `json:"team_member_id"`
		Date         string    `json:"date"`
		Slots        []slotOut `json:"slots"`
	}
	res := make([]out, len(days))
	for i, d := range days {
		res[i] = out{d.TeamMemberID, d.Date.Format(apitime.Date), renderSlots(d.Slots)}
	}
	return c.okMeta(http.StatusOK, res, map[string]int{"count": len(res)})
}

func (s *Server) timetableDates(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	day, err := pathDate(c.r, "date")
	if err != nil {
		return err
	}
	member, err := queryAlias(c.r, "staff_id", "team_member_id", "master_id")
	if err != nil {
		return err
	}
	dates, err := s.Service.BookableDates(c.ctx, c.caller, loc, member, day)
	if err != nil {
		return err
	}
	out := make([]string, len(dates))
	for i, d := range dates {
		out[i] = d.Format(apitime.Date)
	}
	return c.ok(http.StatusOK, out)
}

type seanceOut struct {
	Time   string `json:"time"`
	IsFree bool   `json:"is_free"`
}

func (s *Server) timetableSeances(c *call) error {
	p, err := pathIDs(c.r, "location_id", "team_member_id")
	if err != nil {
		return err
	}
	loc, member := p[0], p[1]
	day, err := pathDate(c.r, "date")
	if err != nil {
		return err
	}
	services, err := queryIDs(c.r, "service_ids")
	if err != nil {
		return err
	}
	seances, err := s.Service.FreeSeances(c.ctx, c.caller, loc, member, day, services)
	if err != nil {
		return err
	}
	out := make([]seanceOut, len(seances))
	for i, x := range seances {
		out[i] = seanceOut{x.Time, x.IsFree}
	}
	return c.ok(http.StatusOK, out)
}

type timetableSettingsOut struct {
	RecordType                    int64 `json:"record_type"`
	ActivityRecordClientsCountMax int64 `json:"activity_record_clients_count_max"`
	IsShowNewsletterAgreement     bool  `json:"is_show_newsletter_agreement"`
	IsShowPersonalDataProcessing  bool  `json:"is_show_personal_data_processing_agreement"`
	SeanceStep                    int64 `json:"seance_step"`
}

func renderSettings(t booking.TimetableSettings) timetableSettingsOut {
	return timetableSettingsOut{t.RecordType, t.ActivityRecordClientsCountMax, t.IsShowNewsletterAgreement,
		t.IsShowPersonalDataProcessing, t.SeanceStep}
}

func (s *Server) getTimetableSettings(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	t, err := s.Service.GetTimetableSettings(c.ctx, c.caller, loc)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderSettings(t))
}

func (s *Server) patchTimetableSettings(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body struct {
		RecordType                    Int  `json:"record_type"`
		ActivityRecordClientsCountMax Int  `json:"activity_record_clients_count_max"`
		IsShowNewsletterAgreement     Bool `json:"is_show_newsletter_agreement"`
		IsShowPersonalDataProcessing  Bool `json:"is_show_personal_data_processing_agreement"`
		SeanceStep                    Int  `json:"seance_step"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	t, err := s.Service.UpdateTimetableSettings(c.ctx, c.caller, loc, booking.TimetableSettingsInput{
		RecordType: body.RecordType.Ptr(), ActivityRecordClientsCountMax: body.ActivityRecordClientsCountMax.Ptr(),
		IsShowNewsletterAgreement:    boolPtr(body.IsShowNewsletterAgreement),
		IsShowPersonalDataProcessing: boolPtr(body.IsShowPersonalDataProcessing), SeanceStep: body.SeanceStep.Ptr()})
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderSettings(t))
}

// resources is GET /resources/{id}: appointd has no resources yet, so the
// list is empty (read-only in v1).
func (s *Server) resources(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	if _, err := s.Service.MyPermissions(c.ctx, c.caller, loc); err != nil {
		return err
	}
	return c.okMeta(http.StatusOK, []any{}, map[string]int{"count": 0})
}
