package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"appointd/internal/testenv"
)

// TestBackupWhileWriting copies a live SQLite database with `appointd
// backup` while clients and appointments are being created through the
// API. Each copy must be whole (integrity check, no appointment without its
// visit or services) and a snapshot of the live database: every row it
// holds is in the live database unchanged. Once the writers stop, a last
// copy equals the live database table by table, and a server started on
// that copy answers with the same appointments.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	base, _ := start(t, "--demo", "--demo-week=false", "--db", "sqlite:"+live)
	partner := "Bearer demo-partner-token"
	_, login := call(t, "POST", base+"/api/v1/auth", partner, map[string]string{"login": "demo@appointd.test", "password": "demo-password"})
	auth := partner + ", User " + login["data"].(map[string]any)["user_token"].(string)

	var created atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// Two writers of clients, one of appointments (member 1 at 10:00 and
	// 16:00 on each working day ahead).
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, _ := call(t, "POST", base+"/api/v1/clients/1", auth, map[string]any{
					"name": fmt.Sprintf("Backup writer %d-%d", w, i), "phone": fmt.Sprintf("+7988%d%06d", w, i)})
				if code == 201 || code == 200 {
					created.Add(1)
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		day := time.Now()
		for i := 0; i < 100; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				for day = day.AddDate(0, 0, 1); day.Weekday() == time.Sunday; day = day.AddDate(0, 0, 1) {
				}
			}
			code, _ := call(t, "POST", base+"/api/v1/records/1", auth, map[string]any{
				"staff_id": 1, "services": []map[string]any{{"id": 1}},
				"client":   map[string]any{"name": "Backup guest", "phone": fmt.Sprintf("+7977%07d", i)},
				"datetime": fmt.Sprintf("%sT%02d:00:00", day.Format("2006-01-02"), []int{10, 16}[i%2])})
			if code == 201 {
				created.Add(1)
			}
		}
	}()

	for n := 0; n < 3; n++ {
		deadline := time.Now().Add(20 * time.Second)
		for target := int64(20 * (n + 1)); created.Load() < target; {
			if time.Now().After(deadline) {
				t.Fatalf("writers stalled at %d writes", created.Load())
			}
			time.Sleep(10 * time.Millisecond)
		}
		copyPath := filepath.Join(dir, fmt.Sprintf("copy%d.db", n))
		var out bytes.Buffer
		if err := run([]string{"backup", copyPath, "--db", "sqlite:" + live}, nil, &out); err != nil {
			t.Fatalf("backup %d: %v", n, err)
		}
		checkWhole(t, copyPath)
		liveDB, copyDB := openRO(t, live), openRO(t, copyPath)
		for _, table := range tables(t, copyDB) {
			have := rowSet(t, liveDB, table)
			for _, row := range rowList(t, copyDB, table) {
				if !have[row] {
					t.Fatalf("copy %d: %s row %s is not in the live database", n, table, row)
				}
			}
		}
		liveDB.Close()
		copyDB.Close()
	}
	close(stop)
	wg.Wait()
	if created.Load() < 60 {
		t.Fatalf("only %d writes happened", created.Load())
	}

	last := filepath.Join(dir, "last.db")
	var out bytes.Buffer
	if err := run([]string{"backup", last, "--db", "sqlite:" + live}, nil, &out); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"backup", last, "--db", "sqlite:" + live}, nil, &out); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	checkWhole(t, last)
	liveDB, lastDB := openRO(t, live), openRO(t, last)
	defer liveDB.Close()
	defer lastDB.Close()
	for _, table := range tables(t, liveDB) {
		if a, b := strings.Join(rowList(t, liveDB, table), "\n"), strings.Join(rowList(t, lastDB, table), "\n"); a != b {
			t.Fatalf("table %s differs between the live database and its last copy", table)
		}
	}

	// Restore: a server on the copy shows the same appointments.
	restored, _ := start(t, "--db", "sqlite:"+last)
	from, till := time.Now().Format("2006-01-02"), time.Now().AddDate(0, 3, 0).Format("2006-01-02")
	list := func(base string) string {
		_, env := call(t, "POST", base+"/api/v1/auth", partner, map[string]string{"login": "demo@appointd.test", "password": "demo-password"})
		a := partner + ", User " + env["data"].(map[string]any)["user_token"].(string)
		code, got := call(t, "GET", base+"/api/v1/records/1?count=1000&start_date="+from+"&end_date="+till, a, nil)
		if code != 200 {
			t.Fatalf("list on %s: %d", base, code)
		}
		return fmt.Sprint(got["data"], got["meta"])
	}
	if a, b := list(base), list(restored); a != b {
		t.Fatalf("the restored server lists other appointments:\n%s\n%s", a, b)
	}
}

func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// checkWhole: the file passes SQLite's integrity check and holds no
// half-written appointment.
func checkWhole(t *testing.T, path string) {
	t.Helper()
	db := openRO(t, path)
	defer db.Close()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity_check %q (%v)", path, ok, err)
	}
	testenv.CheckConsistent(t, db)
}

func tables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// rowList renders every row of table as text, in rowid order.
func rowList(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `" ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	return testenv.RowStrings(t, rows)
}

func rowSet(t *testing.T, db *sql.DB, table string) map[string]bool {
	set := map[string]bool{}
	for _, r := range rowList(t, db, table) {
		set[r] = true
	}
	return set
}
