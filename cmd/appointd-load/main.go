// Command appointd-load drives a running appointd (or the floor server it
// also provides) with N concurrent clients for a bounded number of
// requests and time, and prints throughput and latency percentiles. It
// only talks to the address it is given; use loopback.
//
//	appointd-load run --scenario auth|create|mixed|get|list|slots|floor-json|floor-insert --url http://127.0.0.1:8080 --clients 8 --requests 2000
//	appointd-load run --scenario mixed --members 4 --journal /tmp/journal.jsonl   (creates, edits, deletes; every answer journaled)
//	appointd-load run --peer --prefix "" --url http://127.0.0.1:4010 --scenario get   (a stateless mock such as Prism)
//	appointd-load floor --addr 127.0.0.1:18099 --db /tmp/floor.db
//	appointd-load seed --db sqlite:appointd.db --appointments 1000000
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"appointd/internal/httpapi"
	"appointd/internal/store"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: appointd-load run|floor|seed [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "floor":
		err = floor(os.Args[2:])
	case "seed":
		err = seed(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "appointd-load:", err)
		os.Exit(1)
	}
}

type client struct {
	base, auth string
	accept     string // default application/vnd.api.v2+json
	http       *http.Client
}

func (c *client) do(method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", c.auth)
	accept := c.accept
	if accept == "" {
		accept = "application/vnd.api.v2+json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var env map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &env)
	return res.StatusCode, env, nil
}

func data(env map[string]any) map[string]any {
	d, _ := env["data"].(map[string]any)
	return d
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "appointd base URL (loopback); mixed: several, comma-separated, taken in turn")
	floorURL := fs.String("floor", "http://127.0.0.1:18099", "floor server base URL")
	scenario := fs.String("scenario", "get", "auth, create, mixed, get, list, slots, floor-json or floor-insert")
	journalPath := fs.String("journal", "", "mixed: append each answer (and each edit or delete about to be sent) to this file as JSON lines")
	prefix := fs.String("prefix", "/api/v1", "path prefix of the API")
	peer := fs.Bool("peer", false, "the server is a stateless mock: no set-up, ids 1, any 2xx counts")
	members := fs.Int("members", 1, "create: spread the creates over this many new team members (1 = all contend for one)")
	clients := fs.Int("clients", 8, "concurrent clients")
	requests := fs.Int("requests", 2000, "requests in all")
	maxTime := fs.Duration("max-time", time.Minute, "stop after this long")
	partner := fs.String("partner", "demo-partner-token", "partner token")
	login := fs.String("login", "demo@appointd.test", "user login")
	password := fs.String("password", "demo-password", "user password")
	loc := fs.Int64("location", 1, "location id")
	day := fs.String("day", "", "day for list and slots (default: the first day from tomorrow on which the team member used works, as the server's timetable dates say; without them, tomorrow or Monday if tomorrow is a Sunday)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	urls := strings.Split(*url, ",")
	for _, u := range urls {
		if !strings.HasPrefix(u, "http://127.") && !strings.HasPrefix(u, "http://localhost") {
			return errors.New("--url must be a loopback address")
		}
	}
	if len(urls) > 1 && *scenario != "mixed" {
		return errors.New("several --url: mixed only")
	}
	transport := &http.Transport{MaxIdleConns: *clients * 2, MaxIdleConnsPerHost: *clients * 2}
	c := &client{base: urls[0] + *prefix, auth: "Bearer " + *partner, http: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
	var op func(i int) (int, error)
	want := 200
	if *day == "" {
		*day = fallbackDay(time.Now())
	}
	if *peer {
		return drivePeer(c, *scenario, *loc, *day, *login, *password, *clients, *requests, *maxTime)
	}
	switch *scenario {
	case "auth":
		want = 201
		body := map[string]string{"login": *login, "password": *password}
		op = func(int) (int, error) { s, _, err := c.do("POST", "/auth", body); return s, err }
	case "floor-json", "floor-insert":
		f := &client{base: *floorURL, http: c.http}
		method, path := "GET", "/bare/json"
		if *scenario == "floor-insert" {
			method, path, want = "POST", "/bare/insert", 201
		}
		op = func(int) (int, error) { s, _, err := f.do(method, path, nil); return s, err }
	default:
		code, env, err := c.do("POST", "/auth", map[string]string{"login": *login, "password": *password})
		if err != nil || code != 201 {
			return fmt.Errorf("login: %d %v", code, err)
		}
		c.auth += ", User " + data(env)["user_token"].(string)
		member, service, err := setupMember(c, *loc)
		if err != nil {
			return err
		}
		if !dayGiven(fs) {
			*day = workingDay(c, *loc, member, *day)
			fmt.Fprintf(os.Stderr, "day %s\n", *day)
		}
		switch *scenario {
		case "create":
			want = 201
			ids, err := addMembers(c, *loc, member, *members)
			if err != nil {
				return err
			}
			start := time.Now().AddDate(0, 0, 1).UTC().Truncate(24 * time.Hour)
			op = func(i int) (int, error) {
				// Request i goes to member i mod n, in that member's next
				// free 10 minutes.
				at := start.Add(time.Duration(i/len(ids)) * 10 * time.Minute)
				s, _, err := c.do("POST", fmt.Sprintf("/records/%d", *loc), map[string]any{"staff_id": ids[i%len(ids)],
					"services": []map[string]any{{"id": service}}, "seance_length": 600, "technical_break_duration": 0,
					"client": map[string]any{"phone": fmt.Sprintf("+7900%07d", i%5000)}, "datetime": at.Format(time.RFC3339)})
				return s, err
			}
		case "get":
			code, env, err := c.do("POST", fmt.Sprintf("/records/%d", *loc), map[string]any{"staff_id": member,
				"services": []map[string]any{{"id": service}}, "seance_length": 600, "save_if_busy": true,
				"client": map[string]any{"phone": "+79000000001"}, "datetime": *day + "T12:00:00"})
			if err != nil || code != 201 {
				return fmt.Errorf("create the appointment to read: %d %v %v", code, err, env)
			}
			path := fmt.Sprintf("/record/%d/%d", *loc, num(data(env)["id"]))
			op = func(int) (int, error) { s, _, err := c.do("GET", path, nil); return s, err }
		case "mixed":
			ids, err := addMembers(c, *loc, member, *members)
			if err != nil {
				return err
			}
			var j *journal
			if *journalPath != "" {
				f, err := os.OpenFile(*journalPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
				if err != nil {
					return err
				}
				defer f.Close()
				j = &journal{f: f}
			}
			services, err := linkServices(c, *loc, service, ids)
			if err != nil {
				return err
			}
			cs := []*client{c}
			for _, u := range urls[1:] {
				cs = append(cs, &client{base: u + *prefix, auth: c.auth, http: c.http})
			}
			op = mixedOp(cs, *loc, ids, services, j)
		case "list":
			path := fmt.Sprintf("/records/%d?start_date=%s&end_date=%s&count=50", *loc, *day, *day)
			op = func(int) (int, error) { s, _, err := c.do("GET", path, nil); return s, err }
		case "slots":
			path := fmt.Sprintf("/timetable/seances/%d/%d/%s?service_ids[]=%d", *loc, member, *day, service)
			op = func(int) (int, error) { s, _, err := c.do("GET", path, nil); return s, err }
		default:
			return fmt.Errorf("unknown scenario %q", *scenario)
		}
	}
	return drive(*scenario, op, want, *clients, *requests, *maxTime)
}

// setupMember makes (or finds) a team member working 00:00–24:00 for a year
// and links it to the location's first service for 10 minutes.
func setupMember(c *client, loc int64) (int64, int64, error) {
	code, env, err := c.do("POST", fmt.Sprintf("/staff/%d", loc), map[string]any{"name": "Load Tester", "has_access_timetable": true})
	if err != nil || code != 201 {
		return 0, 0, fmt.Errorf("create member: %d %v", code, err)
	}
	member := num(data(env)["id"])
	_, env, err = c.do("GET", fmt.Sprintf("/services/%d", loc), nil)
	list, _ := env["data"].([]any)
	if err != nil || len(list) == 0 {
		return 0, 0, fmt.Errorf("no services in location %d", loc)
	}
	service := num(list[0].(map[string]any)["id"])
	if code, _, err = c.do("POST", fmt.Sprintf("/company/%d/services/%d/staff", loc, service),
		map[string]any{"master_id": member, "seance_length": 600, "technological_card_id": nil}); err != nil || code != 201 {
		return 0, 0, fmt.Errorf("link: %d %v", code, err)
	}
	from := time.Now().UTC()
	to := from.AddDate(0, 0, 365)
	if code, _, err = c.do("PUT", fmt.Sprintf("/schedule/%d/%d/%s/%s", loc, member, from.Format("2006-01-02"), to.Format("2006-01-02")),
		map[string]any{"is_working": true, "slots": []map[string]string{{"from": "00:00", "to": "24:00"}}}); err != nil || code != 201 {
		return 0, 0, fmt.Errorf("schedule: %d %v", code, err)
	}
	return member, service, nil
}

// addMembers sets up members until there are n, first included.
func addMembers(c *client, loc, first int64, n int) ([]int64, error) {
	ids := []int64{first}
	for len(ids) < n {
		m, _, err := setupMember(c, loc)
		if err != nil {
			return nil, err
		}
		ids = append(ids, m)
	}
	return ids, nil
}

// drive runs op with clients goroutines until requests are done or maxTime
// passes, then prints one result line.
func drive(name string, op func(i int) (int, error), want, clients, requests int, maxTime time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), maxTime)
	defer cancel()
	var next, failed atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	began := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= requests {
					return
				}
				t0 := time.Now()
				code, err := op(i)
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil || code != want {
					failed.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(began)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return errors.New("no request completed")
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("%-12s clients=%d requests=%d errors=%d  %.0f req/s  p50 %.2f ms  p99 %.2f ms\n", name, clients, len(all),
		failed.Load(), float64(len(all))/elapsed.Seconds(), ms(all[len(all)/2]), ms(all[len(all)*99/100]))
	return nil
}

// floor serves the floors the benchmarks compare against: a static JSON
// answer the size of an appointment, and a one-row SQLite insert in a
// write transaction (same SQLite settings as appointd).
func floor(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18099", "listen address (loopback)")
	path := fs.String("db", "floor.db", "SQLite file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+*path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at INTEGER, note TEXT)"); err != nil {
		return err
	}
	record := bytes.Repeat([]byte("x"), 1800) // about the size of one appointment answer
	body, _ := json.Marshal(map[string]any{"success": true, "data": map[string]any{"id": 1, "pad": string(record)}, "meta": []any{}})
	// The floors answer through appointd's own request stack (the log line
	// to stderr, metrics), like every appointd route.
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	metrics := httpapi.NewMetrics()
	mux := http.NewServeMux()
	mux.Handle("GET /bare/json", httpapi.Floor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), logger, metrics, "GET /bare/json"))
	mux.Handle("POST /bare/insert", httpapi.Floor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tx, err := db.BeginTx(r.Context(), nil)
		if err == nil {
			_, err = tx.Exec("INSERT INTO rows (at, note) VALUES (?, ?)", time.Now().Unix(), "floor")
			if err == nil {
				err = tx.Commit()
			} else {
				tx.Rollback()
			}
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		_, _ = w.Write([]byte(`{"success":true,"data":{"id":1},"meta":[]}`))
	}), logger, metrics, "POST /bare/insert"))
	fmt.Println("floor listening on", *addr)
	return http.ListenAndServe(*addr, mux)
}

