package store

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"appointd/internal/booking"
)

// dialect is the one place where SQLite and PostgreSQL differ at run time.
type dialect string

const (
	sqlite   dialect = "sqlite"
	postgres dialect = "postgres"
)

// rebind turns `?` placeholders into `$1, $2, ...` for PostgreSQL. Queries
// never contain a literal question mark.
func (d dialect) rebind(q string) string {
	if d != postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// forUpdate is the row-lock suffix; SQLite's write transaction already holds
// the database lock. NO KEY UPDATE excludes every other writer's lock but
// not the key-share lock an INSERT takes on the row its foreign key names:
// FOR UPDATE would make a payment insert (naming the team member) wait for
// a transaction that holds the member's lock and waits for the visit's.
func (d dialect) forUpdate() string {
	if d == postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// skipLocked ends a SELECT that claims rows: PostgreSQL locks them and
// passes over rows another transaction holds; SQLite's write transaction
// already excludes every other writer.
func (d dialect) skipLocked() string {
	if d == postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// mapErr turns a unique-constraint violation into booking.ErrConflict.
func (d dialect) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return booking.ErrConflict
	}
	var se *sqlitedrv.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return booking.ErrConflict
	}
	return err
}
