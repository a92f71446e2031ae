package web_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/testenv"
	"appointd/internal/web"
)

func cookieOf(a answer, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSignIn(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			b := s.browser()
			page := b.do("GET", "/", nil, nil)
			if page.status != 200 || !strings.Contains(page.body, `action="/signin"`) {
				t.Fatalf("GET / signed out: %d %s", page.status, page.body)
			}
			login := cookieOf(page, "appointd_login_csrf")
			if login == nil || !login.HttpOnly || login.SameSite != http.SameSiteStrictMode {
				t.Fatalf("login CSRF cookie: %+v", login)
			}
			token := find(t, hiddenCSRF, page.body)
			form := func(csrf, password string) url.Values {
				return url.Values{"csrf": {csrf}, "login": {demo.OwnerLogin}, "password": {password}}
			}
			for _, c := range []struct {
				name     string
				csrf     string // "" = the form's own token
				password string
				origin   string
				status   int
				say      string
			}{
				{"no CSRF token", "-", demo.Password, "", 403, "The form has expired"},
				{"wrong CSRF token", strings.Repeat("0", 64), demo.Password, "", 403, "The form has expired"},
				{"posted from another site", "", demo.Password, "http://evil.example", 403, "The form has expired"},
				{"wrong password", "", "nope", "", 401, "Incorrect login or password."},
			} {
				b.origin = c.origin
				csrf := c.csrf
				switch csrf {
				case "":
					csrf = token
				case "-":
					csrf = ""
				}
				a := b.postForm("/signin", form(csrf, c.password))
				if a.status != c.status || !strings.Contains(a.body, c.say) || cookieOf(a, auth.SessionCookie) != nil {
					t.Errorf("%s: %d, session cookie %v, body %s", c.name, a.status, cookieOf(a, auth.SessionCookie), a.body)
				}
				token = find(t, hiddenCSRF, a.body) // each form answer sets a new token
			}
			b.origin = s.url
			a := b.postForm("/signin", form(token, demo.Password))
			ck := cookieOf(a, auth.SessionCookie)
			if a.status != http.StatusSeeOther || a.header.Get("Location") != "/calendar" || ck == nil {
				t.Fatalf("sign in: %d %v %s", a.status, a.header, a.body)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || ck.Path != "/" || len(ck.Value) != 64 {
				t.Errorf("session cookie over plain HTTP: %+v", ck)
			}
			cal := b.do("GET", "/calendar", nil, nil)
			if cal.status != 200 || !strings.Contains(cal.body, `id="grid"`) || !strings.Contains(cal.body, "Demo Owner") {
				t.Fatalf("calendar page: %d %s", cal.status, cal.body)
			}
			if !strings.Contains(cal.body, `href="/docs"`) {
				t.Errorf("the calendar page does not link the API reference")
			}
			if csp := cal.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", csp)
			}
			// The session is a user token of the same store: it is listed
			// like one and dies with sign-out.
			csrf := find(t, metaCSRF, cal.body)
			b.origin = ""
			if a := b.postForm("/signout", url.Values{"csrf": {"bad"}}); a.status != 403 {
				t.Errorf("sign-out with a wrong token: %d", a.status)
			}
			if a := b.json("GET", "/calendar/day", "", nil); a.status != 200 {
				t.Fatalf("a refused sign-out must keep the session: %d %s", a.status, a.body)
			}
			a = b.postForm("/signout", url.Values{"csrf": {csrf}})
			if a.status != http.StatusSeeOther || a.header.Get("Location") != "/" {
				t.Fatalf("sign out: %d %s", a.status, a.body)
			}
			if c := cookieOf(a, auth.SessionCookie); c == nil || c.MaxAge >= 0 {
				t.Errorf("sign-out must clear the cookie: %+v", c)
			}
			// The revoked token no longer opens anything, even when a client
			// keeps sending it.
			stale := s.browser()
			u, _ := url.Parse(s.url)
			stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: auth.SessionCookie, Value: ck.Value}})
			if a := stale.json("GET", "/calendar/day", "", nil); a.status != 401 {
				t.Errorf("day with a revoked session: %d", a.status)
			}
			if a := stale.json("GET", fmt.Sprintf("/api/v1/records/%d", s.loc), "", nil); a.status != 401 {
				t.Errorf("API with a revoked session: %d", a.status)
			}
			if a := stale.do("GET", "/calendar", nil, nil); !strings.Contains(a.body, `action="/signin"`) {
				t.Errorf("calendar with a revoked session must show the sign-in form")
			}
		})
	}
}

