package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of a live SQLite database to path with
// VACUUM INTO. It runs in one read transaction on a connection of its own,
// so writers go on while it copies (WAL) and the copy is the database as of
// the transaction's start. path must not exist yet.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.d != sqlite {
		return errors.New("backup: only SQLite databases; back PostgreSQL up with pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := sql.Open("sqlite", s.sqliteDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
