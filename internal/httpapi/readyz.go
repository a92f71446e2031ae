package httpapi

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

// Readiness remembers when the store last answered a ping. A background
// loop (Run) pings it every second, so /readyz answers from memory: a
// readiness probe never waits for, or takes, a pool connection, and a flood
// of probes cannot starve the requests.
type Readiness struct {
	ping  func(context.Context) error
	every time.Duration
	fresh time.Duration
	last  atomic.Int64 // unix nanoseconds of the last successful ping; 0 = none
}

// NewReadiness watches ping: ready while a ping succeeded within 3 s.
func NewReadiness(ping func(context.Context) error) *Readiness {
	return &Readiness{ping: ping, every: time.Second, fresh: 3 * time.Second}
}

// Check pings once and records a success.
func (r *Readiness) Check(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.every)
	defer cancel()
	if r.ping(ctx) == nil {
		r.last.Store(time.Now().UnixNano())
	}
}

// Run pings every second until ctx ends.
func (r *Readiness) Run(ctx context.Context) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.Check(ctx)
		}
	}
}

// Ready reports whether the last successful ping is recent enough.
func (r *Readiness) Ready() bool {
	last := r.last.Load()
	return last != 0 && time.Since(time.Unix(0, last)) <= r.fresh
}

// readyz answers 200 when the store answered a background ping within the
// last 3 s, else 503; it touches no connection itself.
func (s *Server) readyz(c *call) error {
	if s.Readiness == nil || !s.Readiness.Ready() {
		writeJSON(c.w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "store not answering"})
		return nil
	}
	writeJSON(c.w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