// TestSecureCookieOverTLS: the session cookie is Secure when the request
// came over TLS, directly or (with TrustProxy) through a TLS proxy.
func TestSecureCookieOverTLS(t *testing.T) {
	s := newSite(t, "sqlite")
	for _, c := range []struct {
		name  string
		trust bool
		tls   bool
		proto string
	}{{"TLS", false, true, ""}, {"TLS proxy", true, false, "https"}} {
		h := web.New(web.Deps{Service: s.svc, TrustProxy: c.trust})
		get := httptest.NewRequest("GET", "/", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, get)
		csrf := find(t, hiddenCSRF, rec.Body.String())
		post := httptest.NewRequest("POST", "/signin", strings.NewReader(url.Values{"csrf": {csrf},
			"login": {demo.OwnerLogin}, "password": {demo.Password}}.Encode()))
		post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		post.AddCookie(&http.Cookie{Name: "appointd_login_csrf", Value: csrf})
		if c.tls {
			post.TLS = &tls.ConnectionState{}
		}
		if c.proto != "" {
			post.Header.Set("X-Forwarded-Proto", c.proto)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, post)
		ck := cookieOf(answer{header: rec.Header()}, auth.SessionCookie)
		if rec.Code != http.StatusSeeOther || ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
			t.Errorf("%s: %d %+v", c.name, rec.Code, ck)
		}
	}
	// Without TrustProxy the header is ignored.
	h := web.New(web.Deps{Service: s.svc})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	h.ServeHTTP(rec, req)
	if ck := cookieOf(answer{header: rec.Header()}, "appointd_login_csrf"); ck == nil || ck.Secure {
		t.Errorf("untrusted X-Forwarded-Proto made the cookie Secure: %+v", ck)
	}
}

// TestCookieOnAPI: the calendar calls the public API with its cookie; a
// state-changing call needs the CSRF token and a same-site origin, and a
// refused one changes nothing.
func TestCookieOnAPI(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			b := s.browser()
			csrf := b.signIn(demo.OwnerLogin, demo.Password)
			day := s.demoDay()
			list := fmt.Sprintf("/api/v1/records/%d?start_date=%s&end_date=%s", s.loc, day, day)
			count := func() int {
				a := b.json("GET", list, "", nil)
				if a.status != 200 {
					t.Fatalf("list with the cookie: %d %s", a.status, a.body)
				}
				return len(decode[struct{ Data []any }](t, a).Data)
			}
			before := count()
			body := map[string]any{"staff_id": 5, "services": []map[string]int{{"id": 2}},
				"client": map[string]string{"name": "Cookie Client", "phone": "+79990000001"}, "datetime": day + "T18:00:00"}
			path := fmt.Sprintf("/api/v1/records/%d", s.loc)
			for _, c := range []struct {
				name, csrf, origin string
			}{{"no token", "", ""}, {"wrong token", strings.Repeat("a", 64), ""},
				{"another session's token", auth.CSRFToken("other"), ""}, {"right token, foreign origin", csrf, "https://evil.example"}} {
				b.origin = c.origin
				a := b.json("POST", path, c.csrf, body)
				if a.status != 403 || !strings.Contains(a.body, "CSRF") || !strings.Contains(a.body, `"success":false`) {
					t.Errorf("%s: %d %s", c.name, a.status, a.body)
				}
			}
			b.origin = ""
			if n := count(); n != before {
				t.Fatalf("refused posts changed the day: %d → %d", before, n)
			}
			b.origin = s.url
			if a := b.json("POST", path, csrf, body); a.status != 201 {
				t.Fatalf("create with the token: %d %s", a.status, a.body)
			}
			if n := count(); n != before+1 {
				t.Fatalf("after create: %d, want %d", n, before+1)
			}
			// An Authorization header wins over the cookie: a bad one is a
			// 401 even with a live session.
			h := map[string]string{"Authorization": "Bearer nope"}
			if a := b.do("GET", list, nil, h); a.status != 401 {
				t.Errorf("bad Authorization with a cookie: %d", a.status)
			}
			// No cookie, no header: 401.
			if a := s.browser().json("GET", list, "", nil); a.status != 401 {
				t.Errorf("no credentials: %d", a.status)
			}
		})
	}
}

