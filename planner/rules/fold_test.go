package rules

import (
	"fmt"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// A constant generate_series stays a call: folding it built the whole
// series while planning, out of reach of cancel and statement_timeout,
// and printed every value in EXPLAIN. Other constant calls still fold.
func TestFoldLeavesSeriesAlone(t *testing.T) {
	evaluated := 0
	eval := func(e logical.Expr) (sqltypes.Datum, error) { evaluated++; return int64(7), nil }
	args := []logical.Expr{&logical.Const{T: sqltypes.TypeInt8, V: int64(1)}, &logical.Const{T: sqltypes.TypeInt8, V: int64(3000000)}}
	for _, name := range []string{"generate_series", "generate_series_array"} {
		call := &logical.Func{Name: name, Args: args, T: sqltypes.ListOf(sqltypes.TypeInt8)}
		got, err := foldExpr(call, eval)
		if err != nil {
			t.Fatal(err)
		}
		if k, folded := got.(*logical.Const); folded {
			t.Errorf("%s was folded to %v", name, k)
		}
	}
	if evaluated != 0 {
		t.Errorf("the series was evaluated %d times while planning", evaluated)
	}
	abs := &logical.Func{Name: "abs", Args: args[:1], T: sqltypes.TypeInt8}
	if got, err := foldExpr(abs, eval); err != nil {
		t.Fatal(err)
	} else if _, ok := got.(*logical.Const); !ok {
		t.Errorf("abs(1) was not folded")
	}
}

// TestComparisonWithNullFolds: a comparison with a NULL constant is NULL
// whatever the other side reads, so a filter holding one removes its
// input (as in PostgreSQL) instead of running it.
func TestComparisonWithNullFolds(t *testing.T) {
	col := &logical.ColRef{ID: 1, T: sqltypes.TypeText}
	null := &logical.Const{T: sqltypes.TypeText}
	for _, op := range []expr.BinaryOp{expr.OpEq, expr.OpNe, expr.OpLt, expr.OpLe, expr.OpGt, expr.OpGe} {
		in := &logical.Filter{
			Input: &logical.Values{Cols: []logical.ColumnID{1}, Rows: [][]logical.Expr{{&logical.Const{T: sqltypes.TypeText, V: "a"}}}},
			Pred:  &logical.Binary{Op: op, L: col, R: null, T: sqltypes.TypeBool},
		}
		out, err := FoldConstants(in, func(logical.Expr) (sqltypes.Datum, error) { return nil, fmt.Errorf("not evaluated") })
		if err != nil {
			t.Fatal(err)
		}
		if out, _ = RemoveEmpty(out); len(out.(*logical.Values).Rows) != 0 {
			t.Errorf("%s NULL: the filter still has rows: %#v", op, out)
		}
	}
}
