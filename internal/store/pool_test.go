package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"appointd/internal/booking"
	"appointd/internal/store"
	"appointd/internal/testenv"
)

// PostgreSQL refusing a connection ("too many clients", SQLSTATE 53300)
// is booking.ErrUnavailable, which the API answers with 503.
func TestRefusedConnectionIsUnavailable(t *testing.T) {
	testenv.DSN(t, "postgres") // skips without PostgreSQL
	base := os.Getenv(testenv.PostgresEnv)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	role := fmt.Sprintf("appointd_limited_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP ROLE " + role) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	st, err := store.Open(context.Background(), u.String(), store.Options{MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	release, held := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- st.Read(context.Background(), func(booking.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	err = st.Read(context.Background(), func(booking.Tx) error { return nil })
	close(release)
	if e := <-done; e != nil {
		t.Fatal(e)
	}
	if !errors.Is(err, booking.ErrUnavailable) {
		t.Fatalf("second connection: %v, want booking.ErrUnavailable", err)
	}
	// The one connection is back in the pool and serves the next caller.
	if err := st.Read(context.Background(), func(booking.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
