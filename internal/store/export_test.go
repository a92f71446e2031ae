package store

import (
	"context"
	"io/fs"
)

// Hooks for the external tests of this package.

func SetMigrations(s *Store, f fs.FS) { s.migrationsFS = f }

func ExecRaw(s *Store, q string) error {
	_, err := s.write.ExecContext(context.Background(), q)
	return err
}

func MigrationCount(s *Store) int {
	all, _ := s.migrations()
	return len(all)
}

func Rebind(engine, q string) string { return dialect(engine).rebind(q) }

// CachedStatements counts the prepared statements of the write and read
// pools (SQLite only).
func CachedStatements(s *Store) (write, read int) {
	count := func(c *stmtCache) int {
		if c == nil {
			return 0
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.stmts)
	}
	return count(s.writeStmts), count(s.readStmts)
}

// ExecIn runs q inside a transaction given to a Read or Write function.
func ExecIn(ctx context.Context, t any, q string) error {
	_, err := t.(*tx).exec(ctx, q)
	return err
}

// BackendPID is the PostgreSQL session serving a transaction.
func BackendPID(ctx context.Context, t any) (int64, error) {
	var pid int64
	err := t.(*tx).queryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid)
	return pid, err
}