// TestDayView: what /calendar/day shows the owner and the worker.
func TestDayView(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			ctx := context.Background()
			date := s.demoDay()
			want, _, err := s.svc.ListAppointments(ctx, s.owner, s.loc, booking.AppointmentFilter{StartDate: date, EndDate: date, Page: 1, Count: 500})
			if err != nil || len(want) < 8 {
				t.Fatalf("the demo week must book the day: %d, %v", len(want), err)
			}
			type dayT struct {
				Location struct {
					ID       int64
					Timezone string
				}
				Date, Today string
				Can         map[string]bool
				Members     []struct {
					ID   int64
					Name string
					Work [][2]int
				}
				Records []struct {
					ID             int64
					StaffID        int64 `json:"staff_id"`
					Start, Length  int
					TechnicalBreak int `json:"technical_break"`
					Client         *struct{ Name, Phone string }
					Services       []struct{ Title string }
				}
			}
			owner := s.browser()
			owner.signIn(demo.OwnerLogin, demo.Password)
			a := owner.json("GET", fmt.Sprintf("/calendar/day?location_id=%d&date=%s", s.loc, date), "", nil)
			if a.status != 200 {
				t.Fatalf("day: %d %s", a.status, a.body)
			}
			d := decode[dayT](t, a)
			if d.Date != date || d.Location.ID != s.loc || d.Location.Timezone != demo.LocationZone ||
				len(d.Members) != 5 || !d.Can["create"] || !d.Can["delete"] {
				t.Fatalf("owner's day frame: %+v", d)
			}
			zone, _ := time.LoadLocation(demo.LocationZone)
			got := map[int64]int{}
			for i, r := range d.Records {
				got[r.ID] = i
			}
			if len(d.Records) != len(want) {
				t.Fatalf("day has %d records, the API lists %d", len(d.Records), len(want))
			}
			for _, w := range want {
				i, ok := got[w.ID]
				if !ok {
					t.Fatalf("record %d missing from the day", w.ID)
				}
				r := d.Records[i]
				local := w.Start.In(zone)
				if r.StaffID != w.TeamMemberID || r.Start != local.Hour()*60+local.Minute() || r.Length != int(w.SeanceLength/60) ||
					r.TechnicalBreak != int(w.TechnicalBreakDuration/60) || r.Client == nil || r.Client.Phone == "" ||
					len(r.Services) != len(w.Services) || r.Services[0].Title != w.Services[0].Title {
					t.Errorf("record %d drawn as %+v; stored %+v", w.ID, r, w.Appointment)
				}
			}

			// A second location of the owner's: in the switcher, and its own
			// (empty) day in its own zone.
			title, tz := "Second Salon", "Asia/Tokyo"
			second, err := s.svc.CreateLocation(ctx, s.owner, booking.LocationInput{Title: &title, TimezoneName: &tz})
			if err != nil {
				t.Fatal(err)
			}
			a = owner.json("GET", fmt.Sprintf("/calendar/day?location_id=%d&date=%s", second.ID, date), "", nil)
			d2 := decode[dayT](t, a)
			if a.status != 200 || d2.Location.ID != second.ID || d2.Location.Timezone != tz || len(d2.Members) != 0 ||
				len(d2.Records) != 0 || !strings.Contains(a.body, `"title":"Second Salon"`) ||
				!strings.Contains(a.body, `"title":"`+demo.LocationTitle+`"`) {
				t.Errorf("second location's day: %d %s", a.status, a.body)
			}

			// The demo worker is linked to Anna: one column, her
			// appointments only, and phones masked as the API masks them.
			phones := map[int64]string{}
			for _, w := range want {
				if w.Client != nil {
					phones[w.ID] = w.Client.Phone
				}
			}
			worker := s.browser()
			worker.signIn(demo.WorkerLogin, demo.Password)
			a = worker.json("GET", fmt.Sprintf("/calendar/day?date=%s", date), "", nil)
			wd := decode[dayT](t, a)
			if a.status != 200 || len(wd.Members) != 1 || wd.Members[0].Name != "Anna Smirnova" || len(wd.Records) == 0 || wd.Can["delete"] {
				t.Fatalf("worker's day: %d %s", a.status, a.body)
			}
			for _, r := range wd.Records {
				if r.StaffID != wd.Members[0].ID || r.Client == nil || r.Client.Phone != booking.MaskPhone(phones[r.ID]) ||
					!strings.Contains(r.Client.Phone, "****") {
					t.Errorf("worker sees %+v", r)
				}
			}
			if strings.Contains(a.body, "+7916") || strings.Contains(a.body, "Boris") {
				t.Errorf("worker's day leaks other columns or phones: %s", a.body)
			}
			// The API shows her the same appointments as the calendar.
			a = worker.json("GET", fmt.Sprintf("/api/v1/records/%d?start_date=%s&end_date=%s", s.loc, date, date), "", nil)
			var api []int64
			for _, r := range decode[struct{ Data []struct{ ID int64 } }](t, a).Data {
				api = append(api, r.ID)
			}
			var cal []int64
			for _, r := range wd.Records {
				cal = append(cal, r.ID)
			}
			slices.Sort(api)
			slices.Sort(cal)
			if a.status != 200 || !slices.Equal(api, cal) {
				t.Errorf("the worker's API list %v differs from her calendar %v", api, cal)
			}
			// last_days_count 0 (the worker role's default): no day before the real today.
			past := time.Now().In(zoneOf(t)).AddDate(0, 0, -1).Format(time.DateOnly) // the server runs on the real clock
			if a := worker.json("GET", fmt.Sprintf("/calendar/day?date=%s", past), "", nil); a.status != 403 {
				t.Errorf("worker's calendar for %s: %d, want 403", past, a.status)
			}
			// Full phones need both timetable_phones_access and
			// client_phones_access; either one alone still masks.
			users, err := s.svc.LocationUsers(ctx, s.owner, s.loc, nil)
			if err != nil {
				t.Fatal(err)
			}
			var workerID int64
			for _, u := range users {
				if u.User.Login == demo.WorkerLogin {
					workerID = u.User.ID
				}
			}
			for _, c := range []struct {
				timetable, client, full bool
			}{{true, false, false}, {false, true, false}, {true, true, true}} {
				if _, err := s.svc.SetUserPermissions(ctx, s.owner, s.loc, workerID, booking.PermissionChange{Permissions: map[string]any{
					auth.PermTimetablePhones: c.timetable, auth.PermClientPhones: c.client}}); err != nil {
					t.Fatal(err)
				}
				a = worker.json("GET", fmt.Sprintf("/calendar/day?date=%s", date), "", nil)
				for _, r := range decode[dayT](t, a).Records {
					if wantPhone := phones[r.ID]; (c.full && r.Client.Phone != wantPhone) || (!c.full && r.Client.Phone != booking.MaskPhone(wantPhone)) {
						t.Errorf("timetable_phones_access %v, client_phones_access %v: %s shown as %q", c.timetable, c.client, wantPhone, r.Client.Phone)
					}
				}
			}

			otherTitle, otherZone := "Not Yours", "Europe/Paris"
			other, err := s.svc.SeedLocation(ctx, booking.LocationInput{Title: &otherTitle, TimezoneName: &otherZone})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				b      *browser
				query  string
				status int
			}{
				{owner, "?location_id=999", 404},
				{owner, fmt.Sprintf("?location_id=%d", other.ID), 404},
				{owner, "?location_id=abc", 400},
				{owner, "?date=2026-13-45", 422},
				{s.browser(), "", 401},
			} {
				if a := c.b.json("GET", "/calendar/day"+c.query, "", nil); a.status != c.status || !strings.Contains(a.body, `"message"`) {
					t.Errorf("day%s: %d %s, want %d", c.query, a.status, a.body, c.status)
				}
			}
		})
	}
}

