package web_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"appointd/internal/demo"
)

// BenchmarkCalendarDay is GET /calendar/day for a demo day (five members,
// ten appointments) through real HTTP on SQLite, signed in by cookie.
func BenchmarkCalendarDay(b *testing.B) {
	s := newSite(b, "sqlite")
	br := s.browser()
	br.signIn(demo.OwnerLogin, demo.Password)
	url := fmt.Sprintf("%s/calendar/day?location_id=%d&date=%s", s.url, s.loc, s.demoDay())
	req, _ := http.NewRequest("GET", url, nil)
	for _, c := range br.c.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	client := &http.Client{}
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", err, resp)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
