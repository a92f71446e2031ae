package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"appointd/internal/testenv"
)

// loadClients is how many concurrent clients each load tool runs, and so
// how many of its creates can be committed without their answer being
// journaled (in flight when the server or the load tool died).
const loadClients = 8

// TestCrashSafetySQLite: appointd on SQLite under the load tool's mixed
// creates, edits and deletes is killed with SIGKILL mid-load, three times,
// each restart being the next round's server. After each restart the
// database holds every write the load tool got a 2xx for (this round's and
// the earlier ones'), as answered, and nothing half-written.
func TestCrashSafetySQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	dsn := "sqlite:" + path
	dir := t.TempDir()
	base, srv := start(t, "--demo", "--demo-week=false", "--db", dsn)
	var journals []string
	for round := 0; round < 3; round++ {
		journal := filepath.Join(dir, fmt.Sprintf("round%d.jsonl", round))
		journals = append(journals, journal)
		load := startLoad(t, journal, base)
		killMidLoad(t, srv, journal)
		stopLoad(load)
		base, srv = start(t, "--db", dsn) // opening the file recovers it
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		checkJournals(t, db, "?", base, journals)
		testenv.CheckConsistent(t, db)
		var ok string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("round %d: integrity_check %q %v", round, ok, err)
		}
		rows, err := db.Query("PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Errorf("round %d: foreign_key_check finds rows", round)
		}
		rows.Close()
		db.Close()
		if t.Failed() {
			t.FailNow()
		}
	}
}

// TestCrashSafetyPostgres: two appointd processes on one PostgreSQL
// database and one load tool sending its requests to both in turn. A is
// killed with SIGKILL mid-load and restarted while B goes on; then a new
// load tool drives the new A and B, and B is killed and restarted. After
// each restart every 2xx of both journals holds, as answered, through SQL
// and the restarted process, and nothing is half-written.
func TestCrashSafetyPostgres(t *testing.T) {
	if testenv.PostgresDSN() == "" {
		t.Skipf("PostgreSQL tests skipped: %s is not set", testenv.PostgresEnv)
	}
	dsn := testenv.DSN(t, "postgres")
	a, srvA := start(t, "--demo", "--demo-week=false", "--db", dsn)
	b, srvB := start(t, "--db", dsn)
	bases, srvs := []string{a, b}, []*exec.Cmd{srvA, srvB}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	var journals []string
	for k := range 2 { // round k kills process k
		journal := filepath.Join(dir, fmt.Sprintf("round%d.jsonl", k))
		journals = append(journals, journal)
		load := startLoad(t, journal, bases...)
		killMidLoad(t, srvs[k], journal)
		bases[k], srvs[k] = start(t, "--db", dsn)
		// The survivor goes on alone for a while; then the load tool
		// is killed too, with requests in flight on the survivor.
		waitForAnswers(t, journal, answers(journal)+50)
		stopLoad(load)
		checkJournals(t, db, "$1", bases[k], journals)
		testenv.CheckConsistent(t, db)
		if t.Failed() {
			t.FailNow()
		}
	}
}

var (
	loadOnce sync.Once
	loadPath string
	loadErr  error
)

// startLoad runs `appointd-load run --scenario mixed` against the servers,
// journaling into journal; it is killed at cleanup at the latest.
func startLoad(t *testing.T, journal string, bases ...string) *exec.Cmd {
	t.Helper()
	binary(t) // skips in -short like the server
	loadOnce.Do(func() {
		loadPath = filepath.Join(filepath.Dir(binPath), "appointd-load")
		if out, err := exec.Command("go", "build", "-o", loadPath, "../appointd-load").CombinedOutput(); err != nil {
			loadErr = fmt.Errorf("build the load tool: %v\n%s", err, out)
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	cmd := exec.Command(loadPath, "run", "--url", strings.Join(bases, ","), "--scenario", "mixed", "--members", "4",
		"--clients", fmt.Sprint(loadClients), "--requests", "1000000", "--max-time", "60s", "--journal", journal)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopLoad(cmd) })
	return cmd
}

func stopLoad(cmd *exec.Cmd) {
	if cmd.ProcessState == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// killMidLoad SIGKILLs srv once the load tool has journaled 150 more
// answers and then a random 0–500 ms more.
func killMidLoad(t *testing.T, srv *exec.Cmd, journal string) {
	t.Helper()
	began := time.Now()
	waitForAnswers(t, journal, answers(journal)+150)
	time.Sleep(rand.N(500 * time.Millisecond))
	_ = srv.Process.Signal(syscall.SIGKILL)
	_ = srv.Wait()
	t.Logf("%s: killed the server after %v at %d answers", filepath.Base(journal), time.Since(began).Round(time.Millisecond), answers(journal))
}

// answers counts the journal's lines that report an answer.
func answers(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), `"status":`)
}

func waitForAnswers(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if answers(path) >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the load tool journaled fewer than %d answers in 30 s", n)
}

// journalLine mirrors appointd-load's journal.
type journalLine struct {
	Op       string  `json:"op"`
	ID       int64   `json:"id"`
	Status   int     `json:"status"`
	StaffID  int64   `json:"staff_id"`
	Start    int64   `json:"start"`
	Length   int64   `json:"length"`
	Services []int64 `json:"services"`
	Comment  string  `json:"comment"`
}

// state is what the checks compare of an appointment; a deleted one is
// only deleted.
type state struct {
	deleted              bool
	staff, start, length int64
	services, comment    string
}

func (l journalLine) state() state {
	if l.Op == "delete" {
		return state{deleted: true}
	}
	return state{staff: l.StaffID, start: l.Start, length: l.Length, services: fmt.Sprint(l.Services), comment: l.Comment}
}

