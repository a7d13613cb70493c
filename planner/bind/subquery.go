package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindSubLink binds a subquery expression. The subquery's own scope has
// sc as parent, so it may reference the enclosing query's columns
// (correlation); it becomes a join when the enclosing clause is planned.
func (b *binder) bindSubLink(sl *pg_query.SubLink, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(sl.Location)
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "this subquery form is not supported"), loc)
	}
	q, err := b.bindSelect(sel, sc)
	if err != nil {
		return nil, err
	}
	sq := &logical.Subquery{Plan: q.node}
	switch sl.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		sq.Kind, sq.T = logical.SubqueryExists, sqltypes.TypeBool
		return sq, nil
	case pg_query.SubLinkType_EXPR_SUBLINK:
		if len(q.cols) != 1 {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "subquery must return only one column"), loc)
		}
		sq.Kind, sq.Out, sq.T = logical.SubqueryScalar, q.cols[0].id, q.cols[0].t
		if sq.T.Kind == sqltypes.Unknown {
			sq.T = sqltypes.TypeText
		}
		return sq, nil
	case pg_query.SubLinkType_ANY_SUBLINK, pg_query.SubLinkType_ALL_SUBLINK:
		if len(q.cols) != 1 {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "subquery has too many columns"), loc)
		}
		lhs, err := b.bindExpr(sl.Testexpr, sc, agg)
		if err != nil {
			return nil, err
		}
		name := "="
		if len(sl.OperName) > 0 {
			name = opName(sl.OperName)
		}
		op, ok := binaryOps[name]
		if !ok || !op.IsComparison() {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "operator %s with ANY/ALL (subquery) is not supported", name), loc)
		}
		out := &logical.ColRef{ID: q.cols[0].id, Name: q.cols[0].name, T: q.cols[0].t}
		cmp, err := b.bindOperator(op, name, lhs, out, loc)
		if err != nil {
			return nil, err
		}
		bin := cmp.(*logical.Binary)
		sq.LHS, sq.Op, sq.T = bin.L, op, sqltypes.TypeBool
		// The comparison may have cast the subquery's column: expose the
		// cast value as the subquery's output.
		if r, isCol := bin.R.(*logical.ColRef); isCol && r.ID == out.ID {
			sq.Out = out.ID
		} else {
			id := b.meta.NewColumn(q.cols[0].name, "", bin.R.Type())
			sq.Plan = &logical.Project{Input: q.node, Exprs: []logical.Expr{bin.R}, Cols: []logical.ColumnID{id}}
			sq.Out = id
		}
		sq.Kind = logical.SubqueryAny
		if sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK {
			sq.Kind = logical.SubqueryAll
		}
		return sq, nil
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "this subquery form is not supported yet"), loc)
}

// filterWithSubqueries applies a WHERE/HAVING predicate to node. Top-level
// EXISTS, NOT EXISTS and IN (subquery) conjuncts become semi and anti
// joins; other subqueries become mark or single joins whose output
// column replaces them.
func (b *binder) filterWithSubqueries(node logical.Node, pred logical.Expr) (logical.Node, error) {
	var rest []logical.Expr
	for _, c := range logical.Conjuncts(pred) {
		sq, negated := asSubquery(c)
		if sq == nil || (sq.Kind != logical.SubqueryExists && !(sq.Kind == logical.SubqueryAny && !negated)) {
			rest = append(rest, c)
			continue
		}
		plan, corr, err := b.decorrelate(sq.Plan, sq.Kind == logical.SubqueryScalar)
		if err != nil {
			return nil, err
		}
		if len(corr) > 0 && len(countColumns(plan)) > 0 {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "EXISTS/IN over a correlated subquery computing count() is not supported yet")
		}
		cond := corr
		if sq.Kind == logical.SubqueryAny {
			cond = append(cond, &logical.Binary{Op: sq.Op, L: sq.LHS, R: b.colRef(sq.Out), T: sqltypes.TypeBool})
		}
		jt := logical.SemiJoin
		if negated {
			jt = logical.AntiJoin
		}
		node = &logical.Join{Type: jt, Left: node, Right: plan, Cond: logical.And(cond)}
	}
	if len(rest) == 0 {
		return node, nil
	}
	node, exprs, err := b.joinSubqueries(node, []logical.Expr{logical.And(rest)})
	if err != nil {
		return nil, err
	}
	return &logical.Filter{Input: node, Pred: exprs[0]}, nil
}

