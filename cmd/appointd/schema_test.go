package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"appointd/internal/store"
)

// TestServeRefusesNewerSchema: serve on a database migrated by a newer
// binary exits non-zero with both versions named and never listens.
func TestServeRefusesNewerSchema(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "a.db")
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cmd := exec.Command(binary(t), "serve", "--addr", "127.0.0.1:0", "--db", dsn)
	cmd.Env = append(os.Environ(), "APPOINTD_DB=", "APPOINTD_ADDR=")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("serve exited 0 on a newer schema:\n%s", out)
	}
	if !strings.Contains(string(out), "database schema is at version 9999, this binary knows up to") || strings.Contains(string(out), "listening") {
		t.Fatalf("output:\n%s", out)
	}
}
