package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/testenv"
)

// TestUserList: every user with its role per location, and no password
// hash in the output.
func TestUserList(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			var hashes []string
			err := withService(dsn, func(ctx context.Context, svc *booking.Service) error {
				if _, err := demo.Seed(ctx, svc, time.Now()); err != nil {
					return err
				}
				list, err := svc.UsersWithRoles(ctx)
				for _, u := range list {
					hashes = append(hashes, u.User.PasswordHash)
				}
				return err
			})
			if err != nil || len(hashes) == 0 {
				t.Fatalf("seed: %v (%d users)", err, len(hashes))
			}
			for _, args := range [][]string{
				{"user", "create", "--login", "ann@example.test", "--password", "ann-password", "--name", "Ann Lee"},
				{"user", "create", "--login", "bob@example.test", "--password", "bob-password", "--name", "Bob"},
				{"user", "grant", "ann@example.test", "1", "manager"},
			} {
				if out, err := cli(t, append(args, "--db", dsn)...); err != nil {
					t.Fatalf("%v: %v %s", args, err, out)
				}
			}
			out, err := cli(t, "user", "list", "--db", dsn)
			if err != nil {
				t.Fatalf("user list: %v", err)
			}
			n := len(hashes) + 2
			for _, want := range []string{
				"\n1 " + demo.OwnerLogin + ` "Demo Owner" roles: 1=owner` + "\n",
				` ann@example.test "Ann Lee" roles: 1=manager` + "\n",
				` bob@example.test "Bob" roles: none` + "\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("user list lacks %q:\n%s", want, out)
				}
			}
			if !strings.HasPrefix(out, fmt.Sprintf("%d users:\n", n)) {
				t.Errorf("user list header: %s", out)
			}
			for _, h := range hashes {
				if h != "" && strings.Contains(out, h) {
					t.Fatalf("user list shows a password hash: %s", out)
				}
			}
			if strings.Contains(out, "$2") || strings.Contains(out, "password") {
				t.Fatalf("user list shows secrets: %s", out)
			}
			if out, err := cli(t, "user", "list", "extra", "--db", dsn); err == nil {
				t.Fatalf("user list extra succeeded: %s", out)
			}
		})
	}
}
