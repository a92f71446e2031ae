package apitime

import (
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	want := time.Date(2026, 9, 21, 20, 0, 0, 0, time.UTC) // 23:00 in Moscow
	for _, s := range []string{
		"2026-09-21T23:00:00+03:00",
		"2026-09-21T23:00:00.000+03:00",
		"2026-09-21T23:00:00+0300",
		"2026-09-21T23:00:00+03",
		"2026-09-21T20:00:00Z",
		"2026-09-21T20:00:00.000Z",
		"2026-09-21T15:00:00-05:00",
		"2026-09-21T23:00:00",
		"2026-09-21T23:00:00.5",
		"2026-09-21 23:00:00",
		"2026-09-21 23:00",
		"2026-09-21T23:00",
		" 2026-09-21T23:00:00 ",
	} {
		got, err := ParseDateTime(s, moscow)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if !got.Truncate(time.Second).Equal(want) {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"", "2026-09-21", "21.09.2026 23:00", "2026-13-01T10:00:00", "tomorrow", "2026-09-21T25:00:00"} {
		if _, err := ParseDateTime(s, moscow); err == nil {
			t.Errorf("%q was accepted", s)
		}
	}
}

func TestParseDateTimeAcrossDST(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// 2026-03-29 02:30 does not exist in Berlin.
	if _, err := ParseDateTime("2026-03-29T02:30:00", berlin); err == nil {
		t.Error("a skipped wall time was accepted")
	}
	got, err := ParseDateTime("2026-03-29T03:30:00", berlin)
	if err != nil || got.UTC().Hour() != 1 {
		t.Errorf("03:30 CEST: %v %v", got.UTC(), err)
	}
	// 2026-10-25 02:30 happens twice; either instant is an answer, both at 02:30 local.
	got, err = ParseDateTime("2026-10-25T02:30:00", berlin)
	if err != nil || got.In(berlin).Hour() != 2 || got.In(berlin).Minute() != 30 {
		t.Errorf("repeated 02:30: %v %v", got, err)
	}
}

func TestFormats(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 1, 17, 19, 41, 44, 0, ny).UTC()
	if s := FormatISO(at, ny); s != "2026-01-17T19:41:44-05:00" {
		t.Error(s)
	}
	if s := FormatCompact(at, ny); s != "2026-01-17T19:41:44-0500" {
		t.Error(s)
	}
	if s := FormatLocal(at, ny); s != "2026-01-17 19:41:44" {
		t.Error(s)
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2025-12-01", "20251201", "01.12.2025"} {
		d, err := ParseDate(s)
		if err != nil || d.Format(Date) != "2025-12-01" {
			t.Errorf("%q: %v %v", s, d, err)
		}
	}
	for _, s := range []string{"2025-13-01", "2025121", "1.12.2025", ""} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// FuzzParseDateTime: no panic; an accepted value renders and parses back
// to the same instant.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2026-09-21T23:00:00+03:00", "2026-09-21T23:00:00.000-05:00", "2026-01-17T19:41:44-0500",
		"2026-09-21 23:00", "2026-03-29T02:30:00", "2026-10-25T02:30:00Z", "2026-09-21T23:00:00.123456789"} {
		f.Add(s)
	}
	// What clients send (API reference 4.4, 8.7, D19): the create example,
	// the three output shapes read back, the timetable sample, the short
	// offset, no seconds with an offset, a space before the offset, the
	// repeated hour of the autumn change, and the edges of the year range.
	for _, s := range []string{"2026-09-21T23:00:00.000-05:00", "2022-01-01 12:12:12", "2026-01-17T19:41:44+0300",
		"2025-09-21T23:00:00.000+03:00", "2026-09-21T23:00:00+03", "2026-09-21T23:00+03:00", "2026-09-21 23:00:00+0300",
		"2026-10-25T02:30:00", "2026-10-25T02:30:00+01:00", " 2026-09-21T23:00:00 ", "1900-01-01T00:00:00Z",
		"2200-12-31T23:59:59-12:00", "1899-12-31T23:59:59Z", "2026-02-29T10:00:00", "2026-09-21T24:00:00"} {
		f.Add(s)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDateTime(s, berlin)
		if err != nil {
			return
		}
		if y := got.UTC().Year(); y < minYear || y > maxYear {
			t.Fatalf("%q accepted as %v, outside the years %d to %d", s, got, minYear, maxYear)
		}
		for _, out := range []string{FormatISO(got, berlin), FormatCompact(got, berlin)} {
			back, err := ParseDateTime(out, berlin)
			if err != nil {
				t.Fatalf("%q → %q does not parse: %v", s, out, err)
			}
			if !back.Equal(got.Truncate(time.Second)) {
				t.Fatalf("%q: round trip through %q: %v → %v", s, out, got, back)
			}
		}
	})
}
