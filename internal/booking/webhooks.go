package booking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"appointd/internal/auth"
	"appointd/internal/netguard"
)

// Webhook resources (Altegio's entity names; "visit" is appointd's own) and
// the statuses of an event.
const (
	HookRecord = "record"
	HookClient = "client"
	HookVisit  = "visit"

	HookCreate = "create"
	HookUpdate = "update"
	HookDelete = "delete"
)

// HookEvents are the entity flags of the webhook settings, in the order
// Altegio's hooks_settings page lists them, plus "visit". appointd sends
// events for record, client and visit; the other flags are stored and
// answered as set.
var HookEvents = []string{"salon", "service_category", "service", "good", "master", HookClient, HookRecord,
	"goods_operations_sale", "goods_operations_receipt", "goods_operations_consumable", "goods_operations_stolen",
	"goods_operations_move", "finances_operation", "self_sending", HookVisit}

// WebhookSettings are a location's webhook settings.
type WebhookSettings struct {
	LocationID int64
	URLs       []string
	Active     bool
	Events     map[string]bool
	// Secret keys the HMAC-SHA256 signature of every delivery.
	Secret    string
	UpdatedAt time.Time
}

// sends reports whether a change of resource becomes deliveries.
func (w WebhookSettings) sends(resource string) bool {
	return w.Active && w.Events[resource] && len(w.URLs) > 0
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event for one URL (an outbox row).
type WebhookDelivery struct {
	ID          int64
	DeliveryID  string // the receiver's idempotency key
	LocationID  int64
	URL         string
	Resource    string
	ResourceID  int64
	Status      string
	Body        []byte
	State       string
	Attempts    int
	NextAttempt time.Time // zero: due at once
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt *time.Time
	// Secret is the location's current secret (claims only).
	Secret string
}

// DeliveryQuery narrows a delivery list; newest first.
type DeliveryQuery struct {
	LocationID    int64
	States        []string
	Limit, Offset int
}

// OutboxStats is the state of the webhook outbox over every location.
type OutboxStats struct {
	Pending, Failed int
	OldestPending   time.Time // zero when nothing is pending
}

// WebhookOutbox is the outbox's state, for the metrics.
func (s *Service) WebhookOutbox(ctx context.Context) (OutboxStats, error) {
	var out OutboxStats
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.OutboxStats(ctx)
		return err
	})
	return out, err
}

// WebhookTx is the store's part for webhooks.
type WebhookTx interface {
	// OutboxStats counts pending and failed deliveries (every location).
	OutboxStats(ctx context.Context) (OutboxStats, error)
	// WebhookSettings returns a location's settings, ErrNotFound if none.
	WebhookSettings(ctx context.Context, locationID int64) (WebhookSettings, error)
	PutWebhookSettings(ctx context.Context, w WebhookSettings) error
	AddWebhookDelivery(ctx context.Context, d WebhookDelivery) error
	// ClaimWebhookDeliveries leases up to limit pending deliveries that are
	// due, not leased, and have no earlier pending delivery of the same
	// resource to the same URL, adding one to their attempts. Another
	// process never gets the same rows while the lease runs.
	ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]WebhookDelivery, error)
	// FinishWebhookDelivery stores the outcome of the attempt d.Attempts
	// (state, next attempt, error); false when that claim is no longer
	// current (its lease ran out and another attempt began).
	FinishWebhookDelivery(ctx context.Context, d WebhookDelivery) (bool, error)
	WebhookDeliveries(ctx context.Context, q DeliveryQuery) ([]WebhookDelivery, int, error)
	RetryWebhookDeliveries(ctx context.Context, locationID, deliveryID int64, now time.Time) (int, error)
	// PruneWebhookDeliveries deletes delivered rows last changed before.
	PruneWebhookDeliveries(ctx context.Context, before time.Time) error
}

// HookRenderer renders a resource the way the API answers it, so that a
// payload carries the same object a GET would. The HTTP layer implements
// it; a Service without one writes no deliveries.
type HookRenderer interface {
	Record(v AppointmentView) any
	Client(c Client, loc Location) any
	Visit(d VisitDetails) any
}

// hookPayload is the body Altegio sends.
type hookPayload struct {
	CompanyID  int64  `json:"company_id"`
	Resource   string `json:"resource"`
	ResourceID int64  `json:"resource_id"`
	Status     string `json:"status"`
	Data       any    `json:"data"`
}

// notifyingStore calls notify after a committed write transaction that
// wrote deliveries, so that the worker of this process starts at once.
type notifyingStore struct {
	Store
	written *atomic.Bool
	notify  func()
}

