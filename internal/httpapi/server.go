// Package httpapi is appointd's HTTP layer: the routes table, the envelope,
// lenient decoding and authentication. Handlers decode, call booking and
// encode; they hold no SQL and no business rules.
package httpapi

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"appointd/internal/booking"
)

// Deps is what the server needs.
type Deps struct {
	Service *booking.Service
	Logger  *slog.Logger
	Metrics *Metrics
	// OpenAPI is the contract served at /api/v1/openapi.yaml.
	OpenAPI []byte
	// TrustForwardedFor takes the client IP from the last X-Forwarded-For
	// entry (set it only behind a proxy that writes that header).
	TrustForwardedFor bool
	// RateLimit limits requests to /api/ per client IP (D9); zero is off.
	RateLimit RateLimit
	// Web serves the paths no route claims outside /api/ (the operator
	// calendar); nil answers them 404.
	Web http.Handler
	// BaseURL is how clients reach the server (e.g. https://book.example),
	// for the URLs of calendar feeds; "" takes it from each request.
	BaseURL string
	// Readiness answers /readyz; nil answers 503.
	Readiness *Readiness
	// MetricsElsewhere: /metrics is served on its own listener
	// (--metrics-addr), so the API's /metrics answers 404.
	MetricsElsewhere bool
}

// Server is the whole HTTP surface.
type Server struct {
	Deps
	mux     *http.ServeMux
	limiter *limiter // nil when rate limiting is off
}

// NewServer builds the server and registers every route of routes.go.
func NewServer(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	s := &Server{Deps: d, mux: http.NewServeMux()}
	if !d.RateLimit.Off() {
		s.limiter = newLimiter(d.RateLimit, nil)
	}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.handleImages()
	return s
}

var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		r.URL.Path = strings.TrimSuffix(p, "/")
		r.URL.RawPath = ""
	}
	_, pattern := s.mux.Handler(r)
	pattern, panicked := s.dispatch(rec, r, pattern)
	record(s.Logger, s.Metrics, r, pattern, rec.status, start)
	if panicked {
		// The answer had begun when the handler panicked: break the
		// connection rather than let a truncated answer look whole.
		panic(http.ErrAbortHandler)
	}
}

// StatusClientClosed is the status logged and counted for a request whose
// client went away before its answer (nginx's 499).
const StatusClientClosed = 499

// dispatch runs the request's handler. A panic in it is logged with the
// route and answered 500 in the envelope, or, when the answer had begun,
// reported so that ServeHTTP breaks the connection after its log line.
func (s *Server) dispatch(rec *statusRecorder, r *http.Request, pattern string) (route string, aborted bool) {
	route = pattern
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.Logger.Error("handler panicked", "route", route, "method", r.Method, "path", r.URL.Path,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		if rec.wroteHeader {
			rec.status, aborted = http.StatusInternalServerError, true
			return
		}
		writeError(rec, apiError{status: http.StatusInternalServerError, message: "Internal server error."}, false)
	}()
	nul := nulInRequest(r)
	switch {
	case s.rateLimited(rec, r):
		route = "rate_limited"
	case nul != "":
		route = "bad_request"
		writeError(rec, toAPIError(&badRequest{msg: nul + " must not contain a NUL character"}), false)
	case pattern == "" && s.Web != nil && !strings.HasPrefix(r.URL.Path, "/api/"):
		route = "web"
		s.Web.ServeHTTP(rec, r)
	case pattern == "":
		route = "unmatched"
		s.notRouted(rec, r)
	case strings.HasPrefix(r.URL.Path, "/api/") && !acceptable(r.Header.Get("Accept")) && !strings.HasSuffix(r.URL.Path, ".yaml") &&
		!acceptsPDF(r.URL.Path, r.Header.Get("Accept")):
		writeError(rec, apiError{status: http.StatusNotAcceptable,
			message: "Not acceptable: send Accept: application/vnd.api.v2+json or application/json."}, false)
	default:
		s.mux.ServeHTTP(rec, r)
	}
	return route, false
}

// nulInRequest names the path or query parameter that holds a NUL byte, or
// is "". PostgreSQL refuses NUL in text where SQLite stores it, so it is
// refused here, before any handler, for both engines alike (bodies are
// checked by decodeBody; net/http itself answers 400 to a header holding
// one, before any handler runs).
func nulInRequest(r *http.Request) string {
	if strings.IndexByte(r.URL.Path, 0) >= 0 {
		return "the path"
	}
	if strings.IndexByte(r.URL.RawQuery, 0) >= 0 || strings.Contains(r.URL.RawQuery, "%00") {
		for k, vs := range r.URL.Query() {
			for _, v := range append(vs, k) {
				if strings.IndexByte(v, 0) >= 0 {
					return fmt.Sprintf("query parameter %q", strings.ReplaceAll(k, "\x00", ""))
				}
			}
		}
	}
	return ""
}

// record is what every request pays after its handler: metrics and the log
// line.
func record(l *slog.Logger, m *Metrics, r *http.Request, pattern string, status int, start time.Time) {
	d := time.Since(start)
	m.observeRequest(pattern, r.Method, status, d)
	l.Info("request", "method", r.Method, "route", pattern, "status", status,
		"duration_ms", float64(d.Microseconds())/1000)
}

// Floor wraps a bare handler in the server's own per-request work (status
// recording, metrics, the log line), so that the benchmark floors of
// appointd-load pay what every appointd route pays besides its use case.
func Floor(h http.Handler, l *slog.Logger, m *Metrics, pattern string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		record(l, m, r, pattern, rec.status, start)
	})
}

// notRouted answers 405 when the path exists for another method, else 404.
func (s *Server) notRouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, apiError{status: http.StatusMethodNotAllowed,
			message: "Method " + r.Method + " is not allowed here; use " + strings.Join(allow, ", ") + "."}, false)
		return
	}
	writeError(w, apiError{status: http.StatusNotFound, message: "Not found."}, false)
}

// acceptable is D18: the JSON media types clients send, */* or nothing.
func acceptable(h string) bool {
	if strings.TrimSpace(h) == "" {
		return true
	}
	for _, part := range strings.Split(h, ",") {
		mt, _, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/vnd.api.v2+json", "application/vnd.yclients.v2+json",
			"application/json", "*/*", "application/*":
			return true
		}
	}
	return false
}

func (s *Server) clientIP(r *http.Request) string { return ClientIP(r, s.TrustForwardedFor) }

// RequestTLS reports whether the client reached the server over TLS:
// directly, or through a trusted proxy that says so in X-Forwarded-Proto.
func RequestTLS(r *http.Request, trustProxy bool) bool {
	return r.TLS != nil || (trustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// ClientIP is the request's client address: the last X-Forwarded-For entry
// when trustForwardedFor, else the connection's peer.
func ClientIP(r *http.Request, trustForwardedFor bool) string {
	if trustForwardedFor {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
