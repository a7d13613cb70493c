package rules

import "github.com/meshql/meshql/planner/logical"

// reduceOuterJoin returns the join type t becomes under the WHERE
// conjuncts preds (PostgreSQL's reduce_outer_joins): a conjunct that is
// FALSE or NULL whenever the null-extended side's columns are all NULL
// discards every null-extended row, so that side need not be preserved.
// LEFT and RIGHT joins become inner, a FULL join LEFT, RIGHT or inner.
// The inner join then lets the conjunct, and the join order, go down.
func reduceOuterJoin(t logical.JoinType, preds []logical.Expr, left, right logical.ColSet) logical.JoinType {
	rejects := func(s logical.ColSet) bool {
		for _, p := range preds {
			if logical.NullRejecting(p, s) {
				return true
			}
		}
		return false
	}
	switch t {
	case logical.LeftJoin:
		if rejects(right) {
			return logical.InnerJoin
		}
	case logical.RightJoin:
		if rejects(left) {
			return logical.InnerJoin
		}
	case logical.FullJoin:
		l, r := rejects(left), rejects(right)
		switch {
		case l && r:
			return logical.InnerJoin
		case l: // the right-only rows go
			return logical.LeftJoin
		case r:
			return logical.RightJoin
		}
	}
	return t
}
