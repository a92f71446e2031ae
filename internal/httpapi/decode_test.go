package httpapi

import (
	"encoding/json"
	"errors"
	"testing"

	"appointd/internal/booking"
)

type lenientBody struct {
	N Int    `json:"n"`
	F Float  `json:"f"`
	B Bool   `json:"b"`
	S String `json:"s"`
}

func TestLenientValues(t *testing.T) {
	cases := []struct {
		in   string
		want lenientBody
	}{
		{`{"n": 12, "f": 1.5, "b": true, "s": "x"}`, lenientBody{Int{12, true}, Float{1.5, true}, Bool{true, true}, String{"x", true}}},
		{`{"n": "12", "f": "1.5", "b": 1, "s": 42}`, lenientBody{Int{12, true}, Float{1.5, true}, Bool{true, true}, String{"42", true}}},
		{`{"n": 12.0, "b": "0"}`, lenientBody{N: Int{12, true}, B: Bool{false, true}}},
		{`{"b": "true"}`, lenientBody{B: Bool{true, true}}},
		{`{"n": null, "b": null, "s": null}`, lenientBody{}},
		{`{"unknown": [1, 2, {"deep": true}]}`, lenientBody{}},
	}
	for _, c := range cases {
		var got lenientBody
		if err := decodeJSON([]byte(c.in), &got); err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestLenientValuesRefuseAndNameTheField(t *testing.T) {
	for in, field := range map[string]string{
		`{"n": "twelve"}`: "n",
		`{"n": 1.5}`:      "n",
		`{"f": "x"}`:      "f",
		`{"b": 2}`:        "b",
		`{"b": "yes"}`:    "b",
		`{"s": true}`:     "s",
		`{"s": {}}`:       "s",
	} {
		var got lenientBody
		err := decodeJSON([]byte(in), &got)
		var v *booking.ValidationError
		if !errors.As(err, &v) || v.Errors[0].Field != field {
			t.Errorf("%s: %v, want a validation error on %q", in, err, field)
		}
	}
	for _, in := range []string{`{"n": 1`, `{"n": 1} {}`, `nope`, `{"n":}`} {
		var got lenientBody
		var br *badRequest
		if err := decodeJSON([]byte(in), &got); !errors.As(err, &br) {
			t.Errorf("%s: %v, want a malformed-JSON error", in, err)
		}
	}
}

// FuzzDecode: any body either decodes or is a 400/422, never a panic; what
// decodes is consistent with what encoding/json sees.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"n": 12, "f": 1.5, "b": true, "s": "x"}`, `{"n": "12", "b": "0"}`, `{"b": 1}`,
		`[]`, `{"n": 1e3}`, `{"s": 1.50}`, `{"n": "-9223372036854775808"}`, `{"f": "NaN"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got lenientBody
		err := decodeJSON(b, &got)
		if err == nil {
			if !json.Valid(b) {
				t.Fatalf("invalid JSON %q decoded", b)
			}
			return
		}
		e := toAPIError(err)
		if e.status != 400 && e.status != 422 {
			t.Fatalf("%q: status %d (%v)", b, e.status, err)
		}
	})
}
