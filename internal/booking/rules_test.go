package booking

import (
	"errors"
	"testing"

	"appointd/internal/auth"
)

func TestLocationInputApply(t *testing.T) {
	str := func(s string) *string { return &s }
	f := func(v float64) *float64 { return &v }
	id := func(v int64) *int64 { return &v }
	cases := []struct {
		name     string
		in       LocationInput
		creating bool
		field    string // "" = valid
	}{
		{"minimal create", LocationInput{Title: str("A")}, true, ""},
		{"create without title", LocationInput{City: str("X")}, true, "title"},
		{"update without title keeps it", LocationInput{City: str("X")}, false, ""},
		{"blank title on update", LocationInput{Title: str("  ")}, false, "title"},
		{"bad zone", LocationInput{Title: str("A"), TimezoneName: str("Mars/Base")}, true, "timezone_name"},
		{"Local is no zone", LocationInput{Title: str("A"), TimezoneName: str("Local")}, true, "timezone_name"},
		{"latitude range", LocationInput{Title: str("A"), CoordinateLat: f(-90.5)}, true, "coordinate_lat"},
		{"longitude range", LocationInput{Title: str("A"), CoordinateLon: f(181)}, true, "coordinate_lon"},
		{"short phone", LocationInput{Title: str("A"), Phones: &[]string{"12345"}}, true, "phones"},
		{"bad e-mail", LocationInput{Title: str("A"), Email: str("nope")}, true, "email"},
		{"known country id", LocationInput{Title: str("A"), CountryID: id(1)}, true, ""},
	}
	for _, c := range cases {
		loc := Location{}
		if !c.creating {
			loc.Title = "Existing"
		}
		err := c.in.apply(&loc, c.creating)
		var v *ValidationError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &v) || v.Errors[0].Field != c.field):
			t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
		}
	}
	loc := Location{}
	_ = LocationInput{Title: str("A"), CountryID: id(1), Country: str("Ignored"),
		Phones: &[]string{"+7 (495) 123-45-67", "8 800 555 35 35"}}.apply(&loc, true)
	if loc.Country != "Russia" || loc.Phone != "+74951234567" || len(loc.Phones) != 2 {
		t.Fatalf("applied: %+v", loc)
	}
}

func TestCanEdit(t *testing.T) {
	me := &User{ID: 1}
	c := Caller{User: me}
	owner := Membership{UserID: 1, Role: auth.RoleOwner}
	manager := Membership{UserID: 1, Role: auth.RoleManager}
	worker := Membership{UserID: 1, Role: auth.RoleWorker}
	other := func(role string) Membership { return Membership{UserID: 2, Role: role} }
	cases := []struct {
		mine, target Membership
		want         bool
	}{
		{owner, other(auth.RoleWorker), true},
		{owner, other(auth.RoleOwner), true},
		{manager, other(auth.RoleWorker), true},
		{manager, other(auth.RoleOwner), false},
		{worker, other(auth.RoleWorker), false},
		{owner, owner, false}, // one's own rights
	}
	for i, tc := range cases {
		if got := canEdit(c, tc.mine, tc.target); got != tc.want {
			t.Errorf("case %d: %v, want %v", i, got, tc.want)
		}
	}
}

func TestPhoneDigits(t *testing.T) {
	if PhoneDigits("+7 (916) 123-45-67") != "79161234567" || PhoneDigits("abc") != "" {
		t.Fatal("PhoneDigits")
	}
}
