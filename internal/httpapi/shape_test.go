package httpapi_test

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

// shapeOf describes a decoded JSON value by kind only: "string", "number",
// "bool", "null", "array" or "object".
func shapeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, json.Number, int, int64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func isInteger(v any) bool {
	f, ok := v.(float64)
	return !ok || f == math.Trunc(f)
}

// shapeDiff lists where got differs in shape from the documented sample:
// a key of the sample missing from got, or a value of another kind. Keys
// got has beyond the sample are fine. A null in the sample accepts any kind
// (the documents give null where the value is optional), and a sample value
// listed in nullable may also be null in got. Arrays compare their first
// element with every element of got. A number that is an integer in the
// sample must be an integer in got.
func shapeDiff(path string, sample, got any, nullable map[string]bool) []string {
	ks, kg := shapeOf(sample), shapeOf(got)
	if ks == "null" || (kg == "null" && nullable[path]) {
		return nil
	}
	if ks != kg {
		return []string{fmt.Sprintf("%s: documented %s, got %s", path, ks, kg)}
	}
	if ks == "number" && isInteger(sample) && !isInteger(got) {
		return []string{fmt.Sprintf("%s: documented an integer, got %v", path, got)}
	}
	var out []string
	switch s := sample.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, shapeDiff(path+"."+k, s[k], gv, nullable)...)
		}
	case []any:
		if len(s) == 0 {
			return nil
		}
		for i, gv := range got.([]any) {
			out = append(out, shapeDiff(fmt.Sprintf("%s[%d]", path, i), s[0], gv, nullable)...)
		}
	}
	return out
}

// assertShape fails t when got (a decoded answer, or any value that
// marshals to JSON) lacks a key of the documented sample (JSON text) or
// carries a value of another type. nullable names paths (as reported, e.g.
// "record.client") that may be null in got although the sample has a value.
func assertShape(t *testing.T, what, sample string, got any, nullable ...string) {
	t.Helper()
	var s any
	if err := json.Unmarshal([]byte(sample), &s); err != nil {
		t.Fatalf("%s: bad sample: %v", what, err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var g any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	allow := map[string]bool{}
	for _, p := range nullable {
		allow[what+"."+strings.TrimPrefix(p, what+".")] = true
	}
	if diff := shapeDiff(what, s, g, allow); len(diff) > 0 {
		t.Errorf("%s differs from the documented shape:\n  %s", what, strings.Join(diff, "\n  "))
	}
}

func TestShapeDiff(t *testing.T) {
	sample := `{"id":1,"name":"a","staff":{"rating":0,"position":{"id":1}},"list":[{"x":true}],"opt":null}`
	var good, bad any
	_ = json.Unmarshal([]byte(`{"id":2,"name":"b","extra":1,"staff":{"rating":5,"position":{"id":3}},"list":[{"x":false},{"x":true}],"opt":"v"}`), &good)
	_ = json.Unmarshal([]byte(`{"id":"2","staff":{"rating":4.5,"position":[]},"list":[{"x":1}],"opt":null}`), &bad)
	if d := shapeDiff("o", mustJSON(t, sample), good, nil); len(d) != 0 {
		t.Errorf("a matching object differs: %v", d)
	}
	d := shapeDiff("o", mustJSON(t, sample), bad, nil)
	want := []string{"o.id: documented number, got string", "o.list[0].x: documented bool, got number",
		"o.name: missing", "o.staff.position: documented object, got array", "o.staff.rating: documented an integer, got 4.5"}
	if strings.Join(d, "|") != strings.Join(want, "|") {
		t.Errorf("diff = %q, want %q", d, want)
	}
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