// TestStaticAndUnknownPaths: the assets are served; an unknown page is a
// plain 404 and /api/ paths keep the API's envelope.
func TestStaticAndUnknownPaths(t *testing.T) {
	s := newSite(t, "sqlite")
	b := s.browser()
	for path, typ := range map[string]string{"/static/app.js": "javascript", "/static/app.css": "text/css"} {
		if a := b.do("GET", path, nil, nil); a.status != 200 || !strings.Contains(a.header.Get("Content-Type"), typ) {
			t.Errorf("%s: %d %s", path, a.status, a.header.Get("Content-Type"))
		}
	}
	if a := b.do("GET", "/nope", nil, nil); a.status != 404 {
		t.Errorf("/nope: %d", a.status)
	}
	if a := b.do("GET", "/api/v1/nope", nil, nil); a.status != 404 || !strings.Contains(a.body, `"success":false`) {
		t.Errorf("/api/v1/nope: %d %s", a.status, a.body)
	}
	if a := b.do("POST", "/calendar", nil, nil); a.status != 405 {
		t.Errorf("POST /calendar: %d", a.status)
	}
}

func TestSameOrigin(t *testing.T) {
	for _, c := range []struct {
		origin, host, forwarded string
		trust, want             bool
	}{
		{"", "salon.test", "", false, true},
		{"https://salon.test", "salon.test", "", false, true},
		{"https://evil.test", "salon.test", "", false, false},
		{"https://salon.test:8443", "salon.test", "", false, false},
		{"null", "salon.test", "", false, false},
		// A proxy that rewrites Host: trusted, X-Forwarded-Host decides.
		{"https://salon.test", "127.0.0.1:8080", "salon.test", true, true},
		{"https://evil.test", "127.0.0.1:8080", "salon.test", true, false},
		{"https://salon.test", "127.0.0.1:8080", "salon.test", false, false},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Host = c.host
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-Host", c.forwarded)
		}
		if got := httpapi.SameOrigin(r, c.trust); got != c.want {
			t.Errorf("%+v: %v", c, got)
		}
	}
}

