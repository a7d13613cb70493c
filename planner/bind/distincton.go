package bind

import (
	"slices"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// firstOfEachGroup is SELECT DISTINCT ON (keys): of each group of rows
// equal on keys, the first in order's order, found by a row_number()
// window partitioned by keys and kept where it is 1. keys and order are
// column references of node. The result carries the row_number column;
// the caller projects it away.
func (b *binder) firstOfEachGroup(node logical.Node, keys []logical.Expr, order []logical.SortKey) (logical.Node, error) {
	if err := checkDistinctOnOrder(keys, order); err != nil {
		return nil, err
	}
	t, err := ops.WindowFuncType("row_number", nil)
	if err != nil {
		return nil, err
	}
	id := b.meta.NewColumn("row_number", "", t)
	w := &logical.Window{
		Input:       node,
		PartitionBy: keys,
		OrderBy:     order,
		Calls:       []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(len(order) > 0), T: t}},
		Cols:        []logical.ColumnID{id},
	}
	first, err := b.makeBinary(expr.OpEq, &logical.ColRef{ID: id, Name: "row_number", T: t}, &logical.Const{T: sqltypes.TypeInt8, V: int64(1)}, -1)
	if err != nil {
		return nil, err
	}
	return &logical.Filter{Input: w, Pred: first}, nil
}

// checkDistinctOnOrder applies PostgreSQL's rule that the DISTINCT ON
// expressions match the initial ORDER BY ones (in any order among
// themselves): no DISTINCT ON key may come after, or be missing behind, an
// ORDER BY key that is not one (42P10).
func checkDistinctOnOrder(keys []logical.Expr, order []logical.SortKey) error {
	on := logical.ColSet{}
	for _, k := range keys {
		on.AddSet(logical.ColumnsOf(k))
	}
	inOrder := logical.ColSet{}
	skipped := false
	for i, k := range order {
		if repeats(order[:i], k) {
			// PostgreSQL drops an ORDER BY item that repeats an earlier
			// one (in either direction) before it checks: ORDER BY a, b,
			// a DESC under DISTINCT ON (a) is no mismatch.
			continue
		}
		cols := logical.ColumnsOf(k.Expr)
		if !cols.SubsetOf(on) {
			skipped = true
			continue
		}
		if skipped {
			return errDistinctOnOrder()
		}
		inOrder.AddSet(cols)
	}
	if skipped && !on.SubsetOf(inOrder) {
		return errDistinctOnOrder()
	}
	return nil
}

func errDistinctOnOrder() error {
	return sqltypes.New(sqltypes.CodeInvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
}

// repeats says whether k sorts by the same column as one of earlier
// (PostgreSQL's addTargetToSortList keeps one sort item per target).
func repeats(earlier []logical.SortKey, k logical.SortKey) bool {
	ref, ok := k.Expr.(*logical.ColRef)
	return ok && slices.ContainsFunc(earlier, func(e logical.SortKey) bool {
		r, ok := e.Expr.(*logical.ColRef)
		return ok && r.ID == ref.ID
	})
}
