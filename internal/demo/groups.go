package demo

import (
	"context"
	"time"

	"appointd/internal/booking"
)

// seedGroupClass adds a weekly brow workshop: a group event next Tuesday
// at 19:00 repeated on Tuesdays at 19:00 and Thursdays at 18:30 for eight
// weeks, with the first demo client booked into every Tuesday.
func seedGroupClass(ctx context.Context, svc *booking.Service, owner booking.Caller, loc booking.Location, ids catalogIDs, client booking.Client, now time.Time) error {
	today := now.In(loc.Zone())
	tuesday := today.AddDate(0, 0, 1+(int(time.Tuesday)-int(today.Weekday())+6)%7)
	galina, workshop := ids.members["Galina Orlova"], ids.services["Brow workshop (group)"]
	str := func(s string) *string { return &s }
	num := func(n int64) *int64 { return &n }
	act, err := svc.CreateActivity(ctx, owner, loc.ID, booking.ActivityInput{Datetime: str(tuesday.Format("2006-01-02") + " 19:00"),
		ServiceID: &workshop, TeamMemberID: &galina, Capacity: num(6), Length: num(5400), Comment: str("Bring your own tweezers"),
		Force: true})
	if err != nil {
		return err
	}
	sch, err := svc.CreateSchedule(ctx, owner, loc.ID, booking.ScheduleInput{OriginalEntityType: "activity",
		OriginalEntityID: act.ID, DateEnd: tuesday.AddDate(0, 0, 7*8-1).Format("2006-01-02"),
		Days: []booking.SeriesInput{
			{DayOfWeek: str("tue"), MasterID: &galina, Time: str("19:00:00"), Duration: num(5400), Capacity: num(6)},
			{DayOfWeek: str("thu"), MasterID: &galina, Time: str("18:30:00"), Duration: num(5400), Capacity: num(6)},
		}})
	if err != nil {
		return err
	}
	_, err = svc.CreateClientSchedule(ctx, owner, loc.ID, sch.ID, booking.ClientScheduleInput{ClientID: client.ID,
		SeriesIDs: []int64{sch.Series[0].ID}})
	return err
}
