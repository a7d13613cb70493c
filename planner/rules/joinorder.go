package rules

import (
	"github.com/meshql/meshql/planner/logical"
)

// ReorderJoins rebuilds each tree of inner joins (the FROM list of a TPC-H
// query is one) so that every join has a condition when one exists:
// starting from the largest input, it repeatedly joins the smallest input
// connected to what is joined so far, and only falls back to a cross
// product when nothing is connected. It runs after predicate pushdown, so
// estimates see the filters already placed on each input.
func ReorderJoins(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		j, ok := n.(*logical.Join)
		if !ok || j.Type != logical.InnerJoin {
			return n, nil
		}
		var leaves []logical.Node
		var conds []logical.Expr
		flattenInner(j, &leaves, &conds)
		if len(leaves) < 3 {
			return n, nil
		}
		return greedyOrder(leaves, conds), nil
	})
}

func flattenInner(n logical.Node, leaves *[]logical.Node, conds *[]logical.Expr) {
	if j, ok := n.(*logical.Join); ok && j.Type == logical.InnerJoin {
		flattenInner(j.Left, leaves, conds)
		flattenInner(j.Right, leaves, conds)
		*conds = append(*conds, logical.Conjuncts(j.Cond)...)
		return
	}
	*leaves = append(*leaves, n)
}

func greedyOrder(leaves []logical.Node, conds []logical.Expr) logical.Node {
	est := make([]float64, len(leaves))
	cols := make([]logical.ColSet, len(leaves))
	start := 0
	for i, l := range leaves {
		est[i] = logical.Estimate(l)
		cols[i] = logical.OutputSet(l)
		if est[i] > est[start] {
			start = i
		}
	}
	used := make([]bool, len(conds))
	done := make([]bool, len(leaves))
	done[start] = true
	cur := leaves[start]
	curCols := logical.ColSet{}
	curCols.AddSet(cols[start])
	connected := func(i int) bool {
		both := logical.ColSet{}
		both.AddSet(curCols)
		both.AddSet(cols[i])
		for k, c := range conds {
			cc := logical.ColumnsOf(c)
			if !used[k] && cc.SubsetOf(both) && !cc.SubsetOf(curCols) && !cc.SubsetOf(cols[i]) {
				return true
			}
		}
		return false
	}
	for step := 1; step < len(leaves); step++ {
		next := -1
		for i := range leaves {
			if done[i] || !connected(i) {
				continue
			}
			if next < 0 || est[i] < est[next] {
				next = i
			}
		}
		if next < 0 { // nothing connected: a cross product with the smallest
			for i := range leaves {
				if !done[i] && (next < 0 || est[i] < est[next]) {
					next = i
				}
			}
		}
		done[next] = true
		curCols.AddSet(cols[next])
		var jc []logical.Expr
		for k, c := range conds {
			if !used[k] && logical.ColumnsOf(c).SubsetOf(curCols) {
				used[k] = true
				jc = append(jc, c)
			}
		}
		cur = &logical.Join{Type: logical.InnerJoin, Left: cur, Right: leaves[next], Cond: logical.And(jc)}
	}
	var rest []logical.Expr
	for k, c := range conds {
		if !used[k] {
			rest = append(rest, c)
		}
	}
	if len(rest) > 0 {
		cur = &logical.Filter{Input: cur, Pred: logical.And(rest)}
	}
	return cur
}
