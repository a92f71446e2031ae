package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"appointd/internal/testenv"
)

// TestCrashSafetySQLite: appointd on SQLite under the load tool's mixed
// creates, edits and deletes is killed with SIGKILL mid-load, three times.
// After each restart every write the load tool got a 2xx for is in the
// database as answered, and nothing is half-written.
func TestCrashSafetySQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	dsn := "sqlite:" + path
	first := true
	for round := 0; round < 3; round++ {
		args := []string{"--db", dsn}
		if first {
			args, first = append(args, "--demo"), false
		}
		base, srv := start(t, args...)
		journal := filepath.Join(t.TempDir(), fmt.Sprintf("journal%d.jsonl", round))
		load := startLoad(t, base, journal)
		waitForLines(t, journal, 150+100*round)
		_ = srv.Process.Signal(syscall.SIGKILL)
		_ = srv.Wait()
		stopLoad(load)
		// A restart recovers the database; then check it.
		start(t, "--db", dsn)
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		checkJournal(t, db, "?", journal)
		testenv.CheckConsistent(t, db)
		var ok string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("round %d: integrity_check %q %v", round, ok, err)
		}
		db.Close()
	}
}

// TestCrashSafetyPostgres: two appointd processes on one PostgreSQL
// database, a load tool on each; one process is killed with SIGKILL
// mid-load and restarted while the other goes on. Both journals must be
// reflected and nothing half-written.
func TestCrashSafetyPostgres(t *testing.T) {
	if testenv.PostgresDSN() == "" {
		t.Skipf("PostgreSQL tests skipped: %s is not set", testenv.PostgresEnv)
	}
	dsn := testenv.DSN(t, "postgres")
	a, srvA := start(t, "--demo", "--db", dsn)
	b, _ := start(t, "--db", dsn)
	dir := t.TempDir()
	ja, jb := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	loadA, loadB := startLoad(t, a, ja), startLoad(t, b, jb)
	waitForLines(t, ja, 150)
	_ = srvA.Process.Signal(syscall.SIGKILL)
	_ = srvA.Wait()
	stopLoad(loadA)
	start(t, "--db", dsn)
	waitForLines(t, jb, 300) // b went on while a was down
	stopLoad(loadB)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkJournal(t, db, "$1", ja)
	checkJournal(t, db, "$1", jb)
	testenv.CheckConsistent(t, db)
}

var (
	loadOnce sync.Once
	loadPath string
	loadErr  error
)

// startLoad runs `appointd-load run --scenario mixed` against base.
func startLoad(t *testing.T, base, journal string) *exec.Cmd {
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
	cmd := exec.Command(loadPath, "run", "--url", base, "--scenario", "mixed", "--members", "4", "--clients", "8",
		"--requests", "1000000", "--max-time", "60s", "--journal", journal)
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

func waitForLines(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && strings.Count(string(b), "\n") >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the load tool wrote fewer than %d journal lines in 30 s", n)
}

// journalLine mirrors appointd-load's journal.
type journalLine struct {
	Op      string `json:"op"`
	ID      int64  `json:"id"`
	StaffID int64  `json:"staff_id"`
	Start   int64  `json:"start"`
	Comment string `json:"comment"`
	Ack     bool   `json:"ack"`
}

// row is what the checks compare of an appointment.
type row struct {
	staff, start int64
	comment      string
	deleted      bool
}

func (l journalLine) want() row {
	if l.Op == "delete" {
		return row{deleted: true}
	}
	return row{staff: l.StaffID, start: l.Start, comment: l.Comment}
}

// checkJournal: per appointment, the database holds the state of its last
// acknowledged write, or of the one write sent after it that got no
// answer (the kill came while it was in flight).
func checkJournal(t *testing.T, db *sql.DB, ph, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	acked := map[int64]journalLine{}
	pending := map[int64]*journalLine{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l journalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			continue // the last line may be cut by the kill
		}
		if l.Ack {
			acked[l.ID] = l
			delete(pending, l.ID)
		} else {
			pending[l.ID] = &l
		}
	}
	if len(acked) < 50 {
		t.Fatalf("%s: only %d acknowledged appointments", path, len(acked))
	}
	for id, l := range acked {
		var got row
		var comment sql.NullString
		err := db.QueryRow("SELECT team_member_id, start_at, comment, deleted_at IS NOT NULL FROM appointments WHERE id = "+ph, id).
			Scan(&got.staff, &got.start, &comment, &got.deleted)
		if err != nil {
			t.Fatalf("appointment %d (%s answered 2xx): %v", id, l.Op, err)
		}
		got.comment = comment.String
		if got.deleted {
			got = row{deleted: true}
		}
		if got == l.want() {
			continue
		}
		if p := pending[id]; p != nil && got == p.want() {
			continue
		}
		t.Fatalf("appointment %d: database holds %+v, the acknowledged %s said %+v (in flight: %+v)", id, got, l.Op, l.want(), pending[id])
	}
}

func checkConsistent(t *testing.T, db *sql.DB) { testenv.CheckConsistent(t, db) }
