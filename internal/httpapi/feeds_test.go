package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"appointd/internal/demo"
)

// TestCalendarFeeds books appointments in three zones (Moscow without DST,
// Berlin and New York with it, on the days their clocks change), fetches
// each member's feed and reads it back with the small parser below, which
// resolves local times through the feed's own VTIMEZONE.
func TestCalendarFeeds(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		r := e.do(req{Method: "POST", Path: "/companies", Auth: e.userAuth(owner),
			Body: map[string]any{"title": "Berlin Studio", "timezone_name": "Europe/Berlin", "address": "Torstraße 1"}})
		expect(t, r, http.StatusCreated)
		berlinLoc := num(r.Data()["id"])
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		demoClient := demoClientWithEmail(t, e, owner)

		type site struct {
			name         string
			loc          int64
			tok          string
			zone         string
			member, serv int64
			service      string // its title
		}
		sites := []site{{"moscow", e.locA, owner, "Europe/Moscow", anna, haircut, "Women's haircut"}}
		for _, s := range []struct {
			name, zone, tok string
			loc             int64
		}{{"berlin", "Europe/Berlin", owner, berlinLoc}, {"newyork", "America/New_York", e.ownerB, e.locB}} {
			m, sv := feedFixture(t, e, s.tok, s.loc, s.name)
			sites = append(sites, site{s.name, s.loc, s.tok, s.zone, m, sv, s.name + " cut"})
		}

		now := e.clock.Now()
		for i, s := range sites {
			t.Run(s.name, func(t *testing.T) {
				zone, err := time.LoadLocation(s.zone)
				if err != nil {
					t.Fatal(err)
				}
				auth := e.userAuth(s.tok)
				feedPath := fmt.Sprintf("/company/%d/staff/%d/ical", s.loc, s.member)
				r := e.do(req{Method: "POST", Path: feedPath, Auth: auth})
				expect(t, r, http.StatusCreated)
				secret, _ := r.Data()["secret"].(string)
				if len(secret) != 64 || r.Data()["url"] != e.srv.URL+"/ical/"+secret+".ics" || num(r.Data()["team_member_id"]) != s.member {
					t.Fatalf("feed answer: %s", r.Body)
				}
				feedURL := r.Data()["url"].(string)

				type booked struct {
					id     int64
					start  time.Time // the API's datetime
					length int64
				}
				phone := fmt.Sprintf("+7 999 %03d-45-6%d", 100+i, i)
				email := fmt.Sprintf("jane.%s@example.test", s.name)
				book := func(datetime string, extra map[string]any) booked {
					t.Helper()
					body := map[string]any{"staff_id": s.member, "services": []map[string]any{{"id": s.serv}},
						"client": map[string]any{"name": "Jane Roe", "phone": phone, "email": email}, "datetime": datetime,
						"save_if_busy": true, "seance_length": 3600}
					for k, v := range extra {
						if v == nil {
							delete(body, k)
						} else {
							body[k] = v
						}
					}
					r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", s.loc), Auth: auth, Body: body})
					expect(t, r, http.StatusCreated)
					start, err := time.Parse(time.RFC3339, r.Data()["datetime"].(string))
					if err != nil {
						t.Fatal(err)
					}
					return booked{num(r.Data()["id"]), start, num(r.Data()["seance_length"])}
				}
				iso := func(at time.Time) string { return at.In(zone).Format(time.RFC3339) }
				local := now.In(zone)
				day := func(d int) string { return local.AddDate(0, 0, d).Format(time.DateOnly) }

				var want []booked
				// An ordinary day: wall-clock input, a comment with contact details.
				plain := book(day(2)+"T11:00:00", map[string]any{"comment": "Call " + phone + " or write to " + email + "; bring photos, please\\",
					"attendance": 2})
				want = append(want, plain)
				// The client booked by phone alone is named after the number.
				byPhone := book(day(2)+"T14:00:00", map[string]any{"client": map[string]any{"phone": fmt.Sprintf("+1 212 555 %04d", 7000+i)}})
				want = append(want, byPhone)
				if s.name == "moscow" {
					want = append(want, book(day(2)+"T16:00:00", map[string]any{"client": nil, "client_id": demoClient.id}))
				}
				// The window's edges: inside by a day, outside by a day.
				want = append(want, book(iso(now.Add(-29*24*time.Hour)), nil), book(iso(now.Add(179*24*time.Hour)), nil))
				outside := []booked{book(iso(now.Add(-31*24*time.Hour)), nil), book(iso(now.Add(181*24*time.Hour)), nil)}
				// Deleted: gone from the feed.
				deleted := book(day(3)+"T12:00:00", nil)
				expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", s.loc, deleted.id), Auth: auth}), http.StatusNoContent)
				// Each clock change in the window: two hours across it, 10:00
				// that day (wall clock), and when the clocks go back, the second
				// 01:30 of the repeated hour.
				changes := transitions(zone, now.Add(-29*24*time.Hour), now.Add(179*24*time.Hour))
				if s.name != "moscow" && len(changes) == 0 {
					t.Fatalf("%s changes its clocks at least once in any 208 days", s.zone)
				}
				for _, c := range changes {
					want = append(want, book(iso(c.Add(-30*time.Minute)), map[string]any{"seance_length": 7200}))
					want = append(want, book(c.In(zone).Format(time.DateOnly)+"T10:00:00", nil))
					_, before := c.Add(-time.Second).In(zone).Zone()
					if _, after := c.In(zone).Zone(); after < before {
						want = append(want, book(iso(c.Add(30*time.Minute)), nil))
					}
				}

				cal := fetchFeed(t, e, feedURL)
				tz := cal.timezone(t, s.zone)
				// The VTIMEZONE agrees with the zone on both sides of every change.
				for _, c := range changes {
					for _, at := range []time.Time{c.Add(-time.Second), c, c.Add(-2 * time.Hour), c.Add(2 * time.Hour)} {
						_, off := at.In(zone).Zone()
						if got := tz.offsetAt(at); got != off {
							t.Errorf("VTIMEZONE offset at %s: %d, want %d", at, got, off)
						}
					}
				}
				if s.name == "moscow" {
					if len(tz.obs) != 1 || tz.obs[0].kind != "STANDARD" || tz.obs[0].to != 3*3600 {
						t.Errorf("Moscow VTIMEZONE: %+v", tz.obs)
					}
				}
				events := cal.events(t)
				for _, b := range want {
					ev, ok := events[fmt.Sprintf("record-%d@appointd", b.id)]
					if !ok {
						t.Errorf("appointment %d (%s) is not in the feed", b.id, b.start)
						continue
					}
					start, end := tz.instant(t, ev.prop(t, "DTSTART")), tz.instant(t, ev.prop(t, "DTEND"))
					if !start.Equal(b.start) || !end.Equal(b.start.Add(time.Duration(b.length)*time.Second)) {
						t.Errorf("appointment %d: %s – %s in the feed, the API says %s + %ds", b.id, start, end, b.start, b.length)
					}
				}
				for _, b := range append(outside, deleted) {
					if _, ok := events[fmt.Sprintf("record-%d@appointd", b.id)]; ok {
						t.Errorf("appointment %d (%s) is in the feed: outside the window or deleted", b.id, b.start)
					}
				}
				if len(events) != len(want) {
					t.Errorf("%d events, want %d", len(events), len(want))
				}
				// What an event says: services and first name, no contacts.
				ev := events[fmt.Sprintf("record-%d@appointd", plain.id)]
				if got := ev.text(t, "SUMMARY"); got != s.service+" — Jane" {
					t.Errorf("SUMMARY %q", got)
				}
				desc := ev.text(t, "DESCRIPTION")
				if !strings.Contains(desc, "Services: "+s.service) || !strings.Contains(desc, "Comment: Call [hidden] or write to [hidden]; bring photos, please\\") {
					t.Errorf("DESCRIPTION %q", desc)
				}
				if ev.prop(t, "STATUS").value != "CONFIRMED" || events[fmt.Sprintf("record-%d@appointd", byPhone.id)].prop(t, "STATUS").value != "TENTATIVE" {
					t.Errorf("STATUS: attendance 2 is CONFIRMED, 0 TENTATIVE")
				}
				if got := events[fmt.Sprintf("record-%d@appointd", byPhone.id)].text(t, "SUMMARY"); got != s.service {
					t.Errorf("SUMMARY of a client known by phone alone: %q", got)
				}
				noContacts(t, cal, []string{phone, email, demoClient.phone, demoClient.email, "212 555", "2125557", "@example.test"})

				// An edit keeps the UID and raises SEQUENCE.
				seq := ev.int(t, "SEQUENCE")
				e.clock.Add(time.Minute)
				moved := plain.start.Add(time.Hour)
				expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", s.loc, plain.id), Auth: auth,
					Body: map[string]any{"datetime": iso(moved), "save_if_busy": true}}), http.StatusCreated)
				cal = fetchFeed(t, e, feedURL)
				tz = cal.timezone(t, s.zone)
				after := cal.events(t)[fmt.Sprintf("record-%d@appointd", plain.id)]
				if after == nil {
					t.Fatal("the edited appointment left the feed")
				}
				if got := after.int(t, "SEQUENCE"); got <= seq {
					t.Errorf("SEQUENCE %d after an edit, was %d", got, seq)
				}
				if got := tz.instant(t, after.prop(t, "DTSTART")); !got.Equal(moved) {
					t.Errorf("moved to %s, the feed says %s", moved, got)
				}
				if after.prop(t, "LAST-MODIFIED").value <= ev.prop(t, "LAST-MODIFIED").value {
					t.Errorf("LAST-MODIFIED %s after an edit, was %s", after.prop(t, "LAST-MODIFIED").value, ev.prop(t, "LAST-MODIFIED").value)
				}
				// Others are not touched.
				if got := cal.events(t)[fmt.Sprintf("record-%d@appointd", byPhone.id)].int(t, "SEQUENCE"); got != 0 {
					t.Errorf("an untouched appointment has SEQUENCE %d", got)
				}

				// Rotating: the old URL is gone, the new one works; DELETE
				// turns the feed off.
				r = e.do(req{Method: "POST", Path: feedPath, Auth: auth})
				expect(t, r, http.StatusCreated)
				newURL := r.Data()["url"].(string)
				if newURL == feedURL {
					t.Fatal("rotating kept the secret")
				}
				feedGone(t, e, feedURL)
				fetchFeed(t, e, newURL)
				expect(t, e.do(req{Method: "DELETE", Path: feedPath, Auth: auth}), http.StatusNoContent)
				feedGone(t, e, newURL)
				expect(t, e.do(req{Method: "DELETE", Path: feedPath, Auth: auth}), http.StatusNoContent)
			})
		}

		t.Run("refusals", func(t *testing.T) {
			moscow, berlin := sites[0], sites[1]
			before := countFeeds(t, e)
			// Another location's member, a member that does not exist,
			// ids that are not numbers: 404; the demo worker lacks
			// settings_access: 403; no user: 401.
			worker := e.login(demo.WorkerLogin, demo.Password)
			for _, c := range []struct {
				path, auth string
				status     int
			}{
				{fmt.Sprintf("/company/%d/staff/%d/ical", berlin.loc, moscow.member), e.userAuth(owner), 404},
				{fmt.Sprintf("/company/%d/staff/%d/ical", moscow.loc, berlin.member), e.userAuth(owner), 404},
				{fmt.Sprintf("/company/%d/staff/%d/ical", moscow.loc, 990000001), e.userAuth(owner), 404},
				{fmt.Sprintf("/company/%d/staff/0/ical", moscow.loc), e.userAuth(owner), 404},
				{fmt.Sprintf("/company/%d/staff/%d/ical", sites[2].loc, sites[2].member), e.userAuth(owner), 404},
				{fmt.Sprintf("/company/%d/staff/%d/ical", moscow.loc, moscow.member), e.userAuth(worker), 403},
				{fmt.Sprintf("/company/%d/staff/%d/ical", moscow.loc, moscow.member), e.partnerAuth(), 401},
			} {
				for _, method := range []string{"POST", "DELETE"} {
					r := e.do(req{Method: method, Path: c.path, Auth: c.auth})
					expect(t, r, c.status)
					if r.JSON["success"] != false {
						t.Errorf("%s %s: not an error envelope: %s", method, c.path, r.Body)
					}
				}
			}
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/company/%d/staff/abc/ical", moscow.loc), Auth: e.userAuth(owner), NoValidate: true})
			expect(t, r, 404)
			if after := countFeeds(t, e); after != before {
				t.Errorf("refused calls changed ical_feeds: %d rows, were %d", after, before)
			}
			// Feed URLs that never existed.
			for _, p := range []string{"/ical/" + strings.Repeat("ab", 32) + ".ics", "/ical/short.ics", "/ical/" + strings.Repeat("ab", 32),
				"/ical/.ics", "/ical/" + strings.Repeat("ab", 32) + ".ics.ics"} {
				feedGone(t, e, e.srv.URL+p)
			}
			// A removed member's feed stops.
			r = e.do(req{Method: "POST", Path: fmt.Sprintf("/company/%d/staff/%d/ical", berlin.loc, berlin.member), Auth: e.userAuth(owner)})
			expect(t, r, http.StatusCreated)
			url := r.Data()["url"].(string)
			fetchFeed(t, e, url)
			expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/staff/%d/%d", berlin.loc, berlin.member), Auth: e.userAuth(owner)}), http.StatusNoContent)
			feedGone(t, e, url)
		})
	})
}

