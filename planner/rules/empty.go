package rules

import "github.com/meshql/meshql/planner/logical"

// RemoveEmpty replaces every subtree that cannot produce a row by an
// empty Values with its output columns, so that it does not run: a
// filter or scan condition with a conjunct that folded to false or NULL,
// LIMIT 0, and, above them, whatever yields no rows from no input (a
// projection, sort, window, grouped aggregate, a join that needs a row
// from the empty side). `SELECT … FROM (… ORDER BY …) WHERE false` read
// and sorted a whole table to return nothing.
//
// An aggregate without GROUP BY still returns its one row, and set
// operations keep their empty inputs (each costs nothing now). Lineage
// and audit read the bound plan, so the products a removed scan would
// have read are still reported as the query's inputs.
func RemoveEmpty(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		if yieldsNothing(n) {
			return &logical.Values{Cols: n.Output()}, nil
		}
		return n, nil
	})
}

// yieldsNothing reports whether n produces no rows, given that its
// children have been rewritten already.
func yieldsNothing(n logical.Node) bool {
	switch x := n.(type) {
	case *logical.Values:
		return false // already empty or constant rows
	case *logical.Scan:
		return hasFalseConjunct(x.Filters...)
	case *logical.Filter:
		return isEmpty(x.Input) || hasFalseConjunct(x.Pred)
	case *logical.Limit:
		return x.Count == 0 || isEmpty(x.Input)
	case *logical.Project, *logical.Sort, *logical.Window, *logical.Unnest, *logical.Shared:
		return isEmpty(n.Children()[0])
	case *logical.Aggregate:
		return len(x.Groups) > 0 && isEmpty(x.Input)
	case *logical.Join:
		l, r := isEmpty(x.Left), isEmpty(x.Right)
		switch x.Type {
		case logical.InnerJoin, logical.SemiJoin:
			return l || r || hasFalseConjunct(x.Cond)
		case logical.RightJoin:
			return r
		case logical.FullJoin:
			return l && r
		default: // left, anti, mark and single joins keep every left row
			return l
		}
	}
	return false
}

func isEmpty(n logical.Node) bool {
	v, ok := n.(*logical.Values)
	return ok && len(v.Rows) == 0
}

// hasFalseConjunct reports whether one of the conjuncts of preds is the
// constant false or NULL, which no row satisfies.
func hasFalseConjunct(preds ...logical.Expr) bool {
	for _, p := range preds {
		for _, c := range logical.Conjuncts(p) {
			if k, ok := c.(*logical.Const); ok && (k.V == nil || k.V == false) {
				return true
			}
		}
	}
	return false
}
