package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"appointd/internal/testenv"
)

// TestPartnerList: the list names every partner and never prints a token.
func TestPartnerList(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			if _, err := cli(t, "migrate", "--db", dsn); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			var tokens []string
			for _, name := range []string{"First integration", "Second"} {
				out, err := cli(t, "partner", "create", name, "--db", dsn)
				if err != nil {
					t.Fatalf("partner create: %v", err)
				}
				lines := strings.Split(strings.TrimSpace(out), "\n")
				tokens = append(tokens, lines[len(lines)-1])
			}
			out, err := cli(t, "partner", "list", "--db", dsn)
			if err != nil {
				t.Fatalf("partner list: %v", err)
			}
			if !strings.Contains(out, "2 partners:") || !strings.Contains(out, "\n1 created=") ||
				!strings.Contains(out, `"First integration"`) || !strings.Contains(out, `2 created=`) {
				t.Fatalf("partner list printed %q", out)
			}
			for _, tok := range tokens {
				if strings.Contains(out, tok) {
					t.Fatalf("partner list shows a token: %q", out)
				}
			}
			if out, err := cli(t, "partner", "list", "extra", "--db", dsn); err == nil {
				t.Fatalf("partner list extra succeeded: %s", out)
			}
		})
	}
}

// TestPoolMetrics: /metrics reports the store's pools, the read pool only
// where it is a separate one (SQLite).
func TestPoolMetrics(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			base, _ := start(t, "--demo", "--db", testenv.DSN(t, engine))
			res, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			out := string(body)
			for _, want := range []string{
				`appointd_store_connections_in_use{pool="write"}`,
				`appointd_store_connections_idle{pool="write"}`,
				`appointd_store_wait_count_total{pool="write"}`,
				`appointd_store_wait_seconds_total{pool="write"}`,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
			if got := strings.Contains(out, `appointd_store_connections_idle{pool="read"}`); got != (engine == "sqlite") {
				t.Errorf("read pool reported: %v", got)
			}
		})
	}
}
