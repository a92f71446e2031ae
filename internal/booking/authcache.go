package booking

import (
	"sync"
	"time"
)

// authCacheTTL is how long an authenticated Authorization header is trusted
// without reading the partner, session and user rows again. A logout in this
// process takes effect at once; one made through another process (or a
// password change from the command line) takes effect within this time.
const authCacheTTL = time.Second

// authCache remembers recently authenticated credentials, keyed by the
// hashes of the partner and user tokens. It keeps at most authCacheMax
// entries and is emptied when full: the cost of a miss is a read transaction.
type authCache struct {
	mu sync.Mutex
	m  map[[2]string]authEntry
}

type authEntry struct {
	caller   Caller
	lastUsed time.Time // the session's stored last use, for the idle timeout
	expires  time.Time
}

const authCacheMax = 10000

func (c *authCache) get(key [2]string, now time.Time) (authEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !now.Before(e.expires) {
		return authEntry{}, false
	}
	return e, true
}

func (c *authCache) put(key [2]string, e authEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = make(map[[2]string]authEntry)
	}
	c.m[key] = e
}

// forgetSession drops the entries of one session (after a logout).
func (c *authCache) forgetSession(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.caller.SessionID == id {
			delete(c.m, k)
		}
	}
}

// forgetUser drops the entries of one user (after a password change).
func (c *authCache) forgetUser(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.caller.User != nil && e.caller.User.ID == id {
			delete(c.m, k)
		}
	}
}

// forgetPartner drops the entries of one partner (after its revocation).
func (c *authCache) forgetPartner(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.caller.Partner.ID == id {
			delete(c.m, k)
		}
	}
}
