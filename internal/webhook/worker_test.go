package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/netguard"
	"appointd/internal/testenv"
	"appointd/internal/webhook"
)

// fixture is a demo database on one engine with a logged-in owner.
type fixture struct {
	t      *testing.T
	dsn    string
	svc    *booking.Service
	caller booking.Caller
	loc    int64
}

func eachEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			f := &fixture{t: t, dsn: dsn}
			f.svc = f.service()
			ctx := context.Background()
			res, err := demo.Seed(ctx, f.svc, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			f.loc = res.LocationID
			f.caller = f.login(f.svc)
			fn(t, f)
		})
	}
}

// service is another Service on its own store: what another process on the
// same database would have.
func (f *fixture) service() *booking.Service {
	st := testenv.Open(f.t, f.dsn)
	return booking.NewService(st, booking.Options{BcryptCost: bcrypt.MinCost, Hooks: httpapi.Hooks{}})
}

func (f *fixture) login(svc *booking.Service) booking.Caller {
	ctx := context.Background()
	c, err := svc.Authenticate(ctx, auth.Credentials{Partner: demo.PartnerToken}, "127.0.0.1")
	if err != nil {
		f.t.Fatal(err)
	}
	_, tok, err := svc.Login(ctx, c, demo.OwnerLogin, demo.Password)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err = svc.Authenticate(ctx, auth.Credentials{Partner: demo.PartnerToken, User: tok}, "127.0.0.1")
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// hook points the location's webhooks at url and returns the secret.
func (f *fixture) hook(url string) string {
	w, err := f.svc.AddWebhookURL(context.Background(), f.loc, url)
	if err != nil {
		f.t.Fatal(err)
	}
	return w.Secret
}

func (f *fixture) newClient(svc *booking.Service, c booking.Caller, i int) booking.Client {
	name, phone := fmt.Sprintf("Hook Client %d", i), fmt.Sprintf("+7988%07d", i)
	cl, err := svc.CreateClient(context.Background(), c, f.loc, booking.ClientInput{Name: &name, Phone: &phone})
	if err != nil {
		f.t.Fatal(err)
	}
	return cl
}

func (f *fixture) comment(svc *booking.Service, c booking.Caller, id int64, text string) {
	if _, err := svc.UpdateClient(context.Background(), c, f.loc, id, booking.ClientInput{Comment: &text}); err != nil {
		f.t.Fatal(err)
	}
}

// run starts a worker until the test ends. Tests deliver to 127.0.0.1, so
// they set AllowPrivate (as serve --webhook-allow-loopback does), except the
// one that checks the refusal. The returned func stops the worker early.
func run(t *testing.T, svc *booking.Service, o webhook.Options) (stop func()) {
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Backoff == 0 {
		o.Backoff, o.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	}
	o.Poll = 20 * time.Millisecond
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	w := webhook.New(svc, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

// hit is one request the receiver got.
type hit struct {
	id, event string
	status    int
	payload   struct {
		CompanyID  int64           `json:"company_id"`
		Resource   string          `json:"resource"`
		ResourceID int64           `json:"resource_id"`
		Status     string          `json:"status"`
		Data       json.RawMessage `json:"data"`
	}
}

// receiver records every request, checks its signature with secret, and
// answers answer(n) to the n-th (from 1).
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	secret string
	hits   []hit
	answer func(n int) int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if got, want := r.Header.Get(webhook.HeaderSignature), webhook.Sign(rc.secret, body); got != want {
		rc.t.Errorf("signature %q, want %q", got, want)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		rc.t.Errorf("Content-Type %q", ct)
	}
	h := hit{id: r.Header.Get(webhook.HeaderDelivery), event: r.Header.Get(webhook.HeaderEvent), status: 200}
	if err := json.Unmarshal(body, &h.payload); err != nil {
		rc.t.Errorf("body is not the payload: %v: %s", err, body)
	}
	if rc.answer != nil {
		h.status = rc.answer(len(rc.hits) + 1)
	}
	rc.hits = append(rc.hits, h)
	w.WriteHeader(h.status)
}

// accepted are the hits answered 2xx.
func (rc *receiver) accepted() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []hit
	for _, h := range rc.hits {
		if h.status/100 == 2 {
			out = append(out, h)
		}
	}
	return out
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hits)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// deliveries lists the location's deliveries in the given states.
func (f *fixture) deliveries(states ...string) []booking.WebhookDelivery {
	f.t.Helper()
	list, _, _, err := f.svc.ListWebhookDeliveries(context.Background(), f.caller, f.loc,
		booking.DeliveryFilter{States: states, Page: 1, Count: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func TestRetriesUntilTheReceiverAccepts(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		rc := &receiver{t: t, answer: func(n int) int {
			if n <= 3 {
				return http.StatusInternalServerError
			}
			return http.StatusNoContent
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		rc.secret = f.hook(srv.URL + "/hook")
		run(t, f.svc, webhook.Options{AllowPrivate: true})
		cl := f.newClient(f.svc, f.caller, 1)
		waitFor(t, "the delivery", func() bool { return len(rc.accepted()) == 1 })
		if n := rc.count(); n != 4 {
			t.Fatalf("%d requests, want 3 refused and 1 accepted", n)
		}
		for _, h := range rc.hits {
			if h.id != rc.hits[0].id || len(h.id) != 36 {
				t.Fatalf("delivery ids %q and %q: one event has one id on every attempt", rc.hits[0].id, h.id)
			}
		}
		h := rc.hits[3]
		p := h.payload
		if p.CompanyID != f.loc || p.Resource != "client" || p.ResourceID != cl.ID || p.Status != "create" || h.event != "client.create" {
			t.Fatalf("payload %+v, event %q", p, h.event)
		}
		var data map[string]any
		_ = json.Unmarshal(p.Data, &data)
		if data["name"] != "Hook Client 1" || data["phone"] != "+79880000001" || data["id"] != float64(cl.ID) {
			t.Fatalf("data is not the client: %s", p.Data)
		}
		waitFor(t, "the delivered state", func() bool {
			d := f.deliveries(booking.DeliveryDelivered)
			return len(d) == 1 && d[0].Attempts == 4 && d[0].DeliveredAt != nil
		})
	})
}

func TestReceiverDownThenUp(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens: connections are refused
		rc := &receiver{t: t}
		rc.secret = f.hook("http://" + addr + "/hook")
		run(t, f.svc, webhook.Options{AllowPrivate: true})
		a, b := f.newClient(f.svc, f.caller, 1), f.newClient(f.svc, f.caller, 2)
		for i := range 3 {
			f.comment(f.svc, f.caller, a.ID, fmt.Sprint("v", i))
		}
		waitFor(t, "failed attempts", func() bool {
			for _, d := range f.deliveries(booking.DeliveryPending) {
				if d.Attempts >= 2 && d.LastError == webhook.ConnectFailed {
					return true
				}
			}
			return false
		})
		if len(f.deliveries(booking.DeliveryDelivered, booking.DeliveryFailed)) != 0 {
			t.Fatal("a delivery finished while the receiver was down")
		}
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("the port was taken meanwhile: %v", err)
		}
		srv := httptest.NewUnstartedServer(rc)
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		defer srv.Close()
		waitFor(t, "every delivery", func() bool { return len(rc.accepted()) == 5 })
		var order []string
		for _, h := range rc.accepted() {
			if h.payload.ResourceID == a.ID {
				var data map[string]any
				_ = json.Unmarshal(h.payload.Data, &data)
				order = append(order, h.payload.Status+":"+fmt.Sprint(data["comment"]))
			}
		}
		if got := strings.Join(order, " "); got != "create: update:v0 update:v1 update:v2" {
			t.Fatalf("client %d's events arrived as %q", a.ID, got)
		}
		_ = b
	})
}

func TestFailedAfterMaxAttemptsAndVisible(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		rc := &receiver{t: t, answer: func(int) int { return http.StatusServiceUnavailable }}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		rc.secret = f.hook(srv.URL)
		run(t, f.svc, webhook.Options{AllowPrivate: true, MaxAttempts: 3})
		cl := f.newClient(f.svc, f.caller, 1)
		f.comment(f.svc, f.caller, cl.ID, "second event")
		waitFor(t, "both failed", func() bool { return len(f.deliveries(booking.DeliveryFailed)) == 2 })
		if n := rc.count(); n != 6 {
			t.Fatalf("%d requests, want 3 per event", n)
		}
		// The update waited for the create to fail.
		for i, h := range rc.hits {
			if want := []string{"create", "update"}[i/3]; h.payload.Status != want {
				t.Fatalf("request %d is a %s, want %s", i+1, h.payload.Status, want)
			}
		}
		for _, d := range f.deliveries(booking.DeliveryFailed) {
			if d.Attempts != 3 || d.LastError != "answered 503" {
				t.Fatalf("failed delivery %+v", d)
			}
		}
	})
}

