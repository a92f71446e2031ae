package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appointd/internal/booking"
	"appointd/internal/demo"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// browserZone is the zone Chromium runs in: far from the demo's Moscow, so
// that a block drawn at the browser's local time would be hours off.
const browserZone = "Pacific/Honolulu"

// artifacts is where the screenshots go: $APPOINTD_ARTIFACTS, else a folder
// in the temp dir. The path is logged.
func artifacts(t *testing.T) string {
	dir := os.Getenv("APPOINTD_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "appointd-artifacts")
	}
	dir = filepath.Join(dir, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func startChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run the browser test: %s is missing (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("browser test skipped: %s is missing (apt-get install chromium)", chromiumPath)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
		chromedp.Env("TZ="+browserZone),
	)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(alloc)
	t.Cleanup(cancel2)
	// Start the browser on the long-lived context: a step's own timeout
	// must end the step, not the browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return ctx
}

// blockT is what the page drew for one appointment.
type blockT struct {
	ID      int64   `json:"id"`
	Staff   int64   `json:"staff"`
	Top     float64 `json:"top"` // pixels below the top of its column
	Height  float64 `json:"height"`
	Text    string  `json:"text"`
	Classes string  `json:"classes"`
	Fill    string  `json:"fill"`  // computed background colour
	Break   float64 `json:"break"` // height of the hatched technical break, 0 if none
}

const readBlocks = `[...document.querySelectorAll('.rec')].map(b => {
  const col = b.closest('.col'), r = b.getBoundingClientRect(), c = col.getBoundingClientRect();
  return {id: +b.dataset.recordId, staff: +col.dataset.staffId, top: r.top - c.top, height: r.height,
          text: b.textContent, classes: b.className, fill: getComputedStyle(b).backgroundColor,
          break: b.querySelector('.brk') ? b.querySelector('.brk').getBoundingClientRect().height : 0};
})`

// TestCalendarInBrowser runs a day in headless Chromium: sign in, see the
// demo's appointments where they belong, book a free slot, be refused a
// busy one with the API's message, move by form and by dragging, mark one
// arrived, cancel one, and look at the day on a phone and as the worker.
func TestCalendarInBrowser(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := startChromium(t)
	dir := artifacts(t)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(step, steps...); err != nil {
			shot("failed-" + strings.ReplaceAll(what, " ", "-"))
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string, out any) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("evaluate %s: %s: %v", js, raw, err)
			}
		}
	}

	// Sign in.
	do("open the sign-in page", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.ID("login")))
	shot("01-sign-in")
	do("sign in", chromedp.SendKeys(chromedp.ID("login"), demo.OwnerLogin),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`#signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".col")))

	// The day of the demo week with appointments: blocks where they belong.
	date := s.demoDay()
	bg := context.Background()
	list := func(member int64) []booking.AppointmentView { return listDay(t, s, date, member) }
	known := list(0)
	do("open the day", chromedp.Navigate(fmt.Sprintf("%s/calendar?location_id=%d&date=%s", s.url, s.loc, date)),
		chromedp.WaitVisible(chromedp.CSS(".rec")))
	shot("02-day")
	// The frame runs from the earliest start to the latest end of work
	// (whole hours), as the schedule API gives it; each column shows its
	// member's working hours unshaded.
	var frame struct {
		Hours []string `json:"hours"`
		Title string   `json:"title"`
		Work  map[string][][2]int
	}
	eval(`({hours: [...document.querySelectorAll('.axis span')].map(s => s.textContent),
	        title: document.getElementById('title').textContent,
	        work: Object.fromEntries([...document.querySelectorAll('.col')].map(c => [c.dataset.staffId,
	          [...c.querySelectorAll('.work')].map(w => [+w.dataset.from, +w.dataset.to])]))})`, &frame)
	day, _ := time.Parse(time.DateOnly, date)
	sched, err := s.svc.WorkingDays(bg, s.owner, s.loc, nil, day, day, false)
	if err != nil {
		t.Fatal(err)
	}
	wantWork := map[string][][2]int{}
	lo, hi := 24*60, 0
	for _, m := range []string{"1", "2", "3", "4", "5"} {
		wantWork[m] = [][2]int{}
	}
	for _, wd := range sched {
		for _, sl := range wd.Slots {
			k := fmt.Sprint(wd.TeamMemberID)
			wantWork[k] = append(wantWork[k], [2]int{sl.From, sl.To})
			lo, hi = min(lo, sl.From), max(hi, sl.To)
		}
	}
	var wantHours []string
	for m := lo / 60 * 60; m < (hi+59)/60*60; m += 60 {
		wantHours = append(wantHours, booking.FormatClock(m))
	}
	if fmt.Sprint(frame.Work) != fmt.Sprint(wantWork) || fmt.Sprint(frame.Hours) != fmt.Sprint(wantHours) ||
		!strings.Contains(frame.Title, demo.LocationTitle) {
		t.Fatalf("day frame: %+v; want hours %v and work %v", frame, wantHours, wantWork)
	}
	from := clockMinutes(t, frame.Hours[0])
	var blocks []blockT
	eval(readBlocks, &blocks)
	if len(blocks) != len(known) {
		t.Fatalf("%d blocks drawn, %d appointments stored", len(blocks), len(known))
	}
	zone, _ := time.LoadLocation(demo.LocationZone)
	byID := map[int64]blockT{}
	for _, b := range blocks {
		byID[b.ID] = b
	}
	for _, a := range known {
		b, ok := byID[a.ID]
		local := a.Start.In(zone)
		start := local.Hour()*60 + local.Minute()
		wantTop := float64(start-from) * 1.2
		if !ok || b.Staff != a.TeamMemberID || abs(b.Top-wantTop) > 1.5 || abs(b.Height-float64(a.SeanceLength)/60*1.2) > 1.5 ||
			!strings.Contains(b.Text, local.Format("15:04")) || !strings.Contains(b.Text, a.Client.Name) ||
			!strings.Contains(b.Text, a.Services[0].Title) || !strings.Contains(b.Classes, fmt.Sprintf("att-%d", a.Attendance)) ||
			abs(b.Break-float64(a.TechnicalBreakDuration)/60*1.2) > 1.5 || (a.CustomColor != "" && b.Fill != rgb(a.CustomColor)) {
			t.Errorf("appointment %d (%s, member %d, %s) drawn as %+v, want top %.1f", a.ID, local.Format("15:04"), a.TeamMemberID, a.Client.Name, b, wantTop)
		}
	}

	// Every kind of block is on this day: a custom colour, technical breaks.
	colored, breaks := 0, 0
	for _, a := range known {
		if a.CustomColor != "" {
			colored++
		}
		if a.TechnicalBreakDuration > 0 {
			breaks++
		}
	}
	if colored == 0 || breaks == 0 {
		t.Fatalf("the demo day should have a coloured block and a technical break: %d, %d", colored, breaks)
	}

	// Next and previous day, and today (at the location).
	next := day.AddDate(0, 0, 1).Format(time.DateOnly)
	today := time.Now().In(zone).Format(time.DateOnly) // the page's "today" is the real one
	do("next day", chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.CSS(`.col[data-date="`+next+`"]`)))
	do("previous day", chromedp.Click(chromedp.ID("prev")), chromedp.WaitVisible(chromedp.CSS(`.col[data-date="`+date+`"]`)))
	do("today", chromedp.Click(chromedp.ID("today")), chromedp.WaitVisible(chromedp.CSS(`.col[data-date="`+today+`"]`)))
	do("back to the day", chromedp.Navigate(fmt.Sprintf("%s/calendar?location_id=%d&date=%s", s.url, s.loc, date)),
		chromedp.WaitVisible(chromedp.CSS(`.col[data-date="`+date+`"]`)))

	// Book a free slot: Dmitry (member 5) at 17:00, an existing client
	// found by name, a men's haircut.
	const dmitry = 5
	clickAt := func(member int64, minute int) {
		t.Helper()
		var p struct{ X, Y float64 }
		eval(fmt.Sprintf(`(() => { const c = document.querySelector('.col[data-staff-id="%d"]');
		  c.scrollIntoView({block: "nearest", inline: "nearest"});
		  const r = c.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + %f}; })()`,
			member, float64(minute-from)*1.2+3), &p)
		do("click the free slot", chromedp.MouseClickXY(p.X, p.Y))
	}
	haircut := serviceID(t, s, "Men's haircut")
	before := len(list(dmitry))
	clickAt(dmitry, 17*60)
	do("choose client and service", chromedp.WaitVisible(chromedp.ID("create")),
		chromedp.SendKeys(chromedp.ID("c-search"), "Ivan"),
		chromedp.WaitVisible(chromedp.CSS("#c-results li button")),
		chromedp.Click(chromedp.CSS("#c-results li button")),
		chromedp.WaitVisible(chromedp.ID("c-chosen")),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#c-services input[value="%d"]`, haircut))))
	var chosen string
	eval(`document.getElementById('c-chosen').textContent`, &chosen)
	shot("03-create")
	do("book", chromedp.Click(chromedp.ID("c-save")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.col[data-staff-id="%d"] .rec[data-start="1020"]`, dmitry))))
	shot("04-booked")
	after := list(dmitry)
	var booked *booking.AppointmentView
	for i, a := range after {
		if a.Start.In(zone).Format("15:04") == "17:00" {
			booked = &after[i]
		}
	}
	if len(after) != before+1 || booked == nil || booked.Client == nil || !strings.HasPrefix(chosen, booked.Client.Name) ||
		len(booked.Services) != 1 || booked.Services[0].ServiceID != haircut || booked.SeanceLength != 45*60 {
		t.Fatalf("booked from the calendar: %d → %d, %+v (chosen %q)", before, len(after), booked, chosen)
	}

	// A busy slot: 16:45 for 45 minutes runs into the 17:00 appointment.
	clickAt(dmitry, 16*60+45)
	do("try the busy slot", chromedp.WaitVisible(chromedp.ID("create")),
		chromedp.SendKeys(chromedp.ID("c-name"), "Walk-in Client"),
		chromedp.SendKeys(chromedp.ID("c-phone"), "+79995550101"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#c-services input[value="%d"]`, haircut))),
		chromedp.Click(chromedp.ID("c-save")),
		chromedp.WaitVisible(chromedp.ID("c-error")))
	var refusal string
	eval(`document.getElementById('c-error').textContent`, &refusal)
	shot("05-busy")
	if refusal != "The team member is busy at the selected time." {
		t.Errorf("busy slot shows %q", refusal)
	}
	if n := len(list(dmitry)); n != before+1 {
		t.Errorf("the refused booking changed the day: %d appointments", n)
	}
	do("close the form", chromedp.Click(chromedp.ID("c-close")), chromedp.WaitNotVisible(chromedp.ID("create")))

	// Move by the form: the new appointment to 18:00.
	sel := func(id int64) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`.rec[data-record-id="%d"]`, id)) }
	do("open the details", chromedp.Click(sel(booked.ID)), chromedp.WaitVisible(chromedp.ID("details")))
	var details string
	eval(`document.querySelector('#details dl').innerText`, &details)
	shot("06-details")
	if !strings.Contains(details, booked.Client.Name) || !strings.Contains(details, "Men's haircut") || !strings.Contains(details, "17:00–17:45") {
		t.Errorf("details show %q", details)
	}
	do("move by the form", chromedp.SetValue(chromedp.ID("m-time"), "18:00"), chromedp.Click(chromedp.ID("m-save")),
		chromedp.WaitNotVisible(chromedp.ID("details")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.col[data-staff-id="%d"] .rec[data-start="1080"]`, dmitry))))
	if got, err := s.svc.GetAppointment(bg, s.owner, s.loc, booked.ID); err != nil || got.Start.In(zone).Format("15:04") != "18:00" {
		t.Fatalf("after the move: %v %v", got.Start, err)
	}

	// Move by dragging: Boris's 13:00 appointment one hour later.
	boris := list(2)
	var dragged booking.AppointmentView
	for _, a := range boris {
		if a.Start.In(zone).Format("15:04") == "13:00" {
			dragged = a
		}
	}
	if dragged.ID == 0 {
		t.Fatalf("the demo gives Boris a 13:00 appointment on %s: %+v", date, boris)
	}
	var at struct{ X, Y float64 }
	eval(fmt.Sprintf(`(() => { const r = document.querySelector('.rec[data-record-id="%d"]').getBoundingClientRect();
	  return {x: r.left + 20, y: r.top + 5}; })()`, dragged.ID), &at)
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, at.X, at.Y, chromedp.ButtonLeft, chromedp.ClickCount(1))}
	for i := 1; i <= 6; i++ {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, at.X, at.Y+float64(i)*12, chromedp.ButtonLeft))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, at.X, at.Y+72, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.rec[data-record-id="%d"][data-start="840"]`, dragged.ID))))
	do("drag an appointment", steps...)
	shot("07-moved")
	if got, _ := s.svc.GetAppointment(bg, s.owner, s.loc, dragged.ID); got.Start.In(zone).Format("15:04") != "14:00" || got.TeamMemberID != 2 {
		t.Errorf("after the drag: %s member %d", got.Start.In(zone).Format("15:04"), got.TeamMemberID)
	}

	// Mark the booked client arrived.
	do("mark arrived", chromedp.Click(sel(booked.ID)), chromedp.WaitVisible(chromedp.ID("details")),
		chromedp.Click(chromedp.CSS(`#d-attendance button[data-attendance="1"]`)),
		chromedp.WaitNotVisible(chromedp.ID("details")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.rec.att-1[data-record-id="%d"]`, booked.ID))))
	shot("08-arrived")
	if got, _ := s.svc.GetAppointment(bg, s.owner, s.loc, booked.ID); got.Attendance != 1 {
		t.Errorf("attendance after the click: %d", got.Attendance)
	}

	// Cancel the dragged one (the page asks to confirm; accept).
	do("cancel", chromedp.Click(sel(dragged.ID)), chromedp.WaitVisible(chromedp.ID("details")))
	eval(`(window.confirm = () => true, null)`, nil)
	do("cancel", chromedp.Click(chromedp.ID("d-cancel")), chromedp.WaitNotPresent(sel(dragged.ID)))
	if got, err := s.svc.GetAppointment(bg, s.owner, s.loc, dragged.ID); err != nil || !got.Deleted {
		t.Errorf("after cancel: deleted=%v %v", got.Deleted, err)
	}

	// Dmitry's week: a column a day from the shown date, his appointments
	// in the column of their day; "Day" goes back.
	do("open Dmitry's week", chromedp.Click(chromedp.CSS(fmt.Sprintf(`.head[data-staff-id="%d"] .link`, dmitry))),
		chromedp.WaitVisible(chromedp.CSS(`.days-grid.week`)))
	shot("09-week")
	var week struct {
		Dates []string `json:"dates"`
		Moved string   `json:"moved"`
		Title string   `json:"title"`
	}
	eval(fmt.Sprintf(`({dates: [...document.querySelectorAll('.col')].map(c => c.dataset.date),
	  moved: document.querySelector('.rec[data-record-id="%d"]').closest('.col').dataset.date,
	  title: document.getElementById('title').textContent})`, booked.ID), &week)
	if len(week.Dates) != 7 || week.Dates[0] != date || week.Moved != date || !strings.HasPrefix(week.Title, "Dmitry Volkov") {
		t.Errorf("week view: %+v", week)
	}
	var weekBlocks []blockT
	eval(readBlocks, &weekBlocks)
	first, _ := time.Parse("2006-01-02", date)
	n := 0
	for i := 0; i < 7; i++ {
		n += len(listDay(t, s, first.AddDate(0, 0, i).Format("2006-01-02"), dmitry))
	}
	if len(weekBlocks) != n {
		t.Errorf("Dmitry's week shows %d blocks, he has %d appointments", len(weekBlocks), n)
	}
	do("back to the day", chromedp.Click(chromedp.ID("dayview")), chromedp.WaitNotPresent(chromedp.CSS(`.days-grid.week`)),
		chromedp.WaitVisible(chromedp.CSS(`.col[data-staff-id="1"]`)))

	// On a phone: the bar fits the width and the columns scroll sideways.
	do("phone width", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".rec")))
	shot("10-phone")
	var phone struct {
		Page, Width, GridScroll, GridWidth float64
	}
	eval(`({page: document.documentElement.scrollWidth, width: window.innerWidth,
	        gridScroll: document.getElementById('grid').scrollWidth, gridWidth: document.getElementById('grid').clientWidth})`, &phone)
	if phone.Page > phone.Width+1 || phone.GridScroll <= phone.GridWidth {
		t.Errorf("phone layout: %+v", phone)
	}
	do("open details on a phone", chromedp.Click(sel(booked.ID)), chromedp.WaitVisible(chromedp.ID("details")))
	shot("11-phone-details")
	do("close", chromedp.Click(chromedp.ID("d-close")), chromedp.WaitNotVisible(chromedp.ID("details")),
		chromedp.EmulateViewport(1400, 1000))

	// Sign out, sign in as the worker: Anna's column only.
	do("sign out", chromedp.Click(chromedp.CSS(`.signout button`)), chromedp.WaitVisible(chromedp.ID("login")))
	do("sign in as the worker", chromedp.SendKeys(chromedp.ID("login"), demo.WorkerLogin),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`#signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".col")),
		chromedp.Navigate(fmt.Sprintf("%s/calendar?date=%s", s.url, date)),
		chromedp.WaitVisible(chromedp.CSS(".rec")))
	shot("12-worker")
	var heads []string
	eval(`[...document.querySelectorAll('.head .name')].map(h => h.textContent)`, &heads)
	eval(readBlocks, &blocks)
	if len(heads) != 1 || heads[0] != "Anna Smirnova" || len(blocks) != len(list(1)) {
		t.Errorf("worker sees columns %v and %d blocks", heads, len(blocks))
	}
}

func clockMinutes(t *testing.T, s string) int {
	t.Helper()
	m, err := booking.ParseClock(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("axis label %q: %v", s, err)
	}
	return m
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func serviceID(t *testing.T, s *site, title string) int64 {
	t.Helper()
	list, err := s.svc.Services(context.Background(), s.owner, booking.ServiceFilter{LocationID: s.loc}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range list {
		if sv.Title == title {
			return sv.ID
		}
	}
	t.Fatalf("no service %q", title)
	return 0
}

// listDay is what the API lists for a date (and member, unless 0).
func listDay(t *testing.T, s *site, date string, member int64) []booking.AppointmentView {
	t.Helper()
	v, _, err := s.svc.ListAppointments(context.Background(), s.owner, s.loc, booking.AppointmentFilter{StartDate: date, EndDate: date,
		TeamMemberID: member, Page: 1, Count: 500})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rgb is how a browser reports the colour rrggbb (with or without "#").
func rgb(hex string) string {
	var r, g, b int
	_, _ = fmt.Sscanf(strings.TrimPrefix(hex, "#"), "%02x%02x%02x", &r, &g, &b)
	return fmt.Sprintf("rgb(%d, %d, %d)", r, g, b)
}
