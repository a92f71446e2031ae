package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"appointd/internal/booking"
	"appointd/internal/store"
	"appointd/internal/testenv"
)

func newLocation(t *testing.T, s *store.Store, title string) int64 {
	t.Helper()
	var id int64
	err := s.Write(context.Background(), func(tx booking.Tx) error {
		var err error
		id, err = tx.CreateLocation(context.Background(), booking.Location{Title: title, TimezoneName: "UTC",
			Active: true, CreatedAt: time.Now(), UpdatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestWriteLockSerializesReadModifyWrite proves the write-transaction
// protocol: many goroutines read a value, then write it plus one, under
// Write + Lock. Without the lock some increments would be lost.
func TestWriteLockSerializesReadModifyWrite(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			// Two Store values on one database stand for two processes.
			a, b := testenv.Open(t, dsn), testenv.Open(t, dsn)
			id := newLocation(t, a, "0")
			ctx := context.Background()
			const n = 40
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				st := a
				if i%2 == 1 {
					st = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- st.Write(ctx, func(tx booking.Tx) error {
						if err := tx.Lock(ctx, booking.LockLocation, id); err != nil {
							return err
						}
						l, err := tx.LocationByID(ctx, id)
						if err != nil {
							return err
						}
						v, _ := strconv.Atoi(l.Title)
						l.Title = strconv.Itoa(v + 1)
						return tx.UpdateLocation(ctx, l)
					})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			var got booking.Location
			_ = a.Read(ctx, func(tx booking.Tx) error {
				var err error
				got, err = tx.LocationByID(ctx, id)
				return err
			})
			if got.Title != strconv.Itoa(n) {
				t.Fatalf("after %d locked increments the value is %s", n, got.Title)
			}
		})
	}
}

func TestLockUnknownRowIsNotFound(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := testenv.Fresh(t, engine)
			err := s.Write(context.Background(), func(tx booking.Tx) error {
				return tx.Lock(context.Background(), booking.LockLocation, 999)
			})
			if !errors.Is(err, booking.ErrNotFound) {
				t.Fatalf("lock of a missing row: %v", err)
			}
		})
	}
}

// TestFailedWriteRollsBack: an error from the function undoes its writes.
func TestFailedWriteRollsBack(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := testenv.Fresh(t, engine)
			ctx := context.Background()
			boom := errors.New("boom")
			err := s.Write(ctx, func(tx booking.Tx) error {
				if _, err := tx.CreatePartner(ctx, booking.Partner{Name: "x", TokenHash: "h", CreatedAt: time.Now()}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v", err)
			}
			err = s.Read(ctx, func(tx booking.Tx) error {
				_, err := tx.PartnerByTokenHash(ctx, "h")
				return err
			})
			if !errors.Is(err, booking.ErrNotFound) {
				t.Fatalf("partner of a failed transaction exists: %v", err)
			}
		})
	}
}

func TestUniqueViolationIsConflict(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := testenv.Fresh(t, engine)
			ctx := context.Background()
			add := func() error {
				return s.Write(ctx, func(tx booking.Tx) error {
					_, err := tx.CreatePartner(ctx, booking.Partner{Name: "x", TokenHash: "same", CreatedAt: time.Now()})
					return err
				})
			}
			if err := add(); err != nil {
				t.Fatal(err)
			}
			if err := add(); !errors.Is(err, booking.ErrConflict) {
				t.Fatalf("second insert of one hash: %v", err)
			}
		})
	}
}

// TestFailedMigrationLeavesDatabaseAsItWas runs a good migration, then one
// that creates a table and fails: the table must not exist afterwards and
// the version must stay.
func TestFailedMigrationLeavesDatabaseAsItWas(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st, err := store.Open(context.Background(), testenv.DSN(t, engine), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			migs := fstest.MapFS{
				"0001_a.sql": {Data: []byte("CREATE TABLE a (id BIGINT PRIMARY KEY);")},
				"0002_b.sql": {Data: []byte("CREATE TABLE b (id BIGINT PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);")},
			}
			store.SetMigrations(st, migs)
			applied, err := st.Migrate(ctx)
			if err == nil {
				t.Fatal("a failing migration reported success")
			}
			if len(applied) != 1 || applied[0] != 1 {
				t.Fatalf("applied %v, want [1]", applied)
			}
			if v, _ := st.Version(ctx); v != 1 {
				t.Fatalf("version %d after failed migration, want 1", v)
			}
			if err := store.ExecRaw(st, "SELECT COUNT(*) FROM b"); err == nil {
				t.Fatal("table b of the failed migration exists")
			}
			if err := store.ExecRaw(st, "SELECT COUNT(*) FROM a"); err != nil {
				t.Fatalf("table a of the good migration is missing: %v", err)
			}
			// Fixed, it applies on the next start; a re-run applies nothing.
			migs["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (id BIGINT PRIMARY KEY);")}
			if applied, err := st.Migrate(ctx); err != nil || len(applied) != 1 {
				t.Fatalf("fixed migration: applied %v, err %v", applied, err)
			}
			if applied, err := st.Migrate(ctx); err != nil || len(applied) != 0 {
				t.Fatalf("second run: applied %v, err %v", applied, err)
			}
		})
	}
}

