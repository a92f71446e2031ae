package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"appointd/internal/testenv"
	"appointd/internal/webhook"
)

// TestWebhookRetry: deliveries that failed (the receiver answered 500 until
// they ran out of attempts) are sent again after `webhook retry`, one with
// --id first, then the rest; each starts its attempts afresh.
func TestWebhookRetry(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			var failing atomic.Bool
			failing.Store(true)
			var mu sync.Mutex
			accepted := map[string]int{}
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if failing.Load() {
					w.WriteHeader(500)
					return
				}
				mu.Lock()
				accepted[r.Header.Get(webhook.HeaderDelivery)]++
				mu.Unlock()
			}))
			defer recv.Close()
			got := func() int {
				mu.Lock()
				defer mu.Unlock()
				return len(accepted)
			}
			flags := append([]string{"--webhook-max-attempts", "2"}, hookFlags...)
			base, _ := start(t, append([]string{"--demo", "--demo-week=false", "--db", dsn}, flags...)...)
			hookOn(t, dsn, recv.URL+"/hook")
			auth := ownerAuth(t, base)
			for _, phone := range []string{"+79997770011", "+79997770012"} {
				if code, _ := call(t, "POST", base+"/api/v1/clients/1", auth, map[string]any{"name": "Retry", "phone": phone}); code != 201 {
					t.Fatalf("create client: %d", code)
				}
			}
			var list string
			waitUntil(t, "two failed deliveries", 10*time.Second, func() bool {
				list, _ = cli(t, "webhook", "list", "1", "--db", dsn)
				return strings.Count(list, " failed client.create ") == 2 && strings.Count(list, "attempts=2 ") == 2
			})
			failing.Store(false)
			// The list is newest first: its last line is the older delivery.
			lines := strings.Split(strings.TrimSpace(list), "\n")
			first := strings.Fields(lines[len(lines)-1])[0]
			out, err := cli(t, "webhook", "retry", "1", "--id", first, "--db", dsn)
			if err != nil || !strings.HasPrefix(out, "1 failed deliveries of location 1 are pending again") {
				t.Fatalf("webhook retry --id: %v %s", err, out)
			}
			waitUntil(t, "the retried delivery", 10*time.Second, func() bool { return got() == 1 })
			time.Sleep(300 * time.Millisecond)
			if got() != 1 {
				t.Fatal("a delivery not retried was sent")
			}
			out, err = cli(t, "webhook", "retry", "1", "--db", dsn)
			if err != nil || !strings.HasPrefix(out, "1 failed deliveries") {
				t.Fatalf("webhook retry: %v %s", err, out)
			}
			waitUntil(t, "both deliveries", 10*time.Second, func() bool { return got() == 2 })
			waitUntil(t, "both delivered", 5*time.Second, func() bool {
				list, _ = cli(t, "webhook", "list", "1", "--all", "--db", dsn)
				return strings.Count(list, " delivered client.create ") == 2 && strings.Count(list, "attempts=1 ") == 2
			})
			if out, err := cli(t, "webhook", "retry", "1", "--db", dsn); err != nil || !strings.HasPrefix(out, "0 failed") {
				t.Fatalf("webhook retry with nothing failed: %v %s", err, out)
			}
			for _, bad := range [][]string{{"x"}, {"1", "--id", "999999"}, {"999"}, {}} {
				args := append(append([]string{"webhook", "retry"}, bad...), "--db", dsn)
				if out, err := cli(t, args...); err == nil {
					t.Fatalf("webhook retry %v succeeded: %s", bad, out)
				}
			}
		})
	}
}
