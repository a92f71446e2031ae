package httpapi

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"appointd/internal/auth"
	"appointd/internal/booking"
)

// myPermissions is GET /user/permissions/{location_id}: the caller's rights
// grouped as Altegio groups them.
func (s *Server) myPermissions(c *call) error {
	id, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	m, err := s.Service.MyPermissions(c.ctx, c.caller, id)
	if err != nil {
		return err
	}
	perms := m.Permissions()
	out := map[string]map[string]any{}
	for _, g := range auth.Groups {
		group := map[string]any{}
		for _, slug := range g.Slugs {
			group[slug] = perms[slug]
		}
		out[g.Name] = group
	}
	out["timetable"]["master_id"] = staffID(m)
	return c.ok(http.StatusOK, out)
}

func staffID(m booking.Membership) int64 {
	if m.StaffID == nil {
		return 0
	}
	return *m.StaffID
}

type locationUserOut struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	Information    string `json:"information"`
	IsApproved     bool   `json:"is_approved"`
	IsNonDeletable bool   `json:"is_non_deletable"`
}

// locationUsers is GET /company/{location_id}/users; filter[is_approved].
func (s *Server) locationUsers(c *call) error {
	id, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var approved *bool
	if v := c.r.URL.Query().Get("filter[is_approved]"); v != "" {
		b, err := queryBool(c.r, "filter[is_approved]")
		if err != nil {
			return err
		}
		approved = &b
	}
	members, err := s.Service.LocationUsers(c.ctx, c.caller, id, approved)
	if err != nil {
		return err
	}
	out := make([]locationUserOut, 0, len(members))
	for _, m := range members {
		out = append(out, locationUserOut{ID: m.User.ID, Name: m.User.Name, Phone: m.User.Phone,
			Email: m.User.Email, Information: m.User.Information, IsApproved: m.User.IsApproved,
			IsNonDeletable: m.Role == auth.RoleOwner})
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"count": len(out)})
}

type permissionValue struct {
	Slug  string `json:"slug"`
	Value any    `json:"value"`
}

type userPermissionsOut struct {
	IsEditable      bool              `json:"is_editable"`
	StaffID         *int64            `json:"staff_id"`
	UserRole        string            `json:"user_role"`
	UserPermissions []permissionValue `json:"user_permissions"`
}

func renderUserPermissions(m booking.Membership, editable bool) userPermissionsOut {
	perms := m.Permissions()
	slugs := make([]string, 0, len(perms))
	for k := range perms {
		slugs = append(slugs, k)
	}
	sort.Strings(slugs)
	out := userPermissionsOut{IsEditable: editable, StaffID: m.StaffID, UserRole: m.Role,
		UserPermissions: make([]permissionValue, len(slugs))}
	for i, k := range slugs {
		out.UserPermissions[i] = permissionValue{Slug: k, Value: perms[k]}
	}
	return out
}

// userPermissions is GET /company/{location_id}/users/{user_id}/permissions.
func (s *Server) userPermissions(c *call) error {
	p, err := pathIDs(c.r, "location_id", "user_id")
	if err != nil {
		return err
	}
	loc, uid := p[0], p[1]
	m, editable, err := s.Service.UserPermissions(c.ctx, c.caller, loc, uid)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderUserPermissions(m, editable))
}

// setUserPermissions is PUT /company/{location_id}/users/{user_id}/permissions.
func (s *Server) setUserPermissions(c *call) error {
	p, err := pathIDs(c.r, "location_id", "user_id")
	if err != nil {
		return err
	}
	loc, uid := p[0], p[1]
	var body struct {
		UserRole        String `json:"user_role"`
		UserPermissions *[]struct {
			Slug  string          `json:"slug"`
			Value json.RawMessage `json:"value"`
		} `json:"user_permissions"`
		StaffID json.RawMessage `json:"staff_id"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	ch := booking.PermissionChange{Role: body.UserRole.V}
	if body.UserPermissions != nil {
		ch.Permissions = map[string]any{}
		for _, p := range *body.UserPermissions {
			v, ok := permissionInput(p.Slug, p.Value)
			if !ok {
				kind := "true or false"
				if auth.IsNumeric(p.Slug) {
					kind = "a number"
				}
				return booking.Invalid("user_permissions", "permission %q takes %s", p.Slug, kind)
			}
			ch.Permissions[p.Slug] = v
		}
	}
	if len(body.StaffID) > 0 {
		ch.StaffIDSet = true
		if s := strings.Trim(string(body.StaffID), `"`); s != "null" && s != "" && s != "0" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id < 0 {
				return booking.Invalid("staff_id", "staff_id must be an integer")
			}
			ch.StaffID = &id
		}
	}
	m, err := s.Service.SetUserPermissions(c.ctx, c.caller, loc, uid, ch)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderUserPermissions(m, true))
}

// permissionInput reads a permission value leniently: numbers for numeric
// slugs, booleans (or 0/1) for the rest. Unknown slugs pass through for the
// domain to name.
func permissionInput(slug string, raw json.RawMessage) (any, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if auth.IsNumeric(slug) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	switch strings.ToLower(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return nil, false
}

// removeUser is DELETE /company/{location_id}/users/{user_id}: 204.
func (s *Server) removeUser(c *call) error {
	p, err := pathIDs(c.r, "location_id", "user_id")
	if err != nil {
		return err
	}
	loc, uid := p[0], p[1]
	if err := s.Service.RemoveUser(c.ctx, c.caller, loc, uid); err != nil {
		return err
	}
	return c.noContent()
}
