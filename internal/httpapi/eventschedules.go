package httpapi

import (
	"net/http"
	"slices"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
)

// eventScheduleRoutes lists the event-schedule and client-schedule routes
// (7.3–7.7).
func (s *Server) eventScheduleRoutes() []route {
	const base = "/api/v1/company/{location_id}/schedules"
	return []route{
		{method: "GET", path: base + "/search/{entity_type}/{entity_id}", auth: authUser, meta: metaObject, perm: auth.PermTimetable, handle: s.findSchedule},
		{method: "POST", path: base, auth: authUser, meta: metaObject, perm: auth.PermEditRecords, handle: s.createSchedule},
		{method: "PATCH", path: base + "/{schedule_id}", auth: authUser, meta: metaObject, perm: auth.PermEditRecords, handle: s.updateSchedule},
		{method: "DELETE", path: base + "/{schedule_id}", auth: authUser, perm: auth.PermDeleteRecords, handle: s.deleteSchedule},
		{method: "POST", path: base + "/{schedule_id}/days", auth: authUser, meta: metaObject, perm: auth.PermEditRecords, handle: s.addSeries},
		{method: "PATCH", path: base + "/{schedule_id}/days/{day_id}", auth: authUser, meta: metaObject, perm: auth.PermEditRecords, handle: s.updateSeries},
		{method: "DELETE", path: base + "/{schedule_id}/days/{day_id}", auth: authUser, perm: auth.PermDeleteRecords, handle: s.deleteSeries},
		{method: "GET", path: base + "/{schedule_id}/days/{day_id}/events", auth: authUser, meta: metaObject, perm: auth.PermTimetable, handle: s.seriesEvents},
		{method: "POST", path: base + "/{schedule_id}/client_schedules", auth: authUser, meta: metaObject, perm: auth.PermCreateRecords, handle: s.createClientSchedule},
		{method: "PATCH", path: base + "/{schedule_id}/client_schedules/{client_schedule_id}", auth: authUser, meta: metaObject, perm: auth.PermEditRecords, handle: s.updateClientSchedule},
		{method: "DELETE", path: base + "/{schedule_id}/client_schedules/{client_schedule_id}", auth: authUser, perm: auth.PermDeleteRecords, handle: s.deleteClientSchedule},
	}
}

// includes reads include[] (and include) into a set.
func includes(r *http.Request) map[string]bool {
	q := r.URL.Query()
	out := map[string]bool{}
	for _, v := range append(q["include[]"], q["include"]...) {
		out[v] = true
	}
	return out
}

type eventOut struct {
	ID                               int64      `json:"id"`
	CreatedAt                        string     `json:"created_at"`
	UpdatedAt                        string     `json:"updated_at"`
	DeletedAt                        *string    `json:"deleted_at"`
	EventStatus                      string     `json:"event_status"`
	EventDatetime                    string     `json:"event_datetime"`
	EventEntityType                  string     `json:"event_entity_type"`
	EventEntityID                    *int64     `json:"event_entity_id"`
	IsEntityMasterChanged            bool       `json:"is_entity_master_changed"`
	IsEntityDatetimeChanged          bool       `json:"is_entity_datetime_changed"`
	IsEntityDurationChanged          bool       `json:"is_entity_duration_changed"`
	IsEntityLabelsChanged            bool       `json:"is_entity_labels_changed"`
	IsEntityResourceInstancesChanged bool       `json:"is_entity_resource_instances_changed"`
	EntityMaster                     *masterOut `json:"entity_master"`
	EntityDatetime                   *string    `json:"entity_datetime"`
	EntityDuration                   *int64     `json:"entity_duration"`
	EntityLabels                     []labelOut `json:"entity_labels"`
	EntityResourceInstances          []any      `json:"entity_resource_instances"`
}