func (n notifyingStore) Write(ctx context.Context, fn func(Tx) error) error {
	err := n.Store.Write(ctx, fn)
	if err == nil && n.written.Swap(false) {
		n.notify()
	}
	return err
}

// hooksFor returns the location's settings when they send resource.
func (s *Service) hooksFor(ctx context.Context, tx Tx, locationID int64, resource string) (WebhookSettings, bool, error) {
	if s.hooks == nil {
		return WebhookSettings{}, false, nil
	}
	w, err := tx.WebhookSettings(ctx, locationID)
	if errors.Is(err, ErrNotFound) {
		return w, false, nil
	}
	return w, err == nil && w.sends(resource), err
}

// emit writes the event's outbox rows, one per URL, in tx.
func (s *Service) emit(ctx context.Context, tx Tx, w WebhookSettings, resource string, id int64, status string, data any) error {
	body, err := json.Marshal(hookPayload{CompanyID: w.LocationID, Resource: resource, ResourceID: id, Status: status, Data: data})
	if err != nil {
		return err
	}
	now := s.now()
	for _, u := range w.URLs {
		d := WebhookDelivery{DeliveryID: newDeliveryID(), LocationID: w.LocationID, URL: u, Resource: resource,
			ResourceID: id, Status: status, Body: body, State: DeliveryPending, CreatedAt: now, UpdatedAt: now}
		if err := tx.AddWebhookDelivery(ctx, d); err != nil {
			return err
		}
	}
	s.hookWritten.Store(true)
	return nil
}

// hookRecord emits an appointment event with the appointment as GET
// /record answers it now (a deleted one included).
func (s *Service) hookRecord(ctx context.Context, tx Tx, locationID, id int64, status string) error {
	w, ok, err := s.hooksFor(ctx, tx, locationID, HookRecord)
	if err != nil || !ok {
		return err
	}
	loc, err := tx.LocationByID(ctx, locationID)
	if err != nil {
		return err
	}
	a, err := tx.Appointment(ctx, locationID, id)
	if err != nil {
		return err
	}
	v, err := view(ctx, tx, loc, a)
	if err != nil {
		return err
	}
	return s.emit(ctx, tx, w, HookRecord, id, status, s.hooks.Record(v))
}

// hookView emits an appointment event with a view loaded already.
func (s *Service) hookView(ctx context.Context, tx Tx, v AppointmentView, status string) error {
	w, ok, err := s.hooksFor(ctx, tx, v.LocationID, HookRecord)
	if err != nil || !ok {
		return err
	}
	return s.emit(ctx, tx, w, HookRecord, v.ID, status, s.hooks.Record(v))
}

// hookClient emits a client event with the client as given.
func (s *Service) hookClient(ctx context.Context, tx Tx, cl Client, status string) error {
	w, ok, err := s.hooksFor(ctx, tx, cl.LocationID, HookClient)
	if err != nil || !ok {
		return err
	}
	loc, err := tx.LocationByID(ctx, cl.LocationID)
	if err != nil {
		return err
	}
	return s.emit(ctx, tx, w, HookClient, cl.ID, status, s.hooks.Client(cl, loc))
}

// hookVisit emits a visit update and an update of each of its
// appointments, whose attendance and paid_full a visit edit changes.
func (s *Service) hookVisit(ctx context.Context, tx Tx, d VisitDetails) error {
	w, ok, err := s.hooksFor(ctx, tx, d.Location.ID, HookVisit)
	if err != nil {
		return err
	}
	if ok {
		if err := s.emit(ctx, tx, w, HookVisit, d.Visit.ID, HookUpdate, s.hooks.Visit(d)); err != nil {
			return err
		}
	}
	if s.hooks == nil || !w.sends(HookRecord) {
		return nil
	}
	for _, r := range d.Records {
		if err := s.emit(ctx, tx, w, HookRecord, r.ID, HookUpdate, s.hooks.Record(r)); err != nil {
			return err
		}
	}
	return nil
}

// newDeliveryID is a random UUID (version 4).
func newDeliveryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Limits of the settings.
const (
	maxHookURLs   = 10
	maxHookURLLen = 2048
)

// CheckHookURL accepts an absolute http or https URL with a host. Where it
// may be delivered is checked by hookHostRefusal (the settings API) and by
// the worker when it dials.
func CheckHookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || len(raw) > maxHookURLLen:
		return fmt.Errorf("%q is not a URL of at most %d characters", raw, maxHookURLLen)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: only http and https URLs are allowed", raw)
	case u.Hostname() == "":
		return fmt.Errorf("%q has no host", raw)
	}
	return nil
}

