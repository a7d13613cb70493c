package rules

import (
	"fmt"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestMergeProjects: a projection folds into the one below it when one of
// them only picks or renames columns, keeping its column ids and types;
// it stays when folding would compute an expression twice or change a
// column's type.
func TestMergeProjects(t *testing.T) {
	i4, i8 := sqltypes.TypeInt4, sqltypes.TypeInt8
	ref := func(id logical.ColumnID, typ sqltypes.Type) logical.Expr {
		return &logical.ColRef{ID: id, Name: fmt.Sprintf("c%d", id), T: typ}
	}
	scan := &logical.Scan{Name: "t", Cols: []logical.ColumnID{1, 2}}
	double := &logical.Binary{Op: expr.OpMul, L: ref(1, i4), R: &logical.Const{T: i4, V: int32(2)}, T: i4}
	project := func(in logical.Node, cols []logical.ColumnID, es ...logical.Expr) *logical.Project {
		return &logical.Project{Input: in, Exprs: es, Cols: cols}
	}
	tests := []struct {
		name   string
		plan   logical.Node
		merged bool
		want   string
	}{
		{"renames of renames", project(project(project(scan, []logical.ColumnID{3}, ref(1, i4)), []logical.ColumnID{4}, ref(3, i4)), []logical.ColumnID{5}, ref(4, i4)),
			true, "c1"},
		{"pick over compute", project(project(scan, []logical.ColumnID{3, 4}, double, ref(2, i4)), []logical.ColumnID{5}, ref(3, i4)),
			true, "(c1 * 2)"},
		{"compute over rename", project(project(scan, []logical.ColumnID{3}, ref(1, i4)), []logical.ColumnID{5},
			&logical.Binary{Op: expr.OpAdd, L: ref(3, i4), R: ref(3, i4), T: i4}), true, "(c1 + c1)"},
		{"pick twice over compute", project(project(scan, []logical.ColumnID{3}, double), []logical.ColumnID{5, 6}, ref(3, i4), ref(3, i4)),
			false, ""},
		{"compute over compute", project(project(scan, []logical.ColumnID{3}, double), []logical.ColumnID{5},
			&logical.Binary{Op: expr.OpAdd, L: ref(3, i4), R: ref(2, i4), T: i4}), false, ""},
		{"other type", project(project(scan, []logical.ColumnID{3}, ref(1, i4)), []logical.ColumnID{5}, ref(3, i8)), false, ""},
	}
	for _, tc := range tests {
		out, err := MergeProjects(tc.plan)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		p := out.(*logical.Project)
		if _, stacked := p.Input.(*logical.Project); stacked == tc.merged {
			t.Errorf("%s: merged %v, want %v", tc.name, !stacked, tc.merged)
			continue
		}
		if !tc.merged {
			continue
		}
		top := tc.plan.(*logical.Project)
		if p.Input != scan || len(p.Cols) != len(top.Cols) || p.Cols[0] != top.Cols[0] || !p.Exprs[0].Type().Equal(top.Exprs[0].Type()) {
			t.Errorf("%s: %+v", tc.name, p)
		}
		if got := p.Exprs[0].String(); got != tc.want {
			t.Errorf("%s: computes %s, want %s", tc.name, got, tc.want)
		}
	}
}
