// Package store is the one SQL implementation of booking.Store, for SQLite
// (embedded default) and PostgreSQL. Queries are written once with `?`
// placeholders; dialect.go holds the few differences between engines.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"appointd/internal/booking"
)

// Options tune a Store.
type Options struct {
	// ObserveTx, when set, is told how long each transaction took
	// (kind "read" or "write").
	ObserveTx func(kind string, d time.Duration)
	// ReadConns is the size of the SQLite read pool (default 4).
	ReadConns int
	// MaxConns caps the PostgreSQL pool (default DefaultMaxConns). SQLite
	// ignores it: one write connection and ReadConns readers.
	MaxConns int
	// AcquireWait is how long a transaction waits for a free connection
	// before failing with booking.ErrUnavailable (default 2s).
	AcquireWait time.Duration
}

// DefaultMaxConns is the PostgreSQL pool size when Options.MaxConns is 0.
const DefaultMaxConns = 20

// Store implements booking.Store.
type Store struct {
	d     dialect
	write *sql.DB // SQLite: one connection, BEGIN IMMEDIATE
	read  *sql.DB // SQLite: a small read-only pool; PostgreSQL: same as write
	// SQLite only: prepared statements of each pool (nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
	observe               func(string, time.Duration)
	// migrationsFS replaces the embedded migrations (tests only).
	migrationsFS fs.FS
	// sqliteDSN opens one more connection to the same file (Backup).
	sqliteDSN string
	// acquireWait bounds the wait for a pooled connection.
	acquireWait time.Duration
}

var _ booking.Store = (*Store)(nil)

// Open connects to dsn: "sqlite:PATH" (or a bare path) or a postgres:// URL.
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	s := &Store{observe: o.ObserveTx, acquireWait: o.AcquireWait}
	if s.acquireWait <= 0 {
		s.acquireWait = 2 * time.Second
	}
	if s.observe == nil {
		s.observe = func(string, time.Duration) {}
	}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s.d = postgres
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, err
		}
		s.write = sql.OpenDB(validatingConnector{stdlib.GetConnector(*cfg)})
		n := o.MaxConns
		if n <= 0 {
			n = DefaultMaxConns
		}
		s.write.SetMaxOpenConns(n)
		s.write.SetMaxIdleConns(n)
		s.write.SetConnMaxIdleTime(5 * time.Minute)
		s.read = s.write
	} else {
		s.d = sqlite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("store: empty SQLite path")
		}
		// synchronous=FULL: a commit that answered 2xx survives a power loss,
		// not only a killed process.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
		base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
		s.sqliteDSN = base
		if s.write, err = sql.Open("sqlite", base+"&_txlock=immediate"); err != nil {
			return nil, err
		}
		s.write.SetMaxOpenConns(1)
		s.write.SetMaxIdleConns(1)
		s.write.SetConnMaxIdleTime(0)
		if err := enableWAL(ctx, s.write); err != nil {
			s.write.Close()
			return nil, err
		}
		if s.read, err = sql.Open("sqlite", base+"&_pragma=query_only(1)"); err != nil {
			s.write.Close()
			return nil, err
		}
		n := o.ReadConns
		if n <= 0 {
			n = 4
		}
		s.read.SetMaxOpenConns(n)
		s.read.SetMaxIdleConns(n)
		s.writeStmts, s.readStmts = newStmtCache(s.write), newStmtCache(s.read)
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect: %w", unavailable(err))
	}
	return s, nil
}

// validatingConnector makes database/sql drop a pgx connection that closed
// itself (pgx closes a connection when a statement or rollback runs on a
// cancelled context) when it is returned to the pool, instead of handing it
// to the next caller: pgx's stdlib.Conn does not implement
// driver.Validator, and a request that was never cancelled could draw three
// dead connections in a row and answer 500 (TestClientsDisconnectMidRequest).
type validatingConnector struct{ driver.Connector }

func (c validatingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return validatingConn{conn.(*stdlib.Conn)}, nil
}

// validatingConn promotes all of pgx's driver interfaces and adds IsValid.
type validatingConn struct{ *stdlib.Conn }

func (c validatingConn) IsValid() bool { return !c.Conn.Conn().IsClosed() }

// enableWAL switches a new database file to WAL (the mode is kept in the
// file). The switch needs an exclusive lock and SQLite does not wait for it
// through busy_timeout, so processes opening one new file at once retry.
func enableWAL(ctx context.Context, db *sql.DB) error {
	var mode string
	var err error
	for i := 0; i < 100; i++ {
		if err = db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("store: enable WAL: %w", err)
}

// unavailable marks err with booking.ErrUnavailable when it says the
// database cannot take one more client now: the pool stayed full past the
// acquire wait, PostgreSQL refused the connection (too many clients,
// SQLSTATE 53300; or it is still starting, 57P03), or nothing listens.
func unavailable(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &pgErr) && (pgErr.Code == "53300" || pgErr.Code == "57P03"),
		errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: %w", booking.ErrUnavailable, err)
	}
	return err
}

// Engine names the engine: "sqlite" or "postgres".
func (s *Store) Engine() string { return string(s.d) }

func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return err
	}
	return s.read.PingContext(ctx)
}

// PoolStats reports the connection pools (on PostgreSQL the two are one).
func (s *Store) PoolStats() (write, read sql.DBStats) {
	return s.write.Stats(), s.read.Stats()
}

