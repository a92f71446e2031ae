package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetricsAddr: with --metrics-addr, /metrics and the profiler answer on
// that listener only; the API listener's /metrics is a 404.
func TestMetricsAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := ln.Addr().String()
	ln.Close()
	base, _ := start(t, "--demo", "--demo-week=false", "--db", "sqlite:"+filepath.Join(t.TempDir(), "a.db"), "--metrics-addr", maddr)
	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if st, _ := get(base + "/metrics"); st != http.StatusNotFound {
		t.Errorf("the API listener's /metrics: %d, want 404", st)
	}
	if st, body := get("http://" + maddr + "/metrics"); st != http.StatusOK || !strings.Contains(body, "appointd_build_info") {
		t.Errorf("--metrics-addr /metrics: %d %.200s", st, body)
	}
	if st, _ := get("http://" + maddr + "/debug/pprof/"); st != http.StatusOK {
		t.Errorf("--metrics-addr /debug/pprof/: %d", st)
	}
	if st, _ := get("http://" + maddr + "/api/v1/companies"); st != http.StatusNotFound {
		t.Errorf("the metrics listener serves the API: %d", st)
	}
}
