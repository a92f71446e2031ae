package booking

import (
	"context"
	"errors"
	"maps"
	"math"
	"net/mail"
	"strings"

	"appointd/internal/auth"
)

// NewUser is the input of CreateUser.
type NewUser struct {
	Login    string
	Password string
	Name     string
	Email    string
	Phone    string
}

// PhoneDigits keeps only the digits of a phone number.
func PhoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CreateUser adds a user. A login that looks like an e-mail doubles as the
// e-mail; one made of phone characters doubles as the phone.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	v := &ValidationError{}
	login := strings.ToLower(strings.TrimSpace(in.Login))
	if login == "" {
		v.Add("login", "login is required")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		v.Add("name", "name is required")
	}
	email := strings.TrimSpace(in.Email)
	if email == "" && strings.Contains(login, "@") {
		email = login
	}
	if email != "" {
		if _, err := mail.ParseAddress(email); err != nil {
			v.Add("email", "email %q is not a valid address", email)
		}
	}
	phone := in.Phone
	if phone == "" && login != "" && strings.Trim(login, "+0123456789-() ") == "" {
		phone = login
	}
	if phone != "" {
		if d := PhoneDigits(phone); len(d) < 9 || len(d) > 15 {
			v.Add("phone", "phone must contain 9 to 15 digits")
		} else {
			phone = "+" + d
		}
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		v.Add("password", "%s", err.Error())
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	u := User{Login: login, Email: email, Phone: phone, Name: name, PasswordHash: hash,
		IsApproved: true, CreatedAt: s.now()}
	err = s.store.Write(ctx, func(tx Tx) error {
		for _, key := range []string{login, email, phone} {
			if key == "" {
				continue
			}
			if _, err := tx.UserByLogin(ctx, key); err == nil {
				return Invalid("login", "a user with login %q already exists", key)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		id, err := tx.CreateUser(ctx, u)
		u.ID = id
		return err
	})
	if errors.Is(err, ErrConflict) {
		return User{}, Invalid("login", "a user with login %q already exists", login)
	}
	return u, err
}

// SetPassword changes a user's password and revokes all of the user's tokens.
func (s *Service) SetPassword(ctx context.Context, login, password string) error {
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return Invalid("password", "%s", err.Error())
	}
	var userID int64
	err = s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByLogin(ctx, login)
		if err != nil {
			return err
		}
		userID = u.ID
		if err := tx.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
		return tx.DeleteUserSessions(ctx, u.ID)
	})
	s.auths.forgetUser(userID)
	return err
}

// Grant links a user to a location with a role (admin command line).
func (s *Service) Grant(ctx context.Context, login string, locationID int64, role string) error {
	if !auth.ValidRole(role) {
		return Invalid("role", "role must be one of %s", strings.Join(auth.Roles, ", "))
	}
	return s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByLogin(ctx, login)
		if err != nil {
			return err
		}
		if _, err := tx.LocationByID(ctx, locationID); err != nil {
			return err
		}
		m, err := tx.Membership(ctx, locationID, u.ID)
		if errors.Is(err, ErrNotFound) {
			m = Membership{LocationID: locationID, UserID: u.ID, CreatedAt: s.now()}
		} else if err != nil {
			return err
		}
		m.Role, m.Overrides = role, nil
		return tx.PutMembership(ctx, m)
	})
}

// MyPermissions returns the caller's membership in a location.
func (s *Service) MyPermissions(ctx context.Context, c Caller, locationID int64) (Membership, error) {
	var m Membership
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		_, m, err = s.access(ctx, tx, c, locationID, "")
		return err
	})
	return m, err
}

// LocationUsers lists a location's users; approved filters by is_approved.
func (s *Service) LocationUsers(ctx context.Context, c Caller, locationID int64, approved *bool) ([]Member, error) {
	var out []Member
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermUsers); err != nil {
			return err
		}
		all, err := tx.LocationMembers(ctx, locationID)
		for _, m := range all {
			if approved == nil || m.User.IsApproved == *approved {
				out = append(out, m)
			}
		}
		return err
	})
	return out, err
}

// UserPermissions returns another user's membership; editable says whether
// the caller may change it.
func (s *Service) UserPermissions(ctx context.Context, c Caller, locationID, userID int64) (Membership, bool, error) {
	var target Membership
	var editable bool
	err := s.store.Read(ctx, func(tx Tx) error {
		_, mine, err := s.access(ctx, tx, c, locationID, "")
		if err != nil {
			return err
		}
		if userID != c.User.ID && !mine.Permissions().Allows(auth.PermUsers) {
			return ErrForbidden
		}
		target, err = tx.Membership(ctx, locationID, userID)
		editable = err == nil && canEdit(c, mine, target)
		return err
	})
	return target, editable, err
}

