package rules

import "github.com/meshql/meshql/planner/logical"

// PushSemiJoins moves a semi join below the inner joins of its left side,
// onto the one input whose columns its condition reads, when its right side
// is estimated smaller than that input: `o_orderkey IN (SELECT l_orderkey
// … HAVING sum(l_quantity) > 300)` (TPC-H Q18) then keeps a few dozen
// orders before they are joined with six million lineitems, instead of
// filtering the join's result. Each row of an inner join comes from one row
// of each input, so filtering an input by a condition on that input's
// columns is the same as filtering the result.
//
// A large right side (Q21's EXISTS over all of lineitem) stays on top,
// where the joins below have already dropped most rows.
func PushSemiJoins(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		j, ok := n.(*logical.Join)
		if !ok || j.Type != logical.SemiJoin {
			return n, nil
		}
		leftCond := logical.ColumnsOf(j.Cond)
		leftCond = intersect(leftCond, logical.OutputSet(j.Left))
		if len(leftCond) == 0 {
			return n, nil
		}
		if out, ok := pushSemi(j, j.Left, leftCond, logical.Estimate(j.Right)); ok {
			return out, nil
		}
		return n, nil
	})
}

// pushSemi rebuilds n with the semi join j applied to the input of n's
// inner joins that produces cols, if there is one larger than rightRows.
func pushSemi(j *logical.Join, n logical.Node, cols logical.ColSet, rightRows float64) (logical.Node, bool) {
	in, ok := n.(*logical.Join)
	if !ok || in.Type != logical.InnerJoin {
		return nil, false
	}
	for side, child := range []logical.Node{in.Left, in.Right} {
		if !cols.SubsetOf(logical.OutputSet(child)) {
			continue
		}
		pushed, ok := pushSemi(j, child, cols, rightRows)
		if !ok {
			if logical.Estimate(child) <= rightRows {
				return nil, false
			}
			c := *j
			c.Left = child
			pushed = &c
		}
		c := *in
		if side == 0 {
			c.Left = pushed
		} else {
			c.Right = pushed
		}
		return &c, true
	}
	return nil, false
}

func intersect(a, b logical.ColSet) logical.ColSet {
	out := logical.ColSet{}
	for id := range a {
		if b.Has(id) {
			out.Add(id)
		}
	}
	return out
}