func zoneOf(t *testing.T) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(demo.LocationZone)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestSignInNUL: a NUL byte in a sign-in field is a 400 before any database
// work on both engines (PostgreSQL cannot take it in text); the form comes
// back and the right password still signs in.
func TestSignInNUL(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			b := s.browser()
			token := find(t, hiddenCSRF, b.do("GET", "/", nil, nil).body)
			for _, f := range []url.Values{
				{"login": {demo.OwnerLogin + "\x00"}, "password": {demo.Password}},
				{"login": {demo.OwnerLogin}, "password": {demo.Password + "\x00"}},
				{"login": {demo.OwnerLogin}, "password": {"x"}, "note\x00": {"x"}},
			} {
				f.Set("csrf", token)
				a := b.postForm("/signin", f)
				if a.status != http.StatusBadRequest || cookieOf(a, auth.SessionCookie) != nil || !strings.Contains(a.body, `action="/signin"`) {
					t.Errorf("%q: %d, session cookie %v, body %s", f, a.status, cookieOf(a, auth.SessionCookie), a.body)
				}
				token = find(t, hiddenCSRF, a.body)
			}
			// The same NUL in the query of the form's address is refused too.
			if a := b.postForm("/signin?x=%00", url.Values{"csrf": {token}, "login": {demo.OwnerLogin}, "password": {demo.Password}}); a.status != http.StatusBadRequest || cookieOf(a, auth.SessionCookie) != nil {
				t.Errorf("NUL in the query: %d %s", a.status, a.body)
			}
			b.signIn(demo.OwnerLogin, demo.Password)
		})
	}
}
