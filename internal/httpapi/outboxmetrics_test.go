package httpapi_test

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"appointd/internal/demo"
	"appointd/internal/httpapi"
)

// TestOutboxMetrics: the outbox gauges count the pending deliveries a change
// queued (no worker runs in these tests) and age the oldest one.
func TestOutboxMetrics(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		m := httpapi.NewMetrics()
		later := time.Now().Add(90 * time.Second)
		m.WatchOutbox(e.svc.WebhookOutbox, func() time.Time { return later })
		scrape := func() string {
			rec := httptest.NewRecorder()
			m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			return rec.Body.String()
		}
		gauge := func(body, name string) float64 {
			t.Helper()
			got := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
			if got == nil {
				t.Fatalf("no %s in:\n%s", name, body)
			}
			v, _ := strconv.ParseFloat(got[1], 64)
			return v
		}
		body := scrape()
		if gauge(body, `appointd_webhook_deliveries{state="pending"}`) != 0 || gauge(body, "appointd_webhook_oldest_pending_seconds") != 0 {
			t.Fatalf("an empty outbox:\n%s", body)
		}
		owner := e.userAuth(e.login(demo.OwnerLogin, demo.Password))
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/hooks_settings/%d", e.locA), Auth: owner, Body: map[string]any{
			"urls": []string{"https://hooks.example.test/in"}, "active": 1, "client": 1}}), 200)
		for i := range 3 {
			expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: owner,
				Body: map[string]any{"name": "Outbox", "phone": fmt.Sprintf("+7999300000%d", i)}}), 201)
		}
		body = scrape()
		if n := gauge(body, `appointd_webhook_deliveries{state="pending"}`); n != 3 {
			t.Fatalf("%v pending deliveries after 3 client creates", n)
		}
		if age := gauge(body, "appointd_webhook_oldest_pending_seconds"); age < 85 || age > 200 {
			t.Fatalf("oldest pending age %v s, want about 90", age)
		}
		if n := gauge(body, `appointd_webhook_deliveries{state="failed"}`); n != 0 {
			t.Fatalf("%v failed deliveries", n)
		}
	})
}
