package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"golang.org/x/crypto/bcrypt"

	"appointd/api"
	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/store"
	"appointd/internal/testenv"
)

// env is one running server on a fresh database, seeded with the demo data
// plus a second location ("B") with its own owner.
type env struct {
	t       testing.TB
	engine  string
	dsn     string
	store   *store.Store
	svc     *booking.Service
	srv     *httptest.Server
	router  routers.Router
	locA    int64 // the demo location
	locB    int64 // another location
	ownerB  string
	partner string
	clock   *clock
}

// clock is a settable time source for throttle and expiry tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// eachEngine runs fn on SQLite and, when configured, PostgreSQL.
func eachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	eachEngineWith(t, booking.Options{}, fn)
}

func eachEngineWith(t *testing.T, o booking.Options, fn func(t *testing.T, e *env)) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			fn(t, newEnv(t, engine, dsn, o, true))
		})
	}
}

// newEnv starts a server on dsn; seed fills the database first.
func newEnv(t testing.TB, engine, dsn string, o booking.Options, seed bool) *env {
	t.Helper()
	st := testenv.Open(t, dsn)
	clk := &clock{now: time.Now()}
	if o.BcryptCost == 0 {
		o.BcryptCost = bcrypt.MinCost
	}
	if o.Now == nil {
		o.Now = clk.Now
	}
	if o.Hooks == nil {
		o.Hooks = httpapi.Hooks{}
	}
	svc := booking.NewService(st, o)
	e := &env{t: t, engine: engine, dsn: dsn, store: st, svc: svc, partner: demo.PartnerToken, clock: clk}
	ctx := context.Background()
	if seed {
		res, err := demo.Seed(ctx, svc, time.Now())
		if err != nil || !res.Seeded {
			t.Fatalf("seed: %v (seeded %v)", err, res.Seeded)
		}
		e.locA = res.LocationID
		if _, err := svc.CreateUser(ctx, booking.NewUser{Login: "owner-b@appointd.test", Password: demo.Password, Name: "Owner B"}); err != nil {
			t.Fatal(err)
		}
		title, tz := "Other Salon", "America/New_York"
		b, err := svc.SeedLocation(ctx, booking.LocationInput{Title: &title, TimezoneName: &tz})
		if err != nil {
			t.Fatal(err)
		}
		e.locB = b.ID
		if err := svc.Grant(ctx, "owner-b@appointd.test", b.ID, auth.RoleOwner); err != nil {
			t.Fatal(err)
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ready := httpapi.NewReadiness(svc.Ping)
	ready.Check(ctx)
	rctx, stopReady := context.WithCancel(ctx)
	readyDone := make(chan struct{})
	go func() { defer close(readyDone); ready.Run(rctx) }()
	t.Cleanup(func() { stopReady(); <-readyDone })
	e.srv = httptest.NewServer(httpapi.NewServer(httpapi.Deps{Service: svc, Logger: quiet, OpenAPI: api.OpenAPI, Readiness: ready}))
	t.Cleanup(e.srv.Close)
	e.router = openAPIRouter(t, e.srv.URL)
	if seed {
		e.ownerB = e.login("owner-b@appointd.test", demo.Password)
	}
	return e
}

func openAPIRouter(t testing.TB, base string) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base + "/api/v1"}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("openapi router: %v", err)
	}
	return r
}

// resp is an answer with its decoded envelope.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// Data is the envelope's data as an object.
func (r resp) Data() map[string]any {
	m, _ := r.JSON["data"].(map[string]any)
	return m
}

