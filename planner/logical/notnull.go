package logical

import "github.com/meshql/meshql/executor/expr"

// NotNull returns the output columns of n that are never NULL: product
// columns declared not_null (or primary_key) in the catalog, columns a
// filter, a scan filter or an inner join condition compares (a NULL there
// fails it), count() results, and what projections, sorts, limits and the
// preserved side of joins pass on. It is conservative: a column not in
// the set may still hold no NULLs. The declared constraints are the data
// products' contracts, which `meshql check` verifies against the data.
func NotNull(n Node) ColSet {
	out := ColSet{}
	switch x := n.(type) {
	case *Scan:
		if x.Product != nil && x.Table != nil {
			s := x.Table.Schema()
			for i, id := range x.Cols {
				if j := x.SourceIdx[i]; j >= 0 && j < s.NumFields() {
					if c := x.Product.Column(s.Field(j).Name); c != nil && c.NotNull() {
						out.Add(id)
					}
				}
			}
		}
		for _, f := range x.Filters {
			out.AddSet(nullRejected(f))
		}
	case *Filter:
		out = NotNull(x.Input)
		out.AddSet(nullRejected(x.Pred))
	case *Project:
		in := NotNull(x.Input)
		for i, e := range x.Exprs {
			if ExprNotNull(e, in) {
				out.Add(x.Cols[i])
			}
		}
	case *Sort:
		return NotNull(x.Input)
	case *Limit:
		return NotNull(x.Input)
	case *Shared:
		return NotNull(x.Input)
	case *Window:
		return NotNull(x.Input)
	case *Unnest:
		return NotNull(x.Input)
	case *Aggregate:
		in := NotNull(x.Input)
		for i, g := range x.Groups {
			if ExprNotNull(g, in) {
				out.Add(x.GroupCols[i])
			}
		}
		for i, a := range x.Aggs {
			if a.Func == "count_star" || a.Func == "count" || a.Func == "regr_count" {
				out.Add(x.AggCols[i])
			}
		}
	case *Join:
		switch x.Type {
		case InnerJoin:
			out = NotNull(x.Left)
			out.AddSet(NotNull(x.Right))
			if x.Cond != nil {
				out.AddSet(nullRejected(x.Cond))
			}
		case LeftJoin, SemiJoin, AntiJoin, MarkJoin, SingleJoin:
			out = NotNull(x.Left)
		case RightJoin:
			out = NotNull(x.Right)
		}
	case *Values:
		for i, id := range x.Cols {
			all := true
			for _, r := range x.Rows {
				all = all && ExprNotNull(r[i], nil)
			}
			if all {
				out.Add(id)
			}
		}
	}
	return out
}

// ExprNotNull reports whether e is never NULL over rows whose columns
// notNull are never NULL: such a column, a non-NULL constant, or a cast
// of one of them.
func ExprNotNull(e Expr, notNull ColSet) bool {
	switch x := e.(type) {
	case *ColRef:
		return notNull.Has(x.ID)
	case *Const:
		return x.V != nil
	case *Cast:
		return ExprNotNull(x.E, notNull)
	}
	return false
}

// nullRejected returns the columns that are not NULL in every row for
// which pred is TRUE: those whose NULL alone makes it FALSE or NULL.
func nullRejected(pred Expr) ColSet {
	out := ColSet{}
	for id := range ColumnsOf(pred) {
		if NullRejecting(pred, ColSet{id: {}}) {
			out.Add(id)
		}
	}
	return out
}

// NullRejecting reports whether p is FALSE or NULL on every row whose
// columns in s are all NULL.
func NullRejecting(p Expr, s ColSet) bool {
	switch x := p.(type) {
	case *Binary:
		switch x.Op {
		case expr.OpAnd:
			return NullRejecting(x.L, s) || NullRejecting(x.R, s)
		case expr.OpOr:
			return NullRejecting(x.L, s) && NullRejecting(x.R, s)
		}
	case *Unary:
		switch x.Op {
		case OpIsNotNull, OpIsFalse, OpNot:
			return strictNull(x.E, s)
		case OpIsTrue:
			return NullRejecting(x.E, s)
		}
	}
	return strictNull(p, s)
}

// strictNull reports whether e is NULL whenever the columns in s are all
// NULL. It knows operators, casts, IN and LIKE; a function call counts as
// not strict (COALESCE, concat and array functions are not).
func strictNull(e Expr, s ColSet) bool {
	switch x := e.(type) {
	case *ColRef:
		return s.Has(x.ID)
	case *Binary:
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
	case *Unary:
		switch x.Op {
		case OpNot, OpNegate:
			return strictNull(x.E, s)
		}
	case *Cast:
		return strictNull(x.E, s)
	case *InList:
		return strictNull(x.E, s)
	case *Like:
		return strictNull(x.E, s) || strictNull(x.Pattern, s)
	}
	return false
}
