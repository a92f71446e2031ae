package httpapi_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"appointd/internal/booking"
	"appointd/internal/demo"
)

// benchEnv is a seeded SQLite server without contract validation (its cost
// is not the server's).
func benchEnv(b *testing.B, o booking.Options) *env {
	e := newEnv(b, "sqlite", "sqlite:"+b.TempDir()+"/bench.db", o, true)
	e.router = nil
	return e
}

// measure runs fn b.N times and reports p50 and p99 latency.
func measure(b *testing.B, fn func() int, want int) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if got := fn(); got != want {
			b.Fatalf("status %d, want %d", got, want)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func post(url, auth, body string) int {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

func get(url, auth string) int {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// BenchmarkLogin is POST /auth on SQLite with the production bcrypt cost.
func BenchmarkLogin(b *testing.B) {
	e := benchEnv(b, booking.Options{BcryptCost: bcrypt.DefaultCost})
	body := fmt.Sprintf(`{"login":%q,"password":%q}`, demo.OwnerLogin, demo.Password)
	measure(b, func() int { return post(e.srv.URL+"/api/v1/auth", e.partnerAuth(), body) }, 201)
}

// BenchmarkUserRoute is GET /user/permissions/{id}: token lookup, location
// access check and envelope, on SQLite.
func BenchmarkUserRoute(b *testing.B) {
	e := benchEnv(b, booking.Options{})
	tok := e.login(demo.OwnerLogin, demo.Password)
	url := fmt.Sprintf("%s/api/v1/user/permissions/%d", e.srv.URL, e.locA)
	measure(b, func() int { return get(url, e.userAuth(tok)) }, 200)
}

// BenchmarkSeancesRoute is GET /timetable/seances for a demo member with a
// service, on SQLite, end to end.
func BenchmarkSeancesRoute(b *testing.B) {
	e := benchEnv(b, booking.Options{})
	tok := e.login(demo.OwnerLogin, demo.Password)
	day := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	url := fmt.Sprintf("%s/api/v1/timetable/seances/%d/1/%s?service_ids[]=1", e.srv.URL, e.locA, day)
	measure(b, func() int { return get(url, e.userAuth(tok)) }, 200)
}

// BenchmarkGetAppointmentRoute is GET /record/{loc}/{id} on SQLite, end to
// end: the hottest read of an integration.
func BenchmarkGetAppointmentRoute(b *testing.B) {
	e := benchEnv(b, booking.Options{})
	tok := e.login(demo.OwnerLogin, demo.Password)
	day := time.Now().AddDate(0, 0, 1)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(tok), Body: map[string]any{
		"staff_id": 1, "services": []map[string]any{{"id": 1}}, "client": map[string]any{"name": "Bench", "phone": "+79990001111"},
		"datetime": day.Format("2006-01-02") + "T11:00:00"}})
	if r.Status != 201 {
		b.Fatalf("create: %d %s", r.Status, r.Body)
	}
	url := fmt.Sprintf("%s/api/v1/record/%d/%d", e.srv.URL, e.locA, num(r.Data()["id"]))
	measure(b, func() int { return get(url, e.userAuth(tok)) }, 200)
}
