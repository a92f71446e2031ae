package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"appointd/api"
	"appointd/internal/booking"
	"appointd/internal/httpapi"
	"appointd/internal/testenv"
)

// lines are the log lines containing every one of parts.
func (l *lockedBuffer) lines(parts ...string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		all := line != ""
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			out = append(out, line)
		}
	}
	return out
}

// loggedServer is a server on a fresh database whose log goes to the
// returned buffer, a web handler (the operator calendar's place) that
// panics, and two test routes: /api/v1/test/panic panics and
// /api/v1/test/slow waits for its client to go away, then fails with the
// cancellation as a store call would. started gets a value when the slow
// one has begun.
func loggedServer(t *testing.T, engine string) (base string, logs *lockedBuffer, started chan struct{}) {
	st := testenv.Open(t, testenv.DSN(t, engine))
	svc := booking.NewService(st, booking.Options{})
	logs = &lockedBuffer{}
	web := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("web page broke") })
	s := httpapi.NewServer(httpapi.Deps{Service: svc, OpenAPI: api.OpenAPI, Web: web,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	httpapi.HandleForTest(s, "GET", "/api/v1/test/panic", func(http.ResponseWriter, *http.Request) error {
		var m map[string]int
		m["boom"]++ // a nil map write: a real runtime panic
		return nil
	})
	started = make(chan struct{}, 1)
	httpapi.HandleForTest(s, "GET", "/api/v1/test/slow", func(_ http.ResponseWriter, r *http.Request) error {
		started <- struct{}{}
		<-r.Context().Done()
		return fmt.Errorf("read: %w", svc.Ping(r.Context()))
	})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL, logs, started
}

// TestPanicAnswers500AndServerKeepsServing: a route (or the web handler)
// that panics gets a 500 in the envelope, an ERROR line naming the route, a 500 in the
// request line and the metrics, and the server goes on answering.
func TestPanicAnswers500AndServerKeepsServing(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			base, logs, _ := loggedServer(t, engine)
			for range 3 {
				res, err := http.Get(base + "/api/v1/test/panic")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 500 || !strings.Contains(string(body), `"success":false`) ||
					!strings.Contains(string(body), `"message":"Internal server error."`) {
					t.Fatalf("panic answered %d: %s", res.StatusCode, body)
				}
			}
			if got := logs.lines("level=ERROR", `msg="handler panicked"`, `route="GET /api/v1/test/panic"`, "assignment to entry in nil map"); len(got) != 3 {
				t.Fatalf("%d panic lines, want 3; log:\n%s", len(got), logs)
			}
			if got := logs.lines("level=INFO", "msg=request", `route="GET /api/v1/test/panic"`, "status=500"); len(got) != 3 {
				t.Fatalf("%d request lines with status 500, want 3; log:\n%s", len(got), logs)
			}
			res, err := http.Get(base + "/calendar")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 500 || !strings.Contains(string(body), `"success":false`) ||
				len(logs.lines("level=ERROR", `msg="handler panicked"`, "route=web", "path=/calendar", "web page broke")) != 1 {
				t.Fatalf("web panic answered %d: %s; log:\n%s", res.StatusCode, body, logs)
			}
			res, err = http.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("healthz after the panics: %d", res.StatusCode)
			}
			if m := metricsText(t, base); !strings.Contains(m, `route="GET /api/v1/test/panic",status="500"} 3`) {
				t.Fatalf("metrics do not count the three 500s:\n%s", m)
			}
		})
	}
}

// TestClientGoneIs499AtInfo: a client that cancels during a slow request
// yields a request line with status 499 at INFO, a 499 in the metrics, and
// no ERROR line.
func TestClientGoneIs499AtInfo(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			base, logs, started := loggedServer(t, engine)
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-started
				cancel()
			}()
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/test/slow", nil)
			if res, err := http.DefaultClient.Do(req); !errors.Is(err, context.Canceled) {
				if err == nil {
					res.Body.Close()
				}
				t.Fatalf("the cancelled request ended with %v", err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(logs.lines("msg=request", `route="GET /api/v1/test/slow"`)) == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("no request line; log:\n%s", logs)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if got := logs.lines("level=INFO", "msg=request", `route="GET /api/v1/test/slow"`, "status=499"); len(got) != 1 {
				t.Fatalf("no INFO request line with status 499; log:\n%s", logs)
			}
			if got := logs.lines("level=ERROR"); len(got) != 0 {
				t.Fatalf("ERROR lines for a client that went away:\n%s", strings.Join(got, "\n"))
			}
			if m := metricsText(t, base); !strings.Contains(m, `route="GET /api/v1/test/slow",status="499"} 1`) {
				t.Fatalf("metrics do not count the 499:\n%s", m)
			}
		})
	}
}

func metricsText(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