func (s *Store) Close() error {
	s.writeStmts.close()
	s.readStmts.close()
	err := s.write.Close()
	if s.read != s.write {
		if e := s.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Read runs fn in a read-only transaction.
func (s *Store) Read(ctx context.Context, fn func(booking.Tx) error) error {
	return s.run(ctx, s.read, s.readStmts, "read", &sql.TxOptions{ReadOnly: s.d == postgres}, fn)
}

// Write runs fn in a write transaction. On SQLite the transaction begins
// IMMEDIATE on the single write connection, so write transactions are
// serialized in this process and, through the database lock, across
// processes. On PostgreSQL a rule that must check then write takes a row lock
// with Tx.Lock (SELECT ... FOR NO KEY UPDATE).
func (s *Store) Write(ctx context.Context, fn func(booking.Tx) error) error {
	return s.run(ctx, s.write, s.writeStmts, "write", nil, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, stmts *stmtCache, kind string, opts *sql.TxOptions, fn func(booking.Tx) error) (err error) {
	start := time.Now()
	defer func() { s.observe(kind, time.Since(start)) }()
	// The connection is taken under a short deadline of its own: a
	// deadline on ctx itself would end the whole transaction with it.
	// SQLite writers queue for the one write connection by design, as
	// long as their requests last.
	actx, cancel := ctx, context.CancelFunc(func() {})
	if s.d == postgres {
		actx, cancel = context.WithTimeout(ctx, s.acquireWait)
	}
	conn, err := db.Conn(actx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("store: begin %s: %w", kind, ctx.Err())
		}
		return fmt.Errorf("store: begin %s: %w", kind, unavailable(err))
	}
	defer conn.Close()
	// On PostgreSQL the transaction runs on a context of its own: pgx
	// closes a connection whose statement sees its context cancelled, so a
	// client that leaves would cost the pool a connection (and PostgreSQL a
	// new session). After ctx ends, the statements under way get
	// cancelGrace to finish; then the transaction is rolled back on the
	// still-open connection, which goes back to the pool.
	if s.d == postgres {
		tctx, cancelT := context.WithCancel(context.WithoutCancel(ctx))
		defer cancelT()
		stop := context.AfterFunc(ctx, func() {
			select {
			case <-time.After(cancelGrace):
				cancelT()
			case <-tctx.Done(): // run returned
			}
		})
		defer stop()
		outer := ctx
		ctx = tctx
		defer func() {
			if err == nil && outer.Err() != nil {
				err = fmt.Errorf("store: %s: %w", kind, outer.Err())
			}
		}()
		fn = cancelled(outer, fn)
	}
	sqlTx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("store: begin %s: %w", kind, err)
		}
		return fmt.Errorf("store: begin %s: %w", kind, unavailable(err))
	}
	t := &tx{tx: sqlTx, d: s.d, stmts: stmts, writable: kind == "write", ctx: ctx}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// tx implements booking.Tx; the per-aggregate files add its methods.
type tx struct {
	tx       *sql.Tx
	d        dialect
	stmts    *stmtCache
	writable bool
	// savepoints numbers the savepoints taken so far (nested ones too).
	savepoints int
	// ctx replaces the callers' contexts in statements (see run).
	ctx context.Context
}

// cancelGrace is how long a transaction's statements may go on after its
// caller's context ended (PostgreSQL).
const cancelGrace = 5 * time.Second

// cancelled makes fn fail, so that the transaction rolls back, when ctx
// ended while fn ran.
func cancelled(ctx context.Context, fn func(booking.Tx) error) func(booking.Tx) error {
	return func(t booking.Tx) error {
		if err := fn(t); err != nil {
			return err
		}
		return ctx.Err()
	}
}

// c is the context for a statement: the transaction's own on PostgreSQL.
func (t *tx) c(ctx context.Context) context.Context {
	if t.ctx != nil && t.d == postgres {
		return t.ctx
	}
	return ctx
}

func (t *tx) Writable() bool { return t.writable }

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.c(ctx)
	var r sql.Result
	var err error
	if st := t.stmts.get(q); st != nil {
		r, err = t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		r, err = t.tx.ExecContext(ctx, t.d.rebind(q), args...)
	}
	return r, t.d.mapErr(err)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.c(ctx)
	var rows *sql.Rows
	var err error
	if st := t.stmts.get(q); st != nil {
		rows, err = t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	} else {
		rows, err = t.tx.QueryContext(ctx, t.d.rebind(q), args...)
	}
	return rows, t.d.mapErr(err)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = t.c(ctx)
	if st := t.stmts.get(q); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.d.rebind(q), args...)
}

// insert runs an INSERT ... RETURNING id.
func (t *tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, t.d.mapErr(err)
}

// one maps "no rows" to booking.ErrNotFound.
func one(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return booking.ErrNotFound
	}
	return err
}

// mustAffect turns "no row changed" into booking.ErrNotFound.
func mustAffect(r sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return booking.ErrNotFound
	}
	return nil
}

func (t *tx) Lock(ctx context.Context, table booking.Lockable, id int64) error {
	switch table {
	case booking.LockLocation, booking.LockTeamMember, booking.LockVisit, booking.LockActivity, booking.LockSchedule, booking.LockGood,
		booking.LockClient, booking.LockService:
	default:
		return fmt.Errorf("store: cannot lock %q", table)
	}
	var got int64
	return one(t.queryRow(ctx, "SELECT id FROM "+string(table)+" WHERE id = ?"+t.d.forUpdate(), id).Scan(&got))
}

func (t *tx) Savepoint(ctx context.Context, fn func() error) error {
	t.savepoints++
	name := fmt.Sprintf("sp%d", t.savepoints)
	ctx = t.c(ctx)
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return rerr
		}
		if _, rerr := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); rerr != nil {
			return rerr
		}
		return err
	}
	_, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
	return err
}
