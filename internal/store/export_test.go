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