func TestOrderPerResourceUnderFailures(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		rc := &receiver{t: t, answer: func(n int) int {
			if n%3 == 0 {
				return http.StatusBadGateway
			}
			return http.StatusOK
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		rc.secret = f.hook(srv.URL)
		run(t, f.svc, webhook.Options{AllowPrivate: true, Batch: 8})
		var ids []int64
		for i := range 4 {
			ids = append(ids, f.newClient(f.svc, f.caller, i).ID)
		}
		const edits = 8
		for v := range edits {
			for _, id := range ids {
				f.comment(f.svc, f.caller, id, fmt.Sprint(v))
			}
		}
		waitFor(t, "every delivery", func() bool { return len(rc.accepted()) == len(ids)*(edits+1) })
		seen := map[int64][]string{}
		for _, h := range rc.accepted() {
			var data map[string]any
			_ = json.Unmarshal(h.payload.Data, &data)
			seen[h.payload.ResourceID] = append(seen[h.payload.ResourceID], fmt.Sprint(data["comment"]))
		}
		want := " 0 1 2 3 4 5 6 7"
		for _, id := range ids {
			if got := strings.Join(seen[id], " "); got != want {
				t.Errorf("client %d: comments arrived as %q, want %q", id, got, want)
			}
		}
	})
}

