package booking_test

import (
	"testing"

	"appointd/internal/booking"
)

func TestScrubContacts(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"call +7 999 123-45-67 after 5", "call [hidden] after 5"},
		{"8(999)1234567, or 89991234567", "[hidden], or [hidden]"},
		{"+1 (212) 555-0100.", "[hidden]."},
		{"mail jane.doe+x@example.test; thanks", "mail [hidden]; thanks"},
		{"<anna@mail.ru>, (b@c.de)", "<[hidden]>, ([hidden])"},
		{"room 12, 3 people, 45 min", "room 12, 3 people, 45 min"},
		{"price 1500.50, 10% off", "price 1500.50, 10% off"},
		{"", ""},
	} {
		if got := booking.ScrubContacts(c.in); got != c.want {
			t.Errorf("ScrubContacts(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFirstName(t *testing.T) {
	for in, want := range map[string]string{
		"Jane Roe": "Jane", "  Мария  Новая ": "Мария", "Anna": "Anna", "": "",
		"+79991234567": "", "79991234567 Jane": "", "jane@example.test": "", "R2D2": "",
	} {
		if got := booking.FirstName(in); got != want {
			t.Errorf("FirstName(%q) = %q, want %q", in, got, want)
		}
	}
}
