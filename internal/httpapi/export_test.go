package httpapi

// RouteAuth maps "METHOD PATH" of every route to the token it needs:
// "none", "partner" or "user" (for tests that walk the table).
func RouteAuth(s *Server) map[string]string {
	out := map[string]string{}
	for _, rt := range s.routes() {
		out[rt.method+" "+rt.path] = [...]string{"none", "partner", "user", "partner"}[rt.auth] // authLogin needs the partner token
	}
	return out
}
