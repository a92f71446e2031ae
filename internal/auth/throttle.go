package auth

import "time"

// Throttle is the login-failure policy: at most Limit failures per key (a
// login, a client IP) within Window; past that, attempts are refused until
// enough counted failures have left the window.
type Throttle struct {
	Limit  int
	Window time.Duration
}

// DefaultThrottle is D2: 10 failures in 15 minutes.
var DefaultThrottle = Throttle{Limit: 10, Window: 15 * time.Minute}

// RetryAfter takes the failure times of one key inside the window, oldest
// first, and says how long that key must wait; zero means it may try now.
func (t Throttle) RetryAfter(now time.Time, failures []time.Time) time.Duration {
	if t.Limit <= 0 || len(failures) < t.Limit {
		return 0
	}
	// The attempt is allowed again once only Limit-1 failures remain.
	freeAt := failures[len(failures)-t.Limit].Add(t.Window)
	wait := freeAt.Sub(now)
	if wait < time.Second {
		wait = time.Second
	}
	return wait.Round(time.Second)
}
