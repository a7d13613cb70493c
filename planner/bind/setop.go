package bind

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

var setOpKinds = map[pg_query.SetOperation]logical.SetOpKind{
	pg_query.SetOperation_SETOP_UNION:     logical.Union,
	pg_query.SetOperation_SETOP_INTERSECT: logical.Intersect,
	pg_query.SetOperation_SETOP_EXCEPT:    logical.Except,
}

// bindSetOp binds UNION / INTERSECT / EXCEPT [ALL]: both sides must have
// the same number of columns, each pair is coerced to its common type, and
// the names come from the left side. ORDER BY and LIMIT apply to the
// combined result and may name its columns or their ordinals.
func (b *binder) bindSetOp(sel *pg_query.SelectStmt, outer *scope) (*relation, error) {
	l, err := b.bindSelect(sel.Larg, outer)
	if err != nil {
		return nil, err
	}
	r, err := b.bindSelect(sel.Rarg, outer)
	if err != nil {
		return nil, err
	}
	name := setOpName(sel)
	if len(l.cols) != len(r.cols) {
		return nil, sqltypes.New(sqltypes.CodeSyntaxError, "each %s query must have the same number of columns", name)
	}
	for i := range l.cols {
		// Distinct record values would compare as their text.
		if !sel.All && (hasRecord(l.cols[i].t) || hasRecord(r.cols[i].t)) {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s of record values is not supported", name).WithHint("Use %s ALL.", name)
		}
	}
	lnode, rnode := l.node, r.node
	var lcast, rcast []logical.Expr
	op := &logical.SetOp{Kind: setOpKinds[sel.Op], All: sel.All}
	var cols []outCol
	for i := range l.cols {
		lc, rc := l.cols[i], r.cols[i]
		le, re := setOpInput(lc), setOpInput(rc)
		t, ok := selectCommonType(le.Type(), re.Type())
		if err := mixedArrayDims(lc.t, rc.t); err != nil {
			return nil, err
		}
		if !ok {
			return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", name, le.Type(), re.Type()), rc.at-1)
		}
		if t.Kind == sqltypes.Unknown {
			t = sqltypes.TypeText
		}
		if !sel.All {
			// Removing duplicates needs the equality json lacks.
			if err := distinctable(t, 0); err != nil {
				return nil, err
			}
		}
		untyped := le.Type().Kind == sqltypes.Unknown || re.Type().Kind == sqltypes.Unknown
		if untyped {
			// An untyped literal is not cut to the other input's length
			// or precision: SELECT 'abcd' UNION SELECT varchar(3) keeps
			// 'abcd', as in PostgreSQL.
			t = untypedAs(t)
		}
		if t.Kind == sqltypes.Numeric && !untyped {
			t = widerNumeric(numericOf(lc.t), numericOf(rc.t))
		}
		if le, err = b.coerce(le, t); err != nil {
			return nil, errAt(sqltypes.AsError(err), lc.at-1)
		}
		if re, err = b.coerce(re, t); err != nil {
			return nil, errAt(sqltypes.AsError(err), rc.at-1)
		}
		if t.Kind == sqltypes.Numeric && untyped {
			// The literal read at its own scale; the column holds both.
			t = widerNumeric(numericOf(le.Type()), numericOf(re.Type()))
		}
		// Decimals of different scales need a real cast to one column type.
		if !le.Type().Equal(t) {
			le = &logical.Cast{E: le, T: t}
		}
		if !re.Type().Equal(t) {
			re = &logical.Cast{E: re, T: t}
		}
		lcast, rcast = append(lcast, le), append(rcast, re)
		id := b.meta.NewColumn(lc.name, "", t)
		op.Cols = append(op.Cols, id)
		cols = append(cols, outCol{name: lc.name, id: id, t: t, at: lc.at})
	}
	op.Appends = op.Kind == logical.Union && op.All && sel.WithClause == nil && len(sel.SortClause) == 0 &&
		sel.LimitCount == nil && sel.LimitOffset == nil && appendsAs(lnode, l.cols, cols) && appendsAs(rnode, r.cols, cols)
	op.Left = &logical.Project{Input: lnode, Exprs: lcast, Cols: colIDs(b, lcast)}
	op.Right = &logical.Project{Input: rnode, Exprs: rcast, Cols: colIDs(b, rcast)}
	return b.orderAndLimit(sel, op, cols, outer, true)
}

