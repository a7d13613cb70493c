package rules

import (
	"github.com/meshql/meshql/planner/logical"
)

// ReorderJoins rebuilds each tree of inner joins (the FROM list of a TPC-H
// query is one) so that every join has a condition when one exists and
// the estimated intermediate results stay small: the cheapest tree by
// exhaustive search (dpOrder) when the inputs are connected and few, else
// by greedy search (bushyOrder), which only falls back to a cross product
// when nothing is connected. It runs after
// predicate pushdown, so estimates see the filters already placed on each
// input. Scans of one database that can run joins itself are first
// grouped (clusterBySource, which orders each group left-deep with
// greedyOrder, the shape a remote join takes).
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
		if leaves, conds = clusterBySource(leaves, conds); len(leaves) == 1 {
			if len(conds) > 0 {
				return &logical.Filter{Input: leaves[0], Pred: logical.And(conds)}, nil
			}
			return leaves[0], nil
		}
		if tree, ok := dpOrder(leaves, conds); ok {
			return tree, nil
		}
		return bushyOrder(leaves, conds), nil
	})
}

// bushyOrder joins the inputs by greedy operator ordering: it repeatedly
// joins the two (already joined) inputs whose join is estimated smallest
// (joinEstimate), preferring pairs with an equality between them over
// pairs only some other condition connects, and cross products last.
// Unlike greedyOrder's left-deep chain it builds bushy trees, so that a
// filtered dimension reduces its fact table before the fact table meets
// the other side: TPC-H Q7 joins lineitem with the suppliers of two
// nations (146k rows) and orders with the customers of two nations (120k)
// before joining the two, instead of lineitem with all 1.5M orders.
// A condition is applied at the first join that has all its columns.
func bushyOrder(leaves []logical.Node, conds []logical.Expr) logical.Node {
	type input struct {
		node logical.Node
		rows float64
		cols logical.ColSet
	}
	est := make([]float64, len(leaves))
	in := make([]input, len(leaves))
	for i, l := range leaves {
		est[i] = logical.Estimate(l)
		in[i] = input{node: l, rows: est[i], cols: logical.OutputSet(l)}
	}
	ndv := distinctEstimates(leaves, est)
	used := make([]bool, len(conds))
	// link ranks how a and b are connected: 2 by an unused equality of a
	// column of each, 1 by another unused condition, 0 not at all.
	link := func(a, b input) int {
		both := logical.ColSet{}
		both.AddSet(a.cols)
		both.AddSet(b.cols)
		rank := 0
		for k, c := range conds {
			cc := logical.ColumnsOf(c)
			if used[k] || !cc.SubsetOf(both) || cc.SubsetOf(a.cols) || cc.SubsetOf(b.cols) {
				continue
			}
			if _, _, ok := logical.ColumnEquality(c); ok {
				return 2
			}
			rank = 1
		}
		return rank
	}
	for len(in) > 1 {
		bi, bj, bRank, bOut := -1, -1, -1, 0.0
		for i := range in {
			for j := i + 1; j < len(in); j++ {
				rank := link(in[i], in[j])
				var out float64
				if rank > 0 {
					out = joinEstimate(in[i].rows, in[j].rows, in[i].cols, in[j].cols, conds, used, ndv)
				} else {
					out = max(in[i].rows, 1) * max(in[j].rows, 1)
				}
				if rank > bRank || rank == bRank && out < bOut {
					bi, bj, bRank, bOut = i, j, rank, out
				}
			}
		}
		a, b := in[bi], in[bj]
		if b.rows > a.rows { // the larger input on the left, as the probe side
			a, b = b, a
		}
		cols := logical.ColSet{}
		cols.AddSet(a.cols)
		cols.AddSet(b.cols)
		joined := input{node: &logical.Join{Type: logical.InnerJoin, Left: a.node, Right: b.node, Cond: takeConds(conds, used, cols)}, rows: bOut, cols: cols}
		in[bi] = joined
		in = append(in[:bj], in[bj+1:]...)
	}
	return filterRest(in[0].node, conds, used)
}

