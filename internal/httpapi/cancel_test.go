package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"appointd/api"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/store"
	"appointd/internal/testenv"
)

// TestClientsDisconnectMidRequest: 48 clients send 1,200 requests (creates,
// logins, lists, free slots); a quarter run to their answer, most are
// cancelled after a random delay (before, while or after the server handles
// them), and one in ten is cut off by hand after the headers and part of the
// body. Then:
//
//   - no request that was left alone failed, and the server gave no 5xx to a
//     request whose own context was still live (a cancellation never leaks
//     into another request: a late sqlite3_interrupt, a dead pooled
//     connection);
//   - the server answers normally and promptly: a login, 40 creates one
//     after another on the one-connection write pool, a list, and 40 reads at
//     once on the read pool, each under a timeout;
//   - no connection is leaked: both pools have none in use once the requests
//     are over (sql.DB.Stats), and none is left inside a transaction
//     (SQLite: another connection gets the write lock at once and a TRUNCATE
//     checkpoint is not blocked by a reader; PostgreSQL: no session of the
//     server is idle in transaction);
//   - the database is whole: integrity_check (SQLite), every 201 is stored,
//     and nothing is half-written (appointments without their visit or service
//     lines, service lines without their appointment, live visits without a
//     live appointment, clients of cancelled creates without an appointment).
func TestClientsDisconnectMidRequest(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			app := ""
			if engine == "postgres" {
				// Names the server's sessions in pg_stat_activity.
				app = fmt.Sprintf("cancel_%d", rand.Int64())
				u, err := url.Parse(dsn)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				q.Set("application_name", app)
				u.RawQuery = q.Encode()
				dsn = u.String()
			}
			e := newEnv(t, engine, dsn, bookingDefaults(), true)
			disconnectStorm(t, e, app)
		})
	}
}

// stormReq is one request of the storm and what became of it.
type stormReq struct {
	op      string // create, login, list, slots
	mode    string // whole (left alone), cancel (context cancelled), cut (raw, closed mid-body)
	method  string
	path    string
	body    []byte
	comment string // creates: unique
	phone   string // creates: the new client's phone, unique

	status  int
	resBody []byte
	err     error
	wrote   atomic.Bool // the whole request was written (set by the transport)
}

