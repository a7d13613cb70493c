package connectors

import (
	"math"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

func TestMayMatch(t *testing.T) {
	i8 := func(v int64) Literal { return Literal{Type: sqltypes.TypeInt8, Value: v} }
	f8 := func(v float64) Literal { return Literal{Type: sqltypes.TypeFloat8, Value: v} }
	ranges := map[string]ColumnRange{
		"a":       {Type: sqltypes.TypeInt8, Min: int64(10), Max: int64(20), NullCount: 0, Rows: 100},
		"five":    {Type: sqltypes.TypeInt8, Min: int64(5), Max: int64(5), NullCount: 3, Rows: 100},
		"nulls":   {Type: sqltypes.TypeInt8, NullCount: 100, Rows: 100},
		"nostats": {Type: sqltypes.TypeInt8, NullCount: -1, Rows: 100},
		"f":       {Type: sqltypes.TypeFloat8, Min: 1.0, Max: 2.0, NullCount: 0, Rows: 100},
		"bad":     {Type: sqltypes.TypeInt8, Min: int64(30), Max: int64(20), NullCount: 0, Rows: 100},
		"empty":   {Type: sqltypes.TypeInt8, NullCount: 0, Rows: 0},
	}
	lookup := func(c string) (ColumnRange, bool) { r, ok := ranges[c]; return r, ok }
	cmp := func(c string, op CmpOp, l Literal) Filter { return Compare{Column: c, Op: op, Value: l} }
	cases := []struct {
		f    Filter
		want bool
	}{
		{cmp("a", OpEq, i8(15)), true},
		{cmp("a", OpEq, i8(21)), false},
		{cmp("a", OpLt, i8(10)), false},
		{cmp("a", OpLe, i8(10)), true},
		{cmp("a", OpGt, i8(20)), false},
		{cmp("a", OpGe, i8(20)), true},
		{cmp("a", OpNe, i8(15)), true},
		{cmp("five", OpNe, i8(5)), false},
		{Not{Filter: cmp("five", OpEq, i8(5))}, false}, // NULL rows stay NULL under NOT
		{Not{Filter: cmp("a", OpLt, i8(100))}, false},
		{InList{Column: "a", Values: []Literal{i8(1), i8(30)}}, false},
		{InList{Column: "a", Values: []Literal{i8(1), i8(12)}}, true},
		{InList{Column: "five", Values: []Literal{i8(5)}, Negated: true}, false},
		{IsNull{Column: "a"}, false},
		{IsNull{Column: "a", Negated: true}, true},
		{IsNull{Column: "nulls", Negated: true}, false},
		{IsNull{Column: "nostats"}, true},
		{cmp("nulls", OpNe, i8(1)), false},
		{Not{Filter: cmp("nulls", OpEq, i8(1))}, false},
		{cmp("nostats", OpEq, i8(1)), true},
		{cmp("unknown", OpEq, i8(1)), true},
		{cmp("bad", OpEq, i8(25)), true}, // min > max: statistics ignored
		{cmp("empty", OpNe, i8(1)), false},
		{Like{Column: "a", Pattern: "x"}, true},
		{Not{Filter: Like{Column: "a", Pattern: "x"}}, true},
		{And{Filters: []Filter{cmp("a", OpGt, i8(12)), cmp("a", OpLt, i8(11))}}, true}, // per-filter reasoning only
		{And{Filters: []Filter{cmp("a", OpGt, i8(12)), cmp("five", OpGt, i8(5))}}, false},
		{Or{Filters: []Filter{cmp("a", OpGt, i8(20)), cmp("five", OpGt, i8(5))}}, false},
		{Or{Filters: []Filter{cmp("a", OpGt, i8(20)), cmp("five", OpGe, i8(5))}}, true},
		{Not{Filter: Or{Filters: []Filter{cmp("a", OpGe, i8(10)), cmp("five", OpGt, i8(5))}}}, false},
		{Not{Filter: And{Filters: []Filter{cmp("a", OpGe, i8(10)), IsNull{Column: "five"}}}}, true},
		// NOT (x AND NULL-ish): a >= 10 is always true; five = 5 is TRUE or NULL, so AND is TRUE or NULL; NOT cannot be TRUE.
		{Not{Filter: And{Filters: []Filter{cmp("a", OpGe, i8(10)), cmp("five", OpEq, i8(5))}}}, false},
		{And{}, true},
		{Or{}, false},
		// floats: NaN hides outside min/max
		{cmp("f", OpLt, f8(1)), false},
		{cmp("f", OpEq, f8(3)), false},
		{cmp("f", OpGt, f8(3)), true},
		{cmp("f", OpNe, f8(1.5)), true},
		{Not{Filter: cmp("f", OpLt, f8(3))}, true},
		{cmp("f", OpLt, f8(math.NaN())), true},
		{cmp("f", OpGe, Literal{Type: sqltypes.TypeInt4, Value: int32(0)}), true},
		{cmp("f", OpLe, Literal{Type: sqltypes.TypeInt4, Value: int32(0)}), false},
		{cmp("a", OpEq, Literal{Type: sqltypes.TypeText, Value: "x"}), true}, // incomparable
	}
	for _, tc := range cases {
		if got := MayMatch(tc.f, lookup); got != tc.want {
			t.Errorf("MayMatch(%s) = %v, want %v", tc.f, got, tc.want)
		}
	}
}