// seed adds appointments to a demo database (location 1, its team members
// and first service), with a progress line.
func seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dsn := fs.String("db", "sqlite:appointd.db", "database (demo-seeded)")
	n := fs.Int("appointments", 1000000, "how many")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	began := time.Now()
	members := []int64{1, 2, 3, 4, 5}
	from := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -365)
	err = st.BulkAppointments(ctx, 1, members, 1, 1, from, *n, func(done int) {
		fmt.Fprintf(os.Stderr, "\rseeded %d/%d appointments (%.0f/s)", done, *n, float64(done)/time.Since(began).Seconds())
	})
	fmt.Fprintln(os.Stderr)
	return err
}

func dayGiven(fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "day" })
	return given
}

// fallbackDay is tomorrow, or the Monday after if tomorrow is a Sunday: the
// demo location does not work on Sundays.
func fallbackDay(now time.Time) string {
	d := now.AddDate(0, 0, 1)
	if d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format("2006-01-02")
}

// workingDay asks the server for the member's bookable dates from
// tomorrow on and takes the first; on any failure it keeps fallback.
func workingDay(c *client, loc, member int64, fallback string) string {
	from := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	code, env, err := c.do("GET", fmt.Sprintf("/timetable/dates/%d/%s?staff_id=%d", loc, from, member), nil)
	if err != nil || code != 200 {
		return fallback
	}
	dates, _ := env["data"].([]any)
	for _, d := range dates {
		if s, ok := d.(string); ok && s >= from {
			return s
		}
	}
	return fallback
}
