package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/testenv"
	"appointd/internal/web"
)

// site is appointd (API and calendar) on a fresh database with the demo
// and its week of appointments.
type site struct {
	t     testing.TB
	url   string
	svc   *booking.Service
	loc   int64
	owner booking.Caller
	today time.Time // the day the demo was seeded as today
}

func newSite(t testing.TB, engine string) *site {
	t.Helper()
	st := testenv.Fresh(t, engine)
	svc := booking.NewService(st, booking.Options{BcryptCost: bcrypt.MinCost})
	ctx := context.Background()
	today := testToday(t)
	res, err := demo.Seed(ctx, svc, today)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedWeek(ctx, svc, res, today); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Service: svc, Logger: quiet,
		Web: web.New(web.Deps{Service: svc, Logger: quiet})}))
	t.Cleanup(srv.Close)
	s := &site{t: t, url: srv.URL, svc: svc, loc: res.LocationID, today: today}
	u, _, err := svc.WebLogin(ctx, "", demo.OwnerLogin, demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	s.owner = booking.Caller{User: &u}
	return s
}

// browser is a cookie-keeping HTTP client that does not follow redirects.
type browser struct {
	s      *site
	c      *http.Client
	origin string // sent as Origin on POSTs when set
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, body io.Reader, header map[string]string) answer {
	b.s.t.Helper()
	req, err := http.NewRequest(method, b.s.url+path, body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(data)}
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
var metaCSRF = regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`)

func find(t testing.TB, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not in page:\n%s", re, body)
	}
	return m[1]
}

func (b *browser) postForm(path string, form url.Values) answer {
	return b.do("POST", path, strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// signIn signs in through the form and returns the calendar page's CSRF
// token.
func (b *browser) signIn(login, password string) string {
	b.s.t.Helper()
	page := b.do("GET", "/", nil, nil)
	a := b.postForm("/signin", url.Values{"csrf": {find(b.s.t, hiddenCSRF, page.body)}, "login": {login}, "password": {password}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/calendar" {
		b.s.t.Fatalf("sign in: %d %s", a.status, a.body)
	}
	cal := b.do("GET", "/calendar", nil, nil)
	return find(b.s.t, metaCSRF, cal.body)
}

func (b *browser) json(method, path, csrf string, body any) answer {
	b.s.t.Helper()
	h := map[string]string{"Accept": "application/json"}
	if csrf != "" {
		h[httpapi.CSRFHeader] = csrf
	}
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = strings.NewReader(string(data))
		h["Content-Type"] = "application/json"
	}
	return b.do(method, path, r, h)
}

func decode[T any](t testing.TB, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(a.body), &v); err != nil {
		t.Fatalf("decode %q: %v", a.body, err)
	}
	return v
}

// testToday is the day the web tests seed the demo as today: now, or the
// date in APPOINTD_TEST_TODAY (yyyy-mm-dd, today or later, at the current
// time of day), so that CI can run them as each day of the week.
func testToday(t testing.TB) time.Time {
	t.Helper()
	now := time.Now()
	v := os.Getenv("APPOINTD_TEST_TODAY")
	if v == "" {
		return now
	}
	zone, _ := time.LoadLocation(demo.LocationZone)
	d, err := time.ParseInLocation(time.DateOnly, v, zone)
	if err != nil {
		t.Fatalf("APPOINTD_TEST_TODAY=%q: %v", v, err)
	}
	local := now.In(zone)
	at := time.Date(d.Year(), d.Month(), d.Day(), local.Hour(), local.Minute(), local.Second(), 0, zone)
	if at.Before(now.Add(-time.Minute)) {
		t.Fatalf("APPOINTD_TEST_TODAY=%s is in the past", v)
	}
	return at
}

// demoDay is the first day after the seeded today, read from the schedule
// API, on which every demo team member works and Dmitry (member 5) works
// 16:00–20:00: the tests book and move him there. Sundays, Boris's Mondays,
// Galina's every other Wednesday and the short Saturdays are skipped
// whatever weekday today is.
func (s *site) demoDay() string {
	s.t.Helper()
	zone, _ := time.LoadLocation(demo.LocationZone)
	local := s.today.In(zone)
	first := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	days, err := s.svc.WorkingDays(context.Background(), s.owner, s.loc, nil, first, first.AddDate(0, 0, 5), false)
	if err != nil {
		s.t.Fatal(err)
	}
	working := map[string]int{}
	dmitry := map[string]bool{}
	for _, d := range days {
		date := d.Date.Format(time.DateOnly)
		if len(d.Slots) > 0 {
			working[date]++
		}
		for _, sl := range d.Slots {
			if d.TeamMemberID == 5 && sl.From <= 16*60 && sl.To >= 20*60 {
				dmitry[date] = true
			}
		}
	}
	for i := 0; i < 6; i++ {
		date := first.AddDate(0, 0, i).Format(time.DateOnly)
		if working[date] == 5 && dmitry[date] {
			return date
		}
	}
	s.t.Fatalf("no day in the demo week from %s on which the whole team works: %v", first.Format(time.DateOnly), working)
	return ""
}
