package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTransportLimits runs the real binary with short timeouts and checks
// that no slow or large client holds the server: headers sent byte by byte
// are cut off at --read-header-timeout, a body sent slowly at
// --read-timeout, an idle keep-alive connection at --idle-timeout; headers
// over 64 KiB get 431 and a 10 MiB body 413, with nothing stored.
func TestTransportLimits(t *testing.T) {
	base, _ := start(t, "--demo", "--demo-week=false", "--db", "sqlite:"+filepath.Join(t.TempDir(), "l.db"),
		"--read-header-timeout", "1s", "--read-timeout", "2s", "--idle-timeout", "1s")
	addr := strings.TrimPrefix(base, "http://")

	// dribble writes head, then one byte of tail every 100 ms, and says
	// how long the server kept the connection open.
	dribble := func(head, tail string) time.Duration {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		began := time.Now()
		closed := make(chan time.Duration, 1)
		go func() {
			_, _ = io.Copy(io.Discard, conn) // returns when the server closes
			closed <- time.Since(began)
		}()
		if _, err := conn.Write([]byte(head)); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(tail); i++ {
			select {
			case d := <-closed:
				return d
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{tail[i]}); err != nil {
				break
			}
		}
		select {
		case d := <-closed:
			return d
		case <-time.After(10 * time.Second):
			t.Fatal("the server never closed the connection")
			return 0
		}
	}
	slowHeader := strings.Repeat("x", 100) // 10 s at one byte per 100 ms
	if d := dribble("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ", slowHeader); d < 900*time.Millisecond || d > 2*time.Second {
		t.Fatalf("headers sent byte by byte were cut off after %v, want about 1s", d)
	}
	body := `{"login":"demo@appointd.test","password":"demo-password"}` + strings.Repeat(" ", 100)
	head := fmt.Sprintf("POST /api/v1/auth HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer demo-partner-token\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	if d := dribble(head, body); d < 1900*time.Millisecond || d > 3500*time.Millisecond {
		t.Fatalf("a body sent byte by byte was cut off after %v, want about 2s", d)
	}

	// An idle keep-alive connection is closed.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("keep-alive request: %v %v", res, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	began := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v, want EOF", err)
	}
	if d := time.Since(began); d < 900*time.Millisecond || d > 2500*time.Millisecond {
		t.Fatalf("idle connection closed after %v, want about 1s", d)
	}

	// Headers over 64 KiB.
	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 100<<10))
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("100 KiB of headers: %v %v, want 431", res, err)
	}

	// A 10 MiB body: 413 in the envelope, nothing booked.
	partner := "Bearer demo-partner-token"
	_, login := call(t, "POST", base+"/api/v1/auth", partner, map[string]string{"login": "demo@appointd.test", "password": "demo-password"})
	auth := partner + ", User " + login["data"].(map[string]any)["user_token"].(string)
	day := time.Now().AddDate(0, 0, 1)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	list := func() int {
		code, env := call(t, "GET", base+"/api/v1/records/1?start_date="+day.Format("2006-01-02")+"&end_date="+day.Format("2006-01-02"), auth, nil)
		if code != 200 {
			t.Fatalf("list: %d", code)
		}
		return len(env["data"].([]any))
	}
	before := list()
	big, _ := json.Marshal(map[string]any{"staff_id": 1, "services": []map[string]any{{"id": 1}},
		"client": map[string]any{"name": "Big", "phone": "+79990009999"}, "datetime": day.Format("2006-01-02") + "T11:00:00",
		"comment": strings.Repeat("z", 10<<20)})
	req, _ = http.NewRequest("POST", base+"/api/v1/records/1", bytes.NewReader(big))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("10 MiB body: %v", err)
	}
	var env map[string]any
	_ = json.NewDecoder(res.Body).Decode(&env)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || env["success"] != false {
		t.Fatalf("10 MiB body: %d %v, want 413 in the envelope", res.StatusCode, env)
	}
	if after := list(); after != before {
		t.Fatalf("a refused 10 MiB body changed the day: %d appointments, was %d", after, before)
	}
}
