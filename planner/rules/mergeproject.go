package rules

import "github.com/meshql/meshql/planner/logical"

// MergeProjects folds a projection into the projection it reads when one
// of the two only picks or renames columns (its expressions are column
// references and constants), so that each operator of the plan computes
// something: a reference to a WITH query in a UNION ALL branch stacked
// three identical projections (the reference's columns, the branch's
// select list, the union's column list) over the shared read.
//
// The outputs keep their column ids and types, and no expression is
// evaluated more often, or under other conditions, than before: a picking
// projection takes the expressions below it as they are, each at most once
// unless it is itself a column or a constant; a projection over a renaming
// one has its column references renamed.
func MergeProjects(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		top, ok := n.(*logical.Project)
		if !ok {
			return n, nil
		}
		for {
			below, ok := top.Input.(*logical.Project)
			if !ok {
				return top, nil
			}
			merged, ok := mergeProjects(top, below)
			if !ok {
				return top, nil
			}
			top = merged
		}
	})
}

// mergeProjects is top over below as one projection over below's input,
// when one of them only picks or renames columns (see MergeProjects).
func mergeProjects(top, below *logical.Project) (*logical.Project, bool) {
	byID := make(map[logical.ColumnID]logical.Expr, len(below.Cols))
	for i, id := range below.Cols {
		byID[id] = below.Exprs[i]
	}
	// inline is below's expression for a reference to its column id, when
	// it has the reference's type; other references (to an enclosing
	// query's columns) stay as they are.
	ok := true
	inline := func(e logical.Expr) logical.Expr {
		r, isRef := e.(*logical.ColRef)
		if !isRef {
			return e
		}
		b, found := byID[r.ID]
		if !found {
			return e
		}
		if !b.Type().Equal(r.T) {
			ok = false
			return e
		}
		return b
	}
	exprs := make([]logical.Expr, len(top.Exprs))
	switch {
	case picksOnly(top.Exprs):
		uses := map[logical.ColumnID]int{}
		for _, e := range top.Exprs {
			if r, isRef := e.(*logical.ColRef); isRef {
				uses[r.ID]++
			}
		}
		for i, e := range top.Exprs {
			exprs[i] = inline(e)
			if r, isRef := e.(*logical.ColRef); isRef && uses[r.ID] > 1 && !picksOnly([]logical.Expr{exprs[i]}) {
				return nil, false // would compute it twice
			}
		}
	case picksOnly(below.Exprs):
		for i, e := range top.Exprs {
			exprs[i] = logical.Rewrite(e, inline)
		}
	default:
		return nil, false
	}
	if !ok {
		return nil, false
	}
	return &logical.Project{Input: below.Input, Exprs: exprs, Cols: top.Cols}, true
}

// picksOnly reports whether every expression is a column reference or a
// constant.
func picksOnly(es []logical.Expr) bool {
	for _, e := range es {
		switch e.(type) {
		case *logical.ColRef, *logical.Const:
		default:
			return false
		}
	}
	return true
}
