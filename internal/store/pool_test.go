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

// A caller that goes away mid-transaction (a client that disconnects) gets
// its error, the transaction rolls back, and the connection goes back to
// the pool: with one connection, every transaction runs in the same
// PostgreSQL session.
func TestCancelledTransactionKeepsConnection(t *testing.T) {
	dsn := testenv.DSN(t, "postgres")
	st, err := store.Open(context.Background(), dsn, store.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pid := func() int64 {
		var p int64
		if err := st.Read(context.Background(), func(tx booking.Tx) error {
			var err error
			p, err = store.BackendPID(context.Background(), tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := pid()
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := st.Write(ctx, func(tx booking.Tx) error {
			return store.ExecIn(ctx, tx, "SELECT pg_sleep(0.1)")
		})
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cancelled write: %v, want context.DeadlineExceeded", err)
		}
	}
	if last := pid(); last != first {
		t.Fatalf("session %d after the cancelled transactions, was %d: connections were closed", last, first)
	}
}