// feedFixture adds, as tok's user, a team member and a one-hour service it
// performs; tag names both.
func feedFixture(t *testing.T, e *env, tok string, loc int64, tag string) (int64, int64) {
	t.Helper()
	post := func(path string, body any) int64 {
		t.Helper()
		r := e.do(req{Method: "POST", Path: path, Auth: e.userAuth(tok), Body: body})
		if r.Status != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", path, r.Status, truncate(r.Body))
		}
		return num(r.Data()["id"])
	}
	member := post(fmt.Sprintf("/staff/%d", loc), map[string]any{"name": tag + " Stylist", "has_access_timetable": true})
	cat := post(fmt.Sprintf("/service_categories/%d", loc), map[string]any{"title": tag + " hair"})
	service := post(fmt.Sprintf("/services/%d", loc), map[string]any{"title": tag + " cut", "category_id": cat, "duration": 3600,
		"staff": []map[string]any{{"id": member, "seance_length": 3600}}})
	return member, service
}

type contact struct {
	id           int64
	phone, email string
}

// demoClientWithEmail is a demo client that has a phone and an e-mail.
func demoClientWithEmail(t *testing.T, e *env, tok string) contact {
	t.Helper()
	r := e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d?count=10", e.locA), Auth: e.userAuth(tok)})
	expect(t, r, http.StatusOK)
	for _, c := range r.List() {
		if email, _ := c["email"].(string); email != "" {
			phone, _ := c["phone"].(string)
			return contact{num(c["id"]), strings.TrimPrefix(phone, "+"), email}
		}
	}
	t.Fatalf("no demo client with an e-mail: %s", truncate(r.Body))
	return contact{}
}

