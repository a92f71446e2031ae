package booking

import (
	"context"
	"sync"
	"time"
)

// accessCache remembers, for read transactions, a user's location and
// membership (with its permissions) for authCacheTTL: they are read by
// nearly every request and change rarely. Any write transaction of this
// process empties it, so a change made here holds at once; one made
// through another process holds within authCacheTTL, like a logout.
type accessCache struct {
	mu sync.Mutex
	m  map[[2]int64]accessEntry
}

type accessEntry struct {
	loc     Location
	member  Membership
	expires time.Time
}

func (e accessEntry) allows(perm string) error {
	if perm != "" && !e.member.Permissions().Allows(perm) {
		return ErrForbidden
	}
	return nil
}

func (c *accessCache) get(userID, locationID int64, now time.Time) (accessEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[[2]int64{userID, locationID}]
	if !ok || !now.Before(e.expires) {
		return accessEntry{}, false
	}
	return e, true
}

func (c *accessCache) put(userID, locationID int64, e accessEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = make(map[[2]int64]accessEntry)
	}
	c.m[[2]int64{userID, locationID}] = e
}

func (c *accessCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

// clearingStore empties the access cache after every write transaction.
type clearingStore struct {
	Store
	cache *accessCache
}

func (s clearingStore) Write(ctx context.Context, fn func(Tx) error) error {
	defer s.cache.clear()
	return s.Store.Write(ctx, fn)
}
