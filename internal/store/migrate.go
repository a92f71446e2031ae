package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"appointd/internal/booking"
)

//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrationSource is the folder of the store's dialect; tests swap it.
func (s *Store) migrationSource() fs.FS {
	if s.migrationsFS != nil {
		return s.migrationsFS
	}
	sub, _ := fs.Sub(migrationFiles, "migrations/"+string(s.d))
	return sub
}

func (s *Store) migrations() ([]migration, error) {
	src := s.migrationSource()
	entries, err := fs.ReadDir(src, ".")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: bad migration file name %q", name)
		}
		b, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate applies every embedded migration not applied yet, each in its own
// transaction together with its row in schema_migrations: a migration that
// fails leaves the database as it was. Processes starting at once are safe:
// the second insert of a version waits for, then collides with, the first.
// It returns the versions it applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	// Concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's
	// catalog; once the other process has committed, a retry succeeds.
	var err error
	for i := 0; i < 5; i++ {
		_, err = s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY, name TEXT NOT NULL)`)
		if err == nil {
			break
		}
		time.Sleep(time.Duration(20*(i+1)) * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	all, err := s.migrations()
	if err != nil {
		return nil, err
	}
	if err := s.checkNotNewer(ctx, all); err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range all {
		err := s.Write(ctx, func(bt booking.Tx) error {
			t := bt.(*tx)
			var n int
			if err := t.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errAlreadyApplied
			}
			if _, err := t.exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.version, m.name); err != nil {
				return err
			}
			if _, err := t.tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migration %s: %w", m.name, err)
			}
			return nil
		})
		switch {
		case errors.Is(err, errAlreadyApplied), errors.Is(err, booking.ErrConflict):
			continue
		case err != nil:
			return applied, err
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}

var errAlreadyApplied = errors.New("already applied")

// checkNotNewer refuses a database migrated by a newer binary: its tables
// may mean things this binary does not know, so it must not write to them.
func (s *Store) checkNotNewer(ctx context.Context, all []migration) error {
	known := 0
	if len(all) > 0 {
		known = all[len(all)-1].version
	}
	var v int
	if err := s.write.QueryRowContext(ctx, s.d.rebind("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")).Scan(&v); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > known {
		return fmt.Errorf("store: database schema is at version %d, this binary knows up to %d: upgrade appointd", v, known)
	}
	return nil
}

// Version is the newest applied migration (0 for none).
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.read.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}