// transitions are the instants in [from, to) at which zone's offset changes.
func transitions(zone *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for _, end := from.In(zone).ZoneBounds(); !end.IsZero() && end.Before(to); _, end = end.In(zone).ZoneBounds() {
		out = append(out, end)
	}
	return out
}

func countFeeds(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := rawDB(t, e).QueryRow("SELECT COUNT(*) FROM ical_feeds").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fetchFeed GETs a feed URL without credentials, checks the answer against
// the contract and parses it.
func fetchFeed(t *testing.T, e *env, url string) *icsComp {
	t.Helper()
	hr, _ := http.NewRequest("GET", url, nil)
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("GET %s: %d %s: %s", url, res.StatusCode, res.Header.Get("Content-Type"), truncate(body))
	}
	e.validate(hr, nil, res, resp{Status: res.StatusCode, Header: res.Header, Body: body})
	return parseICS(t, body)
}

// feedGone: the URL answers a plain-text 404.
func feedGone(t *testing.T, e *env, url string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || strings.Contains(string(body), "BEGIN:VCALENDAR") {
		t.Fatalf("GET %s: %d, want 404: %s", url, res.StatusCode, truncate(body))
	}
}

var (
	emailAddress = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+`)
	phoneDigits  = regexp.MustCompile(`\+?\d(?:[\s\-.()/]*\d){6,}`)
)

// noContacts: no e-mail address anywhere, none of the given strings, and
// no phone-like run of digits in any text a person reads.
func noContacts(t *testing.T, cal *icsComp, known []string) {
	t.Helper()
	raw := cal.raw
	if m := emailAddress.FindString(raw); m != "" {
		t.Errorf("an e-mail address in the feed: %q", m)
	}
	for _, k := range known {
		if k != "" && strings.Contains(raw, k) {
			t.Errorf("%q is in the feed", k)
		}
	}
	var texts []icsProp
	texts = append(texts, cal.props...)
	for _, ev := range cal.subs {
		texts = append(texts, ev.props...)
	}
	for _, p := range texts {
		switch p.name {
		case "SUMMARY", "DESCRIPTION", "LOCATION", "X-WR-CALNAME", "COMMENT":
			if m := phoneDigits.FindString(unescapeText(p.value)); m != "" {
				t.Errorf("a phone number in %s: %q", p.name, m)
			}
		}
	}
}

// ---- a small RFC 5545 reader ----

type icsProp struct {
	name   string
	params map[string]string
	value  string
}

type icsComp struct {
	name  string
	props []icsProp
	subs  []*icsComp
	raw   string // the VCALENDAR only: the unfolded text
}

func (c *icsComp) all(name string) []icsProp {
	var out []icsProp
	for _, p := range c.props {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

func (c *icsComp) prop(t *testing.T, name string) icsProp {
	t.Helper()
	ps := c.all(name)
	if len(ps) != 1 {
		t.Fatalf("%s has %d %s properties, want 1", c.name, len(ps), name)
	}
	return ps[0]
}

func (c *icsComp) text(t *testing.T, name string) string {
	t.Helper()
	return unescapeText(c.prop(t, name).value)
}

func (c *icsComp) int(t *testing.T, name string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(c.prop(t, name).value, 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// parseICS checks the line rules (CRLF, at most 75 octets, folds start
// with a space) and the calendar's required properties, and parses it.
func parseICS(t *testing.T, body []byte) *icsComp {
	t.Helper()
	s := string(body)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the calendar does not end with CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Fatalf("line %d has %d octets: %q", i+1, len(line), line)
		}
	}
	unfolded := strings.NewReplacer("\r\n ", "", "\r\n\t", "").Replace(s)
	var stack []*icsComp
	var root *icsComp
	for _, line := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		p := parseProp(t, line)
		switch p.name {
		case "BEGIN":
			c := &icsComp{name: p.value}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.subs = append(top.subs, c)
			} else if root != nil {
				t.Fatal("two top-level components")
			} else {
				root = c
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].name != p.value {
				t.Fatalf("END:%s does not close the open component", p.value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				t.Fatalf("property outside a component: %q", line)
			}
			top := stack[len(stack)-1]
			top.props = append(top.props, p)
		}
	}
	if root == nil || root.name != "VCALENDAR" || len(stack) != 0 {
		t.Fatalf("not one closed VCALENDAR")
	}
	root.raw = unfolded
	if root.prop(t, "VERSION").value != "2.0" || root.prop(t, "PRODID").value == "" || root.prop(t, "CALSCALE").value != "GREGORIAN" {
		t.Fatalf("VCALENDAR header: %+v", root.props)
	}
	return root
}

// parseProp reads name *(";" param) ":" value; parameter values may be
// quoted.
func parseProp(t *testing.T, line string) icsProp {
	t.Helper()
	p := icsProp{params: map[string]string{}}
	i := strings.IndexAny(line, ";:")
	if i <= 0 {
		t.Fatalf("not a content line: %q", line)
	}
	p.name = strings.ToUpper(line[:i])
	rest := line[i:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			t.Fatalf("bad parameter in %q", line)
		}
		key, v := strings.ToUpper(rest[:eq]), rest[eq+1:]
		var val string
		if strings.HasPrefix(v, `"`) {
			end := strings.IndexByte(v[1:], '"')
			if end < 0 {
				t.Fatalf("unclosed quote in %q", line)
			}
			val, rest = v[1:end+1], v[end+2:]
		} else {
			end := strings.IndexAny(v, ";:")
			if end < 0 {
				t.Fatalf("no value in %q", line)
			}
			val, rest = v[:end], v[end:]
		}
		p.params[key] = val
	}
	if !strings.HasPrefix(rest, ":") {
		t.Fatalf("no value in %q", line)
	}
	p.value = rest[1:]
	return p
}

func unescapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// events are the VEVENTs by UID; a UID seen twice fails the test.
func (c *icsComp) events(t *testing.T) map[string]*icsComp {
	t.Helper()
	out := map[string]*icsComp{}
	for _, sub := range c.subs {
		if sub.name != "VEVENT" {
			continue
		}
		uid := sub.prop(t, "UID").value
		if out[uid] != nil {
			t.Errorf("UID %s appears twice", uid)
		}
		if stamp := sub.prop(t, "DTSTAMP").value; !strings.HasSuffix(stamp, "Z") {
			t.Errorf("DTSTAMP %s is not UTC", stamp)
		}
		sub.prop(t, "SEQUENCE")
		sub.prop(t, "SUMMARY")
		out[uid] = sub
	}
	return out
}

// vtimezone is a parsed VTIMEZONE: its observances by onset.
type vtimezone struct {
	tzid string
	obs  []tzObservance
}

type tzObservance struct {
	kind     string
	onset    time.Time // UTC: DTSTART read in TZOFFSETFROM
	from, to int
}

// timezone finds the one VTIMEZONE, which must be tzid.
func (c *icsComp) timezone(t *testing.T, tzid string) vtimezone {
	t.Helper()
	var tz *vtimezone
	for _, sub := range c.subs {
		if sub.name != "VTIMEZONE" {
			continue
		}
		if tz != nil {
			t.Fatal("two VTIMEZONEs")
		}
		tz = &vtimezone{tzid: sub.prop(t, "TZID").value}
		for _, o := range sub.subs {
			if o.name != "STANDARD" && o.name != "DAYLIGHT" {
				t.Fatalf("%s in a VTIMEZONE", o.name)
			}
			wall, err := time.Parse("20060102T150405", o.prop(t, "DTSTART").value)
			if err != nil {
				t.Fatal(err)
			}
			from, to := parseUTCOffset(t, o.prop(t, "TZOFFSETFROM").value), parseUTCOffset(t, o.prop(t, "TZOFFSETTO").value)
			tz.obs = append(tz.obs, tzObservance{o.name, wall.Add(-time.Duration(from) * time.Second), from, to})
		}
	}
	if tz == nil || tz.tzid != tzid || len(tz.obs) == 0 {
		t.Fatalf("VTIMEZONE: %+v, want TZID %s", tz, tzid)
	}
	if c.prop(t, "X-WR-TIMEZONE").value != tzid {
		t.Errorf("X-WR-TIMEZONE is not %s", tzid)
	}
	sort.Slice(tz.obs, func(i, j int) bool { return tz.obs[i].onset.Before(tz.obs[j].onset) })
	return *tz
}

func parseUTCOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		t.Fatalf("bad UTC offset %q", s)
	}
	n := func(a, b int) int {
		v, err := strconv.Atoi(s[a:b])
		if err != nil {
			t.Fatalf("bad UTC offset %q", s)
		}
		return v
	}
	sec := n(1, 3)*3600 + n(3, 5)*60
	if len(s) == 7 {
		sec += n(5, 7)
	}
	if s[0] == '-' {
		sec = -sec
	}
	return sec
}

// offsetAt is the offset the VTIMEZONE gives an instant.
func (z vtimezone) offsetAt(at time.Time) int {
	off := z.obs[0].from
	for _, o := range z.obs {
		if !at.Before(o.onset) {
			off = o.to
		}
	}
	return off
}

// instant reads a DTSTART or DTEND: UTC, or local in this VTIMEZONE, where
// a wall time that occurs twice means the first (RFC 5545 3.3.5) and one
// that never occurs fails the test.
func (z vtimezone) instant(t *testing.T, p icsProp) time.Time {
	t.Helper()
	if strings.HasSuffix(p.value, "Z") {
		at, err := time.Parse("20060102T150405Z", p.value)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	if p.params["TZID"] != z.tzid {
		t.Fatalf("%s has TZID %q, want %q", p.name, p.params["TZID"], z.tzid)
	}
	wall, err := time.Parse("20060102T150405", p.value)
	if err != nil {
		t.Fatal(err)
	}
	var found []time.Time
	offsets := map[int]bool{z.obs[0].from: true}
	for _, o := range z.obs {
		offsets[o.to] = true
	}
	for off := range offsets {
		if at := wall.Add(-time.Duration(off) * time.Second); z.offsetAt(at) == off {
			found = append(found, at)
		}
	}
	if len(found) == 0 {
		t.Fatalf("%s %s does not exist in %s", p.name, p.value, z.tzid)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Before(found[j]) })
	return found[0]
}
