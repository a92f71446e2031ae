package httpapi

import (
	"context"
	"net/http"
	"time"

	"appointd/internal/booking"
)

// healthz answers 200 when the store answers, else 503.
func (s *Server) healthz(c *call) error {
	ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
	defer cancel()
	if err := s.Service.Ping(ctx); err != nil {
		writeJSON(c.w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "store unreachable"})
		return nil
	}
	writeJSON(c.w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// livez answers 200 while the process serves HTTP; it asks nothing of the
// store, so a slow or unreachable database does not get the process restarted.
func (s *Server) livez(c *call) error {
	writeJSON(c.w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) metrics(c *call) error {
	if s.MetricsElsewhere {
		return booking.ErrNotFound
	}
	s.Metrics.handler().ServeHTTP(c.w, c.r)
	return nil
}

// Handler is /metrics alone, for a listener of its own.
func (m *Metrics) Handler() http.Handler { return m.handler() }

func (s *Server) openapi(c *call) error {
	c.w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, err := c.w.Write(s.OpenAPI)
	return err
}
