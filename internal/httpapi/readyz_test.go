package httpapi_test

import (
	"testing"
	"time"
)

// TestReadyz: ready while the store answers; once the store is closed the
// background ping fails and /readyz turns 503 within a few seconds, while
// /livez still answers 200.
func TestReadyz(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		if r := e.do(req{Method: "GET", Path: "//readyz"}); r.Status != 200 || r.JSON["status"] != "ok" {
			t.Fatalf("readyz: %d %s", r.Status, r.Body)
		}
		e.store.Close()
		deadline := time.Now().Add(6 * time.Second)
		for {
			r := e.do(req{Method: "GET", Path: "//readyz"})
			if r.Status == 503 && r.JSON["status"] == "unavailable" {
				break
			}
			if r.Status != 200 || time.Now().After(deadline) {
				t.Fatalf("readyz after the store closed: %d %s", r.Status, r.Body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if r := e.do(req{Method: "GET", Path: "//livez"}); r.Status != 200 {
			t.Fatalf("livez: %d", r.Status)
		}
	})
}
