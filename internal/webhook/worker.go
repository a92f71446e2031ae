// Package webhook delivers the webhook outbox: a worker claims due
// deliveries in a short write transaction, posts each one outside any
// transaction, and records the outcome. Delivery is at least once: a claim
// is a lease, and a process that dies mid-delivery leaves a row that is
// claimed again when the lease runs out; the delivery id lets receivers
// drop a repeat.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"appointd/internal/booking"
	"appointd/internal/netguard"
)

// Headers of every delivery.
const (
	HeaderSignature = "X-Appointd-Signature" // sha256=<hex HMAC-SHA256(secret, body)>
	HeaderDelivery  = "X-Appointd-Delivery"  // the delivery id, the same on every attempt
	HeaderEvent     = "X-Appointd-Event"     // resource.status, e.g. record.create
)

// Options tune a Worker. Zero values mean the defaults.
type Options struct {
	// AllowPrivate permits loopback, private and this host's own addresses
	// (--webhook-allow-loopback); off, they are refused. Other
	// special-purpose addresses are refused either way (netguard).
	AllowPrivate bool
	// Timeout bounds one delivery: connect, TLS, request and answer
	// (default 10 s). A claim's lease is twice as long.
	Timeout time.Duration
	// MaxAttempts before a delivery is marked failed (default 8).
	MaxAttempts int
	// Backoff is the delay after the first failure; it doubles after each
	// further one up to MaxBackoff, and the wait is drawn from its upper half
	// (defaults 10 s and 1 h).
	Backoff, MaxBackoff time.Duration
	// Poll is how often the worker looks for due deliveries when nothing
	// woke it (default 1 s); other processes' writes are found this way.
	Poll time.Duration
	// Batch is the most deliveries in flight at once (default 16).
	Batch int
	// Retention keeps delivered rows this long (default 7 days).
	Retention time.Duration
	Logger    *slog.Logger
}

// Worker delivers the outbox.
type Worker struct {
	svc    *booking.Service
	o      Options
	client *http.Client
	wake   chan struct{}
}

// New makes a worker; Run starts it.
func New(svc *booking.Service, o Options) *Worker {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = 10 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 16
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	w := &Worker{svc: svc, o: o, wake: make(chan struct{}, 1)}
	w.client = newClient(o.Timeout, o.AllowPrivate)
	return w
}

