package httpapi

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
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
	// The value shapes real clients send: ids and flags as strings, "" for
	// unset, numbers with a trailing .0 or an exponent, mixed-case keys,
	// repeated keys, escaped strings, nulls, and values just past int64.
	for _, s := range []string{`{"n": "", "f": "", "b": "", "s": ""}`, `{"n": null, "f": null, "b": null, "s": null}`,
		`{"n": 3600.0, "f": "1000.50", "b": "true", "s": 79161234567}`, `{"N": 1, "B": "FALSE", "S": "\u0418\u0432\u0430\u043d"}`,
		`{"n": 1, "n": null}`, `{"n": " 12 "}`, `{"n": 9223372036854775808}`, `{"n": "9.3e18"}`, `{"f": 1e400}`,
		`{"f": "Infinity"}`, `{"s": -0}`, `{"b": "1", "b": 0}`, `{"n": [1]}`, `{"s": {"a": 1}}`, "{\"s\": \"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got lenientBody
		err := decodeJSON(b, &got)
		if err == nil {
			if !json.Valid(b) {
				t.Fatalf("invalid JSON %q decoded", b)
			}
			// encoding/json, with the same keys (same matching, the last
			// of repeated keys wins), sees each value the lenient types took.
			var raw struct {
				N json.RawMessage `json:"n"`
				F json.RawMessage `json:"f"`
				B json.RawMessage `json:"b"`
				S json.RawMessage `json:"s"`
			}
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatalf("%q decoded, but encoding/json refuses it: %v", b, err)
			}
			checkLenient(t, b, "n", raw.N, got.N.Set, func(txt string) bool {
				v, err := strconv.ParseFloat(strings.TrimSpace(txt), 64)
				return err == nil && v == float64(got.N.V)
			})
			checkLenient(t, b, "f", raw.F, got.F.Set, func(txt string) bool {
				v, err := strconv.ParseFloat(strings.TrimSpace(txt), 64)
				return err == nil && (v == got.F.V || v != v && got.F.V != got.F.V)
			})
			checkLenient(t, b, "b", raw.B, got.B.Set, func(string) bool {
				switch strings.ToLower(string(raw.B)) {
				case "true", "1", `"1"`, `"true"`:
					return got.B.V
				}
				return !got.B.V
			})
			checkLenient(t, b, "s", raw.S, got.S.Set, func(txt string) bool { return got.S.V == txt })
			return
		}
		e := toAPIError(err)
		if e.status != 400 && e.status != 422 {
			t.Fatalf("%q: status %d (%v)", b, e.status, err)
		}
	})
}

// checkLenient compares one decoded lenient value with the raw JSON
// encoding/json saw for it: set unless absent, null (or "" for numbers),
// and then same reports whether the value matches the raw text (a string
// unquoted).
func checkLenient(t *testing.T, body []byte, name string, raw json.RawMessage, set bool, same func(txt string) bool) {
	t.Helper()
	s := string(raw)
	unset := raw == nil || s == "null" || (s == `""` && (name == "n" || name == "f"))
	if set == unset {
		t.Fatalf("%q: %s is set=%v, but encoding/json sees %s", body, name, set, raw)
	}
	if !set {
		return
	}
	txt := s
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &txt); err != nil {
			t.Fatalf("%q: %s: %v", body, name, err)
		}
	}
	if !same(txt) {
		t.Fatalf("%q: %s decoded differently from encoding/json's %s", body, name, raw)
	}
}