func renderEvent(e booking.EventView, loc booking.Location) eventOut {
	zone := loc.Zone()
	out := eventOut{ID: e.ID, CreatedAt: apitime.FormatISO(e.CreatedAt, zone), UpdatedAt: apitime.FormatISO(e.UpdatedAt, zone),
		EventStatus: e.Status(), EventDatetime: apitime.FormatISO(e.Start, zone), EventEntityType: "activity",
		EntityLabels: []labelOut{}, EntityResourceInstances: []any{}}
	if a := e.Activity; a != nil {
		out.EventEntityID = &a.ID
		out.IsEntityMasterChanged = a.TeamMemberID != e.Series.MasterID
		out.IsEntityDatetimeChanged = !a.Start.Equal(e.Start)
		out.IsEntityDurationChanged = a.Length != e.Series.Duration
		out.IsEntityLabelsChanged = !slices.Equal(a.LabelIDs, e.Series.LabelIDs)
		m := renderMaster(*e.Master)
		out.EntityMaster = &m
		dt := apitime.FormatLocal(a.Start, zone)
		out.EntityDatetime, out.EntityDuration = &dt, &a.Length
		out.EntityLabels = renderLabels(a.LabelIDs)
	}
	return out
}

type seriesOut struct {
	ID                          int64      `json:"id"`
	CreatedAt                   string     `json:"created_at"`
	UpdatedAt                   string     `json:"updated_at"`
	DeletedAt                   *string    `json:"deleted_at"`
	TimetableEventScheduleID    int64      `json:"timetable_event_schedule_id"`
	DayOfWeek                   string     `json:"day_of_week"`
	EventsTime                  string     `json:"events_time"`
	EventsDuration              int64      `json:"events_duration"`
	EventTechnicalBreakDuration int64      `json:"event_technical_break_duration"`
	EventsCapacity              int64      `json:"events_capacity"`
	EventsMasterID              int64      `json:"events_master_id"`
	EventsMaster                *masterOut `json:"events_master,omitempty"`
	EventsLabels                []labelOut `json:"events_labels,omitempty"`
	EventsResourceInstances     []any      `json:"events_resource_instances,omitempty"`
	Events                      []eventOut `json:"events,omitempty"`
}

// renderSeries shows the nested objects named in inc (prefix "days." for
// the schedule routes).
func renderSeries(v booking.SeriesView, loc booking.Location, inc map[string]bool, prefix string) seriesOut {
	zone := loc.Zone()
	out := seriesOut{ID: v.ID, CreatedAt: apitime.FormatISO(v.CreatedAt, zone), UpdatedAt: apitime.FormatISO(v.UpdatedAt, zone),
		TimetableEventScheduleID: v.ScheduleID, DayOfWeek: booking.Weekdays[v.Weekday],
		EventsTime: booking.FormatEventsTime(v.Time), EventsDuration: v.Duration, EventsCapacity: v.Capacity,
		EventsMasterID: v.MasterID}
	if inc[prefix+"events_master"] {
		m := renderMaster(v.Master)
		out.EventsMaster = &m
	}
	if inc[prefix+"events_labels"] {
		out.EventsLabels = renderLabels(v.LabelIDs)
	}
	if inc[prefix+"events_resource_instances"] {
		out.EventsResourceInstances = []any{}
		for _, id := range v.ResourceInstanceIDs {
			out.EventsResourceInstances = append(out.EventsResourceInstances, map[string]any{"id": id, "title": "", "resource_id": 0})
		}
	}
	if inc[prefix+"events"] {
		out.Events = []eventOut{}
		for _, e := range v.Events {
			out.Events = append(out.Events, renderEvent(e, loc))
		}
	}
	return out
}

type scheduleOut struct {
	ID                 int64       `json:"id"`
	CreatedAt          string      `json:"created_at"`
	UpdatedAt          string      `json:"updated_at"`
	DeletedAt          *string     `json:"deleted_at"`
	OriginalEntityType string      `json:"original_entity_type"`
	OriginalEntityID   int64       `json:"original_entity_id"`
	DateStart          string      `json:"date_start"`
	DateEnd            string      `json:"date_end"`
	Days               []seriesOut `json:"days,omitempty"`
}