func disconnectStorm(t *testing.T, e *env, app string) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(uint64(seed), 0))
	owner := e.login(demo.OwnerLogin, demo.Password)
	auth := e.userAuth(owner)
	members := make([][2]int64, 0, 4)
	for _, ms := range [][2]string{{"Anna Smirnova", "Women's haircut"}, {"Boris Kuznetsov", "Men's haircut"},
		{"Vera Popova", "Manicure"}, {"Dmitry Volkov", "Men's haircut"}} {
		m, s := demoIDs(t, e, owner, ms[0], ms[1])
		members = append(members, [2]int64{m, s})
	}
	// Tuesday to Friday these four all work at least 10–14 and 16–20.
	var days []string
	moscow, _ := time.LoadLocation("Europe/Moscow")
	for d := time.Now().In(moscow).AddDate(0, 0, 1); len(days) < 20; d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd >= time.Tuesday && wd <= time.Friday {
			days = append(days, d.Format("2006-01-02"))
		}
	}
	// A fresh 10-minute slot per create (4 members × 48 a day).
	slot := 0
	nextSlot := func() (int64, int64, string) {
		m := members[slot%len(members)]
		j := slot / len(members)
		slot++
		s := j % 48
		h := 10 + s/6
		if s >= 24 {
			h = 16 + (s-24)/6
		}
		return m[0], m[1], fmt.Sprintf("%sT%02d:%02d:00", days[j/48], h, (s%6)*10)
	}

	// The server under test logs into logs, so the test can show that
	// cancellations reached the store in the middle of handlers.
	// It also notes every 5xx given to a request whose own context was
	// not cancelled when its handler returned: such a failure was caused by
	// the other requests' cancellations (cancellation is sticky, so a
	// failure caused by the request's own shows ctx.Err() != nil).
	logs := &lockedBuffer{}
	inner := httpapi.NewServer(httpapi.Deps{Service: e.svc, OpenAPI: api.OpenAPI,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	var innocentMu sync.Mutex
	var innocent []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		inner.ServeHTTP(sw, r)
		if sw.status >= 500 && r.Context().Err() == nil {
			innocentMu.Lock()
			innocent = append(innocent, fmt.Sprintf("%s %s → %d", r.Method, r.URL.Path, sw.status))
			innocentMu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)

	const clients = 48
	total := 1200
	if e.engine == "postgres" {
		total = 600 // a cancelled query costs pgx its connection: this engine is slower here
	}
	reqs := make([]*stormReq, total)
	for i := range reqs {
		r := &stormReq{}
		switch k := rnd.IntN(10); {
		case k < 4:
			member, service, at := nextSlot()
			r.op, r.method, r.path = "create", "POST", fmt.Sprintf("/api/v1/records/%d", e.locA)
			r.comment, r.phone = fmt.Sprintf("storm-%d", i), fmt.Sprintf("+7995%07d", i)
			r.body, _ = json.Marshal(map[string]any{"staff_id": member, "services": []map[string]any{{"id": service}},
				"seance_length": 600, "technical_break_duration": 0, "datetime": at, "comment": r.comment,
				"client": map[string]any{"name": fmt.Sprintf("Storm %d", i), "phone": r.phone}})
		case k < 5:
			r.op, r.method, r.path = "login", "POST", "/api/v1/auth"
			r.body, _ = json.Marshal(map[string]string{"login": demo.OwnerLogin, "password": demo.Password})
		case k < 8:
			day := days[rnd.IntN(3)] // the days the creates fill first
			r.op, r.method, r.path = "list", "GET", fmt.Sprintf("/api/v1/records/%d?start_date=%s&end_date=%s&count=100", e.locA, day, day)
		default:
			m := members[rnd.IntN(len(members))]
			r.op, r.method, r.path = "slots", "GET", fmt.Sprintf("/api/v1/timetable/seances/%d/%d/%s?service_ids[]=%d", e.locA, m[0], days[rnd.IntN(3)], m[1])
		}
		switch k := rnd.IntN(20); {
		case k < 5:
			r.mode = "whole"
		case k < 7 && r.body != nil:
			r.mode = "cut"
		default:
			r.mode = "cancel"
		}
		reqs[i] = r
	}

	// Cancel delays: uniform up to twice the median latency of a whole
	// request at this concurrency, measured as the storm goes.
	var latMu sync.Mutex
	lats := []time.Duration{20 * time.Millisecond}
	median := func() time.Duration {
		latMu.Lock()
		defer latMu.Unlock()
		s := append([]time.Duration(nil), lats...)
		for i := 1; i < len(s); i++ {
			for j := i; j > 0 && s[j] < s[j-1]; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
		return s[len(s)/2]
	}
	// A request left alone gets 8 s; the whole storm 20 s (four times that
	// under -race, which slows the server tenfold). A connection left stuck
	// in a transaction makes them run out instead of hanging. (Writes wait
	// for the one SQLite write connection in random order, as database/sql
	// hands a released connection to a random waiter, so the slowest of
	// them waits far longer than the median.)
	slack := time.Duration(1)
	if raceBuild() {
		slack = 4
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: slack * 8 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	addr := strings.TrimPrefix(srv.URL, "http://")
	var next atomic.Int64
	var wg sync.WaitGroup
	started := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(seed, 1))
			for {
				i := next.Add(1) - 1
				if i >= int64(total) {
					return
				}
				r := reqs[i]
				switch r.mode {
				case "cut":
					r.cut(addr, auth, rnd)
				case "whole":
					began := time.Now()
					r.send(client, srv.URL, auth, 0)
					if r.err == nil {
						latMu.Lock()
						if len(lats) < 200 {
							lats = append(lats, time.Since(began))
						}
						latMu.Unlock()
					}
				default:
					r.send(client, srv.URL, auth, time.Duration(rnd.Int64N(int64(2*median())+1)))
				}
			}
		}(rnd.Uint64())
	}
	stormDone := make(chan struct{})
	go func() { wg.Wait(); close(stormDone) }()
	select {
	case <-stormDone:
	case <-time.After(slack * 20 * time.Second):
		next.Store(int64(total)) // the clients stop after their current request
		t.Fatalf("the storm did not finish in %v: a connection is stuck", slack*20*time.Second)
	}
	t.Logf("storm: %d requests in %v, median whole latency %v", total, time.Since(started).Round(time.Millisecond), median())

	// What the clients saw.
	count := map[string]int{}
	var aloneFailed []string
	for _, r := range reqs {
		switch {
		case r.mode == "whole":
			count["whole"]++
			want := map[string]int{"create": 201, "login": 201, "list": 200, "slots": 200}[r.op]
			if r.err != nil || r.status != want {
				aloneFailed = append(aloneFailed, fmt.Sprintf("%s: %d %v %s (want %d)", r.op, r.status, r.err, truncate(r.resBody), want))
			}
		case r.mode == "cut":
			count["cut after part of the body"]++
		case r.err == nil:
			count["cancelled too late: answered"]++
		case !r.wrote.Load():
			count["cancelled before the request was written"]++
		default:
			count["cancelled while the server had it"]++
		}
	}
	if len(aloneFailed) > 0 {
		t.Errorf("%d of %d requests left alone failed:\n%s", len(aloneFailed), count["whole"], strings.Join(aloneFailed[:min(10, len(aloneFailed))], "\n"))
	}
	innocentMu.Lock()
	if len(innocent) > 0 {
		others := otherHandlerErrors(logs.String())
		hint := ""
		if e.engine == "postgres" && strings.Contains(others, "bad connection") {
			hint = "\n(pgx's stdlib.Conn is not a driver.Validator, so database/sql puts a connection pgx closed on a " +
				"cancelled context back into the pool; a caller that draws three such in a row gets driver.ErrBadConn)"
		}
		t.Errorf("%d requests not cancelled (by the server's account) failed while others were: %v\n%s%s",
			len(innocent), innocent[:min(10, len(innocent))], others, hint)
	}
	innocentMu.Unlock()
	// The handler errors of clients that went away (logged at INFO as
	// "client closed request", status 499): the cancellation as the store
	// saw it ("context canceled", a cancelled dial, SQLite's "interrupted",
	// database/sql's ErrTxDone when its rollback on the cancelled context
	// beat the commit) or something else, which is only reported: pgx also
	// turns a statement on an already cancelled context into
	// driver.ErrBadConn.
	handlerCancelled := 0
	var otherErrors []string
	for _, line := range strings.Split(logs.String(), "\n") {
		switch {
		case !strings.Contains(line, `level=INFO msg="client closed request"`):
		case strings.Contains(line, "canceled") || strings.Contains(line, "interrupted") ||
			strings.Contains(line, sql.ErrTxDone.Error()):
			handlerCancelled++
		default:
			otherErrors = append(otherErrors, line)
		}
	}
	t.Logf("outcomes %v; %d handlers failed on their cancelled context", count, handlerCancelled)
	if count["cancelled while the server had it"] < total/6 {
		t.Errorf("only %d requests were cancelled while the server had them", count["cancelled while the server had it"])
	}
	if handlerCancelled < 10 {
		t.Errorf("only %d handlers saw their context cancelled in the store; the storm missed the handlers", handlerCancelled)
	}
	if len(otherErrors) > 0 {
		t.Logf("handler errors that do not name the cancellation: %d\n%s", len(otherErrors), strings.Join(otherErrors[:min(10, len(otherErrors))], "\n"))
	}

	// The server still answers normally and promptly: every request below
	// has 3 s (the client's timeout), the reads at once 5 s.
	quick := &http.Client{Timeout: slack * 3 * time.Second}
	t.Cleanup(quick.CloseIdleConnections)
	login := &stormReq{op: "login", method: "POST", path: "/api/v1/auth"}
	login.body, _ = json.Marshal(map[string]string{"login": demo.OwnerLogin, "password": demo.Password})
	login.send(quick, srv.URL, "", 0)
	var tok struct {
		Data struct {
			UserToken string `json:"user_token"`
		} `json:"data"`
	}
	if err := json.Unmarshal(login.resBody, &tok); login.err != nil || login.status != 201 || err != nil || tok.Data.UserToken == "" {
		t.Fatalf("login after the storm: %d %v %s", login.status, login.err, login.resBody)
	}
	auth = e.userAuth(tok.Data.UserToken)
	var day string
	for i := 0; i < 40; i++ {
		member, service, at := nextSlot()
		r := &stormReq{op: "create", method: "POST", path: fmt.Sprintf("/api/v1/records/%d", e.locA)}
		r.body, _ = json.Marshal(map[string]any{"staff_id": member, "services": []map[string]any{{"id": service}},
			"seance_length": 600, "technical_break_duration": 0, "datetime": at, "comment": fmt.Sprintf("after-%d", i),
			"client": map[string]any{"phone": fmt.Sprintf("+7994%07d", i)}})
		r.send(quick, srv.URL, auth, 0)
		if r.err != nil || r.status != 201 {
			t.Fatalf("create %d of 40 after the storm, one after another: %d %v %s", i+1, r.status, r.err, r.resBody)
		}
		day = at[:10]
	}
	list := &stormReq{method: "GET", path: fmt.Sprintf("/api/v1/records/%d?start_date=%s&end_date=%s&count=200", e.locA, day, day)}
	list.send(quick, srv.URL, auth, 0)
	if list.err != nil || list.status != 200 || !bytes.Contains(list.resBody, []byte(`"after-39"`)) {
		t.Fatalf("list after the storm: %d %v, the last create listed: %v", list.status, list.err, bytes.Contains(list.resBody, []byte(`"after-39"`)))
	}
	reads := make([]*stormReq, 40)
	for i := range reads {
		m := members[i%len(members)]
		reads[i] = &stormReq{method: "GET", path: fmt.Sprintf("/api/v1/timetable/seances/%d/%d/%s?service_ids[]=%d", e.locA, m[0], days[i%3], m[1])}
		if i%2 == 0 {
			reads[i].path = fmt.Sprintf("/api/v1/records/%d?start_date=%s&end_date=%s", e.locA, days[i%3], days[i%3])
		}
	}
	parallel := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(reads)}, Timeout: slack * 5 * time.Second}
	t.Cleanup(parallel.CloseIdleConnections)
	var rwg sync.WaitGroup
	for _, r := range reads {
		rwg.Add(1)
		go func() { defer rwg.Done(); r.send(parallel, srv.URL, auth, 0) }()
	}
	rwg.Wait()
	for _, r := range reads {
		if r.err != nil || r.status != 200 {
			t.Errorf("%s at once with 39 other reads after the storm: %d %v %s", r.path, r.status, r.err, truncate(r.resBody))
		}
	}

	poolsIdle(t, e.store)
	db := rawDB(t, e)
	if e.engine == "sqlite" {
		sqliteQuiet(t, strings.TrimPrefix(e.dsn, "sqlite:"))
		var ok string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("integrity_check: %q %v", ok, err)
		}
	} else {
		postgresQuiet(t, db, app)
	}

	// Every 201 is stored; nothing is half-written.
	stored := map[string]bool{}
	rows, err := db.Query(`SELECT comment FROM appointments WHERE deleted_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		stored[c] = true
	}
	rows.Close()
	committed := 0
	for _, r := range reqs {
		if r.op != "create" {
			continue
		}
		if r.err == nil && r.status == 201 && !stored[r.comment] {
			t.Errorf("%s answered 201 but is not stored", r.comment)
		}
		if r.mode != "whole" && stored[r.comment] {
			committed++
		}
	}
	t.Logf("%d cancelled or cut creates were committed whole before the cancellation reached them", committed)
	testenv.CheckConsistent(t, db)
	// A create makes its client in the same transaction: a client of a
	// storm create without the appointment is half-written too.
	var orphans int
	if err := db.QueryRow(`SELECT COUNT(*) FROM clients c WHERE c.phone_digits LIKE '7995%'
		AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = c.id)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("clients of storm creates without an appointment: %d (%v)", orphans, err)
	}
}

