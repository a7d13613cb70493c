package logical

import "slices"

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
					if c := x.Product.Column(s.Field(j).Name); c != nil && (slices.Contains(c.Constraints, "not_null") || slices.Contains(c.Constraints, "primary_key")) {
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
			if a.Func == "count_star" || a.Func == "count" {
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
// which pred is TRUE: the columns (or casts of them) compared by one of
// its conjuncts, or tested by IS NOT NULL.
func nullRejected(pred Expr) ColSet {
	out := ColSet{}
	add := func(e Expr) {
		for {
			c, ok := e.(*Cast)
			if !ok {
				break
			}
			e = c.E
		}
		if c, ok := e.(*ColRef); ok {
			out.Add(c.ID)
		}
	}
	for _, c := range Conjuncts(pred) {
		switch x := c.(type) {
		case *Binary:
			if x.Op.IsComparison() {
				add(x.L)
				add(x.R)
			}
		case *Unary:
			if x.Op == OpIsNotNull {
				add(x.E)
			}
		case *Like:
			add(x.E)
			add(x.Pattern)
		}
	}
	return out
}