func renderSchedule(v booking.ScheduleView, inc map[string]bool) scheduleOut {
	zone := v.Location.Zone()
	out := scheduleOut{ID: v.ID, CreatedAt: apitime.FormatISO(v.CreatedAt, zone), UpdatedAt: apitime.FormatISO(v.UpdatedAt, zone),
		OriginalEntityType: v.OriginalEntityType, OriginalEntityID: v.OriginalEntityID,
		DateStart: v.DateStart.Format(apitime.Date), DateEnd: v.DateEnd.Format(apitime.Date)}
	if inc["days"] {
		out.Days = []seriesOut{}
		for _, sr := range v.Series {
			out.Days = append(out.Days, renderSeries(sr, v.Location, inc, "days."))
		}
	}
	return out
}

type seriesBody struct {
	DayOfWeek           String `json:"day_of_week"`
	EventsMasterID      Int    `json:"events_master_id"`
	EventsTime          String `json:"events_time"`
	EventsDuration      Int    `json:"events_duration"`
	EventsCapacity      Int    `json:"events_capacity"`
	LabelsIDs           []Int  `json:"labels_ids"`
	ResourceInstanceIDs []Int  `json:"resource_instances_ids"`
	Force               Bool   `json:"force"`
}

func (b seriesBody) input() booking.SeriesInput {
	in := booking.SeriesInput{DayOfWeek: b.DayOfWeek.Ptr(), MasterID: b.EventsMasterID.Ptr(), Time: b.EventsTime.Ptr(),
		Duration: b.EventsDuration.Ptr(), Capacity: b.EventsCapacity.Ptr()}
	if b.LabelsIDs != nil {
		in.LabelIDs = ptrTo(intValues(b.LabelsIDs))
	}
	if b.ResourceInstanceIDs != nil {
		in.ResourceInstanceIDs = ptrTo(intValues(b.ResourceInstanceIDs))
	}
	return in
}

func (s *Server) findSchedule(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "entity_id")
	if err != nil {
		return err
	}
	v, err := s.Service.FindSchedule(c.ctx, c.caller, ids[0], c.r.PathValue("entity_type"), ids[1])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderSchedule(v, includes(c.r)))
}

// createSchedule is POST /company/{id}/schedules: 201 with the schedule.
func (s *Server) createSchedule(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body struct {
		OriginalEntityType String       `json:"original_entity_type"`
		OriginalEntityID   Int          `json:"original_entity_id"`
		DateEnd            String       `json:"date_end"`
		AddClients         Bool         `json:"add_clients_from_original_entity"`
		Days               []seriesBody `json:"days"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	in := booking.ScheduleInput{OriginalEntityType: body.OriginalEntityType.V, OriginalEntityID: body.OriginalEntityID.V,
		DateEnd: body.DateEnd.V, AddClients: body.AddClients.V}
	for _, d := range body.Days {
		in.Days = append(in.Days, d.input())
	}
	v, err := s.Service.CreateSchedule(c.ctx, c.caller, loc, in)
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderSchedule(v, includes(c.r)))
}

func (s *Server) updateSchedule(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id")
	if err != nil {
		return err
	}
	var body struct {
		DateEnd String `json:"date_end"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v, err := s.Service.UpdateSchedule(c.ctx, c.caller, ids[0], ids[1], body.DateEnd.V)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderSchedule(v, includes(c.r)))
}

func (s *Server) deleteSchedule(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteSchedule(c.ctx, c.caller, ids[0], ids[1]); err != nil {
		return err
	}
	return c.noContent()
}

func (s *Server) addSeries(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id")
	if err != nil {
		return err
	}
	var body seriesBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v, err := s.Service.AddSeries(c.ctx, c.caller, ids[0], ids[1], body.input())
	if err != nil {
		return err
	}
	l, err := s.location(c, ids[0])
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderSeries(v, l, includes(c.r), ""))
}

