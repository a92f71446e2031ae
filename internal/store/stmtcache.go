package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps SQLite statements prepared, keyed by their SQL text:
// parsing SQL was the largest single cost of a request (see
// docs/BENCHMARKS.md). PostgreSQL does not need it: pgx caches statements per
// connection itself.
//
// A statement is never prepared inside a transaction through the pool: the
// SQLite write pool has one connection, which the transaction holds, so a
// pool-level Prepare would wait for itself. A miss therefore runs the SQL
// unprepared and prepares it in the background, once the pool has a free
// connection; later transactions bind the cached statement to their own
// connection with Tx.StmtContext, which database/sql prepares at most once
// per connection.
type stmtCache struct {
	db *sql.DB
	// ctx ends at close: a preparation still waiting for a connection of a
	// busy pool gives up instead of holding close (and a shutdown) up.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	wg      sync.WaitGroup
}

// maxCachedStmts bounds the cache; queries with IN lists of varying length
// make a few distinct texts, never an unbounded number in practice.
const maxCachedStmts = 1024

func newStmtCache(db *sql.DB) *stmtCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &stmtCache{db: db, ctx: ctx, cancel: cancel, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for q, or nil after scheduling its
// preparation.
func (c *stmtCache) get(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st
	}
	if c.closed || c.pending[q] || len(c.stmts)+len(c.pending) >= maxCachedStmts {
		return nil
	}
	c.pending[q] = true
	c.wg.Add(1)
	go c.prepare(q)
	return nil
}

func (c *stmtCache) prepare(q string) {
	defer c.wg.Done()
	st, err := c.db.PrepareContext(c.ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, q)
	if err != nil {
		return // the caller's own run of q reports any error
	}
	if c.closed {
		st.Close()
		return
	}
	c.stmts[q] = st
}

// close waits for background preparations and closes every statement; call
// it before closing the pool.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}
