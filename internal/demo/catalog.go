package demo

import (
	"context"
	"fmt"
	"time"

	"appointd/internal/booking"
)

type demoService struct {
	title    string
	category int // index into categories
	price    int64
	duration int64
	brk      int64 // technical break, seconds (0 = none)
	// per-member durations, by member index; absent = not performed
	lengths map[int]int64
}

var (
	positions  = []string{"Senior stylist", "Stylist", "Nail technician", "Brow artist"}
	categories = []string{"Hair", "Nails", "Brows & lashes"}
	members    = []struct {
		name, spec string
		position   int
	}{
		{"Anna Smirnova", "Senior stylist, colour", 0},
		{"Boris Kuznetsov", "Barber", 1},
		{"Vera Popova", "Manicure and pedicure", 2},
		{"Galina Orlova", "Brows and lashes", 3},
		{"Dmitry Volkov", "Stylist", 1},
	}
	services = []demoService{
		{"Women's haircut", 0, 250000, 3600, 600, map[int]int64{0: 3600, 4: 4500}},
		{"Men's haircut", 0, 150000, 2700, 0, map[int]int64{1: 1800, 4: 2700}},
		{"Beard trim", 0, 80000, 1800, 0, map[int]int64{1: 1200}},
		{"Hair colouring", 0, 600000, 7200, 900, map[int]int64{0: 7200}},
		{"Blow-dry", 0, 120000, 1800, 0, map[int]int64{0: 1800, 4: 1800}},
		{"Manicure", 1, 180000, 3600, 300, map[int]int64{2: 3600}},
		{"Gel polish", 1, 220000, 5400, 300, map[int]int64{2: 5400}},
		{"Pedicure", 1, 260000, 4500, 600, map[int]int64{2: 4500}},
		{"Brow shaping", 2, 90000, 1800, 0, map[int]int64{3: 1800}},
		{"Lash lift", 2, 300000, 3600, 300, map[int]int64{3: 3600}},
		{"Brow tint", 2, 70000, 1200, 0, map[int]int64{3: 1200}},
		{"Brow workshop (group)", 2, 150000, 5400, 0, map[int]int64{3: 5400}},
	}
)

func slot(from, to string) booking.Slot {
	f, _ := booking.ParseClock(from)
	t, _ := booking.ParseClock(to)
	return booking.Slot{From: f, To: t}
}

// catalogIDs are the ids of the seeded members and services, by name.
type catalogIDs struct {
	members, services map[string]int64
}

// seedCatalog adds positions, team members, categories, services with
// per-member durations and 60 days of working hours from today.
func seedCatalog(ctx context.Context, svc *booking.Service, owner booking.Caller, loc booking.Location, now time.Time) (catalogIDs, error) {
	ids := catalogIDs{members: map[string]int64{}, services: map[string]int64{}}
	posIDs := make([]int64, len(positions))
	for i, title := range positions {
		p, err := svc.CreatePosition(ctx, loc.ID, title)
		if err != nil {
			return ids, err
		}
		posIDs[i] = p.ID
	}
	yes := true
	memberIDs := make([]int64, len(members))
	for i, m := range members {
		name, spec, weight := m.name, m.spec, int64(len(members)-i)
		tm, err := svc.CreateTeamMember(ctx, owner, loc.ID, booking.TeamMemberInput{Name: &name, Specialization: &spec,
			PositionID: &posIDs[m.position], Weight: &weight, HasAccessTimetable: &yes})
		if err != nil {
			return ids, fmt.Errorf("team member %s: %w", m.name, err)
		}
		memberIDs[i], ids.members[m.name] = tm.ID, tm.ID
	}
	catIDs := make([]int64, len(categories))
	for i, title := range categories {
		title, weight := title, int64(len(categories)-i)
		c, err := svc.SaveCategory(ctx, owner, loc.ID, 0, booking.CategoryInput{Title: &title, Weight: &weight})
		if err != nil {
			return ids, err
		}
		catIDs[i] = c.ID
	}
	for _, s := range services {
		s := s
		links := []booking.StaffLink{}
		for mi := range members {
			if l, ok := s.lengths[mi]; ok {
				links = append(links, booking.StaffLink{TeamMemberID: memberIDs[mi], SeanceLength: l})
			}
		}
		in := booking.ServiceInput{Title: &s.title, CategoryID: &catIDs[s.category], PriceMin: &s.price,
			PriceMax: &s.price, Duration: &s.duration, Staff: &links}
		if s.brk > 0 {
			in.TechnicalBreakSet, in.TechnicalBreakDuration = true, &s.brk
		}
		saved, err := svc.SaveService(ctx, owner, loc.ID, 0, in)
		if err != nil {
			return ids, fmt.Errorf("service %s: %w", s.title, err)
		}
		ids.services[s.title] = saved.ID
	}
	// Working hours: everyone 10–20 on weekdays; Anna works a split shift
	// (10–14, 16–20); Sundays off for all; Mondays off for Boris; Galina
	// works 12–21 and has every other Wednesday off.
	today := now.In(loc.Zone())
	start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var changes []booking.ScheduleChange
	for mi, id := range memberIDs {
		for d := 0; d < 60; d++ {
			date := start.AddDate(0, 0, d)
			wd := date.Weekday()
			var slots []booking.Slot
			switch {
			case wd == time.Sunday:
			case mi == 1 && wd == time.Monday:
			case mi == 3 && wd == time.Wednesday && (d/7)%2 == 0:
			case mi == 0:
				slots = []booking.Slot{slot("10:00", "14:00"), slot("16:00", "20:00")}
			case mi == 3:
				slots = []booking.Slot{slot("12:00", "21:00")}
			case wd == time.Saturday:
				slots = []booking.Slot{slot("11:00", "18:00")}
			default:
				slots = []booking.Slot{slot("10:00", "20:00")}
			}
			changes = append(changes, booking.ScheduleChange{TeamMemberID: id, Dates: []time.Time{date}, Slots: slots})
		}
	}
	_, err := svc.SetSchedules(ctx, owner, loc.ID, changes)
	return ids, err
}
