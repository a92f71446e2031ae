package auth

import (
	"errors"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLength is enforced when a password is set.
const MinPasswordLength = 8

// Hasher hashes and checks passwords with bcrypt at a fixed cost. Tests use a
// low cost; production uses bcrypt.DefaultCost.
type Hasher struct {
	Cost      int
	dummyOnce sync.Once
	dummy     []byte
}

func NewHasher(cost int) *Hasher {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return &Hasher{Cost: cost}
}

func (h *Hasher) Hash(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", errors.New("password must be at least 8 characters")
	}
	if len(password) > 72 {
		return "", errors.New("password must be at most 72 bytes")
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.Cost)
	return string(b), err
}

// Check reports whether password matches hash. With an empty hash (unknown
// login) it still spends one bcrypt comparison so that timing does not reveal
// whether the login exists.
func (h *Hasher) Check(hash, password string) bool {
	if hash == "" {
		// Made on first use, not at start-up: bcrypt costs ~50 ms.
		h.dummyOnce.Do(func() {
			h.dummy, _ = bcrypt.GenerateFromPassword([]byte("appointd-dummy-password"), h.Cost)
		})
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