// TestTwoProcessesDeliverEachEventOnce: two stores and two workers on one
// database, as two appointd processes would be, write and deliver events
// at the same time; the receiver sees every delivery id exactly once.
func TestTwoProcessesDeliverEachEventOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		rc := &receiver{t: t, answer: func(int) int {
			time.Sleep(2 * time.Millisecond) // let the two workers overlap
			return http.StatusOK
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		rc.secret = f.hook(srv.URL)
		other := f.service()
		otherCaller := f.login(other)
		run(t, f.svc, webhook.Options{AllowPrivate: true, Batch: 4})
		run(t, other, webhook.Options{AllowPrivate: true, Batch: 4})
		var wg sync.WaitGroup
		const clients, edits = 10, 9
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc, c := f.svc, f.caller
				if i%2 == 1 {
					svc, c = other, otherCaller
				}
				cl := f.newClient(svc, c, i)
				for v := range edits {
					f.comment(svc, c, cl.ID, fmt.Sprint(v))
				}
			}()
		}
		wg.Wait()
		const total = clients * (edits + 1)
		waitFor(t, "every delivery", func() bool { return len(f.deliveries(booking.DeliveryDelivered)) == total })
		time.Sleep(100 * time.Millisecond) // a duplicate would arrive now
		byID := map[string]int{}
		for _, h := range rc.accepted() {
			byID[h.id]++
		}
		for _, d := range f.deliveries(booking.DeliveryDelivered) {
			if byID[d.DeliveryID] != 1 {
				t.Errorf("delivery %s arrived %d times", d.DeliveryID, byID[d.DeliveryID])
			}
		}
		if n := rc.count(); n != total || len(byID) != total {
			t.Fatalf("%d requests with %d delivery ids, want %d of each", n, len(byID), total)
		}
	})
}