// List is the envelope's data as an array of objects.
func (r resp) List() []map[string]any {
	arr, _ := r.JSON["data"].([]any)
	out := make([]map[string]any, len(arr))
	for i, x := range arr {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func (r resp) Meta() map[string]any {
	m, _ := r.JSON["meta"].(map[string]any)
	return m
}

func (r resp) Message() string {
	s, _ := r.Meta()["message"].(string)
	return s
}

// req is a request to send; zero values mean defaults.
type req struct {
	Method  string
	Path    string // under /api/v1 unless it starts with //
	Auth    string // Authorization header value; "" = none
	Body    any    // marshalled to JSON unless []byte or string
	Headers map[string]string
	// NoValidate skips the OpenAPI check (routes that do not exist).
	NoValidate bool
}

func (e *env) partnerAuth() string { return "Bearer " + e.partner }

func (e *env) userAuth(token string) string { return "Bearer " + e.partner + ", User " + token }

// do sends r and validates the answer against api/openapi.yaml.
func (e *env) do(r req) resp {
	e.t.Helper()
	var body io.Reader
	var raw []byte
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	url := e.srv.URL + "/api/v1" + r.Path
	if strings.HasPrefix(r.Path, "//") {
		url = e.srv.URL + r.Path[1:]
	}
	hr, err := http.NewRequest(r.Method, url, body)
	if err != nil {
		e.t.Fatal(err)
	}
	hr.Header.Set("Accept", "application/vnd.api.v2+json")
	if raw != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.Auth != "" {
		hr.Header.Set("Authorization", r.Auth)
	}
	for k, v := range r.Headers {
		hr.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out := resp{Status: res.StatusCode, Header: res.Header}
	out.Body, _ = io.ReadAll(res.Body)
	if len(out.Body) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(out.Body, &out.JSON); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %v\n%s", r.Method, r.Path, err, out.Body)
		}
	}
	if !r.NoValidate && !strings.HasPrefix(r.Path, "//") && e.router != nil {
		e.validate(hr, raw, res, out)
	}
	return out
}

// validate checks the answer against the OpenAPI contract: the route must be
// documented and the status, content type and body must match.
func (e *env) validate(hr *http.Request, reqBody []byte, res *http.Response, out resp) {
	e.t.Helper()
	hr = hr.Clone(context.Background())
	hr.URL.Path = strings.TrimSuffix(hr.URL.Path, "/")
	if reqBody != nil {
		hr.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	route, params, err := e.router.FindRoute(hr)
	if err != nil {
		e.t.Errorf("%s %s: not in api/openapi.yaml: %v", hr.Method, hr.URL.Path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: hr, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  res.StatusCode,
		Header:  res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(out.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		e.t.Errorf("%s %s → %d does not match api/openapi.yaml: %v\nbody: %s", hr.Method, hr.URL.Path,
			res.StatusCode, err, truncate(out.Body))
	}
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// login returns a user token for login/password (the test fails otherwise).
func (e *env) login(login, password string) string {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(),
		Body: map[string]string{"login": login, "password": password}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("login %s: %d %s", login, r.Status, r.Body)
	}
	tok, _ := r.Data()["user_token"].(string)
	if tok == "" {
		e.t.Fatalf("login %s: no user_token in %s", login, r.Body)
	}
	return tok
}

// expect fails the test unless r has status want.
func expect(t *testing.T, r resp, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body: %s", r.Status, want, truncate(r.Body))
	}
}

// expectError checks an error envelope: status, success false, data null and
// a message containing msg.
func expectError(t *testing.T, r resp, status int, msg string) {
	t.Helper()
	expect(t, r, status)
	if r.JSON["success"] != false {
		t.Fatalf("success is %v in an error: %s", r.JSON["success"], r.Body)
	}
	if d, ok := r.JSON["data"]; !ok || d != nil {
		t.Fatalf("data is not null in an error: %s", r.Body)
	}
	if !strings.Contains(r.Message(), msg) {
		t.Fatalf("meta.message %q does not contain %q", r.Message(), msg)
	}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func bookingDefaults() booking.Options { return booking.Options{} }

// routes is the server's route table.
func (e *env) routes() []string {
	return httpapi.NewServer(httpapi.Deps{Service: e.svc}).Routes()
}

// raceAcross sends n requests at once, alternately through servers a and b
// (two stores on one database, as two processes), and counts the statuses
// that call returns.
func raceAcross(n int, a, b *env, call func(e *env) int) map[int]int {
	statuses := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		e := a
		if i%2 == 1 {
			e = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses <- call(e)
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	return got
}