// hookHostRefusal is why a webhook URL (already checked by CheckHookURL)
// may not be saved: its host is an IP address, or a localhost name, that
// netguard refuses. Other names are not resolved here: what a name
// resolves to can change after the save, so the worker's check when it
// dials is the one that counts, and the save does not depend on DNS.
func hookHostRefusal(raw string, allowLocal bool) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return netguard.Check(ip, allowLocal)
}

// WebhookInput is POST /hooks_settings/{location_id}: urls and active are
// required; absent flags keep their values.
type WebhookInput struct {
	URLs   *[]string
	Active *bool
	Events map[string]bool
	// Secret replaces the signing secret (appointd extension).
	Secret *string
}

// GetWebhookSettings returns the location's settings; a location never
// configured has none (no URLs, inactive, no secret yet).
func (s *Service) GetWebhookSettings(ctx context.Context, c Caller, locationID int64) (WebhookSettings, error) {
	var out WebhookSettings
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		var err error
		out, err = tx.WebhookSettings(ctx, locationID)
		if errors.Is(err, ErrNotFound) {
			out, err = WebhookSettings{LocationID: locationID, URLs: []string{}, Events: map[string]bool{}}, nil
		}
		return err
	})
	return out, err
}

// SetWebhookSettings stores the location's settings; the first save makes
// the signing secret.
func (s *Service) SetWebhookSettings(ctx context.Context, c Caller, locationID int64, in WebhookInput) (WebhookSettings, error) {
	v := &ValidationError{}
	if in.URLs == nil {
		v.Add("urls", "urls is required (a list of http or https URLs)")
	}
	if in.Active == nil {
		v.Add("active", "active is required (1 or 0)")
	}
	var urls []string
	if in.URLs != nil {
		if len(*in.URLs) > maxHookURLs {
			v.Add("urls", "at most %d urls", maxHookURLs)
		}
		for _, u := range *in.URLs {
			u = strings.TrimSpace(u)
			if err := CheckHookURL(u); err != nil {
				v.Add("urls", "%s", err.Error())
			} else if r := hookHostRefusal(u, s.hookLocal); r != "" {
				v.Add("urls", "%q: refused: %s", u, r)
			} else if !slices.Contains(urls, u) {
				urls = append(urls, u)
			}
		}
	}
	for k := range in.Events {
		if !slices.Contains(HookEvents, k) {
			v.Add(k, "%s is not a webhook entity", k)
		}
	}
	if in.Secret != nil && (len(*in.Secret) < 16 || len(*in.Secret) > 256) {
		v.Add("secret", "secret must be 16 to 256 characters")
	}
	if err := v.Err(); err != nil {
		return WebhookSettings{}, err
	}
	var out WebhookSettings
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		w, _, err := s.settingsOrNew(ctx, tx, locationID)
		if err != nil {
			return err
		}
		w.URLs, w.Active = append([]string{}, urls...), *in.Active
		for k, on := range in.Events {
			w.Events[k] = on
		}
		if in.Secret != nil {
			w.Secret = *in.Secret
		}
		w.UpdatedAt = s.now()
		out = w
		return tx.PutWebhookSettings(ctx, w)
	})
	return out, err
}

// settingsOrNew is the location's settings, or new inactive ones with a
// secret (fresh).
func (s *Service) settingsOrNew(ctx context.Context, tx Tx, locationID int64) (w WebhookSettings, fresh bool, err error) {
	w, err = tx.WebhookSettings(ctx, locationID)
	if errors.Is(err, ErrNotFound) {
		return WebhookSettings{LocationID: locationID, URLs: []string{}, Events: map[string]bool{}, Secret: auth.NewToken()}, true, nil
	}
	if w.Events == nil {
		w.Events = map[string]bool{}
	}
	return w, false, err
}

// AddWebhookURL is `appointd webhook add`: it adds url to the location's
// settings and switches them on, with appointments, clients and visits
// subscribed when the location had no settings.
func (s *Service) AddWebhookURL(ctx context.Context, locationID int64, rawURL string) (WebhookSettings, error) {
	rawURL = strings.TrimSpace(rawURL)
	if err := CheckHookURL(rawURL); err != nil {
		return WebhookSettings{}, Invalid("url", "%s", err.Error())
	}
	var out WebhookSettings
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.LocationByID(ctx, locationID); err != nil {
			return err
		}
		w, fresh, err := s.settingsOrNew(ctx, tx, locationID)
		if err != nil {
			return err
		}
		if fresh {
			w.Events[HookRecord], w.Events[HookClient], w.Events[HookVisit] = true, true, true
		}
		if !slices.Contains(w.URLs, rawURL) {
			if len(w.URLs) >= maxHookURLs {
				return Invalid("url", "the location has %d urls already", maxHookURLs)
			}
			w.URLs = append(w.URLs, rawURL)
		}
		w.Active, w.UpdatedAt = true, s.now()
		out = w
		return tx.PutWebhookSettings(ctx, w)
	})
	return out, err
}