// TestExpiredLeaseIsClaimedAgain: a claim whose process died is delivered
// by another worker once its lease ends, and the dead claim's late outcome
// is not stored over the new one.
func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		rc := &receiver{t: t}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		rc.secret = f.hook(srv.URL)
		f.newClient(f.svc, f.caller, 1)
		ctx := context.Background()
		dead, err := f.svc.ClaimWebhookDeliveries(ctx, time.Now(), 300*time.Millisecond, 10)
		if err != nil || len(dead) != 1 || dead[0].Secret != rc.secret {
			t.Fatalf("claim: %v %+v", err, dead)
		}
		if again, _ := f.svc.ClaimWebhookDeliveries(ctx, time.Now(), time.Minute, 10); len(again) != 0 {
			t.Fatal("a leased delivery was claimed twice")
		}
		run(t, f.svc, webhook.Options{AllowPrivate: true})
		waitFor(t, "the delivery", func() bool { return len(rc.accepted()) == 1 })
		if rc.hits[0].id != dead[0].DeliveryID {
			t.Fatal("the redelivery has another delivery id")
		}
		waitFor(t, "the delivered state", func() bool { return len(f.deliveries(booking.DeliveryDelivered)) == 1 })
		late := dead[0]
		late.State, late.LastError, late.UpdatedAt = booking.DeliveryFailed, "late", time.Now()
		if ok, err := f.svc.FinishWebhookDelivery(ctx, late); err != nil || ok {
			t.Fatalf("the expired claim's outcome was stored (%v, %v)", ok, err)
		}
		if d := f.deliveries(booking.DeliveryDelivered); len(d) != 1 || d[0].Attempts != 2 {
			t.Fatalf("after the late outcome: %+v", d)
		}
	})
}

func TestLoopbackRefusedWithoutTheFlag(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		rc := &receiver{t: t}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		rc.secret = f.hook(srv.URL)
		f.hook("http://localhost:" + port + "/by-name") // the name resolves to loopback: refused after DNS
		run(t, f.svc, webhook.Options{})
		f.newClient(f.svc, f.caller, 1)
		waitFor(t, "both refused", func() bool { return len(f.deliveries(booking.DeliveryFailed)) == 2 })
		for _, d := range f.deliveries(booking.DeliveryFailed) {
			if d.Attempts != 1 || !strings.Contains(d.LastError, "refused") || !strings.Contains(d.LastError, "loopback") {
				t.Errorf("delivery to %s: attempts %d, error %q", d.URL, d.Attempts, d.LastError)
			}
		}
		if n := rc.count(); n != 0 {
			t.Fatalf("the receiver got %d requests", n)
		}
	})
}

// TestPendingDeliveredByALaterWorker: rows written while no worker runs
// (a stopped or killed process) go out when one starts.
func TestPendingDeliveredByALaterWorker(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		rc := &receiver{t: t}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		rc.secret = f.hook(srv.URL)
		f.newClient(f.svc, f.caller, 1)
		f.newClient(f.svc, f.caller, 2)
		time.Sleep(50 * time.Millisecond)
		if rc.count() != 0 {
			t.Fatal("delivered without a worker")
		}
		run(t, f.service(), webhook.Options{AllowPrivate: true})
		waitFor(t, "both deliveries", func() bool { return len(rc.accepted()) == 2 })
	})
}

// ownAddr is a non-loopback address of one of this machine's interfaces.
func ownAddr(t *testing.T) netip.Addr {
	for _, a := range netguard.OwnAddrs() {
		if a.Is4() && !a.IsLoopback() {
			return a
		}
	}
	t.Skip("this machine has no non-loopback IPv4 interface address")
	return netip.Addr{}
}

