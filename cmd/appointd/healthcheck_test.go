package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHealthcheckCommand: 0 on a 200, an error on another status, on no
// server, and on a URL that is not http(s).
func TestHealthcheckCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run([]string{"healthcheck", "--url", srv.URL + "/healthz"}, nil, &out); err != nil || strings.TrimSpace(out.String()) != "ok" {
		t.Fatalf("healthy server: %v, %q", err, out.String())
	}
	status = http.StatusServiceUnavailable
	if err := run([]string{"healthcheck", "--url", srv.URL + "/healthz"}, nil, &out); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503 server: %v", err)
	}
	srv.Close()
	if err := run([]string{"healthcheck", "--url", srv.URL + "/healthz"}, nil, &out); err == nil {
		t.Fatal("closed server: no error")
	}
	if err := run([]string{"healthcheck", "--url", "ftp://x/healthz"}, nil, &out); err == nil || !strings.Contains(err.Error(), `"ftp://x/healthz"`) {
		t.Fatalf("bad URL: %v", err)
	}
}