// send sends r; after (> 0) cancels its context that long after the start.
func (r *stormReq) send(client *http.Client, base, auth string, after time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { r.wrote.Store(true) }})
	if after > 0 {
		timer := time.AfterFunc(after, cancel)
		defer timer.Stop()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	hr, _ := http.NewRequestWithContext(ctx, r.method, base+r.path, body)
	hr.Header.Set("Authorization", auth)
	if r.op == "login" {
		hr.Header.Set("Authorization", "Bearer "+demo.PartnerToken)
	}
	hr.Header.Set("Accept", "application/vnd.api.v2+json")
	hr.Header.Set("Content-Type", "application/json")
	res, err := client.Do(hr)
	if err == nil {
		r.status = res.StatusCode
		r.resBody, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	r.err = err
	if err == nil && r.status == 0 {
		r.err = errors.New("no status")
	}
}

// cut writes r's headers and part of its body on a new connection, then
// closes it: the server's handler is reading the body when it goes.
func (r *stormReq) cut(addr, auth string, rnd *rand.Rand) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		r.err = err
		return
	}
	defer conn.Close()
	a := auth
	if r.op == "login" {
		a = "Bearer " + demo.PartnerToken
	}
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: appointd\r\nAuthorization: %s\r\nAccept: application/json\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", r.method, r.path, a, len(r.body))
	part := append([]byte(head), r.body[:rnd.IntN(len(r.body))]...)
	_, _ = conn.Write(part)
	time.Sleep(time.Duration(rnd.IntN(3000)) * time.Microsecond)
	r.err = errors.New("cut")
}

