package ical

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b`, `a\\b`},
		{"one; two, three", `one\; two\, three`},
		{"line1\nline2\r\nline3\rline4", `line1\nline2\nline3\nline4`},
		{"tab\tkept, bell\x07 and DEL\x7f dropped", `tab` + "\t" + `kept\, bell and DEL dropped`},
		{"Стрижка: \"мужская\"", "Стрижка: \"мужская\""},
		{"bad \xff utf-8", "bad  utf-8"},
		{`\;`, `\\\;`},
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFold(t *testing.T) {
	long := "DESCRIPTION:" + strings.Repeat("abcdefghij", 20)
	cyrillic := "SUMMARY:" + strings.Repeat("Стрижка ", 30)                 // 2-byte runes
	emoji := "SUMMARY:x" + strings.Repeat("💇", 40)                          // 4-byte runes, not aligned to 75
	mixed := "SUMMARY:" + strings.Repeat("é", 33) + strings.Repeat("漢", 40) // 2- and 3-byte runes
	for _, line := range []string{"SHORT:x", strings.Repeat("x", 75), strings.Repeat("x", 76), long, cyrillic, emoji, mixed} {
		out := Fold(line)
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("%q: no CRLF at the end", out)
		}
		parts := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		var back strings.Builder
		for i, p := range parts {
			if len(p) > 75 {
				t.Errorf("line of %d octets: %q", len(p), p)
			}
			if i > 0 {
				if p[0] != ' ' {
					t.Errorf("continuation %q does not start with a space", p)
				}
				p = p[1:]
			}
			if !utf8.ValidString(p) {
				t.Errorf("a fold split a character: %q", p)
			}
			back.WriteString(p)
		}
		if back.String() != line {
			t.Errorf("unfolding gives %q, want %q", back.String(), line)
		}
		if len(line) <= 75 && len(parts) != 1 {
			t.Errorf("%d octets folded: %q", len(line), out)
		}
		// Folds are as late as the rule allows: a full line is 75 octets
		// less the bytes of a character that did not fit.
		for i, p := range parts[:len(parts)-1] {
			limit := 75
			if i > 0 {
				limit = 74
			}
			if body := strings.TrimPrefix(p, " "); i > 0 && len(body) < limit-3 || i == 0 && len(p) < limit-3 {
				t.Errorf("line %d folded early at %d octets: %q", i, len(p), p)
			}
		}
	}
}

func TestFormatOffset(t *testing.T) {
	for sec, want := range map[int]string{0: "+0000", 3 * 3600: "+0300", -5 * 3600: "-0500", 5*3600 + 1800: "+0530",
		-(3*3600 + 30*60): "-0330", 2*3600 + 30*60 + 17: "+023017"} {
		if got := FormatOffset(sec); got != want {
			t.Errorf("FormatOffset(%d) = %q, want %q", sec, got, want)
		}
	}
}

func TestObservances(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	moscow, _ := time.LoadLocation("Europe/Moscow")
	newYork, _ := time.LoadLocation("America/New_York")
	day := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	type want struct {
		onset         string // DTSTART: local wall time in the offset before
		before, after string
		name          string
		daylight      bool
	}
	for _, c := range []struct {
		zone     *time.Location
		from, to string
		want     []want
	}{
		{berlin, "2026-02-01", "2026-08-01", []want{
			{"20251026T030000", "+0200", "+0100", "CET", false},
			{"20260329T020000", "+0100", "+0200", "CEST", true},
		}},
		{berlin, "2026-10-26", "2027-05-24", []want{
			{"20261025T030000", "+0200", "+0100", "CET", false},
			{"20270328T020000", "+0100", "+0200", "CEST", true},
		}},
		{newYork, "2026-10-01", "2027-04-01", []want{
			{"20260308T020000", "-0500", "-0400", "EDT", true},
			{"20261101T020000", "-0400", "-0500", "EST", false},
			{"20270314T020000", "-0500", "-0400", "EDT", true},
		}},
		// No DST since 2014: one STANDARD part, the last change.
		{moscow, "2026-10-01", "2027-04-01", []want{{"20141026T020000", "+0400", "+0300", "MSK", false}}},
	} {
		got := observances(c.zone, day(c.from), day(c.to))
		if len(got) != len(c.want) {
			t.Errorf("%s %s–%s: %d observances, want %d: %+v", c.zone, c.from, c.to, len(got), len(c.want), got)
			continue
		}
		for i, o := range got {
			w := c.want[i]
			onset := o.onset.In(time.FixedZone("", o.before)).Format(localLayout)
			if onset != w.onset || FormatOffset(o.before) != w.before || FormatOffset(o.off) != w.after || o.name != w.name || o.daylight != w.daylight {
				t.Errorf("%s %s–%s #%d: %s %s→%s %s dst=%v, want %+v", c.zone, c.from, c.to, i, onset,
					FormatOffset(o.before), FormatOffset(o.off), o.name, o.daylight, w)
			}
		}
	}
	// UTC never changed: one part since 1970.
	if got := observances(time.UTC, day("2026-01-01"), day("2027-01-01")); len(got) != 1 || !got[0].sinceForever || got[0].off != 0 {
		t.Errorf("UTC: %+v", got)
	}
}

func TestRender(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 29, 1, 30, 0, 0, berlin) // CET; 02:00 → 03:00 happens inside
	stamp := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	out := string(Render(Calendar{Name: "Anna, Salon; Berlin", Zone: berlin, From: stamp.AddDate(0, 0, -30),
		To: stamp.AddDate(0, 0, 240), Stamp: stamp, Refresh: 15 * time.Minute, Events: []Event{{
			UID: "record-7@appointd", Sequence: 2, Start: start, End: start.Add(2 * time.Hour), Created: stamp,
			LastModified: stamp, Summary: "Haircut, Colour — Maria", Description: "Services: Haircut, Colour\nComment: a; b",
			Status: "TENTATIVE"}}}))
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//appointd//appointd//EN\r\nCALSCALE:GREGORIAN\r\n",
		"X-WR-CALNAME:Anna\\, Salon\\; Berlin\r\n",
		"REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n",
		"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n",
		"BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n",
		"BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n",
		"UID:record-7@appointd\r\nDTSTAMP:20260301T120000Z\r\n",
		"DTSTART;TZID=Europe/Berlin:20260329T013000\r\n",
		"DTEND;TZID=Europe/Berlin:20260329T043000\r\n", // two hours later, across the change
		"SEQUENCE:2\r\n",
		"SUMMARY:Haircut\\, Colour — Maria\r\n",
		"DESCRIPTION:Services: Haircut\\, Colour\\nComment: a\\; b\r\n",
		"STATUS:TENTATIVE\r\n",
		"END:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("a bare LF in the output")
	}
}

// The hour New York repeats on 2026-11-01 (01:00–02:00): the first 01:30
// (EDT) is written in local time, the second (EST) only UTC can name.
func TestRepeatedHour(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	first := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)  // 01:30 EDT
	second := time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC) // 01:30 EST
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{first, ";TZID=America/New_York:20261101T013000"},
		{second, ":20261101T063000Z"},
		{time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC), ";TZID=America/New_York:20261101T023000"},
		{time.Date(2026, 11, 1, 4, 59, 0, 0, time.UTC), ";TZID=America/New_York:20261101T005900"},
		// Clocks going forward repeat nothing.
		{time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC), ";TZID=America/New_York:20270314T033000"},
	} {
		if got := dateTime(c.at, ny); got != c.want {
			t.Errorf("%s: %q, want %q", c.at, got, c.want)
		}
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	if got := dateTime(time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), moscow); got != ";TZID=Europe/Moscow:20261101T093000" {
		t.Errorf("Moscow: %q", got)
	}
}
