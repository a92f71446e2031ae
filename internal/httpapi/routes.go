package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"appointd/internal/auth"
	"appointd/internal/booking"
)

// authLevel is what a route needs in the Authorization header.
type authLevel int

const (
	// authNone: operations routes; no token read.
	authNone authLevel = iota
	// authPartner: a partner token; a user token is optional but, when
	// given, must be valid.
	authPartner
	// authUser: partner and user token.
	authUser
	// authLogin: POST /auth; the partner token of the header alone. A user
	// token in the header is ignored, so a client that always sends its
	// stored (perhaps expired or revoked) token can still log in again.
	authLogin
)

type route struct {
	method string
	path   string
	auth   authLevel
	// meta is the empty meta of a success: [] or {}.
	meta metaKind
	// legacyErrors adds the top-level {"errors": {code, message}} that the
	// location pages document for 401 and 404.
	legacyErrors bool
	// perm is a permission the route needs whatever the request says. The
	// wrapper checks it (and, on every route with a {location_id}, that the
	// user is a member of it) before the handler reads the request, so the
	// order of errors is 401, 404, 403, then 400/422. Set it where the
	// handler validates before calling its use case; the use case checks
	// its permissions again in its own transaction.
	perm   string
	handle func(*call) error
}

// routes is the one table of every route. Each also answers with a trailing
// slash (ServeHTTP trims it).
func (s *Server) routes() []route {
	const v1 = "/api/v1"
	rts := []route{
		{method: "GET", path: "/healthz", handle: s.healthz},
		{method: "GET", path: "/livez", handle: s.livez},
		{method: "GET", path: "/readyz", handle: s.readyz},
		{method: "GET", path: "/metrics", handle: s.metrics},
		{method: "GET", path: v1 + "/openapi.yaml", handle: s.openapi},
		{method: "GET", path: "/docs", handle: s.docs},
		{method: "GET", path: "/docs/openapi.yaml", handle: s.docsSpec},

		{method: "POST", path: v1 + "/auth", auth: authLogin, handle: s.login},
		{method: "DELETE", path: v1 + "/auth", auth: authUser, handle: s.logout},

		{method: "GET", path: v1 + "/companies", auth: authPartner, handle: s.listLocations},
		{method: "POST", path: v1 + "/companies", auth: authUser, handle: s.createLocation},
		{method: "GET", path: v1 + "/company/{location_id}", auth: authPartner, legacyErrors: true, handle: s.getLocation},
		{method: "PUT", path: v1 + "/company/{location_id}", auth: authUser, legacyErrors: true, perm: auth.PermSettings, handle: s.updateLocation},
		{method: "DELETE", path: v1 + "/company/{location_id}", auth: authUser, legacyErrors: true, handle: s.deleteLocation},

		{method: "GET", path: v1 + "/user/permissions/{location_id}", auth: authUser, meta: metaObject, handle: s.myPermissions},
		{method: "GET", path: v1 + "/company/{location_id}/users", auth: authUser, meta: metaObject, perm: auth.PermUsers, handle: s.locationUsers},
		{method: "GET", path: v1 + "/company/{location_id}/users/{user_id}/permissions", auth: authUser, meta: metaObject, handle: s.userPermissions},
		{method: "PUT", path: v1 + "/company/{location_id}/users/{user_id}/permissions", auth: authUser, meta: metaObject, perm: auth.PermUsers, handle: s.setUserPermissions},
		{method: "DELETE", path: v1 + "/company/{location_id}/users/{user_id}", auth: authUser, meta: metaObject, perm: auth.PermUsers, handle: s.removeUser},
	}
	rts = append(rts, s.catalogRoutes()...)
	rts = append(rts, s.clientRoutes()...)
	rts = append(rts, s.recordRoutes()...)
	rts = append(rts, s.visitRoutes()...)
	rts = append(rts, s.goodsRoutes()...)
	rts = append(rts, s.activityRoutes()...)
	rts = append(rts, s.eventScheduleRoutes()...)
	rts = append(rts, s.feedRoutes()...)
	rts = append(rts, s.hookRoutes()...)
	return append(rts, s.commentRoutes()...)
}

