package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
)

// dayOut is the day view's JSON. Times are minutes since the location's
// local midnight, so the page draws in the location's zone whatever the
// browser's zone is.
type dayOut struct {
	Location  locationOut   `json:"location"`
	Locations []locationOut `json:"locations"`
	Date      string        `json:"date"`
	Today     string        `json:"today"`
	Can       canOut        `json:"can"`
	Members   []memberOut   `json:"members"`
	Records   []recordOut   `json:"records"`
}

type locationOut struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Timezone string `json:"timezone,omitempty"`
}

type canOut struct {
	Create     bool `json:"create"`
	Edit       bool `json:"edit"`
	Attendance bool `json:"attendance"`
	Delete     bool `json:"delete"`
}

type memberOut struct {
	ID             int64    `json:"id"`
	Name           string   `json:"name"`
	Specialization string   `json:"specialization"`
	Work           [][2]int `json:"work"` // working intervals, minutes
}

type recordOut struct {
	ID             int64        `json:"id"`
	StaffID        int64        `json:"staff_id"`
	Start          int          `json:"start"`
	Length         int          `json:"length"`          // minutes, break included
	TechnicalBreak int          `json:"technical_break"` // minutes
	Client         *clientOut   `json:"client"`
	Services       []serviceOut `json:"services"`
	Cost           float64      `json:"cost"`
	Comment        string       `json:"comment"`
	Attendance     int64        `json:"attendance"`
	CustomColor    string       `json:"custom_color"`
	PaidFull       bool         `json:"paid_full"`
}

type clientOut struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type serviceOut struct {
	ID     int64   `json:"id"`
	Title  string  `json:"title"`
	Amount int64   `json:"amount"`
	Cost   float64 `json:"cost"`
}

// day is GET /calendar/day?location_id=&date=: one location's day.
func (h *Handler) day(w http.ResponseWriter, r *http.Request) {
	c, _, ok, err := h.caller(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		writeJSONError(w, http.StatusUnauthorized, "Sign in first.")
		return
	}
	var loc int64
	if s := r.URL.Query().Get("location_id"); s != "" {
		if loc, err = strconv.ParseInt(s, 10, 64); err != nil || loc < 1 {
			writeJSONError(w, http.StatusBadRequest, "location_id must be a positive number.")
			return
		}
	}
	d, err := h.Service.CalendarDay(r.Context(), c, loc, r.URL.Query().Get("date"))
	var v *booking.ValidationError
	switch {
	case errors.As(err, &v):
		writeJSONError(w, http.StatusUnprocessableEntity, v.Error())
		return
	case errors.Is(err, booking.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, "No such location among yours.")
		return
	case errors.Is(err, booking.ErrForbidden):
		writeJSONError(w, http.StatusForbidden, "Your rights do not reach this day (last_days_count) or this location's calendar.")
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, renderDay(d))
}

func renderDay(d booking.CalendarDay) dayOut {
	zone := d.Location.Zone()
	p := d.Permissions
	out := dayOut{
		Location: locationOut{ID: d.Location.ID, Title: d.Location.Title, Timezone: d.Location.TimezoneName},
		Date:     d.Date.Format(apitime.Date), Today: d.Today.Format(apitime.Date),
		Can: canOut{Create: p.Allows(auth.PermCreateRecords), Edit: p.Allows(auth.PermEditRecords),
			Attendance: p.Allows(auth.PermEditAttendance), Delete: p.Allows(auth.PermDeleteRecords)},
		Locations: []locationOut{}, Members: []memberOut{}, Records: []recordOut{},
	}
	for _, l := range d.Locations {
		out.Locations = append(out.Locations, locationOut{ID: l.ID, Title: l.Title})
	}
	for _, col := range d.Columns {
		m := memberOut{ID: col.Member.ID, Name: col.Member.Name, Specialization: col.Member.Specialization,
			Work: [][2]int{}}
		for _, s := range col.Slots {
			m.Work = append(m.Work, [2]int{s.From, s.To})
		}
		out.Members = append(out.Members, m)
	}
	for _, a := range d.Appointments {
		local := a.Start.In(zone)
		start := local.Hour()*60 + local.Minute()
		length := int(a.SeanceLength / 60)
		rec := recordOut{ID: a.ID, StaffID: a.TeamMemberID, Start: start, Length: length,
			TechnicalBreak: int(a.TechnicalBreakDuration / 60), Comment: a.Comment, Attendance: a.Attendance,
			CustomColor: a.CustomColor, PaidFull: a.PaidFull, Services: []serviceOut{}}
		var cost int64
		for _, l := range a.Services {
			rec.Services = append(rec.Services, serviceOut{ID: l.ServiceID, Title: l.Title, Amount: l.Amount, Cost: float64(l.Cost) / 100})
			cost += l.Cost
		}
		rec.Cost = float64(cost) / 100
		if a.Client != nil {
			name := strings.TrimSpace(a.Client.Name + " " + a.Client.Surname)
			rec.Client = &clientOut{ID: a.Client.ID, Name: name, Phone: a.Client.Phone}
		}
		out.Records = append(out.Records, rec)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message})
}
