package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"appointd/internal/booking"
	"appointd/internal/testenv"
)

// With every pooled PostgreSQL connection held by another transaction, a
// request waits the store's acquire time and answers 503 with Retry-After,
// and works again once the connections are free.
func TestPoolExhaustedAnswers503(t *testing.T) {
	dsn := testenv.DSN(t, "postgres")
	e := newEnv(t, "postgres", dsn, bookingDefaults(), true)
	path := "/company/" + strconv.FormatInt(e.locA, 10)
	expect(t, e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth()}), http.StatusOK)

	release := make(chan struct{})
	var held, done sync.WaitGroup
	for i := 0; i < testenv.TestMaxConns; i++ {
		held.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			var once sync.Once
			err := e.store.Write(context.Background(), func(booking.Tx) error {
				once.Do(held.Done)
				<-release
				return nil
			})
			if err != nil { // never held: do not leave the test waiting
				t.Errorf("holding a connection: %v", err)
				once.Do(held.Done)
			}
		}()
	}
	held.Wait()
	// NoValidate: api/openapi.yaml lists no 503 on any route.
	r := e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth(), NoValidate: true})
	close(release)
	done.Wait()
	expectError(t, r, http.StatusServiceUnavailable, "The database is busy; retry shortly.")
	if got := r.Header.Get("Retry-After"); got != "2" {
		t.Fatalf("Retry-After = %q, want 2", got)
	}
	expect(t, e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth()}), http.StatusOK)
}
