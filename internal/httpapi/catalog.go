package httpapi

// catalogRoutes lists the team member, service and schedule routes.
func (s *Server) catalogRoutes() []route { return nil }
