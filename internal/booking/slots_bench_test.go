package booking

import (
	"testing"
	"time"
)

// memberDay is a 10–14, 15–20 split shift with busyCount 30-minute
// appointments spread over it.
func memberDay(zone *time.Location, busyCount int) (work, busy []Interval) {
	d := day("2026-11-25")
	work = WorkIntervals(d, []Slot{{clk("10:00"), clk("14:00")}, {clk("15:00"), clk("20:00")}}, zone)
	for i := 0; i < busyCount; i++ {
		start := wallClock(d, clk("10:00")+i*25, zone)
		busy = append(busy, Interval{start, start.Add(20 * time.Minute)})
	}
	return work, busy
}

func BenchmarkSeancesMemberDay(b *testing.B) {
	zone, _ := time.LoadLocation("Europe/Moscow")
	work, busy := memberDay(zone, 12)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if len(Seances(work, busy, 15*time.Minute, 45*time.Minute, zone)) == 0 {
			b.Fatal("no seances")
		}
	}
}

func BenchmarkSeancesLocationDay20Members(b *testing.B) {
	zone, _ := time.LoadLocation("Europe/Moscow")
	type md struct{ work, busy []Interval }
	days := make([]md, 20)
	for m := range days {
		w, bz := memberDay(zone, 6+m%10)
		days[m] = md{w, bz}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, d := range days {
			Seances(d.work, d.busy, 15*time.Minute, 45*time.Minute, zone)
		}
	}
}