// canEdit: users_access is needed, nobody edits their own rights, and only
// an owner touches an owner.
func canEdit(c Caller, mine, target Membership) bool {
	if !mine.Permissions().Allows(auth.PermUsers) || target.UserID == c.User.ID {
		return false
	}
	return target.Role != auth.RoleOwner || mine.Role == auth.RoleOwner
}

// grantedBeyond lists the rights a change gives its target (held after it,
// not before) that the granter does not hold: a non-owner may hand out only
// what they have. For last_days_count a larger reach is the grant, -1
// (unlimited) being the largest.
func grantedBeyond(granter, before, after auth.Permissions) []string {
	var out []string
	for _, slug := range auth.Slugs() {
		if auth.IsNumeric(slug) {
			reach := func(p auth.Permissions) int64 {
				n := p.Days(slug)
				if n < 0 {
					return math.MaxInt64
				}
				return n
			}
			if reach(after) > reach(before) && reach(after) > reach(granter) {
				out = append(out, slug)
			}
			continue
		}
		if after.Allows(slug) && !before.Allows(slug) && !granter.Allows(slug) {
			out = append(out, slug)
		}
	}
	return out
}

// PermissionChange is the body of PUT .../users/{user_id}/permissions.
type PermissionChange struct {
	Role        string
	Permissions map[string]any // slug → bool or int; nil keeps the overrides
	StaffID     *int64
	StaffIDSet  bool
}

// SetUserPermissions changes another user's role and permission overrides.
func (s *Service) SetUserPermissions(ctx context.Context, c Caller, locationID, userID int64, ch PermissionChange) (Membership, error) {
	var target Membership
	err := s.store.Write(ctx, func(tx Tx) error {
		// Memberships of a location change under its lock: an edit
		// rewrites the whole membership, and the editor's own rights
		// (read next) decide what it may grant.
		if err := tx.Lock(ctx, LockLocation, locationID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		_, mine, err := s.access(ctx, tx, c, locationID, auth.PermUsers)
		if err != nil {
			return err
		}
		target, err = tx.Membership(ctx, locationID, userID)
		if err != nil {
			return err
		}
		if !canEdit(c, mine, target) {
			return ErrForbidden
		}
		before := target
		v := &ValidationError{}
		if ch.Role != "" {
			if !auth.ValidRole(ch.Role) {
				v.Add("user_role", "user_role must be one of %s", strings.Join(auth.Roles, ", "))
			} else if ch.Role == auth.RoleOwner && mine.Role != auth.RoleOwner {
				return ErrForbidden
			}
			target.Role = ch.Role
		}
		if ch.Permissions != nil {
			// The slugs sent change those rights only; the others keep
			// their values (docs/RIGHTS.md, "Changing rights").
			over := maps.Clone(target.Overrides)
			if over == nil {
				over = map[string]any{}
			}
			for slug, val := range ch.Permissions {
				if !auth.KnownSlug(slug) {
					v.Add("user_permissions", "unknown permission %q", slug)
					continue
				}
				_, isInt := val.(int64)
				_, isBool := val.(bool)
				switch {
				case auth.IsNumeric(slug) && isInt:
					over[slug] = val
				case !auth.IsNumeric(slug) && isBool:
					over[slug] = val
				case auth.IsNumeric(slug):
					v.Add("user_permissions", "permission %q takes a number", slug)
				default:
					v.Add("user_permissions", "permission %q takes true or false", slug)
				}
			}
			target.Overrides = over
		}
		if ch.StaffIDSet {
			target.StaffID = ch.StaffID
		}
		if err := v.Err(); err != nil {
			return err
		}
		if mine.Role != auth.RoleOwner && len(grantedBeyond(mine.Permissions(), before.Permissions(), target.Permissions())) > 0 {
			return ErrForbidden
		}
		return tx.PutMembership(ctx, target)
	})
	return target, err
}

// RemoveUser unlinks a user from a location. The last owner stays.
func (s *Service) RemoveUser(ctx context.Context, c Caller, locationID, userID int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		_, mine, err := s.access(ctx, tx, c, locationID, auth.PermUsers)
		if err != nil {
			return err
		}
		target, err := tx.Membership(ctx, locationID, userID)
		if err != nil {
			return err
		}
		if target.Role == auth.RoleOwner {
			if mine.Role != auth.RoleOwner {
				return ErrForbidden
			}
			members, err := tx.LocationMembers(ctx, locationID)
			if err != nil {
				return err
			}
			owners := 0
			for _, m := range members {
				if m.Role == auth.RoleOwner {
					owners++
				}
			}
			if owners <= 1 {
				return Invalid("user_id", "the last owner of a location cannot be removed")
			}
		}
		return tx.DeleteMembership(ctx, locationID, userID)
	})
}
