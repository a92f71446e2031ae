package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"appointd/internal/booking"
)

// partnerList prints one line per partner: id, creation time and name. The
// token is stored only as a hash, so it cannot be shown.
func partnerList(db string, stdout io.Writer) error {
	return withService(db, func(ctx context.Context, svc *booking.Service) error {
		list, err := svc.Partners(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d partners:\n", len(list))
		for _, p := range list {
			revoked := ""
			if !p.RevokedAt.IsZero() {
				revoked = " revoked=" + p.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%d created=%s %q%s\n", p.ID, p.CreatedAt.Format(time.RFC3339), p.Name, revoked)
		}
		return nil
	})
}

// partnerRevoke revokes a partner's token. Servers notice within their auth
// cache's lifetime (one second).
func partnerRevoke(db, arg string, stdout io.Writer) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("partner id %q is not a positive number", arg)
	}
	return withService(db, func(ctx context.Context, svc *booking.Service) error {
		p, err := svc.RevokePartner(ctx, id)
		if errors.Is(err, booking.ErrNotFound) {
			return fmt.Errorf("no partner %d (see appointd partner list)", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner %d %q revoked at %s; its token and its users' sessions no longer work\n",
			p.ID, p.Name, p.RevokedAt.Format(time.RFC3339))
		return nil
	})
}

// userList prints one line per user: id, login, name and its role in each
// location. Password hashes and tokens are never printed.
func userList(ctx context.Context, svc *booking.Service, stdout io.Writer) error {
	list, err := svc.UsersWithRoles(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d users:\n", len(list))
	for _, u := range list {
		roles := "none"
		if len(u.Roles) > 0 {
			var parts []string
			for _, m := range u.Roles {
				parts = append(parts, fmt.Sprintf("%d=%s", m.LocationID, m.Role))
			}
			roles = strings.Join(parts, " ")
		}
		fmt.Fprintf(stdout, "%d %s %q roles: %s\n", u.User.ID, u.User.Login, u.User.Name, roles)
	}
	return nil
}

// webhookRetry puts failed deliveries back in the queue; a running server
// picks them up within its --webhook-poll.
func webhookRetry(db string, args []string, id int64, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: appointd webhook retry LOCATION_ID [--id N]")
	}
	loc, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || loc <= 0 {
		return fmt.Errorf("location id %q is not a positive number", args[0])
	}
	if id < 0 {
		return fmt.Errorf("--id %d is not a delivery id", id)
	}
	return withService(db, func(ctx context.Context, svc *booking.Service) error {
		n, err := svc.RetryWebhooks(ctx, loc, id)
		if errors.Is(err, booking.ErrNotFound) {
			if id != 0 {
				return fmt.Errorf("location %d has no failed delivery %d (see appointd webhook list %d)", loc, id, loc)
			}
			return fmt.Errorf("no location %d", loc)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d failed deliveries of location %d are pending again\n", n, loc)
		return nil
	})
}
