package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/testenv"
)

// TestAdminCommands drives the admin command line against a real database
// on each engine, then checks the server accepts what it created.
func TestAdminCommands(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := testenv.DSN(t, engine)
			sh := func(stdin string, args ...string) string {
				t.Helper()
				var out bytes.Buffer
				if err := run(append(args, "--db", db), strings.NewReader(stdin), &out); err != nil {
					t.Fatalf("appointd %s: %v", strings.Join(args, " "), err)
				}
				return out.String()
			}
			if out := sh("", "migrate"); !strings.Contains(out, "schema version") {
				t.Fatalf("migrate: %s", out)
			}
			out := sh("", "partner", "create", "Acme Integrations")
			token := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
			if len(token) != 64 {
				t.Fatalf("partner token line %q", out)
			}
			sh("", "user", "create", "--login", "Ann@Example.test", "--password", "first-password", "--name", "Ann")
			var buf bytes.Buffer
			if err := run([]string{"user", "create", "--login", "ann@example.test", "--password", "other-password", "--name", "Dup", "--db", db}, nil, &buf); err == nil {
				t.Fatal("a duplicate login was created")
			}
			if err := run([]string{"user", "grant", "ann@example.test", "1", "owner", "--db", db}, nil, &buf); err == nil {
				t.Fatal("grant on a missing location succeeded")
			}
			sh("new-password-9\n", "user", "passwd", "ann@example.test")
			if err := run([]string{"user", "passwd", "ann@example.test", "--password", "short", "--db", db}, nil, &buf); err == nil {
				t.Fatal("a short password was accepted")
			}
		})
	}
}

var listening = regexp.MustCompile(`msg="appointd listening" addr=(\S+)`)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds appointd once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "appointd-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "appointd")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// testServerConns keeps a test server's PostgreSQL pool small: CI runs the
// suite with only 20 connections free (.ci/pg-pressure). A --db-max-conns
// among the arguments wins.
const testServerConns = "APPOINTD_DB_MAX_CONNS=4"

// start runs `appointd serve ARGS --addr 127.0.0.1:0` and returns its base
// URL once it listens; the process is killed at cleanup.
func start(t *testing.T, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "APPOINTD_DB=", "APPOINTD_ADDR=", testServerConns)
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a, cmd
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