// RetryWebhooks is `appointd webhook retry`: the location's failed
// deliveries (or only delivery deliveryID, when not 0) go back to pending,
// due now, with their attempts reset; it returns how many. A delivery id
// that is not a failed delivery of the location is ErrNotFound.
func (s *Service) RetryWebhooks(ctx context.Context, locationID, deliveryID int64) (int, error) {
	var n int
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.LocationByID(ctx, locationID); err != nil {
			return err
		}
		var err error
		n, err = tx.RetryWebhookDeliveries(ctx, locationID, deliveryID, s.now())
		if err == nil && deliveryID != 0 && n == 0 {
			return ErrNotFound
		}
		if n > 0 {
			s.hookWritten.Store(true) // wakes this process's worker after the commit
		}
		return err
	})
	return n, err
}

// WebhookOverview is `appointd webhook list`: the settings (nil when none)
// and the deliveries in the given states, newest first.
func (s *Service) WebhookOverview(ctx context.Context, locationID int64, states []string, limit int) (*WebhookSettings, []WebhookDelivery, error) {
	var w *WebhookSettings
	var list []WebhookDelivery
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, err := tx.LocationByID(ctx, locationID); err != nil {
			return err
		}
		got, err := tx.WebhookSettings(ctx, locationID)
		if err == nil {
			w = &got
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		list, _, err = tx.WebhookDeliveries(ctx, DeliveryQuery{LocationID: locationID, States: states, Limit: limit})
		return err
	})
	return w, list, err
}

// DeliveryFilter is GET /hooks_settings/{location_id}/deliveries.
type DeliveryFilter struct {
	States      []string // default pending and failed
	Page, Count int
}

// ListWebhookDeliveries lists the location's deliveries (appointd
// extension), newest first, and the total.
func (s *Service) ListWebhookDeliveries(ctx context.Context, c Caller, locationID int64, f DeliveryFilter) ([]WebhookDelivery, Location, int, error) {
	for _, st := range f.States {
		if st != DeliveryPending && st != DeliveryDelivered && st != DeliveryFailed {
			return nil, Location{}, 0, Invalid("state", "state is pending, delivered or failed")
		}
	}
	if len(f.States) == 0 {
		f.States = []string{DeliveryPending, DeliveryFailed}
	}
	var list []WebhookDelivery
	var loc Location
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		var m Membership
		if loc, m, err = s.access(ctx, tx, c, locationID, auth.PermSettings); err != nil {
			return err
		}
		list, total, err = tx.WebhookDeliveries(ctx, DeliveryQuery{LocationID: locationID, States: f.States,
			Limit: f.Count, Offset: (f.Page - 1) * f.Count})
		if err == nil && !seesContacts(m.Permissions()) {
			// A payload carries clients' contacts in full (docs/RIGHTS.md).
			for i := range list {
				list[i].Body = nil
			}
		}
		return err
	})
	return list, loc, total, err
}

// ClaimWebhookDeliveries is the worker's claim: a short write transaction
// that leases due deliveries and reads their locations' secrets.
func (s *Service) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]WebhookDelivery, error) {
	var out []WebhookDelivery
	err := s.outbox.Write(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.ClaimWebhookDeliveries(ctx, now, lease, limit); err != nil {
			return err
		}
		secrets := map[int64]string{}
		for i, d := range out {
			sec, ok := secrets[d.LocationID]
			if !ok {
				w, err := tx.WebhookSettings(ctx, d.LocationID)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				sec, secrets[d.LocationID] = w.Secret, w.Secret
			}
			out[i].Secret = sec
		}
		return nil
	})
	return out, err
}

// FinishWebhookDelivery records an attempt's outcome; false when the claim
// had expired and another attempt owns the row.
func (s *Service) FinishWebhookDelivery(ctx context.Context, d WebhookDelivery) (bool, error) {
	var ok bool
	err := s.outbox.Write(ctx, func(tx Tx) error {
		var err error
		ok, err = tx.FinishWebhookDelivery(ctx, d)
		return err
	})
	return ok, err
}

// PruneWebhookDeliveries deletes delivered rows older than before.
func (s *Service) PruneWebhookDeliveries(ctx context.Context, before time.Time) error {
	return s.outbox.Write(ctx, func(tx Tx) error { return tx.PruneWebhookDeliveries(ctx, before) })
}
