// Package booking is appointd's domain: the types every layer shares, the
// Store interface it needs, and the use cases. Rules are plain functions over
// values; nothing here knows about HTTP or SQL.
package booking

import (
	"sync"
	"time"

	"appointd/internal/auth"
)

// Partner is an integration that holds a partner token.
type Partner struct {
	ID        int64
	Name      string
	TokenHash string
	CreatedAt time.Time
	RevokedAt time.Time // zero while the partner's token works
}

// User is a person who works in one or more locations.
type User struct {
	ID               int64
	Login            string
	Email            string
	Phone            string
	Name             string
	Avatar           string
	Information      string
	PasswordHash     string
	IsApproved       bool
	IsEmailConfirmed bool
	CreatedAt        time.Time
}

// Session is one issued user token.
type Session struct {
	ID         int64
	UserID     int64
	PartnerID  int64
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Membership links a user to a location with a role and permission overrides.
type Membership struct {
	LocationID int64
	UserID     int64
	Role       string
	Overrides  map[string]any
	StaffID    *int64
	CreatedAt  time.Time
}

// Permissions are the membership's effective rights.
func (m Membership) Permissions() auth.Permissions {
	return auth.Effective(m.Role, m.Overrides)
}

// Member is a membership with its user, for listings.
type Member struct {
	Membership
	User User
}

// Social holds a location's social network handles.
type Social struct {
	Facebook  string `json:"facebook"`
	Instagram string `json:"instagram"`
	Telegram  string `json:"telegram"`
	WhatsApp  string `json:"whatsapp"`
	Viber     string `json:"viber"`
	VK        string `json:"vk"`
}

// Location is a business location ("company" in the API).
type Location struct {
	ID             int64
	Title          string
	PublicTitle    string
	ShortDescr     string
	Description    string
	Logo           string
	Active         bool
	Phone          string
	Phones         []string
	Email          string
	Site           string
	CountryID      int64
	Country        string
	CityID         int64
	City           string
	TimezoneName   string
	Address        string
	Zip            string
	CoordinateLat  float64
	CoordinateLon  float64
	BusinessTypeID int64
	Currency       string
	Social         Social
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Zone is the location's time zone (UTC if the stored name is unknown, which
// validation prevents).
func (l Location) Zone() *time.Location { return zone(l.TimezoneName) }

// zones caches loaded time zones: time.LoadLocation reads the zone file on
// every call, and answers render many datetimes.
var zones sync.Map

func zone(name string) *time.Location {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, z)
	return z
}

// OffsetHours is the zone's current UTC offset in hours, as the API's
// `timezone` field shows it (e.g. 3, -5, 5.5).
func (l Location) OffsetHours(at time.Time) float64 {
	_, off := at.In(l.Zone()).Zone()
	return float64(off) / 3600
}

// Caller is who makes a request: always a partner, sometimes a user.
type Caller struct {
	Partner   Partner
	User      *User
	SessionID int64
	IP        string
}

// LocationFilter narrows GET /companies.
type LocationFilter struct {
	IDs    []int64
	MyOnly bool
	UserID int64
	Page   int
	Count  int
}