// appendsAs reports whether a UNION ALL branch n with columns in is one
// PostgreSQL flattens into an append relation of the result out: a
// nested set operation must itself be such a UNION ALL, and each column
// must already be of the result's type but for its modifiers (an untyped
// literal is typed in place).
func appendsAs(n logical.Node, in, out []outCol) bool {
	if op, ok := n.(*logical.SetOp); ok && !op.Appends {
		return false
	}
	for i, c := range in {
		if c.untyped == nil && !sameBaseType(c.t, out[i].t) {
			return false
		}
	}
	return true
}

// setOpInput is an input column of a set operation: an untyped literal
// of the input's select list is the literal itself, typed with the other
// input's column (SELECT 1 UNION SELECT NULL is integer).
func setOpInput(c outCol) logical.Expr {
	if c.untyped != nil {
		return c.untyped
	}
	return &logical.ColRef{ID: c.id, Name: c.name, T: c.t}
}

// orderAndLimit applies a set operation's or VALUES' own ORDER BY and
// LIMIT, which see only the output columns (by name or ordinal). A set
// operation's keys are its columns themselves, not expressions over
// them (nor a column COLLATE a collation), as PostgreSQL requires.
func (b *binder) orderAndLimit(sel *pg_query.SelectStmt, node logical.Node, cols []outCol, outer *scope, setOp bool) (*relation, error) {
	var keys []logical.SortKey
	if len(sel.SortClause) > 0 {
		sc := &scope{parent: outer}
		targets := make([]target, len(cols))
		for i, c := range cols {
			sc.add(scopeCol{name: c.name, id: c.id, t: c.t})
			targets[i] = target{name: c.name, expr: &logical.ColRef{ID: c.id, Name: c.name, T: c.t}}
		}
		for _, sn := range sel.SortClause {
			sb := sn.GetSortBy()
			var e logical.Expr
			if idx, ok, err := ordinalOrAlias(sb.Node, targets, sc, "ORDER BY", sameTargets(targets)); err != nil {
				return nil, err
			} else if ok {
				e = targets[idx].expr
			} else if e, err = b.bindExpr(sb.Node, sc, nil); err != nil {
				return nil, err
			} else if setOp && (!isOutputCol(e, cols) || sb.Node.GetCollateClause() != nil) {
				return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause").
					WithDetail("Only result column names can be used, not expressions or functions.").
					WithHint("Add the expression/function to every SELECT, or move the UNION into a FROM clause."), location(sb.Node))
			}
			desc, nf, err := sortDirection(sb)
			if err != nil {
				return nil, err
			}
			keys = append(keys, logical.SortKey{Expr: e, Desc: desc, NullsFirst: nf})
		}
		node = &logical.Sort{Input: node, Keys: keys}
	}
	if sel.LimitCount != nil || sel.LimitOffset != nil {
		lim, err := b.bindLimit(sel, &scope{parent: outer})
		if err != nil {
			return nil, err
		}
		var extra bool
		if node, extra, err = b.applyLimit(sel, node, keys, lim); err != nil {
			return nil, err
		}
		if extra {
			final := &logical.Project{Input: node}
			for _, c := range cols {
				final.Exprs = append(final.Exprs, &logical.ColRef{ID: c.id, Name: c.name, T: c.t})
				final.Cols = append(final.Cols, c.id)
			}
			node = final
		}
	}
	return &relation{node: node, cols: cols}, nil
}

// isOutputCol reports whether e is one of cols.
func isOutputCol(e logical.Expr, cols []outCol) bool {
	ref, ok := e.(*logical.ColRef)
	return ok && slices.ContainsFunc(cols, func(c outCol) bool { return c.id == ref.ID })
}

func numericOf(t sqltypes.Type) sqltypes.Type {
	if t.Kind == sqltypes.Numeric {
		return t
	}
	return sqltypes.NumericType(0, 0)
}

func colIDs(b *binder, exprs []logical.Expr) []logical.ColumnID {
	ids := make([]logical.ColumnID, len(exprs))
	for i, e := range exprs {
		ids[i] = b.projectColumn(e, e.String())
	}
	return ids
}
