package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindLimit binds LIMIT / OFFSET / FETCH FIRST. As in PostgreSQL, each
// may be any expression that reads no column of the query, coerced to
// bigint as an assignment would (LIMIT 2.6 keeps 3 rows); NULL means no
// limit (no offset). A valid literal bound is the limit's now; any other (1+1, $1,
// random(), a scalar subquery) becomes the limit's Bounds plan, which the
// optimizer reduces to constants when it can and which otherwise runs once
// before the first row. local is the scope of the query's own columns:
// reading one fails with 42P10, reading an enclosing query's with 0A000.
func (b *binder) bindLimit(sel *pg_query.SelectStmt, local *scope) (*logical.Limit, error) {
	lim := &logical.Limit{Count: -1}
	clauses := [2]*pg_query.Node{sel.LimitCount, sel.LimitOffset}
	var bounds [2]logical.Expr
	static := true
	for i, n := range clauses {
		if n == nil {
			bounds[i] = &logical.Const{T: sqltypes.TypeInt8}
			continue
		}
		e, err := b.bindLimitExpr(n, limitClause(i), local)
		if err != nil {
			return nil, err
		}
		bounds[i] = e
		c, ok := e.(*logical.Const)
		if !ok {
			static = false
			continue
		}
		if ops.CheckLimitBound(c.V, i == 1) != nil {
			// PostgreSQL checks the bounds when the query runs (no
			// position, at Execute): the Bounds plan then fails
			// (rules.ResolveLimits).
			static = false
		}
	}
	if static {
		if v := bounds[0].(*logical.Const).V; v != nil {
			lim.Count = v.(int64)
		}
		if v := bounds[1].(*logical.Const).V; v != nil {
			lim.Offset = v.(int64)
		}
		return lim, nil
	}
	// The bounds are a one-row SELECT of their own: scalar subqueries in
	// them become joins to that row, run once.
	node, exprs, err := b.joinSubqueries(&logical.Values{Rows: [][]logical.Expr{{}}}, bounds[:])
	if err != nil {
		return nil, err
	}
	p := &logical.Project{Input: node, Exprs: exprs}
	for i := range exprs {
		p.Cols = append(p.Cols, b.meta.NewColumn(limitClause(i), "", sqltypes.TypeInt8))
	}
	lim.Bounds = p
	return lim, nil
}

func limitClause(i int) string {
	if i == 0 {
		return "LIMIT"
	}
	return "OFFSET"
}

// bindLimitExpr binds one bound and coerces it to bigint.
func (b *binder) bindLimitExpr(n *pg_query.Node, clause string, local *scope) (logical.Expr, error) {
	defer b.bindingIn(clause)()
	savedWin := b.win
	b.win = nil // no window functions in LIMIT or OFFSET
	e, err := b.bindExpr(n, local, nil)
	b.win = savedWin
	if err != nil {
		return nil, err
	}
	if err := checkNoVars(e, n, local, clause, "Compute the bound in a scalar subquery that reads no outer column, or filter on row_number() instead."); err != nil {
		return nil, err
	}
	switch t := e.Type(); {
	case t.Kind == sqltypes.Unknown, t.IsInteger(), t.Kind == sqltypes.Numeric, t.Kind == sqltypes.Float4, t.Kind == sqltypes.Float8:
	default:
		return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "argument of %s must be type bigint, not type %s", clause, t), location(n))
	}
	return b.coerce(e, sqltypes.TypeInt8)
}

// checkNoVars refuses a bound (clause LIMIT, OFFSET, window ROWS …) that
// reads a column: one of the query's own (local) is PostgreSQL's 42P10,
// one of an enclosing query's 0A000, as the bound is computed once for
// the whole query.
func checkNoVars(e logical.Expr, n *pg_query.Node, local *scope, clause, hint string) error {
	reads := exprReads(e)
	for sc := local; sc != nil; sc = sc.parent {
		for _, c := range sc.cols {
			if !reads.Has(c.id) {
				continue
			}
			if sc == local {
				return errAt(sqltypes.New("42P10", "argument of %s must not contain variables", clause), location(n))
			}
			return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s reading a column of an enclosing query is not supported", clause).
				WithHint("%s", hint), location(n))
		}
	}
	return nil
}

// exprReads returns the columns e reads, including those read anywhere
// inside its subqueries: column IDs are unique to the query, so the ones
// of a scope's tables tell whether e reads that scope.
func exprReads(e logical.Expr) logical.ColSet {
	reads := logical.ColumnsOf(e)
	logical.Walk(e, func(x logical.Expr) bool {
		if sq, ok := x.(*logical.Subquery); ok {
			reads.AddSet(columnsRead(sq.Plan))
		}
		return true
	})
	return reads
}