// Wake makes the worker look for deliveries now (safe on a nil worker and
// from any goroutine).
func (w *Worker) Wake() {
	if w == nil {
		return
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then lets the deliveries under way finish
// (each is bounded by Timeout) and returns. Up to Batch deliveries are in
// flight at once; a slow receiver holds one of them, not the others.
func (w *Worker) Run(ctx context.Context) {
	slots := make(chan struct{}, w.o.Batch)
	defer func() { // wait for the deliveries under way
		for range w.o.Batch {
			slots <- struct{}{}
		}
	}()
	var pruned time.Time
	for ctx.Err() == nil {
		if time.Since(pruned) > time.Hour {
			pruned = time.Now()
			if err := w.svc.PruneWebhookDeliveries(ctx, pruned.Add(-w.o.Retention)); err != nil && ctx.Err() == nil {
				w.o.Logger.Error("webhook prune failed", "err", err)
			}
		}
		free := w.o.Batch - len(slots)
		var list []booking.WebhookDelivery
		if free > 0 {
			var err error
			list, err = w.svc.ClaimWebhookDeliveries(ctx, time.Now(), w.lease(), free)
			if err != nil && ctx.Err() == nil {
				w.o.Logger.Error("webhook claim failed", "err", err)
			}
		}
		for _, d := range list {
			slots <- struct{}{}
			go func() {
				defer func() {
					<-slots
					w.Wake() // the resource's next event may be due now
				}()
				w.deliver(d)
			}()
		}
		if len(list) > 0 && len(list) == free {
			continue // there may be more
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-time.After(w.o.Poll):
		}
	}
}

// lease is how long a claim keeps other workers off a row: long enough
// for the delivery and recording its outcome.
func (w *Worker) lease() time.Duration { return 2 * w.o.Timeout }

// deliver sends one delivery and stores the outcome. It runs on its own
// contexts, so that a shutdown lets it finish.
func (w *Worker) deliver(d booking.WebhookDelivery) {
	status, err := w.post(d)
	now := time.Now()
	d.UpdatedAt = now
	var refused *RefusedError
	switch {
	case err == nil:
		d.State, d.LastError, d.DeliveredAt = booking.DeliveryDelivered, "", &now
	case errors.As(err, &refused):
		d.State, d.LastError = booking.DeliveryFailed, err.Error()
	case d.Attempts >= w.o.MaxAttempts:
		d.State, d.LastError = booking.DeliveryFailed, err.Error()
	default:
		d.State, d.LastError, d.NextAttempt = booking.DeliveryPending, err.Error(), now.Add(w.backoff(d.Attempts))
	}
	log := w.o.Logger.With("delivery_id", d.DeliveryID, "location_id", d.LocationID, "resource", d.Resource,
		"resource_id", d.ResourceID, "attempt", d.Attempts, "state", d.State)
	var ce *ConnectError
	if errors.As(err, &ce) {
		log.Warn("webhook delivery failed", "err", err, "cause", ce.Err)
	} else if err != nil {
		log.Warn("webhook delivery failed", "status", status, "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if ok, err := w.svc.FinishWebhookDelivery(ctx, d); err != nil {
		log.Error("webhook outcome not stored; the delivery is retried when its lease ends", "err", err)
	} else if !ok {
		log.Warn("webhook lease expired before the outcome was stored")
	}
}

// backoff is the wait after failed attempt n (1-based): Backoff doubled
// n-1 times, at most MaxBackoff, drawn from its upper half.
func (w *Worker) backoff(n int) time.Duration {
	d := w.o.Backoff
	for i := 1; i < n && d < w.o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.o.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// Sign is the signature header's value for body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// post sends d once; nil means a 2xx answer.
func (w *Worker) post(d booking.WebhookDelivery) (int, error) {
	if err := booking.CheckHookURL(d.URL); err != nil {
		return 0, &RefusedError{Reason: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, &RefusedError{Reason: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "appointd-webhook/1")
	req.Header.Set(HeaderDelivery, d.DeliveryID)
	req.Header.Set(HeaderEvent, d.Resource+"."+d.Status)
	req.Header.Set(HeaderSignature, Sign(d.Secret, d.Body))
	res, err := w.client.Do(req)
	if err != nil {
		var refused *RefusedError
		if errors.As(err, &refused) {
			return 0, refused
		}
		return 0, &ConnectError{Err: err}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// RefusedError is a destination appointd will not deliver to; the
// delivery fails at once.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "refused: " + e.Reason }

// ConnectError is any failure to get an HTTP answer: refused or reset
// connection, timeout, TLS failure, an answer that is not HTTP. Its text,
// which is stored and shown to the location's users, is the same for all
// of them, so that webhook URLs cannot be used to tell open ports from
// closed ones; the cause goes to the server log only.
type ConnectError struct{ Err error }

// ConnectFailed is the recorded text of every ConnectError.
const ConnectFailed = "no HTTP answer (connection failed, timed out or not HTTP)"

func (e *ConnectError) Error() string { return ConnectFailed }
func (e *ConnectError) Unwrap() error { return e.Err }

// newClient is an HTTP client that never follows redirects or uses a
// proxy and refuses the addresses netguard refuses (loopback, private and
// this host's own addresses unless allowLocal; every other special-purpose
// range always). The check runs on the address being dialled, after DNS,
// so a name that resolves (or rebinds) to such an address is refused too.
func newClient(timeout time.Duration, allowLocal bool) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 5*time.Second)}
	dialer.Control = func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return &RefusedError{Reason: "bad address " + address}
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return &RefusedError{Reason: "bad address " + address}
		}
		if r := netguard.Check(ip, allowLocal); r != "" {
			return &RefusedError{Reason: r}
		}
		return nil
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
