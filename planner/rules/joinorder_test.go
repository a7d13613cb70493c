package rules

import (
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestJoinEstimateFollowsDistinctCounts replays TPC-H Q7's choice at SF1:
// 121k order rows already joined to two nations, then either supplier on
// the nation key (25 values: 400 suppliers per nation, 48M rows) or
// lineitem on the order key (1.5M values: about one line each). The
// estimate must rank lineitem first, where the old rule (the smaller
// input) picked supplier.
func TestJoinEstimateFollowsDistinctCounts(t *testing.T) {
	const (
		nation, supplierNation, order, lineitemOrder logical.ColumnID = 1, 2, 3, 4
	)
	eq := func(a, b logical.ColumnID) logical.Expr {
		return &logical.Binary{Op: expr.OpEq, L: &logical.ColRef{ID: a, T: sqltypes.TypeInt8}, R: &logical.ColRef{ID: b, T: sqltypes.TypeInt8}, T: sqltypes.TypeBool}
	}
	conds := []logical.Expr{eq(nation, supplierNation), eq(order, lineitemOrder)}
	used := []bool{false, false}
	cur := logical.NewColSet(nation, order)
	ndv := map[logical.ColumnID]float64{nation: 2, supplierNation: 25, order: 1.5e6, lineitemOrder: 6e6}
	const curRows, supplierRows, lineitemRows = 121_000.0, 10_000.0, 1_800_000.0
	viaSupplier := joinEstimate(curRows, supplierRows, cur, logical.NewColSet(supplierNation), conds, used, ndv)
	viaLineitem := joinEstimate(curRows, lineitemRows, cur, logical.NewColSet(lineitemOrder), conds, used, ndv)
	if viaSupplier != curRows*supplierRows/25 {
		t.Errorf("joining supplier on the nation key: estimate %.0f, want %.0f", viaSupplier, curRows*supplierRows/25)
	}
	if viaLineitem >= viaSupplier {
		t.Errorf("lineitem (%.0f rows) is not estimated below supplier (%.0f rows)", viaLineitem, viaSupplier)
	}
	// Without distinct counts it falls back to a foreign-key join.
	if got := joinEstimate(curRows, supplierRows, cur, logical.NewColSet(supplierNation), conds, used, nil); got != curRows {
		t.Errorf("without statistics: %.0f, want max of the inputs %.0f", got, curRows)
	}
}
