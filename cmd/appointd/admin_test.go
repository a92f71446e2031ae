package main

import (
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
