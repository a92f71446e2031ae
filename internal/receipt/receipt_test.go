package receipt

import (
	"bytes"
	"testing"
	"time"

	"appointd/internal/booking"
)

func TestFormatMoney(t *testing.T) {
	for minor, want := range map[int64]string{0: "0.00", 5: "0.05", 150050: "1500.50", -1999: "-19.99"} {
		if got := formatMoney(minor); got != want {
			t.Errorf("formatMoney(%d) = %q, want %q", minor, got, want)
		}
	}
}

func sampleVisit(lines int) booking.VisitDetails {
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	d := booking.VisitDetails{
		Visit:    booking.Visit{ID: 7, CreatedAt: at.Add(-time.Hour)},
		Location: booking.Location{ID: 1, Title: "Салон «Ромашка»", Address: "Тверская ул., 1", TimezoneName: "Europe/Moscow", Currency: "RUB"},
		Client:   &booking.Client{Name: "Ольга", Surname: "Смирнова", Phone: "+79165550102"},
		Accounts: map[int64]booking.Account{1: {ID: 1, Title: "Касса"}},
		Payments: []booking.Payment{{ID: 1, AccountID: 1, Amount: 1000}},
	}
	for i := 0; i < lines; i++ {
		a := booking.AppointmentView{Appointment: booking.Appointment{ID: int64(i + 1), Start: at.Add(time.Duration(i) * time.Hour),
			Services: []booking.ServiceLine{{ServiceID: 1, Title: "Стрижка женская, очень длинное название услуги", FirstCost: 250000, Discount: 10, Cost: 225000, Amount: 1}}}}
		a.Member.Name = "Анна Смирнова"
		d.Records = append(d.Records, a)
	}
	return d
}

// The same visit gives the same bytes: nothing in the PDF depends on the
// clock.
func TestRenderIsDeterministic(t *testing.T) {
	a, err := Render(sampleVisit(2))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	b, err := Render(sampleVisit(2))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Fatal("two renders of one visit differ")
	}
}

func BenchmarkRender(b *testing.B) {
	d := sampleVisit(3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
