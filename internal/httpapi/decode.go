package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"appointd/internal/booking"
)

// maxBody is the largest request body accepted (413 above it).
const maxBody = 1 << 20

// errTooLarge marks a body over maxBody.
var errTooLarge = errors.New("request body is larger than 1 MiB")

// decodeBody reads a JSON object into v. An empty body is an empty object.
// Unknown fields are ignored; malformed JSON is a 400 and a wrong type a 422,
// both naming the problem.
func decodeBody(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return &badRequest{msg: "could not read the request body"}
	}
	body = trimJSONSpace(body)
	if len(body) == 0 {
		return nil
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if len(trimJSONSpace(body[dec.InputOffset():])) > 0 {
		return &badRequest{msg: "malformed JSON: unexpected data after the JSON value"}
	}
	// A raw NUL byte is already malformed JSON; the escape is not.
	if bytes.Contains(body, []byte(`\u0000`)) {
		if field, ok := nulField(body); ok {
			if field == "" {
				return booking.Invalid("", "the request body must not contain a NUL character (\\u0000)")
			}
			return booking.Invalid(field, "%s must not contain a NUL character (\\u0000)", field)
		}
	}
	return nil
}

// nulField finds the first string (member name or value) of a JSON body that
// holds a NUL byte and names it as a JSON type error would: the member names
// from the top, joined by dots ("client.name"). A NUL in a member name names
// the object holding it. Every string is checked, also of members no handler
// reads and of raw values decoded later, so no NUL goes further.
func nulField(body []byte) (string, bool) {
	type level struct {
		object  bool
		key     string
		wantKey bool
	}
	var stack []level
	path := func() string {
		var keys []string
		for _, l := range stack {
			if l.object && l.key != "" {
				keys = append(keys, l.key)
			}
		}
		return strings.Join(keys, ".")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, level{object: t == '{', wantKey: t == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
		case string:
			top := len(stack) - 1
			if top >= 0 && stack[top].wantKey {
				if strings.IndexByte(t, 0) >= 0 {
					stack[top].key = ""
					return path(), true
				}
				stack[top].key, stack[top].wantKey = t, false
				continue
			}
			if strings.IndexByte(t, 0) >= 0 {
				return path(), true
			}
		}
		// A value ended: its object wants the next member name.
		if top := len(stack) - 1; top >= 0 && stack[top].object {
			stack[top].wantKey = true
		}
	}
}

// trimJSONSpace trims the four whitespace bytes JSON allows (not \f or \v,
// which bytes.TrimSpace would also take).
func trimJSONSpace(b []byte) []byte {
	return bytes.Trim(b, " \t\r\n")
}

// badRequest is a body that is not JSON at all (400).
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &badRequest{msg: fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error())}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &badRequest{msg: "malformed JSON: unexpected end of input"}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return booking.Invalid("", "the request body must be a JSON object")
		}
		return booking.Invalid(field, "%s: expected %s, got %s", field, describe(typ.Type), typ.Value)
	default:
		return &badRequest{msg: "malformed JSON: " + err.Error()}
	}
}

func describe(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(Int{}), reflect.TypeOf(int64(0)):
		return "an integer"
	case reflect.TypeOf(Float{}), reflect.TypeOf(float64(0)):
		return "a number"
	case reflect.TypeOf(Bool{}), reflect.TypeOf(false):
		return "true, false, 0 or 1"
	case reflect.TypeOf(String{}), reflect.TypeOf(""):
		return "a string"
	}
	switch t.Kind() {
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

func typeErr(b []byte, t any) error {
	v := string(b)
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return &json.UnmarshalTypeError{Value: v, Type: reflect.TypeOf(t)}
}

// Int accepts 12 or "12"; null and "" leave it unset.
type Int struct {
	V   int64
	Set bool
}

func (n *Int) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*n = Int{}
		return nil
	}
	s = strings.Trim(s, `"`)
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		// 12.0 is an integer too.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return typeErr(b, Int{})
		}
		v = int64(f)
	}
	*n = Int{V: v, Set: true}
	return nil
}

// Ptr returns the value's address, or nil when unset.
func (n Int) Ptr() *int64 {
	if !n.Set {
		return nil
	}
	return &n.V
}

// Float accepts 1.5 or "1.5".
type Float struct {
	V   float64
	Set bool
}

func (n *Float) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*n = Float{}
		return nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.Trim(s, `"`)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) { // "NaN", "Infinity" parse, but are no amounts
		return typeErr(b, Float{})
	}
	*n = Float{V: v, Set: true}
	return nil
}

func (n Float) Ptr() *float64 {
	if !n.Set {
		return nil
	}
	return &n.V
}

// Bool accepts true/false, 0/1, "0"/"1" and "true"/"false".
type Bool struct {
	V   bool
	Set bool
}

func (x *Bool) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "null":
		*x = Bool{}
	case "true", "1", `"1"`, `"true"`:
		*x = Bool{V: true, Set: true}
	case "false", "0", `"0"`, `"false"`, `""`:
		*x = Bool{V: false, Set: true}
	default:
		return typeErr(b, Bool{})
	}
	return nil
}

// String accepts a string or a number (kept as written).
type String struct {
	V   string
	Set bool
}

func (x *String) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = String{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return typeErr(b, String{})
		}
		*x = String{V: s, Set: true}
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err == nil {
		*x = String{V: string(b), Set: true}
		return nil
	}
	return typeErr(b, String{})
}

func (x String) Ptr() *string {
	if !x.Set {
		return nil
	}
	return &x.V
}

// queryInt reads an integer query parameter; absent gives def.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, booking.Invalid(name, "%s must be an integer", name)
	}
	return v, nil
}

// queryBool reads 1/0/true/false.
func queryBool(r *http.Request, name string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(r.URL.Query().Get(name))) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, booking.Invalid(name, "%s must be 0 or 1", name)
}

// pathID reads an integer path parameter; anything else is a 404, as an
// unknown id would be.
func pathID(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, booking.ErrNotFound
	}
	return v, nil
}

// pathIDs reads several integer path parameters, in order.
func pathIDs(r *http.Request, names ...string) ([]int64, error) {
	out := make([]int64, len(names))
	for i, n := range names {
		v, err := pathID(r, n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
