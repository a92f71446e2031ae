package main

import (
	"bytes"
	"flag"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// busyAddr is an address already taken, so a serve that got past its
// configuration checks fails at once instead of serving.
func busyAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

func runOut(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(args, strings.NewReader(""), &out)
	return out.String(), err
}

// TestFlagsFromEnvironment: any flag, also one defined later, is read from
// APPOINTD_<NAME>; a bad value names the variable; the command line wins.
func TestFlagsFromEnvironment(t *testing.T) {
	fs, _ := newFlags("x")
	d := fs.Duration("some-new-flag", time.Second, "")
	t.Setenv("APPOINTD_SOME_NEW_FLAG", "7s")
	if _, err := parse(fs, nil); err != nil || *d != 7*time.Second {
		t.Fatalf("from variable: %v %v", *d, err)
	}
	fs, _ = newFlags("x")
	d = fs.Duration("some-new-flag", time.Second, "")
	if _, err := parse(fs, []string{"--some-new-flag", "3s"}); err != nil || *d != 3*time.Second {
		t.Fatalf("command line should win: %v %v", *d, err)
	}
	t.Setenv("APPOINTD_SHUTDOWN_GRACE", "bogus")
	_, err := runOut("serve", "--addr", busyAddr(t), "--db", "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err == nil || !strings.Contains(err.Error(), "APPOINTD_SHUTDOWN_GRACE") {
		t.Fatalf("bad variable: %v", err)
	}
	fs = flag.NewFlagSet("y", flag.ContinueOnError)
	fs.Bool("webhook-allow-loopback", false, "")
	t.Setenv("APPOINTD_WEBHOOK_ALLOW_LOOPBACK", "1")
	if _, err := parse(fs, nil); err != nil || fs.Lookup("webhook-allow-loopback").Value.String() != "true" {
		t.Fatalf("APPOINTD_WEBHOOK_ALLOW_LOOPBACK=1: %v", err)
	}
}

func TestHelpAndVersion(t *testing.T) {
	out, err := runOut("help")
	if err != nil || !strings.Contains(out, "--shutdown-grace") || !strings.Contains(out, "APPOINTD_SHUTDOWN_GRACE") ||
		!strings.Contains(out, "default 15s") {
		t.Fatalf("help: %v\n%s", err, out)
	}
	for _, cmd := range []string{"serve", "migrate", "backup", "partner", "user", "ical", "webhook"} {
		for _, h := range []string{"--help", "-h"} {
			out, err := runOut(cmd, h)
			if err != nil || !strings.Contains(out, "APPOINTD_DB") {
				t.Fatalf("%s %s: %v\n%s", cmd, h, err, out)
			}
		}
	}
	for _, v := range []string{"version", "--version"} {
		out, err := runOut(v)
		if err != nil || !strings.HasPrefix(out, "appointd ") || !strings.Contains(out, runtime.Version()) {
			t.Fatalf("%s: %v %q", v, err, out)
		}
	}
}

func TestDBValidated(t *testing.T) {
	dir := t.TempDir()
	for dsn, want := range map[string]string{
		"mysql://u@h/db":               `unknown scheme "mysql:"`,
		"sqlite:" + dir + "/nope/x.db": "directory " + dir + "/nope does not exist",
		"sqlite:" + dir:                "is a directory",
		"sqlite:":                      "empty SQLite path",
	} {
		_, err := runOut("migrate", "--db", dsn)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), dsn) {
			t.Errorf("--db %s: %v, want %q", dsn, err, want)
		}
	}
	ro := filepath.Join(dir, "ro.db")
	if err := os.WriteFile(ro, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if _, err := runOut("migrate", "--db", "sqlite:"+ro); err == nil || !strings.Contains(err.Error(), ro) {
			t.Errorf("read-only file: %v", err)
		}
	}
	fresh := filepath.Join(dir, "fresh.db")
	if out, err := runOut("migrate", "--db", fresh); err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("a bare path to a new file: %v %s", err, out)
	}
}

func TestEnumeratedFlags(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "a.db")
	_, err := runOut("serve", "--addr", busyAddr(t), "--db", db, "--log-format", "xml")
	if err == nil || !strings.Contains(err.Error(), "--log-format") || !strings.Contains(err.Error(), "xml") {
		t.Fatalf("log-format: %v", err)
	}
	_, err = runOut("serve", "--addr", busyAddr(t), "--db", db, "--rate-limit", "lots")
	if err == nil || !strings.Contains(err.Error(), "--rate-limit") || !strings.Contains(err.Error(), "lots") {
		t.Fatalf("rate-limit: %v", err)
	}
}

// TestBusyPortBeforeDatabase: a taken address fails before the database is
// created or migrated.
func TestBusyPortBeforeDatabase(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	path := filepath.Join(t.TempDir(), "untouched.db")
	_, err = runOut("serve", "--addr", ln.Addr().String(), "--db", "sqlite:"+path)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("busy port: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the database was touched: %v", err)
	}
}
