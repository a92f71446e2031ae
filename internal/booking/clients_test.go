package booking

import "testing"

func TestClientInputRules(t *testing.T) {
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	cases := []struct {
		name  string
		in    ClientInput
		field string
	}{
		{"minimal", ClientInput{Name: s("A"), Phone: s("+7 (916) 123-45-67")}, ""},
		{"phone as digits only", ClientInput{Name: s("A"), Phone: s("79161234567")}, ""},
		{"no phone", ClientInput{Name: s("A")}, "phone"},
		{"letters in phone", ClientInput{Name: s("A"), Phone: s("+7916abc4567")}, "phone"},
		{"8 digits", ClientInput{Name: s("A"), Phone: s("12345678")}, "phone"},
		{"16 digits", ClientInput{Name: s("A"), Phone: s("1234567890123456")}, "phone"},
		{"no name", ClientInput{Phone: s("79161234567")}, "name"},
		{"discount 101", ClientInput{Name: s("A"), Phone: s("79161234567"), Discount: n(101)}, "discount"},
		{"importance 4", ClientInput{Name: s("A"), Phone: s("79161234567"), ImportanceID: n(4)}, "importance_id"},
		{"bad birth date", ClientInput{Name: s("A"), Phone: s("79161234567"), BirthDate: s("1990-02-30")}, "birth_date"},
		{"display e-mail", ClientInput{Name: s("A"), Phone: s("79161234567"), Email: s("A <a@b.test>")}, "email"},
	}
	for _, c := range cases {
		var cl Client
		v := c.in.apply(&cl, true)
		switch {
		case c.field == "" && v.Err() != nil:
			t.Errorf("%s: %v", c.name, v)
		case c.field != "" && (v.Err() == nil || v.Errors[0].Field != c.field):
			t.Errorf("%s: %v, want an error on %s", c.name, v.Errors, c.field)
		}
		if c.field == "" && cl.Phone != "+79161234567" {
			t.Errorf("%s: phone stored as %q", c.name, cl.Phone)
		}
	}
	// A partial edit without a phone keeps the stored one.
	cl := Client{Name: "A", Phone: "+79161234567"}
	if v := (ClientInput{Comment: s("x")}).apply(&cl, false); v.Err() != nil || cl.Phone != "+79161234567" {
		t.Fatalf("partial edit: %v %q", v, cl.Phone)
	}
}
