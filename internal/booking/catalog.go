package booking

import (
	"context"
	"time"
)

// Position is a team member's job title in a location.
type Position struct {
	ID         int64
	LocationID int64
	Title      string
	APIID      string
}

// TeamMember is a person who provides services ("staff" in the API).
type TeamMember struct {
	ID                 int64
	LocationID         int64
	Name               string
	Specialization     string
	PositionID         *int64
	Position           *Position // filled on reads
	APIID              string
	Information        string
	Avatar             string
	Weight             int64
	UserID             *int64
	HasAccessTimetable bool
	Hidden             bool
	Fired              bool
	IsPaidStaff        bool
	Rating             float64
	VotesCount         int64
	CommentsCount      int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Deleted            bool
	SeanceStep         int64       // the location's slot grid in seconds (catalog reads)
	ServiceLinks       []StaffLink // the services the member performs (catalog reads)
}

// Bookable reports whether appointments may be made with the member.
func (m TeamMember) Bookable() bool {
	return !m.Deleted && !m.Fired && m.HasAccessTimetable
}

// ServiceCategory groups services.
type ServiceCategory struct {
	ID         int64
	LocationID int64
	Title      string
	APIID      string
	Weight     int64
	StaffIDs   []int64 // members linked to any service of the category (reads)
	PriceMin   int64   // lowest price_min of its services, minor units (reads; 0 without services)
	PriceMax   int64   // highest price_max of its services (reads)
}

// StaffLink says a team member performs a service, for SeanceLength seconds.
type StaffLink struct {
	ServiceID           int64
	TeamMemberID        int64
	SeanceLength        int64
	TechnologicalCardID *int64
	Name, Avatar        string // the team member's (reads)
}

// SalonService is something a location sells by appointment ("service"
// in the API; the name avoids the use-case Service).
type SalonService struct {
	ID                     int64
	LocationID             int64
	CategoryID             int64
	Title                  string
	BookingTitle           string
	PriceMin               int64 // minor units
	PriceMax               int64
	Duration               int64 // seconds
	TechnicalBreakDuration *int64
	Discount               int64
	Comment                string
	Weight                 int64
	Active                 bool
	APIID                  string
	Staff                  []StaffLink // reads
	SeanceStep             int64       // the location's slot grid in seconds (reads)
}

// Slot is one working interval of a day in the location's wall-clock time,
// as minutes since midnight.
type Slot struct {
	From, To int // minutes
}

// WorkDay is a team member's working hours on one local date.
type WorkDay struct {
	TeamMemberID int64
	Date         time.Time // midnight UTC of the local calendar date
	Slots        []Slot    // empty = day off
}

// TimetableSettings are a location's appointment-calendar settings.
type TimetableSettings struct {
	LocationID                    int64
	RecordType                    int64
	ActivityRecordClientsCountMax int64
	IsShowNewsletterAgreement     bool
	IsShowPersonalDataProcessing  bool
	SeanceStep                    int64 // seconds
}

// DefaultTimetableSettings applies until a location changes them (D14: 15 min).
func DefaultTimetableSettings(locationID int64) TimetableSettings {
	return TimetableSettings{LocationID: locationID, ActivityRecordClientsCountMax: 10, SeanceStep: 900}
}

// ServiceFilter narrows service and category lists.
type ServiceFilter struct {
	LocationID   int64
	TeamMemberID int64
	CategoryID   int64
}

// CatalogTx is the store's part for team members, services and schedules.
// Reads of another location's ids return ErrNotFound.
type CatalogTx interface {
	CreatePosition(ctx context.Context, p Position) (int64, error)
	Positions(ctx context.Context, locationID int64) ([]Position, error)
	Position(ctx context.Context, locationID, id int64) (Position, error)

	CreateTeamMember(ctx context.Context, m TeamMember) (int64, error)
	TeamMember(ctx context.Context, locationID, id int64) (TeamMember, error)
	TeamMembers(ctx context.Context, locationID int64) ([]TeamMember, error)
	UpdateTeamMember(ctx context.Context, m TeamMember) error
	DeleteTeamMember(ctx context.Context, locationID, id int64, at time.Time) error

	CreateCategory(ctx context.Context, c ServiceCategory) (int64, error)
	Category(ctx context.Context, locationID, id int64) (ServiceCategory, error)
	Categories(ctx context.Context, f ServiceFilter) ([]ServiceCategory, error)
	UpdateCategory(ctx context.Context, c ServiceCategory) error
	DeleteCategory(ctx context.Context, locationID, id int64, at time.Time) error

	CreateService(ctx context.Context, s SalonService) (int64, error)
	Service(ctx context.Context, locationID, id int64) (SalonService, error)
	Services(ctx context.Context, f ServiceFilter) ([]SalonService, error)
	UpdateService(ctx context.Context, s SalonService) error
	DeleteService(ctx context.Context, locationID, id int64, at time.Time) error
	// SetStaffLinks replaces the service's links.
	SetStaffLinks(ctx context.Context, serviceID int64, links []StaffLink) error
	PutStaffLink(ctx context.Context, l StaffLink) error
	DeleteStaffLink(ctx context.Context, serviceID, teamMemberID int64) error

	// WorkDays returns the set days of the members in [from, to] (local dates).
	WorkDays(ctx context.Context, teamMemberIDs []int64, from, to time.Time) ([]WorkDay, error)
	PutWorkDay(ctx context.Context, d WorkDay) error

	TimetableSettings(ctx context.Context, locationID int64) (TimetableSettings, error)
	PutTimetableSettings(ctx context.Context, s TimetableSettings) error
}
