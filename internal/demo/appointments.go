package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"appointd/internal/booking"
)

// dayPlan is the demo's appointments of one working day: member, local
// time, service, and a few with a status or colour so that the calendar
// shows each kind of block.
var dayPlan = []struct {
	member, at, service string
	attendance          int64
	color               string
}{
	{"Anna Smirnova", "12:30", "Blow-dry", 2, ""},
	{"Anna Smirnova", "16:00", "Women's haircut", 0, ""},
	{"Boris Kuznetsov", "11:00", "Men's haircut", 1, ""},
	{"Boris Kuznetsov", "13:00", "Beard trim", 0, ""},
	{"Vera Popova", "11:00", "Manicure", 0, ""},
	{"Vera Popova", "14:00", "Gel polish", 0, "#ffd166"},
	{"Galina Orlova", "12:30", "Brow shaping", -1, ""},
	{"Galina Orlova", "15:00", "Lash lift", 2, ""},
	{"Dmitry Volkov", "11:30", "Men's haircut", 0, ""},
	{"Dmitry Volkov", "15:00", "Blow-dry", 0, ""},
}

// SeedWeek makes the demo a working salon for the calendar: it links the
// demo worker to Anna (so the worker sees only Anna's column) and books the
// day plan for the week starting on now's date, with demo clients, through
// the same use case as the API. A member's day off refuses their part of
// the plan (it is skipped). It returns how many were booked. Only
// `serve --demo` and the browser test call it: the API tests start from
// the demo without appointments.
func SeedWeek(ctx context.Context, svc *booking.Service, res Result, now time.Time) (int, error) {
	if !res.Seeded {
		return 0, nil
	}
	loc, _, err := svc.GetLocation(ctx, res.owner, res.LocationID, true)
	if err != nil {
		return 0, err
	}
	anna := res.ids.members["Anna Smirnova"]
	if _, err := svc.SetUserPermissions(ctx, res.owner, loc.ID, res.workerID,
		booking.PermissionChange{StaffID: &anna, StaffIDSet: true}); err != nil {
		return 0, fmt.Errorf("demo worker link: %w", err)
	}
	today := now.In(loc.Zone())
	n := 0
	for d := 0; d < 7; d++ {
		date := today.AddDate(0, 0, d).Format("2006-01-02")
		for i, p := range dayPlan {
			attendance := int64(0)
			if d == 0 {
				attendance = p.attendance
			}
			k := (d*len(dayPlan) + i) % DemoClients
			_, err := svc.CreateAppointment(ctx, res.owner, loc.ID, booking.AppointmentInput{
				TeamMemberID: res.ids.members[p.member],
				Services:     []booking.ServiceRequest{{ID: res.ids.services[p.service]}},
				Client:       booking.ClientRef{Phone: fmt.Sprintf("+7916%07d", k)},
				Datetime:     date + "T" + p.at + ":00",
				Attendance:   &attendance,
				CustomColor:  p.color,
			})
			var v *booking.ValidationError
			if errors.As(err, &v) && len(v.Errors) > 0 && v.Errors[0].Code == booking.CodeNotWorking {
				continue
			}
			if err != nil {
				return n, fmt.Errorf("demo appointment %s %s %s: %w", date, p.at, p.member, err)
			}
			n++
		}
	}
	return n, nil
}
