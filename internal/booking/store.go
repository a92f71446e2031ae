package booking

import (
	"context"
	"time"
)

// Store is what booking needs from persistence. Every query runs inside a
// transaction: Read on a snapshot, Write serialized by the engine's write
// lock (see the store package).
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
	Ping(ctx context.Context) error
	Close() error
}

// Lockable names the rows a write transaction can lock for a
// check-then-write rule.
type Lockable string

const (
	LockLocation   Lockable = "locations"
	LockTeamMember Lockable = "team_members"
	LockVisit      Lockable = "visits"
	LockActivity   Lockable = "activities"
	LockSchedule   Lockable = "event_schedules"
	LockClient     Lockable = "clients"
	LockService    Lockable = "services"
	LockGood       Lockable = "goods"
)

// Tx is one transaction. Lookups of a missing row return ErrNotFound; a
// unique-value clash returns ErrConflict.
type Tx interface {
	CatalogTx
	ClientTx
	AppointmentTx
	VisitTx
	CommentTx
	ActivityTx
	ScheduleTx
	FeedTx
	WebhookTx
	GoodsTx

	// Writable tells a write transaction from a read one.
	Writable() bool

	// Lock takes the row lock a check-then-write rule needs. Engines that
	// serialize whole write transactions (SQLite) only check the row exists.
	Lock(ctx context.Context, table Lockable, id int64) error

	// Savepoint runs fn inside a savepoint: when fn fails, what it wrote is
	// undone and the transaction goes on (on PostgreSQL a failed statement,
	// such as a unique violation, otherwise aborts the whole transaction).
	Savepoint(ctx context.Context, fn func() error) error

	CreatePartner(ctx context.Context, p Partner) (int64, error)
	PartnerByTokenHash(ctx context.Context, hash string) (Partner, error)
	Partners(ctx context.Context) ([]Partner, error)
	RevokePartner(ctx context.Context, id int64, at time.Time) error
	Users(ctx context.Context) ([]User, error)

	CreateUser(ctx context.Context, u User) (int64, error)
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByLogin matches the login, the e-mail (case-insensitive) or the
	// phone digits.
	UserByLogin(ctx context.Context, login string) (User, error)
	SetPasswordHash(ctx context.Context, userID int64, hash string) error

	CreateSession(ctx context.Context, s Session) (int64, error)
	SessionByTokenHash(ctx context.Context, hash string) (Session, error)
	TouchSession(ctx context.Context, id int64, at time.Time) error
	DeleteSession(ctx context.Context, id int64) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	// LoginFailures returns the failure times of key at or after since,
	// oldest first.
	LoginFailures(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	// LockLoginKey takes key's row lock for the rest of the transaction
	// (creating the row), so that counting key's failures and adding one is
	// atomic across processes.
	LockLoginKey(ctx context.Context, key string, at time.Time) error
	// ReserveLoginAttempt adds a pending failure of key (an attempt whose
	// password check has not answered yet); SettleLoginFailure makes it a
	// plain failure, DeleteLoginFailure takes it back.
	ReserveLoginAttempt(ctx context.Context, key string, at time.Time) (int64, error)
	// PendingLoginAttempts counts key's pending failures at or after since.
	PendingLoginAttempts(ctx context.Context, key string, since time.Time) (int, error)
	SettleLoginFailure(ctx context.Context, id int64) error
	DeleteLoginFailure(ctx context.Context, id int64) error
	ClearLoginFailures(ctx context.Context, key string) error
	PruneLoginFailures(ctx context.Context, before time.Time) error

	CreateLocation(ctx context.Context, l Location) (int64, error)
	LocationByID(ctx context.Context, id int64) (Location, error)
	ListLocations(ctx context.Context, f LocationFilter) ([]Location, error)
	UpdateLocation(ctx context.Context, l Location) error
	DeleteLocation(ctx context.Context, id int64, at time.Time) error

	PutMembership(ctx context.Context, m Membership) error
	Membership(ctx context.Context, locationID, userID int64) (Membership, error)
	Memberships(ctx context.Context, userID int64) ([]Membership, error)
	LocationMembers(ctx context.Context, locationID int64) ([]Member, error)
	DeleteMembership(ctx context.Context, locationID, userID int64) error
}