// promise is what a journal says of one appointment: the state its last
// 2xx answer gave and, if an edit or delete was sent after that and got
// no answer, the state that one asks for (it may or may not have been
// committed before the kill).
type promise struct {
	acked   state
	pending *state
}

// replay reads a journal into promises, and lists the ids in the order
// of their last 2xx answer.
func replay(t *testing.T, path string) (map[int64]*promise, []int64, map[int64]bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps := map[int64]*promise{}
	var order []int64
	members := map[int64]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l journalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			continue // the last line may be cut by the kill
		}
		p := ps[l.ID]
		switch {
		case l.Status/100 == 2 && l.Op == "create":
			p = &promise{}
			ps[l.ID] = p
			fallthrough
		case l.Status/100 == 2:
			if p == nil {
				t.Fatalf("%s: %s of appointment %d that was never created", path, l.Op, l.ID)
			}
			p.acked, p.pending = l.state(), nil
			order = append(slices.DeleteFunc(order, func(id int64) bool { return id == l.ID }), l.ID)
			if l.StaffID != 0 {
				members[l.StaffID] = true
			}
		case p == nil: // a refused create
		case l.Status == 0: // sent
			s := l.state()
			p.pending = &s
		default: // refused: nothing changed
			p.pending = nil
		}
	}
	if len(ps) < 40 {
		t.Fatalf("%s: only %d appointments were created", path, len(ps))
	}
	return ps, order, members
}

// checkJournals fails t unless, for each journal, the database (ph is its
// placeholder) holds every promise and at most loadClients appointments
// of the journal's members that it does not know (creates in flight), and
// the server at base answers the last ten promises kept.
func checkJournals(t *testing.T, db *sql.DB, ph, base string, paths []string) {
	t.Helper()
	partner := "Bearer demo-partner-token"
	code, env := call(t, "POST", base+"/api/v1/auth", partner, map[string]string{"login": "demo@appointd.test", "password": "demo-password"})
	if code != 201 {
		t.Fatalf("login on the restarted server: %d", code)
	}
	auth := partner + ", User " + env["data"].(map[string]any)["user_token"].(string)
	for _, path := range paths {
		checkJournal(t, db, ph, base, auth, path)
	}
}

func checkJournal(t *testing.T, db *sql.DB, ph, base, auth, path string) {
	t.Helper()
	ps, order, members := replay(t, path)
	name := filepath.Base(path)
	for id, p := range ps {
		var got state
		err := db.QueryRow("SELECT team_member_id, start_at, seance_length, comment, deleted_at IS NOT NULL FROM appointments WHERE id = "+ph, id).
			Scan(&got.staff, &got.start, &got.length, &got.comment, &got.deleted)
		if err != nil {
			t.Errorf("%s: appointment %d, created with a 2xx: %v", name, id, err)
			continue
		}
		rows, err := db.Query("SELECT service_id FROM appointment_services WHERE appointment_id = "+ph+" ORDER BY position", id)
		if err != nil {
			t.Fatal(err)
		}
		var services []int64
		for rows.Next() {
			var s int64
			_ = rows.Scan(&s)
			services = append(services, s)
		}
		rows.Close()
		got.services = fmt.Sprint(services)
		if got.deleted {
			got = state{deleted: true}
		}
		if got != p.acked && (p.pending == nil || got != *p.pending) {
			t.Errorf("%s: appointment %d is %+v in the database; the last 2xx said %+v (in flight: %+v)", name, id, got, p.acked, p.pending)
		}
	}
	var in []string
	for m := range members {
		in = append(in, fmt.Sprint(m))
	}
	rows, err := db.Query("SELECT id FROM appointments WHERE team_member_id IN (" + strings.Join(in, ",") + ")")
	if err != nil {
		t.Fatal(err)
	}
	unknown := 0
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		if ps[id] == nil {
			unknown++
		}
	}
	rows.Close()
	inFlight := 0
	for _, p := range ps {
		if p.pending != nil {
			inFlight++
		}
	}
	t.Logf("%s: %d appointments created with a 2xx, %d with an edit or delete in flight, %d created without a journaled answer",
		name, len(ps), inFlight, unknown)
	if unknown > loadClients {
		t.Errorf("%s: %d appointments the journal does not know (more than the %d requests that can be in flight)", name, unknown, loadClients)
	}
	checked := 0
	for i := len(order) - 1; i >= 0 && checked < 10; i-- {
		p := ps[order[i]]
		if p.pending != nil {
			continue
		}
		checked++
		code, env := call(t, "GET", fmt.Sprintf("%s/api/v1/record/1/%d", base, order[i]), auth, nil)
		d, _ := env["data"].(map[string]any)
		if code != 200 || d == nil {
			t.Errorf("%s: GET appointment %d from the restarted server: %d", name, order[i], code)
			continue
		}
		if got := answerState(d); got != p.acked {
			t.Errorf("%s: the restarted server answers appointment %d as %+v; the last 2xx said %+v", name, order[i], got, p.acked)
		}
	}
}

// answerState is the state an appointment answer gives.
func answerState(d map[string]any) state {
	if deleted, _ := d["deleted"].(bool); deleted {
		return state{deleted: true}
	}
	num := func(v any) int64 { f, _ := v.(float64); return int64(f) }
	at, _ := time.Parse(time.RFC3339, fmt.Sprint(d["datetime"]))
	var services []int64
	list, _ := d["services"].([]any)
	for _, s := range list {
		m, _ := s.(map[string]any)
		services = append(services, num(m["id"]))
	}
	comment, _ := d["comment"].(string)
	return state{staff: num(d["staff_id"]), start: at.Unix(), length: num(d["seance_length"]), services: fmt.Sprint(services), comment: comment}
}
