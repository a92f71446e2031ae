package booking

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// ParseClock reads "HH:MM" or "HH:MM:00" as minutes since midnight; the
// hour may have one digit ("9:00"), the minutes always have two. "24:00" is
// the end of the day.
func ParseClock(s string) (int, error) {
	h, m, sec, ok := parseClockParts(s)
	if !ok || (sec != -1 && sec != 0) || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day (use HH:MM)", s)
	}
	return h*60 + m, nil
}

// parseClockParts splits "H:MM", "HH:MM", "H:MM:SS" or "HH:MM:SS" into
// numbers (sec is -1 when absent). Minutes and seconds are below 60; the
// hour is 0..99 and left to the caller.
func parseClockParts(s string) (h, m, sec int, ok bool) {
	two := func(p string) (int, bool) {
		if len(p) != 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' {
			return 0, false
		}
		return int(p[0]-'0')*10 + int(p[1]-'0'), true
	}
	hs, rest, found := strings.Cut(s, ":")
	if !found || len(hs) < 1 || len(hs) > 2 {
		return 0, 0, 0, false
	}
	if h, ok = two(strings.Repeat("0", 2-len(hs)) + hs); !ok {
		return 0, 0, 0, false
	}
	ms, ss, hasSec := strings.Cut(rest, ":")
	if m, ok = two(ms); !ok || m > 59 {
		return 0, 0, 0, false
	}
	sec = -1
	if hasSec {
		if sec, ok = two(ss); !ok || sec > 59 {
			return 0, 0, 0, false
		}
	}
	return h, m, sec, true
}

// FormatClock renders minutes since midnight as "HH:MM".
func FormatClock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// ValidateSlots checks one day's slots: each from < to, sorted, no overlap.
// It returns them sorted.
func ValidateSlots(slots []Slot) ([]Slot, error) {
	out := append([]Slot(nil), slots...)
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	for i, s := range out {
		if s.From >= s.To {
			return nil, fmt.Errorf("slot %s–%s ends before it starts", FormatClock(s.From), FormatClock(s.To))
		}
		if i > 0 && s.From < out[i-1].To {
			return nil, fmt.Errorf("slots %s–%s and %s–%s overlap", FormatClock(out[i-1].From),
				FormatClock(out[i-1].To), FormatClock(s.From), FormatClock(s.To))
		}
	}
	return out, nil
}

// Interval is a half-open span of instants [Start, End).
type Interval struct {
	Start, End time.Time
}

func (a Interval) overlaps(b Interval) bool { return a.Start.Before(b.End) && b.Start.Before(a.End) }

// wallClock is the instant of a local date (midnight UTC of it) plus
// minutes, in zone. A wall time skipped by a DST change resolves as
// time.Date does, which moves it back: "02:30" on a US spring-forward day
// is 01:30 standard time.
func wallClock(date time.Time, min int, zone *time.Location) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, 0, min, 0, 0, zone)
}

// WorkIntervals turns a day's slots into instants.
func WorkIntervals(date time.Time, slots []Slot, zone *time.Location) []Interval {
	out := make([]Interval, 0, len(slots))
	for _, s := range slots {
		out = append(out, Interval{wallClock(date, s.From, zone), wallClock(date, s.To, zone)})
	}
	return out
}

// Seance is one start time of the day's grid.
type Seance struct {
	Time   string // "HH:MM", local
	Start  time.Time
	IsFree bool
}

// Seances lays a grid of starts every step over each working interval. A
// start is free when [start, start+length) lies inside that working interval
// and overlaps no busy interval (busy intervals include technical breaks).
// length 0 means one step.
func Seances(work, busy []Interval, step, length time.Duration, zone *time.Location) []Seance {
	if step <= 0 {
		step = 15 * time.Minute
	}
	if length <= 0 {
		length = step
	}
	out := []Seance{}
	for _, w := range work {
		for t := w.Start; t.Before(w.End); t = t.Add(step) {
			span := Interval{t, t.Add(length)}
			free := !span.End.After(w.End)
			for _, b := range busy {
				if free && span.overlaps(b) {
					free = false
				}
			}
			out = append(out, Seance{Time: t.In(zone).Format("15:04"), Start: t, IsFree: free})
		}
	}
	return out
}
