package rules

import (
	"slices"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestShareSemiReducedScan is TPC-H Q4 after ReduceSemiJoinBuilds: the
// quarter's orders both reduce the late lineitems and keep the orders
// that have one. Both reads become references to one shared read, which
// outputs the columns of both. A scan that keeps more than 1/8 of its
// table is shared only while it is small.
func TestShareSemiReducedScan(t *testing.T) {
	for _, tc := range []struct {
		rows    int64
		filters int // each estimated to keep 30%
		shared  bool
	}{
		{1_500_000, 2, true},  // a quarter's orders
		{150_000, 1, true},    // Q22's customers: 45k rows by estimate
		{1_500_000, 1, false}, // 450k rows
	} {
		if got := shareSemiReducedQ4(t, tc.rows, tc.filters); got != tc.shared {
			t.Errorf("%d rows, %d filters: shared %v, want %v", tc.rows, tc.filters, got, tc.shared)
		}
	}
}

// shareSemiReducedQ4 reports whether Q4's orders, of rows rows under
// filters filters, are read once.
func shareSemiReducedQ4(t *testing.T, rows int64, filters int) bool {
	t.Helper()
	s := newTPCHShape()
	lineitem := s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000))
	orders := s.table("orders", rows, true, col("o_orderkey", 6_000_000), col("o_orderdate", 2_400), col("o_orderpriority", 5))
	for _, op := range []expr.BinaryOp{expr.OpLt, expr.OpGt}[:filters] {
		orders.Filters = append(orders.Filters, &logical.Binary{Op: op, L: s.byCol["o_orderdate"], R: &logical.Const{T: sqltypes.TypeInt8, V: int64(30)}, T: sqltypes.TypeBool})
	}
	reducer := *orders // the copy PruneColumns makes, reading the key only
	reducer.Cols, reducer.SourceIdx, reducer.SourceTypes = orders.Cols[:1], orders.SourceIdx[:1], orders.SourceTypes[:1]
	reduced := &logical.Join{Type: logical.SemiJoin, Left: lineitem, Right: &reducer, Cond: s.eq("l_orderkey", "o_orderkey")}
	q4 := &logical.Join{Type: logical.SemiJoin, Left: orders, Right: reduced, Cond: s.eq("o_orderkey", "l_orderkey")}
	meta := &logical.Metadata{}
	for range s.next {
		meta.NewColumn("c", "t", sqltypes.TypeInt8)
	}
	out, err := ShareReducedScans(q4, meta)
	if err != nil {
		t.Fatal(err)
	}
	j := out.(*logical.Join)
	left, ok := j.Left.(*logical.Shared)
	if !ok {
		return false
	}
	if !slices.Equal(left.Output(), orders.Cols) {
		t.Fatalf("left side is not a shared read of the orders' columns:\n%s", explainTree(out, 0))
	}
	var inner *logical.Shared
	_, _ = logical.Transform(j.Right, func(n logical.Node) (logical.Node, error) {
		if sh, ok := n.(*logical.Shared); ok {
			inner = sh
		}
		return n, nil
	})
	if inner == nil || inner.Key != left.Key || len(inner.Output()) != len(left.Output()) || inner.Output()[0] != reducer.Cols[0] {
		t.Fatalf("the reducer does not read the same shared rows:\n%s", explainTree(out, 0))
	}
	return true
}