// Routes lists "METHOD PATH" of every route (for tests that walk the table).
func (s *Server) Routes() []string {
	var out []string
	for _, rt := range s.routes() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// RoutePerms maps "METHOD PATH" to the permission the wrapper checks before
// the handler reads the request ("" for none).
func (s *Server) RoutePerms() map[string]string {
	out := map[string]string{}
	for _, rt := range s.routes() {
		out[rt.method+" "+rt.path] = rt.perm
	}
	return out
}

// call is one request on its way through a handler.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	caller booking.Caller
	route  *route
}

// ok writes a success with the route's empty meta.
func (c *call) ok(status int, data any) error {
	return c.okMeta(status, data, c.route.meta.empty())
}

func (c *call) okMeta(status int, data, meta any) error {
	writeJSON(c.w, status, envelope{Success: true, Data: data, Meta: meta})
	return nil
}

func (c *call) noContent() error {
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// wrap authenticates per the route's level, runs the handler and writes its
// error in the envelope.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, ctx: r.Context(), route: &rt}
		c.caller.IP = s.clientIP(r)
		if rt.auth != authNone {
			err := s.authenticate(c)
			if err == nil && rt.auth == authUser && c.caller.User == nil {
				err = booking.ErrUnauthorized
			}
			if err == nil && rt.auth == authUser {
				err = s.authorize(c)
			}
			if err != nil {
				s.fail(c, err)
				return
			}
		}
		if err := rt.handle(c); err != nil {
			s.fail(c, err)
		}
	})
}

// fail answers a handler's error. When the client has gone (its request's
// context is cancelled), the error is most likely that cancellation seen
// by the store: no answer is read, so the request is logged and counted as
// 499 at INFO, not as a 500 error.
func (s *Server) fail(c *call, err error) {
	route := c.route.method + " " + c.route.path
	if c.r.Context().Err() != nil {
		s.Logger.Info("client closed request", "route", route, "err", err)
		c.w.WriteHeader(StatusClientClosed)
		return
	}
	e := toAPIError(err)
	if e.status >= 500 {
		s.Logger.Error("handler failed", "route", route, "err", err)
	}
	writeError(c.w, e, c.route.legacyErrors)
}

// authorize checks membership of the path's location and the route's
// permission. A location id that is not a number is left to the handler.
func (s *Server) authorize(c *call) error {
	loc, err := strconv.ParseInt(c.r.PathValue("location_id"), 10, 64)
	if err != nil {
		return nil
	}
	return s.Service.Authorize(c.ctx, c.caller, loc, c.route.perm)
}

func (s *Server) authenticate(c *call) error {
	h := c.r.Header.Get("Authorization")
	if strings.TrimSpace(h) == "" && c.route.auth != authLogin {
		if ck, err := c.r.Cookie(auth.SessionCookie); err == nil && ck.Value != "" {
			return s.authenticateCookie(c, ck.Value)
		}
	}
	cred, ok := auth.ParseAuthorization(h)
	if !ok {
		return booking.ErrUnauthorized
	}
	if c.route.auth == authLogin {
		cred.User = ""
	}
	caller, err := s.Service.Authenticate(c.ctx, cred, c.caller.IP)
	c.caller = caller
	return err
}

// authenticateCookie lets the web calendar call the API with its session
// cookie instead of an Authorization header. A request that can change
// state must carry the session's CSRF token in X-CSRF-Token and, when the
// browser names an Origin, come from this host; SameSite=Strict already
// keeps the cookie off other sites' requests.
func (s *Server) authenticateCookie(c *call, token string) error {
	if !safeMethod(c.r.Method) && (!auth.ValidCSRF(token, c.r.Header.Get(CSRFHeader)) || !SameOrigin(c.r, s.TrustForwardedFor)) {
		return errCSRF
	}
	caller, err := s.Service.AuthenticateWeb(c.ctx, token, c.caller.IP)
	c.caller = caller
	return err
}

// CSRFHeader carries a web session's CSRF token on API calls.
const CSRFHeader = "X-CSRF-Token"

var errCSRF = errors.New("missing or wrong CSRF token")

// safeMethod reports whether a method only reads.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// SameOrigin is false when the request names an Origin other than its own
// host (a form or fetch posted from another site). Behind a trusted proxy
// that rewrites Host, X-Forwarded-Host names the host the browser used.
func SameOrigin(r *http.Request, trustProxy bool) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); trustProxy && fh != "" {
		host = strings.TrimSpace(strings.Split(fh, ",")[0])
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == host
}