// TestOwnAddressRefusedWithoutTheFlag: a receiver on the machine's own
// (non-loopback) interface address gets nothing from a worker without
// --webhook-allow-loopback, and its deliveries with the flag.
func TestOwnAddressRefusedWithoutTheFlag(t *testing.T) {
	own := ownAddr(t)
	eachEngine(t, func(t *testing.T, f *fixture) {
		ln, err := net.Listen("tcp", net.JoinHostPort(own.String(), "0"))
		if err != nil {
			t.Fatal(err)
		}
		rc := &receiver{t: t}
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: rc}}
		srv.Start()
		defer srv.Close()
		rc.secret = f.hook(srv.URL) // the CLI's add is not checked at save; the dial is
		stop := run(t, f.svc, webhook.Options{})
		f.newClient(f.svc, f.caller, 1)
		waitFor(t, "the refusal", func() bool { return len(f.deliveries(booking.DeliveryFailed)) == 1 })
		stop()
		d := f.deliveries(booking.DeliveryFailed)[0]
		if d.Attempts != 1 || !strings.Contains(d.LastError, "refused: "+own.String()+" is this host's own address") {
			t.Errorf("delivery to %s: attempts %d, error %q", d.URL, d.Attempts, d.LastError)
		}
		if n := rc.count(); n != 0 {
			t.Fatalf("the receiver got %d requests", n)
		}
		run(t, f.svc, webhook.Options{AllowPrivate: true})
		f.newClient(f.svc, f.caller, 2)
		waitFor(t, "the delivery with the flag", func() bool { return len(rc.accepted()) == 1 })
	})
}

// TestConnectFailuresLookAlike: a closed port and an open port that does
// not speak HTTP leave the same error on their deliveries, so the list
// cannot be used to scan ports.
func TestConnectFailuresLookAlike(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		closed, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closedURL := "http://" + closed.Addr().String() + "/closed"
		closed.Close()
		open, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer open.Close()
		go func() {
			for {
				c, err := open.Accept()
				if err != nil {
					return
				}
				_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
				c.Close()
			}
		}()
		f.hook(closedURL)
		f.hook("http://" + open.Addr().String() + "/open")
		run(t, f.svc, webhook.Options{AllowPrivate: true, MaxAttempts: 1})
		f.newClient(f.svc, f.caller, 1)
		waitFor(t, "both failed", func() bool { return len(f.deliveries(booking.DeliveryFailed)) == 2 })
		for _, d := range f.deliveries(booking.DeliveryFailed) {
			if d.LastError != webhook.ConnectFailed {
				t.Errorf("delivery to %s: error %q, want %q", d.URL, d.LastError, webhook.ConnectFailed)
			}
		}
	})
}

// TestTimeoutEndsAHungDelivery: a receiver that never answers does not
// hold a delivery for ever: each attempt ends at the timeout, the sender
// closes the request, and after the last attempt the delivery is failed.
func TestTimeoutEndsAHungDelivery(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		var mu sync.Mutex
		opened, closedBySender := 0, 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body) // then the server notices when the sender hangs up
			mu.Lock()
			opened++
			mu.Unlock()
			<-r.Context().Done() // never answers; only the sender ends it
			mu.Lock()
			closedBySender++
			mu.Unlock()
		}))
		defer func() { srv.CloseClientConnections(); srv.Close() }() // let hung handlers go if the test fails
		f.hook(srv.URL)
		run(t, f.svc, webhook.Options{AllowPrivate: true, Timeout: 200 * time.Millisecond, MaxAttempts: 2})
		f.newClient(f.svc, f.caller, 1)
		waitFor(t, "the hung delivery to fail", func() bool { return len(f.deliveries(booking.DeliveryFailed)) == 1 })
		d := f.deliveries(booking.DeliveryFailed)[0]
		if d.Attempts != 2 || d.LastError != webhook.ConnectFailed {
			t.Errorf("failed delivery: attempts %d, error %q", d.Attempts, d.LastError)
		}
		waitFor(t, "the sender to close both requests", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return opened == 2 && closedBySender == 2
		})
	})
}
