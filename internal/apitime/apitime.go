// Package apitime parses and renders the API's date and time shapes (D19).
// Input is lenient; output is in a location's time zone.
package apitime

import (
	"fmt"
	"strings"
	"time"
)

// Output layouts.
const (
	// ISO is `datetime`: 2026-09-21T23:00:00+03:00.
	ISO = "2006-01-02T15:04:05-07:00"
	// Compact is `create_date`, `last_change_date`: 2026-01-17T19:41:44+0300.
	Compact = "2006-01-02T15:04:05-0700"
	// Local is `date` and older fields: 2022-01-01 12:12:12 (location time).
	Local = "2006-01-02 15:04:05"
	// Date is a calendar date: 2026-01-21.
	Date = "2006-01-02"
)

// FormatISO renders t in loc as 2026-09-21T23:00:00+03:00.
func FormatISO(t time.Time, loc *time.Location) string { return t.In(loc).Format(ISO) }

// FormatCompact renders t in loc as 2026-01-17T19:41:44+0300.
func FormatCompact(t time.Time, loc *time.Location) string { return t.In(loc).Format(Compact) }

// FormatLocal renders t in loc as 2022-01-01 12:12:12.
func FormatLocal(t time.Time, loc *time.Location) string { return t.In(loc).Format(Local) }

// offsetLayouts have an explicit zone; localLayouts are wall-clock time in
// the location's zone.
var offsetLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05-07",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04-0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05-0700",
	"2006-01-02 15:04:05.999999999Z07:00",
}

var localLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
}

// ParseDateTime reads every accepted shape: with or without fractional
// seconds; offset +03:00, +0300, +03 or Z; or no offset, meaning wall-clock
// time in loc. A wall-clock time that does not exist (skipped by a DST
// change) is an error; an ambiguous one (repeated) takes the first instant.
func ParseDateTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) < 16 || len(s) > 40 {
		return time.Time{}, fmt.Errorf("%q is not a date and time (use 2026-09-21T23:00:00+03:00)", s)
	}
	for _, layout := range offsetLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return inRange(s, t)
		}
	}
	for _, layout := range localLayouts {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		// time.ParseInLocation normalizes a skipped wall time silently;
		// reject it rather than book an hour off.
		y, mo, d := t.Date()
		h, mi, _ := t.Clock()
		naive, _ := time.Parse(layout, s)
		ny, nmo, nd := naive.Date()
		nh, nmi, _ := naive.Clock()
		if y != ny || mo != nmo || d != nd || h != nh || mi != nmi {
			return time.Time{}, fmt.Errorf("%q does not exist in %s (clock change)", s, loc)
		}
		return inRange(s, t)
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time (use 2026-09-21T23:00:00+03:00)", s)
}

// Years outside this range are refused: no booking needs them, and zone
// rules before 1900 have offsets in seconds that no output shape can carry.
const minYear, maxYear = 1900, 2200

func inRange(s string, t time.Time) (time.Time, error) {
	if y := t.UTC().Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("%q is out of range (years %d to %d)", s, minYear, maxYear)
	}
	return t, nil
}

// ParseDate reads a calendar date as 2026-01-21, 20260121 or 21.01.2026.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{Date, "20060102", "02.01.2006"} {
		if len(s) != len(layout) {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use 2026-01-21)", s)
}
