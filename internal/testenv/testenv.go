// Package testenv gives tests a fresh, migrated store on each engine: SQLite
// always, PostgreSQL when APPOINTD_TEST_POSTGRES holds a DSN.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"appointd/internal/store"
)

// PostgresEnv names the variable holding the PostgreSQL DSN for tests.
const PostgresEnv = "APPOINTD_TEST_POSTGRES"

// Engines lists the engines to run on. Without PostgreSQL it says so once
// per test, so that a skipped engine is never silent.
func Engines(t testing.TB) []string {
	if PostgresDSN() == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must test PostgreSQL: set %s", PostgresEnv)
		}
		t.Logf("PostgreSQL tests skipped: %s is not set", PostgresEnv)
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

// PostgresDSN is the base DSN, or "".
func PostgresDSN() string {
	return os.Getenv(PostgresEnv)
}

// DSN returns a fresh, empty database for engine: a new SQLite file in a
// temp dir, or a new PostgreSQL schema (dropped at cleanup).
func DSN(t testing.TB, engine string) string {
	t.Helper()
	if engine == "sqlite" {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	base := PostgresDSN()
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: %s is not set", PostgresEnv)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestMaxConns is the PostgreSQL pool of each test store.
const TestMaxConns = 2

// TestAcquireWait is how long a test store's transaction waits for one of
// its few connections before answering 503: longer than a server's 2 s,
// because a storm test sends hundreds of requests through this small pool.
const TestAcquireWait = 10 * time.Second

// Open opens and migrates a store on dsn, closed at cleanup.
func Open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	// A small pool: many tests and packages share one PostgreSQL server.
	st, err := store.Open(context.Background(), dsn, store.Options{MaxConns: TestMaxConns, AcquireWait: TestAcquireWait})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// Fresh is DSN then Open.
func Fresh(t testing.TB, engine string) *store.Store {
	return Open(t, DSN(t, engine))
}

// RowStrings renders every row of rows as one line of text (for comparing
// tables before and after), and closes rows.
func RowStrings(t testing.TB, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%q", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// halfWritten are the rows only a partly applied write leaves behind; on a
// consistent database every count is 0 (engine-neutral SQL).
var halfWritten = map[string]string{
	"appointments without their visit": `SELECT COUNT(*) FROM appointments a WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = a.visit_id)`,
	"appointments without service lines": `SELECT COUNT(*) FROM appointments a WHERE a.activity_id = 0
		AND NOT EXISTS (SELECT 1 FROM appointment_services s WHERE s.appointment_id = a.id)`,
	"service lines without their appointment": `SELECT COUNT(*) FROM appointment_services s
		WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = s.appointment_id)`,
	"live visits without a live appointment": `SELECT COUNT(*) FROM visits v WHERE v.deleted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.visit_id = v.id AND a.deleted_at IS NULL)`,
	"appointments whose end is not start + length": `SELECT COUNT(*) FROM appointments WHERE end_at <> start_at + seance_length`,
	"overlapping live appointments of a team member": `SELECT COUNT(*) FROM appointments x JOIN appointments y
		ON x.team_member_id = y.team_member_id AND x.id < y.id AND x.start_at < y.end_at AND y.start_at < x.end_at
		WHERE x.deleted_at IS NULL AND y.deleted_at IS NULL AND x.activity_id = 0 AND y.activity_id = 0`,
}

// CheckConsistent fails t for every kind of half-written row in db: an
// appointment without its visit or service lines, a service line without
// its appointment, a live visit without a live appointment, a wrong end,
// or two live appointments of one team member that overlap.
func CheckConsistent(t testing.TB, db *sql.DB) {
	t.Helper()
	for what, q := range halfWritten {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", what, n, err)
		}
	}
}
