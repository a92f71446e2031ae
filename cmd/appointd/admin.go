package main

import (
	"context"
	"fmt"
	"io"
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
			fmt.Fprintf(stdout, "%d created=%s %q\n", p.ID, p.CreatedAt.Format(time.RFC3339), p.Name)
		}
		return nil
	})
}
