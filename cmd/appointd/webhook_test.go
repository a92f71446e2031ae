package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"appointd/internal/testenv"
	"appointd/internal/webhook"
)

// hookFlags make delivery quick and allow the test receiver on 127.0.0.1.
var hookFlags = []string{"--webhook-allow-loopback", "--webhook-timeout", "1s", "--webhook-poll", "50ms", "--webhook-backoff", "100ms"}

// hookReceiver checks every request's signature and records the delivery
// ids it accepted. With hang set, the next delivery is held: every attempt
// of it waits until the sender goes away, until release.
type hookReceiver struct {
	t         *testing.T
	mu        sync.Mutex
	secret    string
	requests  int
	accepted  map[string]int
	events    map[string]string // delivery id → resource.status
	whileHeld map[string]bool   // accepted while a held request was open
	hang      bool
	holdID    string      // the delivery being held
	held      int         // held requests open now
	hanging   chan string // the delivery id of the held delivery, once
}

func newHookReceiver(t *testing.T) (*hookReceiver, *httptest.Server) {
	rc := &hookReceiver{t: t, accepted: map[string]int{}, events: map[string]string{}, whileHeld: map[string]bool{},
		hanging: make(chan string, 10)}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv
}

func (rc *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(webhook.HeaderDelivery)
	rc.mu.Lock()
	rc.requests++
	if got := r.Header.Get(webhook.HeaderSignature); got != webhook.Sign(rc.secret, body) {
		rc.t.Errorf("delivery %s: signature %q does not verify", id, got)
	}
	var p struct {
		Resource, Status string
	}
	if err := json.Unmarshal(body, &p); err != nil {
		rc.t.Errorf("delivery %s: %v", id, err)
	}
	if rc.hang {
		rc.hang, rc.holdID = false, id
		rc.hanging <- id
	}
	if id == rc.holdID {
		rc.held++
		rc.mu.Unlock()
		<-r.Context().Done() // until the sender gives up or dies
		rc.mu.Lock()
		rc.held--
		rc.mu.Unlock()
		return
	}
	rc.accepted[id]++
	rc.events[id] = p.Resource + "." + p.Status
	rc.whileHeld[id] = rc.held > 0
	rc.mu.Unlock()
}

// release stops holding the held delivery.
func (rc *hookReceiver) release() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.holdID = ""
}

func (rc *hookReceiver) got(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.accepted[id]
}

func (rc *hookReceiver) distinct() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.accepted)
}

// cli runs an appointd command in this process.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(args, strings.NewReader(""), &out)
	return out.String(), err
}

// hookOn adds url to the demo location's webhooks with the CLI and returns
// the secret it prints.
func hookOn(t *testing.T, dsn, url string) string {
	t.Helper()
	out, err := cli(t, "webhook", "add", "1", url, "--db", dsn)
	if err != nil {
		t.Fatalf("webhook add: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if len(secret) != 64 {
		t.Fatalf("webhook add printed %q", out)
	}
	return secret
}

// ownerAuth logs the demo owner in on base.
func ownerAuth(t *testing.T, base string) string {
	t.Helper()
	partner := "Bearer demo-partner-token"
	code, env := call(t, "POST", base+"/api/v1/auth", partner, map[string]string{"login": "demo@appointd.test", "password": "demo-password"})
	if code != 201 {
		t.Fatalf("login: %d", code)
	}
	return partner + ", User " + env["data"].(map[string]any)["user_token"].(string)
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebhookDeliveredAfterKill: appointd is killed (SIGKILL) while it
// delivers an event (the receiver holds every attempt of it); after a
// restart the event is delivered, with the same delivery id and a valid
// signature. A held delivery blocks neither the API nor other resources'
// events: another event is accepted while the held request is still open.
func TestWebhookDeliveredAfterKill(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			// Many attempts: the held event stays pending however slow the
			// machine is until the kill.
			flags := append([]string{"--webhook-max-attempts", "1000"}, hookFlags...)
			base, srv := start(t, append([]string{"--demo", "--demo-week=false", "--db", dsn}, flags...)...)
			rc, recv := newHookReceiver(t)
			rc.secret = hookOn(t, dsn, recv.URL+"/hook")
			rc.hang = true
			auth := ownerAuth(t, base)
			if code, _ := call(t, "POST", base+"/api/v1/clients/1", auth, map[string]any{"name": "Kept", "phone": "+79997770001"}); code != 201 {
				t.Fatalf("create client: %d", code)
			}
			var held string
			select {
			case held = <-rc.hanging:
			case <-time.After(10 * time.Second):
				t.Fatal("the event was not sent")
			}
			if code, _ := call(t, "POST", base+"/api/v1/clients/1", auth, map[string]any{"name": "Other", "phone": "+79997770002"}); code != 201 {
				t.Fatalf("create while a delivery hangs: %d", code)
			}
			waitUntil(t, "the other client's event", 10*time.Second, func() bool { return rc.distinct() == 1 })
			rc.mu.Lock()
			for id, open := range rc.whileHeld {
				if !open {
					t.Errorf("event %s was accepted only after the held delivery let go: it waited for it", id)
				}
			}
			rc.mu.Unlock()
			_ = srv.Process.Signal(syscall.SIGKILL)
			_ = srv.Wait()
			if rc.got(held) != 0 {
				t.Fatal("the held event was accepted before the kill")
			}
			rc.release()
			start(t, append([]string{"--db", dsn}, flags...)...)
			waitUntil(t, "the held event after the restart", 10*time.Second, func() bool { return rc.got(held) == 1 })
			rc.mu.Lock()
			if rc.events[held] != "client.create" {
				t.Errorf("held event: %s", rc.events[held])
			}
			rc.mu.Unlock()
			waitUntil(t, "a clean listing", 5*time.Second, func() bool {
				out, err := cli(t, "webhook", "list", "1", "--db", dsn)
				return err == nil && strings.Contains(out, "\n0 deliveries")
			})
			out, err := cli(t, "webhook", "list", "1", "--all", "--db", dsn)
			if err != nil || strings.Count(out, " delivered client.create ") != 2 || !strings.Contains(out, held) {
				t.Fatalf("webhook list --all: %v\n%s", err, out)
			}
		})
	}
}

