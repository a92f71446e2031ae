// Package demo seeds the fixed demo data that `appointd serve --demo` and the
// README rely on. Everything goes through the booking use cases.
package demo

import (
	"context"
	"fmt"
	"time"

	"appointd/internal/auth"
	"appointd/internal/booking"
)

// Fixed demo credentials (only present when --demo seeded them).
const (
	PartnerToken  = "demo-partner-token"
	OwnerLogin    = "demo@appointd.test"
	WorkerLogin   = "worker@appointd.test"
	Password      = "demo-password"
	LocationTitle = "appointd Demo Salon"
	LocationZone  = "Europe/Moscow"
)

// Result says what was seeded.
type Result struct {
	Seeded     bool
	LocationID int64
	owner      booking.Caller
	workerID   int64
	ids        catalogIDs
}

// Seed fills an empty database; a non-empty one is left alone. Working
// hours run 60 days from now's date and the group class starts the Tuesday
// after it, so a test can seed "today" as any day it likes.
func Seed(ctx context.Context, svc *booking.Service, now time.Time) (Result, error) {
	empty, err := svc.Empty(ctx)
	if err != nil || !empty {
		return Result{}, err
	}
	if _, err := svc.AddPartnerToken(ctx, "demo", PartnerToken); err != nil {
		return Result{}, fmt.Errorf("demo partner: %w", err)
	}
	str := func(s string) *string { return &s }
	id := func(v int64) *int64 { return &v }
	f := func(v float64) *float64 { return &v }
	loc, err := svc.SeedLocation(ctx, booking.LocationInput{
		Title:         str(LocationTitle),
		ShortDescr:    str("Hair, nails and brows"),
		Description:   str("A demo salon served by appointd."),
		Phones:        &[]string{"+74951234567"},
		Email:         str("salon@appointd.test"),
		Site:          str("https://appointd.test"),
		CountryID:     id(1),
		City:          str("Moscow"),
		CityID:        id(2),
		TimezoneName:  str(LocationZone),
		Address:       str("Tverskaya St, 1"),
		Zip:           str("125009"),
		CoordinateLat: f(55.757),
		CoordinateLon: f(37.615),
		Currency:      str("RUB"),
	})
	if err != nil {
		return Result{}, fmt.Errorf("demo location: %w", err)
	}
	users := []struct{ login, name, role string }{
		{OwnerLogin, "Demo Owner", auth.RoleOwner},
		{WorkerLogin, "Demo Worker", auth.RoleWorker},
	}
	var owner booking.Caller
	var workerID int64
	for _, u := range users {
		created, err := svc.CreateUser(ctx, booking.NewUser{Login: u.login, Password: Password, Name: u.name})
		if err != nil {
			return Result{}, fmt.Errorf("demo user %s: %w", u.login, err)
		}
		if u.role == auth.RoleOwner {
			owner.User = &created
		}
		if u.login == WorkerLogin {
			workerID = created.ID
		}
		if err := svc.Grant(ctx, u.login, loc.ID, u.role); err != nil {
			return Result{}, fmt.Errorf("demo grant %s: %w", u.login, err)
		}
	}
	ids, err := seedCatalog(ctx, svc, owner, loc, now)
	if err != nil {
		return Result{}, fmt.Errorf("demo catalog: %w", err)
	}
	client, err := seedClients(ctx, svc, owner, loc.ID)
	if err != nil {
		return Result{}, fmt.Errorf("demo clients: %w", err)
	}
	if err := seedGroupClass(ctx, svc, owner, loc, ids, client, now); err != nil {
		return Result{}, fmt.Errorf("demo group class: %w", err)
	}
	return Result{Seeded: true, LocationID: loc.ID, owner: owner, workerID: workerID, ids: ids}, nil
}
