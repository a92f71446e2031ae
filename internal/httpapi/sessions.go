package httpapi

import (
	"net/http"
)

type userOut struct {
	ID               int64  `json:"id"`
	UserToken        string `json:"user_token"`
	Name             string `json:"name"`
	Phone            string `json:"phone"`
	Login            string `json:"login"`
	Email            string `json:"email"`
	Avatar           string `json:"avatar"`
	IsApproved       bool   `json:"is_approved"`
	IsEmailConfirmed bool   `json:"is_email_confirmed"`
}

// login is POST /auth: 201 with the user and a new user token.
func (s *Server) login(c *call) error {
	var body struct {
		Login    String `json:"login"`
		Password String `json:"password"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	u, token, err := s.Service.Login(c.ctx, c.caller, body.Login.V, body.Password.V)
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, userOut{ID: u.ID, UserToken: token, Name: u.Name, Phone: u.Phone,
		Login: u.Login, Email: u.Email, Avatar: u.Avatar, IsApproved: u.IsApproved,
		IsEmailConfirmed: u.IsEmailConfirmed})
}

// logout is DELETE /auth: revokes the presented user token.
func (s *Server) logout(c *call) error {
	if err := s.Service.Logout(c.ctx, c.caller); err != nil {
		return err
	}
	return c.noContent()
}