// TestWebhookCommandsAndDefaultRefusal: the CLI refuses bad input, and
// serve without --webhook-allow-loopback refuses to deliver to 127.0.0.1,
// which `webhook list` shows as failed.
func TestWebhookCommandsAndDefaultRefusal(t *testing.T) {
	dsn := testenv.DSN(t, "sqlite")
	base, _ := start(t, "--demo", "--db", dsn, "--webhook-poll", "50ms")
	for _, args := range [][]string{
		{"webhook", "add", "1", "ftp://example.test/x"},
		{"webhook", "add", "999", "https://example.test/x"},
		{"webhook", "add", "one", "https://example.test/x"},
		{"webhook", "list"},
		{"webhook", "remove", "1"},
	} {
		if out, err := cli(t, append(args, "--db", dsn)...); err == nil {
			t.Errorf("appointd %s succeeded: %s", strings.Join(args, " "), out)
		}
	}
	rc, recv := newHookReceiver(t)
	rc.secret = hookOn(t, dsn, recv.URL)
	if code, _ := call(t, "POST", base+"/api/v1/clients/1", ownerAuth(t, base), map[string]any{"name": "Refused", "phone": "+79997770003"}); code != 201 {
		t.Fatalf("create client: %d", code)
	}
	waitUntil(t, "the refusal", 10*time.Second, func() bool {
		out, _ := cli(t, "webhook", "list", "1", "--db", dsn)
		return strings.Contains(out, " failed client.create ") && strings.Contains(out, "refused: 127.0.0.1")
	})
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.requests != 0 {
		t.Fatalf("the receiver got %d requests", rc.requests)
	}
}

// TestWebhooksTwoProcessesPostgres: two appointd processes on one
// PostgreSQL database take writes and deliver at the same time; the
// receiver gets every event exactly once.
func TestWebhooksTwoProcessesPostgres(t *testing.T) {
	if testenv.PostgresDSN() == "" {
		t.Skipf("PostgreSQL tests skipped: %s is not set", testenv.PostgresEnv)
	}
	dsn := testenv.DSN(t, "postgres")
	a, _ := start(t, append([]string{"--demo", "--db", dsn}, hookFlags...)...)
	b, _ := start(t, append([]string{"--db", dsn}, hookFlags...)...)
	rc, recv := newHookReceiver(t)
	rc.secret = hookOn(t, dsn, recv.URL)
	auth := ownerAuth(t, a)
	const clients = 40
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < clients; i += 8 {
				base := []string{a, b}[i%2]
				code, env := call(t, "POST", base+"/api/v1/clients/1", auth, map[string]any{"name": fmt.Sprint("Twice ", i),
					"phone": fmt.Sprintf("+7997666%04d", i)})
				if code != 201 {
					t.Errorf("create: %d", code)
					return
				}
				id := int64(env["data"].(map[string]any)["id"].(float64))
				other := []string{b, a}[i%2]
				if code, _ := call(t, "PUT", fmt.Sprintf("%s/api/v1/client/1/%d", other, id), auth, map[string]any{"comment": "edited"}); code != 200 {
					t.Errorf("edit: %d", code)
				}
			}
		}()
	}
	wg.Wait()
	const events = 2 * clients
	waitUntil(t, "every event", 20*time.Second, func() bool { return rc.distinct() == events })
	time.Sleep(300 * time.Millisecond) // a duplicate would arrive now
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, delivered int
	if err := db.QueryRow("SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'delivered') FROM webhook_deliveries").Scan(&rows, &delivered); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for id, n := range rc.accepted {
		if n != 1 {
			t.Errorf("delivery %s arrived %d times", id, n)
		}
	}
	if rows != events || delivered != events || rc.requests != events {
		t.Fatalf("%d rows, %d delivered, %d requests; want %d of each", rows, delivered, rc.requests, events)
	}
}
