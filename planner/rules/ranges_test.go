package rules

import (
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Containment in a constant range becomes comparisons with its finite
// bounds (pushable, prunable); a range without one, an empty range or an
// expression element keeps the function.
func TestUnwrapRangeContains(t *testing.T) {
	d := &logical.ColRef{ID: 1, Name: "d", T: sqltypes.TypeDate}
	n := &logical.ColRef{ID: 2, Name: "n", T: sqltypes.NumericType(12, 2)}
	rng := func(kind sqltypes.Kind, s string) *logical.Const {
		typ := sqltypes.Type{Kind: kind}
		v, err := sqltypes.ParseValue(typ, s)
		if err != nil {
			t.Fatal(err)
		}
		return &logical.Const{T: typ, V: v}
	}
	call := func(name string, a, b logical.Expr) logical.Expr {
		return &logical.Func{Name: name, Args: []logical.Expr{a, b}, T: sqltypes.TypeBool}
	}
	for _, tc := range []struct {
		in   logical.Expr
		want string
	}{
		{call("range_contains_elem", rng(sqltypes.DateRange, "[2024-01-01,2024-04-01)"), d), "((d >= DATE '2024-01-01') AND (d < DATE '2024-04-01'))"},
		{call("range_contains_elem", rng(sqltypes.DateRange, "(2024-01-01,2024-04-01]"), d), "((d >= DATE '2024-01-02') AND (d < DATE '2024-04-02'))"},
		{call("elem_contained_by_range", n, rng(sqltypes.NumRange, "(10.50,)")), "(n > 10.50)"},
		{call("elem_contained_by_range", n, rng(sqltypes.NumRange, "(,1.5]")), "(n <= 1.5)"},
		{call("range_contains_elem", rng(sqltypes.DateRange, "empty"), d), "range_contains_elem"},
		{call("range_contains_elem", rng(sqltypes.DateRange, "(,)"), d), "range_contains_elem"},
		{call("range_contains_elem", &logical.Const{T: sqltypes.Type{Kind: sqltypes.DateRange}}, d), "range_contains_elem"},
		// current_date, as the binder makes it: a cast of now().
		{call("range_contains_elem", rng(sqltypes.DateRange, "[2024-01-01,)"), &logical.Cast{E: &logical.Func{Name: expr.NowFunc, T: sqltypes.TypeTimestampTZ}, T: sqltypes.TypeDate}), "range_contains_elem"},
	} {
		got := logical.Rewrite(tc.in, unwrapRangeContains)
		s := got.String()
		if f, ok := got.(*logical.Func); ok {
			s = f.Name
		}
		if s != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, s, tc.want)
		}
	}
}
