package httpapi

import "net/http"

// RouteAuth maps "METHOD PATH" of every route to the token it needs:
// "none", "partner" or "user" (for tests that walk the table).
func RouteAuth(s *Server) map[string]string {
	out := map[string]string{}
	for _, rt := range s.routes() {
		out[rt.method+" "+rt.path] = [...]string{"none", "partner", "user", "partner"}[rt.auth] // authLogin needs the partner token
	}
	return out
}

// HandleForTest registers method path (no token needed) through the
// server's own route wrapper, so that tests can reach what every route
// gets (panic recovery, the 499 of a client that went away) with a
// handler that panics or waits.
func HandleForTest(s *Server, method, path string, h func(w http.ResponseWriter, r *http.Request) error) {
	rt := route{method: method, path: path, handle: func(c *call) error { return h(c.w, c.r) }}
	s.mux.Handle(method+" "+path, s.wrap(rt))
}
