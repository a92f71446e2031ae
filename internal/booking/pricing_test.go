package booking

import (
	"math"
	"testing"
)

// TestRepriceRefusesWhatWouldOverflow: a line is priced only when price ×
// amount fits the cap, checked before multiplying. Found while seeding the
// fuzz targets: a price of 100.00 × 2e13 wrapped int64 into a cost of
// 1.55e14 and was booked (internal/httpapi/testdata/fuzz/
// FuzzRecordCreateBody/6480679bbb524bea fails without the check).
func TestRepriceRefusesWhatWouldOverflow(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	cases := []struct {
		name                          string
		first, discount, amount, cost *int64
		ok                            bool
		want                          int64
	}{
		{"list price", nil, nil, nil, nil, true, 150000},
		{"two with 10% off", nil, n(10), n(2), nil, true, 270000},
		{"the cap", n(maxLineMinor), nil, n(1), nil, true, maxLineMinor},
		{"price × amount at the cap", n(1000), nil, n(maxLineMinor / 1000), nil, true, maxLineMinor},
		{"price × amount past the cap", n(1000), nil, n(maxLineMinor/1000 + 1), nil, false, 0},
		{"price past the cap", n(maxLineMinor + 1), nil, nil, nil, false, 0},
		{"the fuzzer's input", n(10000), nil, n(20_000_000_000_000), nil, false, 0},
		{"largest amount", nil, nil, n(math.MaxInt64), nil, false, 0},
		{"free, any amount up to the cap", n(0), nil, n(maxLineMinor), nil, true, 0},
		{"cost given", nil, nil, nil, n(99), true, 99},
		{"cost past the cap", nil, nil, nil, n(maxLineMinor + 1), false, 0},
		{"negative cost", nil, nil, nil, n(-1), false, 0},
		{"negative price", n(-1), nil, nil, nil, false, 0},
		{"discount 101", nil, n(101), nil, nil, false, 0},
		{"amount 0", nil, nil, n(0), nil, false, 0},
	}
	for _, c := range cases {
		l := ServiceLine{FirstCost: 150000, Amount: 1}
		ok := l.reprice(c.first, c.discount, c.amount, c.cost)
		if ok != c.ok || (ok && l.Cost != c.want) {
			t.Errorf("%s: ok %v cost %d, want ok %v cost %d", c.name, ok, l.Cost, c.ok, c.want)
		}
	}
}
