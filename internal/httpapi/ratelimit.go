package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimit is D9: requests allowed per client IP, per second and per
// minute (0 = no limit of that kind). The zero value is off.
type RateLimit struct {
	PerSecond, PerMinute int
}

// AltegioRateLimit is Altegio's published limit: 5 requests per second and
// 200 per minute from one IP.
var AltegioRateLimit = RateLimit{PerSecond: 5, PerMinute: 200}

func (l RateLimit) Off() bool { return l.PerSecond <= 0 && l.PerMinute <= 0 }

func (l RateLimit) String() string {
	if l.Off() {
		return "off"
	}
	var parts []string
	if l.PerSecond > 0 {
		parts = append(parts, strconv.Itoa(l.PerSecond)+"/s")
	}
	if l.PerMinute > 0 {
		parts = append(parts, strconv.Itoa(l.PerMinute)+"/m")
	}
	return strings.Join(parts, ",")
}

// ParseRateLimit reads "off", "altegio" or a list such as "5/s,200/m".
func ParseRateLimit(s string) (RateLimit, error) {
	switch s = strings.TrimSpace(strings.ToLower(s)); s {
	case "", "off":
		return RateLimit{}, nil
	case "altegio":
		return AltegioRateLimit, nil
	}
	var l RateLimit
	for _, part := range strings.Split(s, ",") {
		n, unit, ok := strings.Cut(strings.TrimSpace(part), "/")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || v <= 0 {
			return RateLimit{}, fmt.Errorf("rate limit %q: want off, altegio or N/s,M/m", s)
		}
		switch unit {
		case "s":
			l.PerSecond = v
		case "m":
			l.PerMinute = v
		default:
			return RateLimit{}, fmt.Errorf("rate limit %q: unit %q is not s or m", s, unit)
		}
	}
	return l, nil
}

// limiter keeps, per client IP and limit, the time at which the client's
// allowance is used up (a token bucket in the form of the generic cell rate
// algorithm: integer durations, no float drift). A client may burst to the
// limit and then goes on at the average rate.
type limiter struct {
	rules []rule
	now   func() time.Time

	mu      sync.Mutex
	clients map[string][]time.Time // per rule: when the allowance is used up
	swept   time.Time
}

// rule: one request every interval, with up to burst requests at once.
type rule struct {
	interval, tolerance time.Duration
}

func newLimiter(l RateLimit, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	lim := &limiter{now: now, clients: map[string][]time.Time{}}
	for _, r := range []struct {
		n      int
		period time.Duration
	}{{l.PerSecond, time.Second}, {l.PerMinute, time.Minute}} {
		if r.n > 0 {
			interval := r.period / time.Duration(r.n)
			lim.rules = append(lim.rules, rule{interval: interval, tolerance: r.period - interval})
		}
	}
	return lim
}

// allow counts one request of ip, or says how long until it would be
// allowed (and then counts nothing).
func (l *limiter) allow(ip string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	used := l.clients[ip]
	if used == nil {
		used = make([]time.Time, len(l.rules))
		l.clients[ip] = used
	}
	for i := range used {
		if used[i].Before(now) {
			used[i] = now
		}
	}
	var wait time.Duration
	for i, r := range l.rules {
		if over := used[i].Sub(now) - r.tolerance; over > wait {
			wait = over
		}
	}
	if wait > 0 {
		return false, wait
	}
	for i, r := range l.rules {
		used[i] = used[i].Add(r.interval)
	}
	return true, 0
}

// sweep forgets clients whose allowance is whole again, at most once a
// minute.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for ip, used := range l.clients {
		idle := true
		for _, u := range used {
			idle = idle && u.Before(now)
		}
		if idle {
			delete(l.clients, ip)
		}
	}
}

// rateLimited answers 429 when the client is over its limit.
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request) bool {
	if s.limiter == nil || !strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	ok, wait := s.limiter.allow(s.clientIP(r))
	if ok {
		return false
	}
	writeError(w, apiError{status: http.StatusTooManyRequests, message: "Too many requests.",
		retryAfter: int(math.Ceil(wait.Seconds()))}, false)
	return true
}
