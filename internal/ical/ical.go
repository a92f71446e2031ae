// Package ical writes RFC 5545 calendars: CRLF lines folded at 75 octets,
// escaped TEXT values, events in a named time zone and the VTIMEZONE that
// defines it, derived from Go's zone data.
package ical

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is one VCALENDAR.
type Calendar struct {
	ProdID string // default "-//appointd//appointd//EN"
	Name   string // X-WR-CALNAME
	// Zone is the TZID of every event's DTSTART and DTEND.
	Zone *time.Location
	// The VTIMEZONE covers From to To and every event.
	From, To time.Time
	// Stamp is every event's DTSTAMP: when the feed was made.
	Stamp time.Time
	// Refresh, when set, asks subscribers to reload this often.
	Refresh time.Duration
	Events  []Event
}

// Event is one VEVENT.
type Event struct {
	UID                   string
	Sequence              int64
	Start, End            time.Time
	Created, LastModified time.Time
	Summary, Description  string
	Location              string
	Status                string // CONFIRMED, TENTATIVE or CANCELLED; "" = none
}

const (
	localLayout = "20060102T150405"
	utcLayout   = "20060102T150405Z"
)

// Render writes the calendar.
func Render(c Calendar) []byte {
	zone := c.Zone
	if zone == nil {
		zone = time.UTC
	}
	tzid := zone.String()
	prodID := c.ProdID
	if prodID == "" {
		prodID = "-//appointd//appointd//EN"
	}
	from, to := c.From, c.To
	for _, e := range c.Events {
		if from.IsZero() || e.Start.Before(from) {
			from = e.Start
		}
		if e.End.After(to) {
			to = e.End
		}
	}
	var w writer
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:" + Escape(prodID))
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
	if c.Name != "" {
		w.line("X-WR-CALNAME:" + Escape(c.Name))
	}
	w.line("X-WR-TIMEZONE:" + Escape(tzid))
	if c.Refresh > 0 {
		d := "PT" + strconv.Itoa(int(c.Refresh.Minutes())) + "M"
		w.line("REFRESH-INTERVAL;VALUE=DURATION:" + d)
		w.line("X-PUBLISHED-TTL:" + d)
	}
	writeTimezone(&w, zone, from, to)
	for _, e := range c.Events {
		w.line("BEGIN:VEVENT")
		w.line("UID:" + Escape(e.UID))
		w.line("DTSTAMP:" + c.Stamp.UTC().Format(utcLayout))
		w.line("DTSTART" + dateTime(e.Start, zone))
		w.line("DTEND" + dateTime(e.End, zone))
		w.line("SEQUENCE:" + strconv.FormatInt(e.Sequence, 10))
		if !e.Created.IsZero() {
			w.line("CREATED:" + e.Created.UTC().Format(utcLayout))
		}
		if !e.LastModified.IsZero() {
			w.line("LAST-MODIFIED:" + e.LastModified.UTC().Format(utcLayout))
		}
		w.line("SUMMARY:" + Escape(e.Summary))
		if e.Description != "" {
			w.line("DESCRIPTION:" + Escape(e.Description))
		}
		if e.Location != "" {
			w.line("LOCATION:" + Escape(e.Location))
		}
		if e.Status != "" {
			w.line("STATUS:" + e.Status)
		}
		w.line("TRANSP:OPAQUE")
		w.line("END:VEVENT")
	}
	w.line("END:VCALENDAR")
	return []byte(w.b.String())
}

// dateTime is ";TZID=zone:local" for t, or ":utcZ" when t is the second
// occurrence of a wall-clock time that the zone repeats (when the clocks go
// back): a local time names the first occurrence (RFC 5545 3.3.5).
func dateTime(t time.Time, zone *time.Location) string {
	if repeatedSecond(t, zone) {
		return ":" + t.UTC().Format(utcLayout)
	}
	return ";TZID=" + zone.String() + ":" + t.In(zone).Format(localLayout)
}

// repeatedSecond reports whether t's wall-clock time in zone also named an
// earlier instant, under the offset before the last change.
func repeatedSecond(t time.Time, zone *time.Location) bool {
	local := t.In(zone)
	start, _ := local.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, off := local.Zone()
	_, before := start.Add(-time.Second).In(zone).Zone()
	return before > off && t.Add(-time.Duration(before-off)*time.Second).Before(start)
}

// observance is one STANDARD or DAYLIGHT part of a VTIMEZONE: from onset
// on, the zone is offset seconds east of UTC (it was before seconds
// before).
type observance struct {
	onset        time.Time
	before, off  int
	name         string
	daylight     bool
	sinceForever bool // the zone never changed before onset
}

// observances walks the zone's offset changes from the one in effect at
// from to the last one before to.
func observances(zone *time.Location, from, to time.Time) []observance {
	t := from.In(zone)
	start, end := t.ZoneBounds()
	name, off := t.Zone()
	first := observance{onset: start, before: off, off: off, name: name, daylight: t.IsDST()}
	if start.IsZero() {
		first.sinceForever = true
	} else {
		_, first.before = start.Add(-time.Second).In(zone).Zone()
	}
	out := []observance{first}
	for !end.IsZero() && end.Before(to) {
		t = end.In(zone)
		name, next := t.Zone()
		out = append(out, observance{onset: end, before: off, off: next, name: name, daylight: t.IsDST()})
		off = next
		_, end = t.ZoneBounds()
	}
	return out
}

// writeTimezone writes the VTIMEZONE for zone over [from, to]: the
// observance in effect at from and one for each change up to to. Each
// has its own DTSTART (no RRULE): the feed is rebuilt on every request.
// A zone with no change in the span gets a single part.
func writeTimezone(w *writer, zone *time.Location, from, to time.Time) {
	w.line("BEGIN:VTIMEZONE")
	w.line("TZID:" + zone.String())
	for _, o := range observances(zone, from, to) {
		kind := "STANDARD"
		if o.daylight {
			kind = "DAYLIGHT"
		}
		// DTSTART is the wall-clock time of the onset in the offset that
		// was in effect before it (RFC 5545 3.6.5).
		onset := "19700101T000000"
		if !o.sinceForever {
			onset = o.onset.In(time.FixedZone("", o.before)).Format(localLayout)
		}
		w.line("BEGIN:" + kind)
		w.line("DTSTART:" + onset)
		w.line("TZOFFSETFROM:" + FormatOffset(o.before))
		w.line("TZOFFSETTO:" + FormatOffset(o.off))
		if o.name != "" {
			w.line("TZNAME:" + Escape(o.name))
		}
		w.line("END:" + kind)
	}
	w.line("END:VTIMEZONE")
}

// FormatOffset writes seconds east of UTC as ±HHMM, or ±HHMMSS when there
// are seconds.
func FormatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// Escape makes s a TEXT value: backslash, semicolon, comma and line
// breaks escaped; other control characters (which TEXT may not hold) and
// invalid UTF-8 dropped.
func Escape(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t' || (r >= 0x20 && r != 0x7f):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Fold splits a content line into lines of at most 75 octets (CRLF not
// counted), each continuation starting with a space, never inside a
// UTF-8 sequence; it returns them with their CRLFs.
func Fold(line string) string {
	var b strings.Builder
	limit := 75
	for len(line) > limit {
		cut := limit
		for !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

type writer struct{ b strings.Builder }

func (w *writer) line(s string) { w.b.WriteString(Fold(s)) }
