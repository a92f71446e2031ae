package httpapi

// clientRoutes lists the client routes (filled in by the clients work).
func (s *Server) clientRoutes() []route { return nil }