func (s *Server) updateSeries(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id", "day_id")
	if err != nil {
		return err
	}
	var body seriesBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	if !body.Force.Set {
		return booking.Invalid("force", "force is required: true overrides changes made by hand to the events")
	}
	v, err := s.Service.UpdateSeries(c.ctx, c.caller, ids[0], ids[1], ids[2], body.input(), body.Force.V)
	if err != nil {
		return err
	}
	l, err := s.location(c, ids[0])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderSeries(v, l, includes(c.r), ""))
}

func (s *Server) deleteSeries(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id", "day_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteSeries(c.ctx, c.caller, ids[0], ids[1], ids[2]); err != nil {
		return err
	}
	return c.noContent()
}

func (s *Server) seriesEvents(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id", "day_id")
	if err != nil {
		return err
	}
	events, loc, err := s.Service.SeriesEvents(c.ctx, c.caller, ids[0], ids[1], ids[2])
	if err != nil {
		return err
	}
	out := make([]eventOut, 0, len(events))
	for _, e := range events {
		out = append(out, renderEvent(e, loc))
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"count": len(out)})
}

type clientScheduleOut struct {
	ID                 int64       `json:"id"`
	LoyaltyAbonementID *int64      `json:"loyalty_abonement_id"`
	FinalDay           *string     `json:"final_day"`
	Days               []seriesOut `json:"days"`
}

type skippedOut struct {
	EventID    int64  `json:"event_id"`
	ActivityID int64  `json:"activity_id"`
	Datetime   string `json:"datetime"`
	Reason     string `json:"reason"`
}

// writeClientSchedule answers with the client schedule; events it could not
// book because they are full are listed in meta.skipped_events (D15).
func (c *call) writeClientSchedule(status int, v booking.ClientScheduleView, loc booking.Location) error {
	out := clientScheduleOut{ID: v.ID, Days: []seriesOut{}}
	if v.FinalDay != "" {
		out.FinalDay = &v.FinalDay
	}
	inc := includes(c.r)
	for _, sr := range v.Series {
		out.Days = append(out.Days, renderSeries(sr, loc, inc, ""))
	}
	meta := map[string]any{}
	if len(v.Skipped) > 0 {
		skipped := make([]skippedOut, 0, len(v.Skipped))
		for _, sk := range v.Skipped {
			skipped = append(skipped, skippedOut{EventID: sk.EventID, ActivityID: sk.ActivityID,
				Datetime: apitime.FormatISO(sk.Start, loc.Zone()), Reason: "full"})
		}
		meta["skipped_events"] = skipped
	}
	return c.okMeta(status, out, meta)
}

type clientScheduleBody struct {
	ClientID        Int   `json:"client_id"`
	ScheduleDaysIDs []Int `json:"schedule_days_ids"`
	ComerID         Int   `json:"comer_id"`
}

func (s *Server) createClientSchedule(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id")
	if err != nil {
		return err
	}
	var body clientScheduleBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	in := booking.ClientScheduleInput{ClientID: body.ClientID.V, SeriesIDs: intValues(body.ScheduleDaysIDs),
		ComerID: body.ComerID.Ptr()}
	v, err := s.Service.CreateClientSchedule(c.ctx, c.caller, ids[0], ids[1], in)
	if err != nil {
		return err
	}
	l, err := s.location(c, ids[0])
	if err != nil {
		return err
	}
	return c.writeClientSchedule(http.StatusCreated, v, l)
}

func (s *Server) updateClientSchedule(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id", "client_schedule_id")
	if err != nil {
		return err
	}
	var body clientScheduleBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v, err := s.Service.UpdateClientSchedule(c.ctx, c.caller, ids[0], ids[1], ids[2], intValues(body.ScheduleDaysIDs))
	if err != nil {
		return err
	}
	l, err := s.location(c, ids[0])
	if err != nil {
		return err
	}
	return c.writeClientSchedule(http.StatusOK, v, l)
}

func (s *Server) deleteClientSchedule(c *call) error {
	ids, err := pathIDs(c.r, "location_id", "schedule_id", "client_schedule_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteClientSchedule(c.ctx, c.caller, ids[0], ids[1], ids[2]); err != nil {
		return err
	}
	return c.noContent()
}