// sqliteQuiet: no connection of the server holds a transaction. Another
// connection takes the write lock (BEGIN IMMEDIATE) within 3 s, and a
// TRUNCATE checkpoint completes, which it cannot while a reader holds a
// snapshot.
func sqliteQuiet(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(3000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("another connection cannot take the write lock: %v (a write transaction was left open)", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	var busy, logPages, done int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done); err != nil || busy != 0 {
		t.Fatalf("wal_checkpoint(TRUNCATE): busy %d (%v): a read transaction was left open", busy, err)
	}
}

// postgresQuiet: no session of the server (application_name app) is inside
// a transaction or running a statement once the requests are over, and the
// pool holds at most its 20 connections.
func postgresQuiet(t *testing.T, db *sql.DB, app string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var sessions, busy int
		var states string
		err := db.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE state <> 'idle'), COALESCE(string_agg(state, ','), '')
			FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`, app).Scan(&sessions, &busy, &states)
		if err != nil {
			t.Fatal(err)
		}
		// A connection database/sql dropped after a cancellation is listed
		// until its backend has exited.
		if busy == 0 && sessions <= 20 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after the requests: %d server sessions (the pool allows 20), states %s", sessions, states)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// otherHandlerErrors are the logged handler errors that do not name a
// cancellation.
func otherHandlerErrors(logs string) string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `msg="handler failed"`) && !strings.Contains(line, "canceled") && !strings.Contains(line, "interrupted") {
			out = append(out, line)
		}
	}
	return strings.Join(out[:min(10, len(out))], "\n")
}

// raceBuild reports whether the test binary was built with -race.
func raceBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// poolsIdle: once the requests are over, no connection of the store's pools
// is in use (one held by a transaction never ended shows here even when it
// holds no lock), and none is open beyond the pool's limit.
func poolsIdle(t *testing.T, st *store.Store) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		busy := ""
		write, read := st.PoolStats()
		for name, s := range map[string]sql.DBStats{"write": write, "read": read} {
			if s.InUse > 0 || (s.MaxOpenConnections > 0 && s.OpenConnections > s.MaxOpenConnections) {
				busy += fmt.Sprintf(" %s pool: %d in use, %d open of %d;", name, s.InUse, s.OpenConnections, s.MaxOpenConnections)
			}
		}
		if busy == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("3 s after the requests:%s a connection was leaked", busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
