package booking_test

import (
	"testing"

	"appointd/internal/booking"
)

func TestMaskContacts(t *testing.T) {
	for in, want := range map[string]string{
		"+79161234567": "+7********67", "": "", "+1234": "+1*34", "12345678": "12****78",
	} {
		if got := booking.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"anna@mail.ru": "a***@mail.ru", "": "", "a@b.c": "a***@b.c", "юля@почта.рф": "ю***@почта.рф",
	} {
		if got := booking.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
