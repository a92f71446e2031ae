package booking

import (
	"fmt"
	"testing"
	"time"
)

func TestSeriesDates(t *testing.T) {
	cases := []struct {
		from, to string
		wd       time.Weekday
		want     string
	}{
		{"2027-03-02", "2027-03-31", time.Tuesday, "[2027-03-02 2027-03-09 2027-03-16 2027-03-23 2027-03-30]"},
		{"2027-03-02", "2027-03-31", time.Monday, "[2027-03-08 2027-03-15 2027-03-22 2027-03-29]"},
		{"2027-03-02", "2027-03-08", time.Monday, "[2027-03-08]"},
		{"2027-03-02", "2027-03-07", time.Monday, "[]"},
		{"2027-03-02", "2027-03-01", time.Tuesday, "[]"},
	}
	for _, c := range cases {
		var got []string
		for _, d := range SeriesDates(day(c.from), day(c.to), c.wd) {
			got = append(got, d.Format("2006-01-02"))
		}
		if fmt.Sprint(got) != c.want && !(len(got) == 0 && c.want == "[]") {
			t.Errorf("%s..%s %s: %v, want %s", c.from, c.to, c.wd, got, c.want)
		}
	}
}

// TestSeriesStartAcrossDST: the wall-clock time holds on both sides of a
// change; a time the change skips moves forward like time.Date does.
func TestSeriesStartAcrossDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	s := Series{Time: 19 * 3600}
	for d, want := range map[string]string{
		"2027-03-09": "2027-03-09T19:00:00-05:00", "2027-03-16": "2027-03-16T19:00:00-04:00",
		"2027-11-02": "2027-11-02T19:00:00-04:00", "2027-11-09": "2027-11-09T19:00:00-05:00",
	} {
		if got := s.Start(day(d), ny).Format(time.RFC3339); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
	early := Series{Time: 2*3600 + 30*60}
	if got := early.Start(day("2027-03-14"), ny).Format(time.RFC3339); got != "2027-03-14T03:30:00-04:00" {
		t.Errorf("skipped wall time: %s", got)
	}
}

func TestFinalDay(t *testing.T) {
	sch := EventSchedule{DateStart: day("2027-03-02"), DateEnd: day("2027-03-31")}
	tue := Series{Weekday: time.Tuesday, Time: 19 * 3600}
	thu := Series{Weekday: time.Thursday, Time: 7*3600 + 1800}
	wed := Series{Weekday: time.Wednesday, Time: 12 * 3600}
	for _, c := range []struct {
		series []Series
		want   string
	}{
		{[]Series{tue}, "2027-03-30 19:00:00"},
		{[]Series{thu}, "2027-03-25 07:30:00"},
		{[]Series{thu, tue}, "2027-03-30 19:00:00"},
		{[]Series{thu, wed}, "2027-03-31 12:00:00"},
		{nil, ""},
	} {
		if got := FinalDay(sch, c.series); got != c.want {
			t.Errorf("%v: %q, want %q", c.series, got, c.want)
		}
	}
}

func TestParseEventsTime(t *testing.T) {
	for in, want := range map[string]int64{"00:00:00": 0, "14:00:00": 50400, "23:59:59": 86399} {
		got, err := ParseEventsTime(in)
		if err != nil || got != want || FormatEventsTime(got) != in {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	if got, err := ParseEventsTime("7:30:00"); err != nil || got != 27000 {
		t.Errorf("7:30:00: %d %v", got, err)
	}
	for _, bad := range []string{"14:00", "24:00:00", "7:3:00", "14:00:60", "14:00:00Z", "", "ab:cd:ef"} {
		if _, err := ParseEventsTime(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseWeekday(t *testing.T) {
	if wd, ok := ParseWeekday("sun"); !ok || wd != time.Sunday {
		t.Error("sun")
	}
	if wd, ok := ParseWeekday("sat"); !ok || wd != time.Saturday {
		t.Error("sat")
	}
	if _, ok := ParseWeekday("Mon"); ok {
		t.Error("Mon accepted")
	}
}
