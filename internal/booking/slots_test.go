package booking

import (
	"errors"
	"testing"
	"time"
)

func day(s string) time.Time {
	d, _ := time.Parse("2006-01-02", s)
	return d
}

func clk(s string) int {
	m, err := ParseClock(s)
	if err != nil {
		panic(err)
	}
	return m
}

func TestParseClock(t *testing.T) {
	for s, want := range map[string]int{"00:00": 0, "10:30": 630, "24:00": 1440, "09:15:00": 555, "9:00": 540, "0:05": 5, "9:15:00": 555} {
		if got, err := ParseClock(s); err != nil || got != want {
			t.Errorf("%q: %d %v", s, got, err)
		}
	}
	for _, s := range []string{"", "9:5", "9:005", "009:00", ":00", "24:01", "10:60", "10:00:30", "aa:bb", "25:00", "+9:00", " 9:00", "10-00", "10:00x00"} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestValidateSlots(t *testing.T) {
	if out, err := ValidateSlots([]Slot{{clk("15:00"), clk("19:00")}, {clk("10:00"), clk("14:00")}}); err != nil || out[0].From != 600 {
		t.Fatalf("split shift: %v %v", out, err)
	}
	for _, bad := range [][]Slot{
		{{clk("14:00"), clk("10:00")}},
		{{clk("10:00"), clk("10:00")}},
		{{clk("10:00"), clk("14:00")}, {clk("13:00"), clk("18:00")}},
	} {
		if _, err := ValidateSlots(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	// Touching slots are fine.
	if _, err := ValidateSlots([]Slot{{clk("10:00"), clk("12:00")}, {clk("12:00"), clk("14:00")}}); err != nil {
		t.Fatal(err)
	}
}

func free(ss []Seance) []string {
	var out []string
	for _, s := range ss {
		if s.IsFree {
			out = append(out, s.Time)
		}
	}
	return out
}

func times(ss []Seance) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Time)
	}
	return out
}

