package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"appointd/internal/testenv"
)

// TestAdminCommands drives the admin command line against a real database
// on each engine, then checks the server accepts what it created.
func TestAdminCommands(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := testenv.DSN(t, engine)
			sh := func(stdin string, args ...string) string {
				t.Helper()
				var out bytes.Buffer
				if err := run(append(args, "--db", db), strings.NewReader(stdin), &out); err != nil {
					t.Fatalf("appointd %s: %v", strings.Join(args, " "), err)
				}
				return out.String()
			}
			if out := sh("", "migrate"); !strings.Contains(out, "schema version") {
				t.Fatalf("migrate: %s", out)
			}
			out := sh("", "partner", "create", "Acme Integrations")
			token := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
			if len(token) != 64 {
				t.Fatalf("partner token line %q", out)
			}
			sh("", "user", "create", "--login", "Ann@Example.test", "--password", "first-password", "--name", "Ann")
			var buf bytes.Buffer
			if err := run([]string{"user", "create", "--login", "ann@example.test", "--password", "other-password", "--name", "Dup", "--db", db}, nil, &buf); err == nil {
				t.Fatal("a duplicate login was created")
			}
			if err := run([]string{"user", "grant", "ann@example.test", "1", "owner", "--db", db}, nil, &buf); err == nil {
				t.Fatal("grant on a missing location succeeded")
			}
			sh("new-password-9\n", "user", "passwd", "ann@example.test")
			if err := run([]string{"user", "passwd", "ann@example.test", "--password", "short", "--db", db}, nil, &buf); err == nil {
				t.Fatal("a short password was accepted")
			}
		})
	}
}

var listening = regexp.MustCompile(`msg="appointd listening" addr=(\S+)`)

// TestServeStartsAndStopsGracefully runs the real binary: it starts with
// demo data, answers, and exits 0 on SIGTERM.
func TestServeStartsAndStopsGracefully(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "appointd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(dir, "a.db"))
	cmd.Env = append(os.Environ(), "APPOINTD_DB=", "APPOINTD_ADDR=")
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/auth", strings.NewReader(`{"login":"demo@appointd.test","password":"demo-password"}`))
	req.Header.Set("Authorization", "Bearer demo-partner-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("demo login: %d", res.StatusCode)
	}
	// The store reports its transactions into the server's metrics.
	res, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(metrics), `appointd_store_tx_duration_seconds_count{kind="write"}`) {
		t.Fatal("metrics lack store transaction latency")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
}
