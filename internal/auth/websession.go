package auth

import (
	"crypto/sha256"
	"encoding/hex"
)

// SessionCookie names the web calendar's session cookie. Its value is a user
// token like the ones POST /auth issues, stored the same way (as a hash).
const SessionCookie = "appointd_session"

// CSRFToken is the anti-forgery token of a web session: derived from the
// session token, so every process can check it without shared state, and
// unknown to a page of another origin, which can neither read the HttpOnly
// cookie nor the calendar page that carries the token.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("appointd-csrf\x00" + sessionToken))
	return hex.EncodeToString(sum[:])
}

// ValidCSRF reports whether got is the CSRF token of the session.
func ValidCSRF(sessionToken, got string) bool {
	return sessionToken != "" && got != "" && SameHash(CSRFToken(sessionToken), got)
}