func TestSeances(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	d := day("2026-11-25")
	at := func(hm string) time.Time { return wallClock(d, clk(hm), moscow) }
	split := WorkIntervals(d, []Slot{{clk("10:00"), clk("11:00")}, {clk("15:00"), clk("16:00")}}, moscow)
	cases := []struct {
		name   string
		work   []Interval
		busy   []Interval
		length time.Duration
		all    string
		free   string
	}{
		{"one step, idle", split, nil, 0,
			"[10:00 10:15 10:30 10:45 15:00 15:15 15:30 15:45]", "[10:00 10:15 10:30 10:45 15:00 15:15 15:30 15:45]"},
		{"45-minute service must fit in the slot", split, nil, 45 * time.Minute,
			"[10:00 10:15 10:30 10:45 15:00 15:15 15:30 15:45]", "[10:00 10:15 15:00 15:15]"},
		{"busy at the start edge", split, []Interval{{at("10:00"), at("10:30")}}, 30 * time.Minute,
			"", "[10:30 15:00 15:15 15:30]"},
		{"busy at the end edge", split, []Interval{{at("15:30"), at("16:00")}}, 30 * time.Minute,
			"", "[10:00 10:15 10:30 15:00]"},
		{"appointment plus technical break", split, []Interval{{at("10:15"), at("10:45")}}, 15 * time.Minute,
			"", "[10:00 10:45 15:00 15:15 15:30 15:45]"},
		{"busy across the lunch gap", split, []Interval{{at("10:45"), at("15:15")}}, 15 * time.Minute,
			"", "[10:00 10:15 10:30 15:15 15:30 15:45]"},
	}
	for _, c := range cases {
		got := Seances(c.work, c.busy, 15*time.Minute, c.length, moscow)
		if c.all != "" && fmtList(times(got)) != c.all {
			t.Errorf("%s: grid %v", c.name, times(got))
		}
		if fmtList(free(got)) != c.free {
			t.Errorf("%s: free %v, want %s", c.name, free(got), c.free)
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// TestSeancesAcrossDST: the grid follows the wall clock on the days the
// clocks change; a skipped hour has no starts and a repeated one has both.
func TestSeancesAcrossDST(t *testing.T) {
	cases := []struct {
		zone, date string
		from, to   string
		want       string
	}{
		// Europe/Berlin springs forward 2026-03-29 02:00 → 03:00.
		{"Europe/Berlin", "2026-03-29", "01:00", "04:00", "[01:00 01:30 03:00 03:30]"},
		// ... and falls back 2026-10-25 03:00 → 02:00: 02:00–03:00 happens twice.
		{"Europe/Berlin", "2026-10-25", "01:00", "04:00", "[01:00 01:30 02:00 02:30 02:00 02:30 03:00 03:30]"},
		// America/New_York springs forward 2026-03-08 02:00 → 03:00.
		{"America/New_York", "2026-03-08", "01:00", "04:00", "[01:00 01:30 03:00 03:30]"},
		// ... and falls back 2026-11-01 02:00 → 01:00.
		{"America/New_York", "2026-11-01", "00:00", "03:00", "[00:00 00:30 01:00 01:30 01:00 01:30 02:00 02:30]"},
		// An ordinary day for contrast.
		{"Europe/Berlin", "2026-06-01", "09:00", "11:00", "[09:00 09:30 10:00 10:30]"},
	}
	for _, c := range cases {
		zone, _ := time.LoadLocation(c.zone)
		work := WorkIntervals(day(c.date), []Slot{{clk(c.from), clk(c.to)}}, zone)
		got := Seances(work, nil, 30*time.Minute, 30*time.Minute, zone)
		if fmtList(times(got)) != c.want {
			t.Errorf("%s %s: %v, want %s", c.zone, c.date, times(got), c.want)
		}
	}
	// A 10:00–18:00 day is 8 real hours even on a change day: the length
	// of the working interval is measured in instants.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	w := WorkIntervals(day("2026-03-29"), []Slot{{clk("10:00"), clk("18:00")}}, berlin)
	if d := w[0].End.Sub(w[0].Start); d != 8*time.Hour {
		t.Fatalf("10–18 on spring-forward day lasts %v", d)
	}
}

// FuzzParseClock: no panic; what parses is within a day and renders back.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"10:00", "24:00", "09:15:00", "9:00", "-1:00", "23:59", "aa:bb"} {
		f.Add(s)
	}
	// What clients send: slots as "10:00"–"14:00" (API reference 8.6),
	// events_time as "19:00:00" (7.3), the end of the day, and near misses.
	for _, s := range []string{"14:00", "00:00", "19:00:00", "24:00:00", "07:30:00", "10:00:30", "24:01", "23:60", "10.00", " 10:00", "1000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseClock(s)
		if err != nil {
			return
		}
		if m < 0 || m > 1440 {
			t.Fatalf("%q → %d minutes", s, m)
		}
		if back, err := ParseClock(FormatClock(m)); err != nil || back != m {
			t.Fatalf("%q → %d → %q → %d %v", s, m, FormatClock(m), back, err)
		}
		// A one-digit hour means the same as its zero-padded form.
		if s[1] == ':' {
			if padded, err := ParseClock("0" + s); err != nil || padded != m {
				t.Fatalf("%q → %d but %q → %d %v", s, m, "0"+s, padded, err)
			}
		}
	})
}

func TestCheckPlacement(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	d := day("2026-11-25")
	at := func(hm string) time.Time { return wallClock(d, clk(hm), moscow) }
	work := WorkIntervals(d, []Slot{{clk("10:00"), clk("14:00")}, {clk("16:00"), clk("20:00")}}, moscow)
	other := []Busy{{Interval: Interval{at("11:00"), at("12:10")}, EntityType: "record"}}
	cases := []struct {
		name       string
		start, end string
		busy       []Busy
		code       int
	}{
		{"inside a slot, free", "10:00", "11:00", nil, 0},
		{"touching both slot edges", "16:00", "20:00", nil, 0},
		{"in the lunch gap", "14:00", "15:00", nil, CodeNotWorking},
		{"across the gap", "13:30", "16:30", nil, CodeNotWorking},
		{"before opening", "09:30", "10:30", nil, CodeNotWorking},
		{"overlapping another", "11:30", "12:00", other, CodeBusy},
		{"no working hours at all", "10:00", "11:00", nil, CodeNotWorking},
	}
	for i, c := range cases {
		w := work
		if i == len(cases)-1 {
			w = nil
		}
		err := CheckPlacement(w, c.busy, at(c.start), at(c.end))
		var v *ValidationError
		switch {
		case c.code == 0 && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.code != 0 && (!errors.As(err, &v) || v.Errors[0].Code != c.code):
			t.Errorf("%s: %v, want code %d", c.name, err, c.code)
		}
	}
}
