package auth

import "strings"

// Credentials are the tokens an Authorization header carries. Either may be
// empty.
type Credentials struct {
	Partner string
	User    string
}

// ParseAuthorization reads the header tolerantly:
//
//	Bearer P
//	Bearer P, User U
//	bearer P,user U   (any case and spacing)
//	P, U              (no scheme words: by position)
//
// ok is false when the header is present but cannot be read (too many parts,
// an unknown scheme word, a token twice); callers answer 401.
func ParseAuthorization(h string) (c Credentials, ok bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return c, true
	}
	parts := strings.Split(h, ",")
	if len(parts) > 2 {
		return Credentials{}, false
	}
	for i, p := range parts {
		p = strings.TrimSpace(p)
		scheme, token := "", p
		if f := strings.Fields(p); len(f) == 2 {
			scheme, token = strings.ToLower(f[0]), f[1]
		} else if len(f) != 1 {
			return Credentials{}, false
		} else if l := strings.ToLower(p); l == "bearer" || l == "user" {
			return Credentials{}, false // a scheme word without its token
		}
		if !validToken(token) {
			return Credentials{}, false
		}
		switch {
		case scheme == "bearer" || (scheme == "" && i == 0):
			if c.Partner != "" {
				return Credentials{}, false
			}
			c.Partner = token
		case scheme == "user" || (scheme == "" && i == 1):
			if c.User != "" {
				return Credentials{}, false
			}
			c.User = token
		default:
			return Credentials{}, false
		}
	}
	return c, true
}

func validToken(t string) bool {
	if t == "" || len(t) > 512 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return false
		}
	}
	return true
}
