// Package web serves the operator calendar: a sign-in page, the day view and
// its static files, built into the binary. The page reads one day at a time
// from /calendar/day and changes appointments through the public API
// (/api/v1), authenticated by the session cookie and a CSRF token, so every
// action passes the same booking rules as an integration's.
package web

import (
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/httpapi"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.ParseFS(assets, "assets/*.html"))

// loginCSRFCookie carries the sign-in form's anti-forgery token (there is no
// session yet to derive one from).
const loginCSRFCookie = "appointd_login_csrf"

// sessionMaxAge keeps a phone signed in across browser restarts; the
// server's idle timeout and sign-out still end the session.
const sessionMaxAge = 30 * 24 * time.Hour

// Deps is what the calendar needs.
type Deps struct {
	Service *booking.Service
	Logger  *slog.Logger
	// TrustProxy takes the client IP from X-Forwarded-For and TLS from
	// X-Forwarded-Proto (set it only behind a proxy that writes them).
	TrustProxy bool
}

// Handler serves the calendar's paths.
type Handler struct {
	Deps
	mux *http.ServeMux
}

// New builds the calendar handler.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	h := &Handler{Deps: d, mux: http.NewServeMux()}
	static, _ := fs.Sub(assets, "assets")
	h.mux.HandleFunc("GET /{$}", h.page)
	h.mux.HandleFunc("GET /calendar", h.page)
	h.mux.HandleFunc("POST /signin", h.signIn)
	h.mux.HandleFunc("POST /signout", h.signOut)
	h.mux.HandleFunc("GET /calendar/day", h.day)
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

// caller resolves the session cookie; ok is false without a live session.
func (h *Handler) caller(r *http.Request) (c booking.Caller, token string, ok bool, err error) {
	ck, cerr := r.Cookie(auth.SessionCookie)
	if cerr != nil || ck.Value == "" {
		return c, "", false, nil
	}
	c, err = h.Service.AuthenticateWeb(r.Context(), ck.Value, httpapi.ClientIP(r, h.TrustProxy))
	if errors.Is(err, booking.ErrUnauthorized) {
		return c, "", false, nil
	}
	return c, ck.Value, err == nil, err
}

func (h *Handler) secure(r *http.Request) bool {
	return httpapi.RequestTLS(r, h.TrustProxy)
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
}

// clearCookie asks the browser to drop a cookie (Max-Age=0).
func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	h.setCookie(w, r, name, "", -time.Second)
}

// page is / and /calendar: the calendar for a signed-in user, else the
// sign-in form.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	c, token, ok, err := h.caller(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		h.signInPage(w, r, http.StatusOK, "", "")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, http.StatusOK, "calendar.html", map[string]any{
		"CSRF": auth.CSRFToken(token), "User": c.User.Name, "Login": c.User.Login,
		"CSRFHeader": httpapi.CSRFHeader,
	})
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request, status int, login, message string) {
	token := auth.NewToken()
	h.setCookie(w, r, loginCSRFCookie, token, time.Hour)
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, status, "signin.html", map[string]any{"CSRF": token, "Login": login, "Message": message})
}

// signIn is the sign-in form's POST: the password check and throttle of
// POST /auth; on success a session cookie and a redirect to the calendar.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || formHasNUL(r) {
		h.signInPage(w, r, http.StatusBadRequest, "", "The form could not be read.")
		return
	}
	login := r.PostForm.Get("login")
	ck, err := r.Cookie(loginCSRFCookie)
	if err != nil || !httpapi.SameOrigin(r, h.TrustProxy) ||
		subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostForm.Get("csrf"))) != 1 {
		h.signInPage(w, r, http.StatusForbidden, login, "The form has expired. Please sign in again.")
		return
	}
	_, token, err := h.Service.WebLogin(r.Context(), httpapi.ClientIP(r, h.TrustProxy), login, r.PostForm.Get("password"))
	var th *booking.ThrottledError
	var v *booking.ValidationError
	switch {
	case errors.As(err, &th):
		w.Header().Set("Retry-After", strconv.Itoa(int(th.RetryAfter.Seconds()+0.999)))
		h.signInPage(w, r, http.StatusTooManyRequests, login, "Too many attempts. Try again later.")
	case errors.Is(err, booking.ErrBadCredentials), errors.As(err, &v):
		h.signInPage(w, r, http.StatusUnauthorized, login, "Incorrect login or password.")
	case err != nil:
		h.fail(w, r, err)
	default:
		h.clearCookie(w, r, loginCSRFCookie)
		h.setCookie(w, r, auth.SessionCookie, token, sessionMaxAge)
		http.Redirect(w, r, "/calendar", http.StatusSeeOther)
	}
}

// formHasNUL reports a NUL byte in a posted field: PostgreSQL refuses it in
// text, so it is refused before any database work on both engines.
func formHasNUL(r *http.Request) bool {
	for k, vs := range r.PostForm {
		for _, v := range append(vs, k) {
			if strings.IndexByte(v, 0) >= 0 {
				return true
			}
		}
	}
	return false
}

// signOut revokes the session (a form POST with the page's CSRF token).
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	_ = r.ParseForm()
	c, token, ok, err := h.caller(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if ok {
		if !httpapi.SameOrigin(r, h.TrustProxy) || !auth.ValidCSRF(token, r.PostForm.Get("csrf")) {
			http.Error(w, "Missing or wrong CSRF token.", http.StatusForbidden)
			return
		}
		if err := h.Service.Logout(r.Context(), c); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.clearCookie(w, r, auth.SessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		h.Logger.Error("web page failed", "page", name, "err", err)
	}
}

// fail answers an unexpected error 500, or 499 at INFO when the client
// has gone (its context is cancelled), like the API's routes.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		h.Logger.Info("client closed request", "path", r.URL.Path, "err", err)
		w.WriteHeader(httpapi.StatusClientClosed)
		return
	}
	h.Logger.Error("web request failed", "err", err)
	http.Error(w, "Internal server error.", http.StatusInternalServerError)
}
