package main

import (
	"context"

	"appointd/internal/booking"
	"appointd/internal/httpapi"
)

// readiness is the background store ping behind /readyz.
type readiness struct {
	*httpapi.Readiness
	stop func() // ends the loop and waits for it, before the store closes
}

// startReadiness pings once before the server answers (so /readyz is 200
// from the first request when the store is up), then every second.
func startReadiness(svc *booking.Service) readiness {
	r := httpapi.NewReadiness(svc.Ping)
	r.Check(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	return readiness{Readiness: r, stop: func() { cancel(); <-done }}
}
