package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"appointd/internal/testenv"
)

// --db-max-conns caps the server's PostgreSQL sessions: thirty concurrent
// requests run through one connection.
func TestDBMaxConnsFlag(t *testing.T) {
	if testenv.PostgresDSN() == "" {
		t.Skipf("PostgreSQL tests skipped: %s is not set", testenv.PostgresEnv)
	}
	dsn := testenv.DSN(t, "postgres")
	app := fmt.Sprintf("maxconns_%d", rand.Int64())
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	base, _ := start(t, "--demo", "--demo-week=false", "--db", u.String(), "--db-max-conns", "1")

	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, _ := call(t, "GET", base+"/api/v1/company/1", "Bearer demo-partner-token", nil); status != 200 {
				t.Errorf("status %d", status)
			}
		}()
	}
	wg.Wait()
	admin, err := sql.Open("pgx", testenv.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d sessions of the server, want 1", n)
	}
}

func TestDBMaxConnsRejectsBadValue(t *testing.T) {
	for _, tc := range []struct{ arg, env string }{{"0", ""}, {"", "many"}} {
		args := []string{"serve", "--addr", "127.0.0.1:0", "--db", "sqlite:" + t.TempDir() + "/a.db"}
		if tc.arg != "" {
			args = append(args, "--db-max-conns", tc.arg)
		}
		cmd := exec.Command(binary(t), args...)
		cmd.Env = append(os.Environ(), "APPOINTD_DB_MAX_CONNS="+tc.env)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("%+v: started", tc)
		}
		want := tc.arg
		if tc.env != "" {
			want = tc.env
		}
		if !strings.Contains(strings.ToLower(strings.ReplaceAll(string(out), "_", "-")), "db-max-conns") || !strings.Contains(string(out), want) {
			t.Fatalf("%+v: %s", tc, out)
		}
	}
}
