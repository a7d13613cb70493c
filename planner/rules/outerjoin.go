package rules

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
)

// reduceOuterJoin returns the join type t becomes under the WHERE
// conjuncts preds (PostgreSQL's reduce_outer_joins): a conjunct that is
// FALSE or NULL whenever the null-extended side's columns are all NULL
// discards every null-extended row, so that side need not be preserved.
// LEFT and RIGHT joins become inner, a FULL join LEFT, RIGHT or inner.
// The inner join then lets the conjunct, and the join order, go down.
func reduceOuterJoin(t logical.JoinType, preds []logical.Expr, left, right logical.ColSet) logical.JoinType {
	rejects := func(s logical.ColSet) bool {
		for _, p := range preds {
			if nullRejecting(p, s) {
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

// nullRejecting reports whether p is FALSE or NULL on every row whose
// columns in s are all NULL.
func nullRejecting(p logical.Expr, s logical.ColSet) bool {
	switch x := p.(type) {
	case *logical.Binary:
		switch x.Op {
		case expr.OpAnd:
			return nullRejecting(x.L, s) || nullRejecting(x.R, s)
		case expr.OpOr:
			return nullRejecting(x.L, s) && nullRejecting(x.R, s)
		}
	case *logical.Unary:
		switch x.Op {
		case logical.OpIsNotNull, logical.OpIsFalse, logical.OpNot:
			return strictNull(x.E, s)
		case logical.OpIsTrue:
			return nullRejecting(x.E, s)
		}
	}
	return strictNull(p, s)
}

// strictNull reports whether e is NULL whenever the columns in s are all
// NULL. It knows operators, casts, IN and LIKE; a function call counts as
// not strict (COALESCE, concat and array functions are not).
func strictNull(e logical.Expr, s logical.ColSet) bool {
	switch x := e.(type) {
	case *logical.ColRef:
		return s.Has(x.ID)
	case *logical.Binary:
		switch x.Op {
		case expr.OpAnd, expr.OpOr:
			// NULL AND FALSE is FALSE: NULL only if both sides are.
			return strictNull(x.L, s) && strictNull(x.R, s)
		case expr.OpIsDistinctFrom, expr.OpIsNotDistinctFrom:
			return false
		case expr.OpConcat:
			// array || NULL is the array; text || NULL is NULL.
			if x.T.Elem != nil {
				return false
			}
		}
		return strictNull(x.L, s) || strictNull(x.R, s)
	case *logical.Unary:
		switch x.Op {
		case logical.OpNot, logical.OpNegate:
			return strictNull(x.E, s)
		}
	case *logical.Cast:
		return strictNull(x.E, s)
	case *logical.InList:
		return strictNull(x.E, s)
	case *logical.Like:
		return strictNull(x.E, s) || strictNull(x.Pattern, s)
	}
	return false
}
