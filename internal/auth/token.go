// Package auth holds the security primitives: random tokens and their hashes,
// password hashing, the Authorization header grammar, login throttling policy
// and the role/permission catalogue. It knows nothing about HTTP or SQL.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// TokenBytes is the entropy of every issued token.
const TokenBytes = 32

// NewToken returns a fresh random token (hex, 64 characters).
func NewToken() string {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// HashToken is what the store keeps instead of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SameHash compares two token hashes in constant time.
func SameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