// TestConcurrentMigrate: processes starting at once on one database all
// succeed and apply each migration once.
func TestConcurrentMigrate(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			var wg sync.WaitGroup
			total := make(chan int, 4)
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st, err := store.Open(context.Background(), dsn, store.Options{})
					if err != nil {
						t.Error(err)
						return
					}
					defer st.Close()
					applied, err := st.Migrate(context.Background())
					if err != nil {
						t.Error(err)
					}
					total <- len(applied)
				}()
			}
			wg.Wait()
			close(total)
			sum := 0
			for n := range total {
				sum += n
			}
			st := testenv.Open(t, dsn)
			if want := store.MigrationCount(st); sum != want {
				t.Fatalf("%d migrations applied in all, want %d", sum, want)
			}
		})
	}
}

func TestRebind(t *testing.T) {
	got := store.Rebind("postgres", "SELECT a FROM t WHERE a = ? AND b IN (?, ?)")
	if got != "SELECT a FROM t WHERE a = $1 AND b IN ($2, $3)" {
		t.Fatal(got)
	}
	if store.Rebind("sqlite", "a = ?") != "a = ?" {
		t.Fatal("sqlite query changed")
	}
}

// TestStatementCache: SQLite statements are prepared once, in the
// background, and reused by later transactions on both pools; answers stay
// right before and after, and across a schema change.
func TestStatementCache(t *testing.T) {
	s := testenv.Open(t, testenv.DSN(t, "sqlite"))
	ctx := context.Background()
	id := newLocation(t, s, "cached")
	check := func() {
		t.Helper()
		for _, run := range []func(context.Context, func(booking.Tx) error) error{s.Write, s.Read} {
			var got booking.Location
			err := run(ctx, func(tx booking.Tx) error {
				var err error
				got, err = tx.LocationByID(ctx, id)
				return err
			})
			if err != nil || got.Title != "cached" {
				t.Fatalf("LocationByID = %q, %v", got.Title, err)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		check()
		w, r := store.CachedStatements(s)
		if w > 0 && r > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("statements never cached: write %d, read %d", w, r)
		}
		time.Sleep(5 * time.Millisecond)
	}
	check()
	// A prepared statement survives a schema change (SQLite re-prepares it).
	if err := store.ExecRaw(s, "ALTER TABLE locations ADD COLUMN extra_note TEXT"); err != nil {
		t.Fatal(err)
	}
	check()
}

// TestMigrateRefusesNewerSchema: a database migrated by a newer binary is
// refused with both versions named, and nothing is applied.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st, err := store.Open(context.Background(), testenv.DSN(t, engine), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			store.SetMigrations(st, fstest.MapFS{
				"0001_a.sql": {Data: []byte("CREATE TABLE a (id BIGINT PRIMARY KEY);")},
				"0014_b.sql": {Data: []byte("CREATE TABLE b (id BIGINT PRIMARY KEY);")},
			})
			if err := store.ExecRaw(st, "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			if err := store.ExecRaw(st, "INSERT INTO schema_migrations (version, name) VALUES (17, '0017_future.sql')"); err != nil {
				t.Fatal(err)
			}
			applied, err := st.Migrate(ctx)
			want := "database schema is at version 17, this binary knows up to 14: upgrade appointd"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Migrate: err %v, want one containing %q", err, want)
			}
			if len(applied) != 0 {
				t.Fatalf("applied %v on a newer database", applied)
			}
			if err := store.ExecRaw(st, "SELECT COUNT(*) FROM a"); err == nil {
				t.Fatal("table a was created on a newer database")
			}
			if v, _ := st.Version(ctx); v != 17 {
				t.Fatalf("version %d, want 17", v)
			}
		})
	}
}