// TestServeStartsAndStopsGracefully runs the real binary: it starts with
// demo data, answers, and exits 0 on SIGTERM.
func TestServeStartsAndStopsGracefully(t *testing.T) {
	base, cmd := start(t, "--demo", "--demo-week=false", "--db", "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	req, _ := http.NewRequest("POST", base+"/api/v1/auth", strings.NewReader(`{"login":"demo@appointd.test","password":"demo-password"}`))
	req.Header.Set("Authorization", "Bearer demo-partner-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("demo login: %d", res.StatusCode)
	}
	// The store reports its transactions into the server's metrics.
	res, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(metrics), `appointd_store_tx_duration_seconds_count{kind="write"}`) {
		t.Fatal("metrics lack store transaction latency")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
}

// call sends a JSON request to a running server and decodes the envelope.
func call(t *testing.T, method, url, auth string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	var env map[string]any
	_ = json.NewDecoder(res.Body).Decode(&env)
	return res.StatusCode, env
}

// TestNoDoubleBookingAcrossProcesses: two appointd processes on one
// PostgreSQL database; 64 overlapping creates for one team member spread
// over both: exactly one wins and no overlapping pair is stored.
func TestNoDoubleBookingAcrossProcesses(t *testing.T) {
	if testenv.PostgresDSN() == "" {
		t.Skipf("PostgreSQL tests skipped: %s is not set", testenv.PostgresEnv)
	}
	dsn := testenv.DSN(t, "postgres")
	a, _ := start(t, "--demo", "--demo-week=false", "--db", dsn)
	b, _ := start(t, "--db", dsn)
	partner := "Bearer demo-partner-token"
	_, login := call(t, "POST", a+"/api/v1/auth", partner, map[string]string{"login": "demo@appointd.test", "password": "demo-password"})
	token := login["data"].(map[string]any)["user_token"].(string)
	auth := partner + ", User " + token

	// Anna (member 1) works 10–14 and 16–20 every day but Sunday; service 1
	// takes her 60 minutes plus a 10-minute break. One round does not always
	// interleave the transactions, so the race runs in six windows.
	moscow, _ := time.LoadLocation("Europe/Moscow")
	day := time.Now().In(moscow)
	for round := 0; round < 6; round++ {
		if round%2 == 0 {
			for day = day.AddDate(0, 0, 1); day.Weekday() == time.Sunday; day = day.AddDate(0, 0, 1) {
			}
		}
		hour := []int{10, 16}[round%2]
		const n = 64
		var wg sync.WaitGroup
		codes := make(chan int, n)
		gate := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-gate
				base := []string{a, b}[i%2]
				code, _ := call(t, "POST", base+"/api/v1/records/1", auth, map[string]any{
					"staff_id": 1, "services": []map[string]any{{"id": 1}},
					"client":   map[string]any{"name": fmt.Sprintf("Racer %d", i), "phone": fmt.Sprintf("+7999%02d%05d", round, i)},
					"datetime": fmt.Sprintf("%sT%02d:%02d:00", day.Format("2006-01-02"), hour+i/60, i%60)})
				codes <- code
			}(i)
		}
		close(gate)
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if got[201] != 1 || got[422] != n-1 {
			t.Fatalf("round %d: statuses %v, want one 201 and %d 422", round, got, n-1)
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pairs int
	if err := db.QueryRow(`SELECT COUNT(*) FROM appointments x JOIN appointments y
		ON x.team_member_id = y.team_member_id AND x.id < y.id AND x.start_at < y.end_at AND y.start_at < x.end_at
		WHERE x.deleted_at IS NULL AND y.deleted_at IS NULL`).Scan(&pairs); err != nil || pairs != 0 {
		t.Fatalf("overlapping pairs: %d (%v)", pairs, err)
	}
}

// TestICalCommand rotates and removes a feed from the command line and
// fetches it from a server on the same database.
func TestICalCommand(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := testenv.DSN(t, engine)
			st := testenv.Open(t, db)
			svc := booking.NewService(st, booking.Options{})
			res, err := demo.Seed(context.Background(), svc, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
			defer srv.Close()
			ical := func(args ...string) (string, error) {
				var out bytes.Buffer
				err := run(append(append([]string{"ical"}, args...), "--db", db), nil, &out)
				return out.String(), err
			}
			loc := fmt.Sprint(res.LocationID)
			feedURL := regexp.MustCompile(`https://cal\.example\.test/ical/[0-9a-f]{64}\.ics\n$`)
			get := func(out string) int {
				t.Helper()
				if !feedURL.MatchString(out) {
					t.Fatalf("ical rotate printed %q", out)
				}
				path := strings.TrimSpace(out[strings.Index(out, "/ical/"):])
				r, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(r.Body)
				r.Body.Close()
				if r.StatusCode == 200 && !strings.HasPrefix(string(body), "BEGIN:VCALENDAR\r\n") {
					t.Fatalf("feed body: %.80s", body)
				}
				return r.StatusCode
			}
			first, err := ical("rotate", loc, "1", "--base-url", "https://cal.example.test/")
			if err != nil {
				t.Fatal(err)
			}
			if got := get(first); got != 200 {
				t.Fatalf("new feed: %d", got)
			}
			second, err := ical("rotate", loc, "1", "--base-url", "https://cal.example.test")
			if err != nil {
				t.Fatal(err)
			}
			if get(first) != 404 || get(second) != 200 {
				t.Fatal("rotating did not replace the old URL")
			}
			if _, err := ical("off", loc, "1"); err != nil {
				t.Fatal(err)
			}
			if get(second) != 404 {
				t.Fatal("ical off left the feed on")
			}
			out, err := ical("rotate", loc, "1", "--addr", "10.0.0.5:8080")
			if err != nil || !strings.HasPrefix(strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]), "http://10.0.0.5:8080/ical/") {
				t.Fatalf("without --base-url: %q %v", out, err)
			}
			for _, args := range [][]string{{"rotate", loc, "999"}, {"rotate", "999", "1"}, {"off", loc, "999"}, {"rotate", loc}, {"rotate", "x", "1"}, {"spin", loc, "1"}} {
				if out, err := ical(args...); err == nil {
					t.Errorf("ical %v succeeded: %s", args, out)
				}
			}
		})
	}
}
