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

// TestUnwrapForPushdown: one pass unwraps both forms, wherever they stand
// in the plan.
func TestUnwrapForPushdown(t *testing.T) {
	d := &logical.ColRef{ID: 1, Name: "d", T: sqltypes.TypeDate}
	rng, err := sqltypes.ParseValue(sqltypes.Type{Kind: sqltypes.DateRange}, "[2024-01-01,2024-04-01)")
	if err != nil {
		t.Fatal(err)
	}
	stamp, err := sqltypes.ParseValue(sqltypes.TypeTimestamp, "2024-02-01 00:00:00")
	if err != nil {
		t.Fatal(err)
	}
	contains := &logical.Func{Name: "range_contains_elem", Args: []logical.Expr{&logical.Const{T: sqltypes.Type{Kind: sqltypes.DateRange}, V: rng}, d}, T: sqltypes.TypeBool}
	cast := &logical.Binary{Op: expr.OpGt, L: &logical.Cast{E: d, T: sqltypes.TypeTimestamp}, R: &logical.Const{T: sqltypes.TypeTimestamp, V: stamp}, T: sqltypes.TypeBool}
	in := &logical.Values{Cols: []logical.ColumnID{1}, Rows: [][]logical.Expr{{&logical.Const{T: sqltypes.TypeDate}}}}
	plan := &logical.Filter{Input: &logical.Filter{Input: in, Pred: contains}, Pred: cast}
	out, err := UnwrapForPushdown(plan)
	if err != nil {
		t.Fatal(err)
	}
	outer := out.(*logical.Filter)
	if got, want := outer.Pred.String(), "(d > DATE '2024-02-01')"; got != want {
		t.Errorf("date cast: got %s, want %s", got, want)
	}
	if got, want := outer.Input.(*logical.Filter).Pred.String(), "((d >= DATE '2024-01-01') AND (d < DATE '2024-04-01'))"; got != want {
		t.Errorf("containment: got %s, want %s", got, want)
	}
}