// takeConds marks used and returns, as one conjunction, the unused
// conditions that read only cols.
func takeConds(conds []logical.Expr, used []bool, cols logical.ColSet) logical.Expr {
	var jc []logical.Expr
	for k, c := range conds {
		if !used[k] && logical.ColumnsOf(c).SubsetOf(cols) {
			used[k] = true
			jc = append(jc, c)
		}
	}
	return logical.And(jc)
}

// filterRest applies to n the conditions no join used.
func filterRest(n logical.Node, conds []logical.Expr, used []bool) logical.Node {
	var rest []logical.Expr
	for k, c := range conds {
		if !used[k] {
			rest = append(rest, c)
		}
	}
	if len(rest) > 0 {
		return &logical.Filter{Input: n, Pred: logical.And(rest)}
	}
	return n
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

// greedyOrder joins the inputs left-deep: starting from the largest, it
// repeatedly joins the connected input whose join with what is joined so
// far is estimated smallest (joinEstimate).
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
	ndv := distinctEstimates(leaves, est)
	curEst := est[start]
	for step := 1; step < len(leaves); step++ {
		next, nextOut := -1, 0.0
		for i := range leaves {
			if done[i] || !connected(i) {
				continue
			}
			out := joinEstimate(curEst, est[i], curCols, cols[i], conds, used, ndv)
			if next < 0 || out < nextOut || out == nextOut && est[i] < est[next] {
				next, nextOut = i, out
			}
		}
		if next >= 0 {
			curEst = nextOut
		}
		if next < 0 { // nothing connected: a cross product with the smallest
			for i := range leaves {
				if !done[i] && (next < 0 || est[i] < est[next]) {
					next = i
				}
			}
			curEst *= max(est[next], 1)
		}
		done[next] = true
		curCols.AddSet(cols[next])
		cur = &logical.Join{Type: logical.InnerJoin, Left: cur, Right: leaves[next], Cond: takeConds(conds, used, curCols)}
	}
	return filterRest(cur, conds, used)
}

// joinEstimate estimates the rows of joining what is joined so far (left,
// about leftRows rows) with a leaf (rightRows rows) on the unused
// conditions between them, as |L|·|R| / max(V(L,a), V(R,b)) for the most
// selective equality a = b of columns whose distinct counts are known. A
// column of unknown count is taken as unique within its side. Without any
// such equality it assumes a foreign-key join: max(|L|, |R|).
func joinEstimate(leftRows, rightRows float64, leftCols, rightCols logical.ColSet, conds []logical.Expr, used []bool, ndv map[logical.ColumnID]float64) float64 {
	best := -1.0
	for k, c := range conds {
		if used[k] {
			continue
		}
		l, r, ok := logical.ColumnEquality(c)
		if !ok {
			continue
		}
		if leftCols.Has(r.ID) && rightCols.Has(l.ID) {
			l, r = r, l
		}
		if !leftCols.Has(l.ID) || !rightCols.Has(r.ID) {
			continue
		}
		vl, okL := ndv[l.ID]
		vr, okR := ndv[r.ID]
		if !okL && !okR {
			continue
		}
		if !okL {
			vl = leftRows
		}
		if !okR {
			vr = rightRows
		}
		if out := leftRows * rightRows / max(vl, vr, 1); best < 0 || out < best {
			best = out
		}
	}
	if best < 0 {
		return max(leftRows, rightRows)
	}
	return best
}

// distinctEstimates estimates the distinct values of the columns the
// leaves' scans deliver after their filters (logical.ScanDistinct), never more than the
// leaf's estimated rows.
func distinctEstimates(leaves []logical.Node, est []float64) map[logical.ColumnID]float64 {
	out := map[logical.ColumnID]float64{}
	for i, leaf := range leaves {
		logical.Inspect(leaf, func(n logical.Node) bool {
			if s, ok := n.(*logical.Scan); ok {
				for k, id := range s.Cols {
					if v, ok := logical.ScanDistinct(s, k); ok {
						out[id] = max(1, min(v, est[i]))
					}
				}
			}
			return true
		})
	}
	return out
}
