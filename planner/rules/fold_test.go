package rules

import (
	"testing"

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
