package rules

import (
	"testing"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestResolveLimits: bounds that folded to constants become the limit's
// Count and Offset (NULL: none), negative ones fail as in PostgreSQL, and
// bounds still to compute stay a plan.
func TestResolveLimits(t *testing.T) {
	i8 := func(v any) logical.Expr { return &logical.Const{T: sqltypes.TypeInt8, V: v} }
	one := func() logical.Node { return &logical.Values{Rows: [][]logical.Expr{{}}} }
	bounds := func(in logical.Node, count, offset logical.Expr) *logical.Limit {
		return &logical.Limit{Input: &logical.Scan{Name: "t", Cols: []logical.ColumnID{1}}, Count: -1,
			Bounds: &logical.Project{Input: in, Exprs: []logical.Expr{count, offset}, Cols: []logical.ColumnID{2, 3}}}
	}
	tests := []struct {
		name          string
		lim           *logical.Limit
		count, offset int64
		computed      bool
		code          string
	}{
		{"constants", bounds(one(), i8(int64(5)), i8(int64(2))), 5, 2, false, ""},
		{"NULLs", bounds(one(), i8(nil), i8(nil)), -1, 0, false, ""},
		{"negative limit", bounds(one(), i8(int64(-1)), i8(nil)), 0, 0, false, "2201W"},
		{"negative offset", bounds(one(), i8(nil), i8(int64(-3))), 0, 0, false, "2201X"},
		{"subquery", bounds(&logical.Join{Type: logical.SingleJoin, Left: one(), Right: one()}, i8(int64(1)), i8(nil)), -1, 0, true, ""},
		{"not folded", bounds(one(), &logical.ColRef{ID: 9, T: sqltypes.TypeInt8}, i8(nil)), -1, 0, true, ""},
	}
	for _, tc := range tests {
		out, err := ResolveLimits(tc.lim)
		if tc.code != "" {
			if sqltypes.Code(err) != tc.code {
				t.Errorf("%s: got %v, want SQLSTATE %s", tc.name, err, tc.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		lim := out.(*logical.Limit)
		if (lim.Bounds != nil) != tc.computed || lim.Count != tc.count || lim.Offset != tc.offset {
			t.Errorf("%s: got count %d offset %d computed %v", tc.name, lim.Count, lim.Offset, lim.Bounds != nil)
		}
		if again, _ := ResolveLimits(out); len(again.Children()) != len(out.Children()) {
			t.Errorf("%s: not idempotent", tc.name)
		}
	}
}
