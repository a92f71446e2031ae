package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
)

// hookRoutes lists the webhook settings routes (Altegio's hooks_settings)
// and appointd's delivery listing.
func (s *Server) hookRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "GET", path: v1 + "/hooks_settings/{location_id}", auth: authUser, perm: auth.PermSettings, handle: s.getHooks},
		{method: "POST", path: v1 + "/hooks_settings/{location_id}", auth: authUser, perm: auth.PermSettings, handle: s.setHooks},
		{method: "GET", path: v1 + "/hooks_settings/{location_id}/deliveries", auth: authUser, perm: auth.PermSettings, handle: s.hookDeliveries},
	}
}

// Hooks renders webhook payloads with the API's own shapes: an event
// carries the object a GET of the resource answers.
type Hooks struct{}

func (Hooks) Record(v booking.AppointmentView) any              { return renderRecord(v) }
func (Hooks) Client(c booking.Client, loc booking.Location) any { return renderClient(c, loc) }
func (Hooks) Visit(d booking.VisitDetails) any                  { return renderVisit(d) }

var _ booking.HookRenderer = Hooks{}

// hooksOut is the settings object: urls, active and the entity flags as
// 0/1 in Altegio's order, then appointd's secret.
type hooksOut struct{ w booking.WebhookSettings }

func (h hooksOut) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	urls, err := json.Marshal(h.w.URLs)
	if err != nil {
		return nil, err
	}
	b.WriteString(`{"urls":`)
	b.Write(urls)
	b.WriteString(`,"active":`)
	b.WriteByte('0' + byte(flag01(h.w.Active)))
	for _, slug := range booking.HookEvents {
		b.WriteString(`,"` + slug + `":`)
		b.WriteByte('0' + byte(flag01(h.w.Events[slug])))
	}
	secret, _ := json.Marshal(h.w.Secret)
	b.WriteString(`,"secret":`)
	b.Write(secret)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (s *Server) getHooks(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	w, err := s.Service.GetWebhookSettings(c.ctx, c.caller, loc)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, hooksOut{w})
}

// setHooks is POST /hooks_settings/{location_id}: urls and active are
// required, each flag optional (absent keeps its value).
func (s *Server) setHooks(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body map[string]json.RawMessage
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	in := booking.WebhookInput{Events: map[string]bool{}}
	v := &booking.ValidationError{}
	if raw, ok := body["urls"]; ok && string(raw) != "null" {
		var urls []String
		if json.Unmarshal(raw, &urls) != nil {
			v.Add("urls", "urls must be a list of URLs")
		}
		list := make([]string, 0, len(urls))
		for _, u := range urls {
			list = append(list, u.V)
		}
		in.URLs = &list
	}
	flag := func(name string) *bool {
		raw, ok := body[name]
		if !ok {
			return nil
		}
		var f Bool
		if json.Unmarshal(raw, &f) != nil {
			v.Add(name, "%s must be 1 or 0", name)
			return nil
		}
		return boolPtr(f)
	}
	in.Active = flag("active")
	for _, slug := range booking.HookEvents {
		if on := flag(slug); on != nil {
			in.Events[slug] = *on
		}
	}
	if raw, ok := body["secret"]; ok {
		var sec String
		if json.Unmarshal(raw, &sec) != nil {
			v.Add("secret", "secret must be a string")
		}
		in.Secret = sec.Ptr()
	}
	if err := v.Err(); err != nil {
		return err
	}
	w, err := s.Service.SetWebhookSettings(c.ctx, c.caller, loc, in)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, hooksOut{w})
}

// deliveryOut is one outbox row (appointd extension).
type deliveryOut struct {
	ID             int64           `json:"id"`
	DeliveryID     string          `json:"delivery_id"`
	URL            string          `json:"url"`
	Resource       string          `json:"resource"`
	ResourceID     int64           `json:"resource_id"`
	Status         string          `json:"status"`
	State          string          `json:"state"`
	Attempts       int             `json:"attempts"`
	NextAttemptAt  *string         `json:"next_attempt_at"`
	LastError      string          `json:"last_error"`
	CreateDate     string          `json:"create_date"`
	LastChangeDate string          `json:"last_change_date"`
	DeliveredAt    *string         `json:"delivered_at"`
	Payload        json.RawMessage `json:"payload"`
}

// hookDeliveries is GET /hooks_settings/{location_id}/deliveries: pending
// and failed deliveries (or ?state=...), newest first; meta {page,
// total_count}.
func (s *Server) hookDeliveries(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	page, count, err := pageCount(c.r, "count", 50, 200)
	if err != nil {
		return err
	}
	f := booking.DeliveryFilter{Page: page, Count: count}
	for _, st := range c.r.URL.Query()["state"] {
		for _, part := range strings.Split(st, ",") {
			if part = strings.TrimSpace(part); part != "" {
				f.States = append(f.States, part)
			}
		}
	}
	list, l, total, err := s.Service.ListWebhookDeliveries(c.ctx, c.caller, loc, f)
	if err != nil {
		return err
	}
	zone := l.Zone()
	out := make([]deliveryOut, len(list))
	for i, d := range list {
		o := deliveryOut{ID: d.ID, DeliveryID: d.DeliveryID, URL: d.URL, Resource: d.Resource, ResourceID: d.ResourceID,
			Status: d.Status, State: d.State, Attempts: d.Attempts, LastError: d.LastError,
			CreateDate: apitime.FormatISO(d.CreatedAt, zone), LastChangeDate: apitime.FormatISO(d.UpdatedAt, zone),
			Payload: d.Body}
		if d.State == booking.DeliveryPending {
			next := d.CreatedAt
			if !d.NextAttempt.IsZero() {
				next = d.NextAttempt
			}
			at := apitime.FormatISO(next, zone)
			o.NextAttemptAt = &at
		}
		if d.DeliveredAt != nil {
			at := apitime.FormatISO(*d.DeliveredAt, zone)
			o.DeliveredAt = &at
		}
		out[i] = o
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"page": page, "total_count": total})
}