// asSubquery recognizes `EXISTS (q)`, `x IN (q)` and their negations.
func asSubquery(e logical.Expr) (*logical.Subquery, bool) {
	if u, ok := e.(*logical.Unary); ok && u.Op == logical.OpNot {
		sq, _ := u.E.(*logical.Subquery)
		return sq, true
	}
	sq, _ := e.(*logical.Subquery)
	return sq, false
}

func (b *binder) colRef(id logical.ColumnID) *logical.ColRef {
	m := b.meta.Column(id)
	return &logical.ColRef{ID: id, Name: m.Name, T: m.Type}
}

// joinSubqueries replaces every subquery inside exprs by a column computed
// by a join below: scalar subqueries by a single join, [NOT] IN / ANY /
// ALL by a mark join.
func (b *binder) joinSubqueries(node logical.Node, exprs []logical.Expr) (logical.Node, []logical.Expr, error) {
	var err error
	out := make([]logical.Expr, len(exprs))
	for i, e := range exprs {
		out[i] = logical.Rewrite(e, func(x logical.Expr) logical.Expr {
			sq, ok := x.(*logical.Subquery)
			if !ok || err != nil {
				return x
			}
			var repl logical.Expr
			node, repl, err = b.joinSubquery(node, sq)
			if err != nil {
				return x
			}
			return repl
		})
	}
	return node, out, err
}

func (b *binder) joinSubquery(node logical.Node, sq *logical.Subquery) (logical.Node, logical.Expr, error) {
	plan, corr, err := b.decorrelate(sq.Plan, sq.Kind == logical.SubqueryScalar)
	if err != nil {
		return nil, nil, err
	}
	counts := logical.ColSet{}
	if len(corr) > 0 {
		counts = countColumns(plan)
	}
	switch sq.Kind {
	case logical.SubqueryScalar:
		j := &logical.Join{Type: logical.SingleJoin, Left: node, Right: plan, Cond: logical.And(corr)}
		out := b.colRef(sq.Out)
		switch {
		case counts.Has(sq.Out):
			// An outer row without matches has no group: its count is 0.
			zero := &logical.Const{T: out.T, V: int64(0)}
			return j, &logical.Func{Name: "coalesce", Args: []logical.Expr{out, zero}, T: out.T}, nil
		case len(counts) > 0:
			return nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a correlated scalar subquery must return count() itself, not an expression over it")
		}
		return j, out, nil
	case logical.SubqueryAny, logical.SubqueryAll:
		if len(corr) > 0 || len(counts) > 0 {
			return nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a correlated IN/ANY/ALL subquery is only supported as a WHERE condition")
		}
		op := sq.Op
		if sq.Kind == logical.SubqueryAll {
			op = negateComparison(op) // x op ALL(q) = NOT (x negop ANY(q))
		}
		mark := b.meta.NewColumn("mark", "", sqltypes.TypeBool)
		cond := &logical.Binary{Op: op, L: sq.LHS, R: b.colRef(sq.Out), T: sqltypes.TypeBool}
		j := &logical.Join{Type: logical.MarkJoin, Left: node, Right: plan, Cond: cond, Mark: mark}
		var res logical.Expr = b.colRef(mark)
		if sq.Kind == logical.SubqueryAll {
			res = &logical.Unary{Op: logical.OpNot, E: res, T: sqltypes.TypeBool}
		}
		return j, res, nil
	}
	return nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "EXISTS is only supported as a WHERE condition (AND-ed, possibly negated)")
}

func negateComparison(op expr.BinaryOp) expr.BinaryOp {
	switch op {
	case expr.OpEq:
		return expr.OpNe
	case expr.OpNe:
		return expr.OpEq
	case expr.OpLt:
		return expr.OpGe
	case expr.OpLe:
		return expr.OpGt
	case expr.OpGt:
		return expr.OpLe
	}
	return expr.OpLt // >=
}
