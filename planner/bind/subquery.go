package bind

import (
	"reflect"
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
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
		if isScalarAggregate(q.node) {
			// An aggregate without GROUP BY or HAVING yields one row
			// whatever its input: the EXISTS holds for every outer row.
			return &logical.Const{T: sqltypes.TypeBool, V: true}, nil
		}
		if having, ok := scalarHaving(q.node); ok && readsOuter(q.node, definedIDs(q.node)) {
			return b.existsAsHaving(having), nil
		}
		sq.Kind, sq.T = logical.SubqueryExists, sqltypes.TypeBool
		if !readsOuter(q.node, definedIDs(q.node)) {
			// Whether a row exists is decided by the first: an
			// uncorrelated subquery is read no further (PostgreSQL's
			// InitPlan), and its join has one row to match.
			sq.Plan = &logical.Limit{Input: q.node, Count: 1}
		}
		return sq, nil
	case pg_query.SubLinkType_ARRAY_SUBLINK:
		if len(q.cols) != 1 {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "subquery must return only one column"), loc)
		}
		return b.arraySubquery(q), nil
	case pg_query.SubLinkType_EXPR_SUBLINK:
		if len(q.cols) != 1 {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "subquery must return only one column"), loc)
		}
		sq.Kind, sq.Out, sq.T = logical.SubqueryScalar, q.cols[0].id, q.cols[0].t
		if sq.T.Kind == sqltypes.Unknown {
			sq.T = sqltypes.TypeText
		}
		if c, ok := b.havingAsCase(sq); ok {
			return c, nil
		}
		return sq, nil
	case pg_query.SubLinkType_ANY_SUBLINK, pg_query.SubLinkType_ALL_SUBLINK:
		name := "="
		if len(sl.OperName) > 0 {
			name = opName(sl.OperName)
		}
		all := sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK
		var cmp logical.Expr
		if op, ok := binaryOps[name]; ok && op.IsComparison() {
			cmp, err = b.bindSubqueryComparison(sl.Testexpr, q.cols, op, name, all, sc, agg, loc)
		} else if len(q.cols) != 1 {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "subquery has too many columns"), loc)
		} else {
			out := &logical.ColRef{ID: q.cols[0].id, Name: q.cols[0].name, T: q.cols[0].t}
			cmp, err = b.subqueryOperator(sl.Testexpr, out, name, all, sc, agg, loc)
		}
		if err != nil {
			return nil, err
		}
		sq.Kind, sq.Cmp, sq.T = logical.SubqueryAny, cmp, sqltypes.TypeBool
		if all {
			sq.Kind = logical.SubqueryAll
		}
		return sq, nil
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "this subquery form is not supported yet"), loc)
}

// filterWithSubqueries applies a WHERE/HAVING predicate to node. Top-level
// EXISTS, NOT EXISTS and IN (subquery) conjuncts become semi and anti
// joins, and so do NOT IN and op ALL (subquery) over columns that are
// never NULL (notInAsAnti); other subqueries become mark or single joins
// whose output column replaces them.
func (b *binder) filterWithSubqueries(node logical.Node, pred logical.Expr) (logical.Node, error) {
	var rest []logical.Expr
	var done map[logical.Node]decorrelation // of the subqueries in rest, by their plans
	for _, c := range logical.Conjuncts(pred) {
		sq, negated := asSubquery(c)
		if sq == nil {
			rest = append(rest, c)
			continue
		}
		in := sq.Kind == logical.SubqueryAny && !negated
		notIn := sq.Kind == logical.SubqueryAny && negated || sq.Kind == logical.SubqueryAll && !negated
		// A subquery inside the compared expression ((SELECT …) IN (SELECT
		// …)) is joined in by joinSubqueries, which the mark join takes.
		if sq.Kind != logical.SubqueryExists && !in && !notIn || sq.Cmp != nil && hasSubquery(sq.Cmp) {
			rest = append(rest, c)
			continue
		}
		plan, corr, err := b.decorrelate(sq.Plan)
		// A correlated aggregate without GROUP BY has a row (of NULLs) for
		// an outer row without matches, which the decorrelated plan has not.
		byExtreme := err == nil && b.extremeApplies(plan, corr, sq)
		if notIn && (err != nil || len(corr) > 0 && isScalarAggregate(sq.Plan) || !notInAsAnti(node, plan, sq.Cmp)) || byExtreme {
			// A mark join keeps the NULLs' three values; it joins the
			// plan just decorrelated. An x < ANY (q) is compared with
			// q's greatest value instead (per correlation key when
			// correlated: anyByExtreme), not with each row of q by a
			// semi join.
			if done == nil {
				done = map[logical.Node]decorrelation{}
			}
			done[sq.Plan] = decorrelation{plan: plan, corr: corr, err: err}
			rest = append(rest, c)
			continue
		}
		if err != nil {
			if sq.Kind == logical.SubqueryExists {
				if cmp, ok := b.existsOverCorrelatedAnti(sq, negated); ok {
					rest = append(rest, cmp)
					continue
				}
			}
			// Evaluated per outer row by joinDecorrelated, or its error
			// stands.
			if done == nil {
				done = map[logical.Node]decorrelation{}
			}
			done[sq.Plan] = decorrelation{plan: plan, corr: corr, err: err}
			rest = append(rest, c)
			continue
		}
		if len(corr) > 0 && len(regroupedCounts(sq.Plan, plan)) > 0 {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "EXISTS/IN over a correlated subquery computing count() is not supported yet")
		}
		cond := corr
		if sq.Kind != logical.SubqueryExists {
			cond = append(cond, sq.Cmp)
		}
		jt := logical.SemiJoin
		if negated || notIn {
			jt = logical.AntiJoin
		}
		node = &logical.Join{Type: jt, Left: node, Right: plan, Cond: logical.And(cond)}
	}
	if len(rest) == 0 {
		return node, nil
	}
	node, rest = filterBeforeSubqueries(node, rest)
	if len(rest) == 0 {
		return node, nil
	}
	node, exprs, err := b.joinSubqueriesWith(node, []logical.Expr{logical.And(rest)}, done)
	if err != nil {
		return nil, err
	}
	return &logical.Filter{Input: node, Pred: exprs[0]}, nil
}

// filterBeforeSubqueries applies the conjuncts of preds without a
// subquery that read only node's columns to node, and returns the rest.
// A subquery evaluated per outer row numbers those rows (scalarPerOuterRow),
// sometimes in a shared plan no later filter moves into: numbering the
// rows the WHERE drops anyway can cost more memory than the query has
// (a LEFT JOIN's whole output where the WHERE keeps a few of its rows).
// A conjunct reading an enclosing query's row stays for its decorrelation.
func filterBeforeSubqueries(node logical.Node, preds []logical.Expr) (logical.Node, []logical.Expr) {
	own := logical.OutputSet(node)
	var early, rest []logical.Expr
	for _, c := range preds {
		if !hasSubquery(c) && logical.ColumnsOf(c).SubsetOf(own) {
			early = append(early, c)
		} else {
			rest = append(rest, c)
		}
	}
	if len(early) == 0 {
		return node, rest
	}
	return &logical.Filter{Input: node, Pred: logical.And(early)}, rest
}

// compareOneRow rewrites `x op ANY (q)` (or ALL), q a subquery of one
// column that yields exactly one row (an aggregate without GROUP BY), as
// `x op (q)`: ANY or ALL over one value is the comparison with it, NULLs
// included. ok is false for a row comparison.
func (b *binder) compareOneRow(sq *logical.Subquery) (logical.Expr, bool) {
	out := sq.Plan.Output()
	if len(out) != 1 || len(logical.Conjuncts(sq.Cmp)) != 1 {
		return nil, false
	}
	ref := b.colRef(out[0])
	scalar := &logical.Subquery{Kind: logical.SubqueryScalar, Plan: sq.Plan, Out: out[0], T: ref.T}
	e := logical.Rewrite(sq.Cmp, func(x logical.Expr) logical.Expr {
		if c, ok := x.(*logical.ColRef); ok && c.ID == out[0] {
			return scalar
		}
		return x
	})
	if sq.Kind == logical.SubqueryAll {
		e = &logical.Unary{Op: logical.OpNot, E: e, T: sqltypes.TypeBool} // bound as NOT (x negop ANY (q))
	}
	return e, true
}

// notInAsAnti reports whether `NOT (cmp ANY (plan))` over node's rows (NOT
// IN, or op ALL, whose cmp is the negated op) is `NOT EXISTS (plan WHERE
// cmp)`, an anti join: when neither side of any comparison is ever NULL,
// every comparison is TRUE or FALSE, so the three-valued NOT IN cannot
// be NULL. With a NULL on either side it can (x NOT IN (1, NULL) is NULL
// where NOT EXISTS is TRUE), and a mark join answers instead. Rows and
// arrays are left out: their comparison can be NULL by their elements.
func notInAsAnti(node, plan logical.Node, cmp logical.Expr) bool {
	left, right := logical.NotNull(node), logical.NotNull(plan)
	outer, inner := logical.OutputSet(node), logical.OutputSet(plan)
	scalar := func(e logical.Expr) bool {
		k := e.Type().Kind
		return k != sqltypes.Record && k != sqltypes.List
	}
	for _, c := range logical.Conjuncts(cmp) {
		x, ok := c.(*logical.Binary)
		if !ok || !x.Op.IsComparison() || !scalar(x.L) || !scalar(x.R) {
			return false
		}
		if !logical.ColumnsOf(x.L).SubsetOf(outer) || !logical.ColumnsOf(x.R).SubsetOf(inner) ||
			!logical.ExprNotNull(x.L, left) || !logical.ExprNotNull(x.R, right) {
			return false
		}
	}
	return true
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

// joinSlotSubqueries computes the subqueries in the expressions at slots
// (the inputs a node above input reads) by joins below it, and points each
// slot at the expression that reads their columns instead.
func (b *binder) joinSlotSubqueries(input logical.Node, slots []*logical.Expr) (logical.Node, error) {
	exprs := make([]logical.Expr, len(slots))
	for i, s := range slots {
		exprs[i] = *s
	}
	if !slices.ContainsFunc(exprs, hasSubquery) {
		return input, nil
	}
	// One expression in several slots (an aggregate's ORDER BY keys are
	// both the call's and the shared input order) is joined once: two
	// joins of one subquery plan would produce its columns twice.
	at := make([]int, len(exprs))
	var uniq []logical.Expr
	seen := map[uintptr]int{}
	for i, e := range exprs {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			if j, ok := seen[v.Pointer()]; ok {
				at[i] = j
				continue
			}
			seen[v.Pointer()] = len(uniq)
		}
		at[i] = len(uniq)
		uniq = append(uniq, e)
	}
	input, uniq, err := b.joinSubqueries(input, uniq)
	if err != nil {
		return nil, err
	}
	for i, s := range slots {
		*s = uniq[at[i]]
	}
	return input, nil
}

// joinSubqueries replaces every subquery inside exprs by a column computed
// by a join below: scalar subqueries by a single join, [NOT] IN / ANY /
// ALL by a mark join.
func (b *binder) joinSubqueries(node logical.Node, exprs []logical.Expr) (logical.Node, []logical.Expr, error) {
	return b.joinSubqueriesWith(node, exprs, nil)
}

// decorrelation is what decorrelate made of a subquery's plan, kept by a
// caller that decorrelated it to choose a join and then left the join to
// joinSubqueriesWith: a plan is rewritten once.
type decorrelation struct {
	plan logical.Node
	corr []logical.Expr
	err  error
}

// joinSubqueriesWith is joinSubqueries, where a subquery whose plan done
// holds joins that decorrelation.
func (b *binder) joinSubqueriesWith(node logical.Node, exprs []logical.Expr, done map[logical.Node]decorrelation) (logical.Node, []logical.Expr, error) {
	var err error
	out := make([]logical.Expr, len(exprs))
	for i, e := range exprs {
		out[i] = logical.Rewrite(e, func(x logical.Expr) logical.Expr {
			sq, ok := x.(*logical.Subquery)
			if !ok || err != nil {
				return x
			}
			var repl logical.Expr
			if d, ok := done[sq.Plan]; ok {
				delete(done, sq.Plan) // (a rewritten Subquery is a copy: its plan is the key)
				node, repl, err = b.joinDecorrelated(node, sq, d)
			} else {
				node, repl, err = b.joinSubquery(node, sq)
			}
			if err != nil {
				return x
			}
			return repl
		})
	}
	return node, out, err
}

// joinSubquery joins sq's plan, decorrelated, to node and returns the
// expression that stands for sq over the joined rows.
func (b *binder) joinSubquery(node logical.Node, sq *logical.Subquery) (logical.Node, logical.Expr, error) {
	node, repl, _, err := b.joinSubqueryRenamed(node, sq)
	return node, repl, err
}

// joinSubqueryRenamed is joinSubquery that also returns which of the
// subquery's columns now hold their values under new IDs (evaluated per
// outer row, where padding nulls them: keepOrPad): an expression lifted
// out of its select list reads them there.
func (b *binder) joinSubqueryRenamed(node logical.Node, sq *logical.Subquery) (logical.Node, logical.Expr, map[logical.ColumnID]logical.ColumnID, error) {
	if sq.Kind == logical.SubqueryScalar {
		if inner, marker, lifted, ok := b.liftOuterProjection(sq); ok {
			node, repl, renamed, err := b.joinSubqueryRenamed(node, &logical.Subquery{Kind: logical.SubqueryScalar, Plan: inner, Out: marker, T: sqltypes.TypeBool})
			if err != nil {
				return nil, nil, nil, err
			}
			lifted = renameCols(lifted, renamed)
			// No inner row: the subquery is NULL, whatever the outer values.
			return node, &logical.Case{Whens: []logical.When{{Cond: &logical.Unary{Op: logical.OpIsNotNull, E: repl, T: sqltypes.TypeBool}, Then: lifted}}, T: sq.T}, nil, nil
		}
	}
	if sq.Kind == logical.SubqueryScalar {
		if plan, ok := withoutOneRowLimit(sq.Plan); ok {
			c := *sq
			c.Plan = plan
			sq = &c
		}
	}
	plan, corr, err := b.decorrelate(sq.Plan)
	return b.joinDecorrelatedRenamed(node, sq, decorrelation{plan: plan, corr: corr, err: err})
}

// existsAsHaving is EXISTS over an aggregate without GROUP BY filtered by
// HAVING: its one row exists when the HAVING condition is TRUE, so the
// EXISTS is that condition computed by a scalar subquery (FALSE where it
// is NULL), which decorrelates as any correlated aggregate does.
func (b *binder) existsAsHaving(having *logical.Filter) logical.Expr {
	id := b.meta.NewColumn("having", "", sqltypes.TypeBool)
	cond := &logical.Subquery{
		Kind: logical.SubqueryScalar, T: sqltypes.TypeBool, Out: id,
		Plan: &logical.Project{Input: having.Input, Exprs: []logical.Expr{having.Pred}, Cols: []logical.ColumnID{id}},
	}
	return &logical.Func{Name: "coalesce", Args: []logical.Expr{cond, &logical.Const{T: sqltypes.TypeBool, V: false}}, T: sqltypes.TypeBool}
}

// havingAsCase moves the HAVING conjuncts of a scalar subquery over an
// aggregate without GROUP BY that read the outer query into its select
// list: (SELECT x ... HAVING p) is (SELECT CASE WHEN p THEN x END ...),
// one row holding x or NULL either way. Left a filter, a correlated
// conjunct was pulled up into the join condition, where a row it rejects
// read as an outer row without inner rows: count() 0 instead of NULL.
func (b *binder) havingAsCase(sq *logical.Subquery) (*logical.Subquery, bool) {
	top, ok := sq.Plan.(*logical.Project)
	if !ok {
		return nil, false
	}
	having, ok := top.Input.(*logical.Filter)
	if !ok || !isScalarAggregate(having.Input) {
		return nil, false
	}
	inner := definedIDs(having.Input)
	var local, outer []logical.Expr
	for _, c := range logical.Conjuncts(having.Pred) {
		if logical.ColumnsOf(c).SubsetOf(inner) && !hasSubquery(c) {
			local = append(local, c)
		} else {
			outer = append(outer, c)
		}
	}
	if len(outer) == 0 {
		return nil, false
	}
	var in logical.Node = having.Input
	if len(local) > 0 {
		in = &logical.Filter{Input: having.Input, Pred: logical.And(local)}
	}
	kept := logical.And(outer)
	c := *sq
	p := &logical.Project{Input: in}
	for i, e := range top.Exprs {
		// New columns: the select list's may be the aggregate's own.
		id := b.meta.NewColumn(b.meta.Column(top.Cols[i]).Name, "", e.Type())
		if top.Cols[i] == sq.Out {
			c.Out = id
		}
		p.Exprs = append(p.Exprs, &logical.Case{Whens: []logical.When{{Cond: kept, Then: e}}, Else: &logical.Const{T: e.Type()}, T: e.Type()})
		p.Cols = append(p.Cols, id)
	}
	c.Plan = p
	return &c, true
}

// joinDecorrelated is joinSubquery of sq, whose plan decorrelate made d
// of.
func (b *binder) joinDecorrelated(node logical.Node, sq *logical.Subquery, d decorrelation) (logical.Node, logical.Expr, error) {
	node, repl, _, err := b.joinDecorrelatedRenamed(node, sq, d)
	return node, repl, err
}

// joinDecorrelatedRenamed is joinDecorrelated, with the renaming of
// joinSubqueryRenamed.
func (b *binder) joinDecorrelatedRenamed(node logical.Node, sq *logical.Subquery, d decorrelation) (logical.Node, logical.Expr, map[logical.ColumnID]logical.ColumnID, error) {
	plan, corr, err := d.plan, d.corr, d.err
	if err != nil {
		if sq.Kind == logical.SubqueryExists {
			if cmp, ok := b.existsOverCorrelatedAnti(sq, false); ok {
				node, exprs, err := b.joinSubqueries(node, []logical.Expr{cmp})
				if err != nil {
					return nil, nil, nil, err
				}
				return node, exprs[0], nil, nil
			}
		}
		if sq.Kind == logical.SubqueryScalar {
			if plan, ok := withoutLargeLimit(sq.Plan); ok {
				// LIMIT n > 1 cannot make a subquery of several rows one
				// of at most one: the single join's 21000 stands as is.
				c := *sq
				c.Plan = plan
				return b.joinSubqueryRenamed(node, &c)
			}
			out, res, renamed, ok, rerr := b.scalarPerOuterRow(node, sq)
			if rerr != nil {
				return nil, nil, nil, rerr
			}
			if ok {
				return out, b.colRef(res), renamed, nil
			}
			if out, res, renamed, ok := b.scalarPadded(node, sq); ok {
				return out, b.colRef(res), renamed, nil
			}
		} else {
			out, res, ok, rerr := b.predicatePerOuterRow(node, sq)
			if rerr != nil {
				return nil, nil, nil, rerr
			}
			if ok {
				return out, res, nil, nil
			}
		}
		return nil, nil, nil, err
	}
	counts := logical.ColSet{}
	if len(corr) > 0 {
		counts = countColumns(plan)
	}
	switch sq.Kind {
	case logical.SubqueryScalar:
		if len(corr) == 0 && !atMostOneRow(plan) {
			node, res := b.lazyOneRow(node, plan, sq.Out)
			return node, res, nil, nil
		}
		j := &logical.Join{Type: logical.SingleJoin, Left: node, Right: plan, Cond: logical.And(corr)}
		out := b.colRef(sq.Out)
		switch {
		case len(corr) == 0 || !isScalarAggregate(sq.Plan) && !havingOverScalarAggregate(sq.Plan):
			// Uncorrelated, it runs once; with a GROUP BY, no inner rows
			// means no row, which is NULL.
			return j, out, nil, nil
		case directOutput(plan, sq.Out):
			if counts.Has(sq.Out) {
				// An outer row without matches has no group: its count is 0.
				zero := &logical.Const{T: out.T, V: int64(0)}
				return j, &logical.Func{Name: "coalesce", Args: []logical.Expr{out, zero}, T: out.T}, nil, nil
			}
			// Any other aggregate of no rows is NULL, as the join gives.
			return j, out, nil, nil
		}
		// An expression over aggregates (COALESCE(sum(x), 0), count(*) -
		// count(x)) or a HAVING: its value for the empty input.
		if node, res, ok := b.singleJoinEmptyGroup(node, plan, corr, sq.Out); ok {
			return node, res, nil, nil
		}
		if len(counts) == 0 {
			return j, out, nil, nil
		}
		return nil, nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a correlated scalar subquery computing count() under a sort, limit or window is not supported")
	case logical.SubqueryExists:
		if len(corr) > 0 && len(regroupedCounts(sq.Plan, plan)) > 0 {
			return nil, nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "EXISTS over a correlated subquery computing count() is not supported yet")
		}
		node, mark := b.existsMark(node, plan, corr)
		return node, mark, nil, nil
	case logical.SubqueryAny, logical.SubqueryAll:
		if len(corr) > 0 && !isScalarAggregate(sq.Plan) && len(regroupedCounts(sq.Plan, plan)) > 0 {
			return nil, nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "IN/ANY/ALL over a correlated subquery computing count() is not supported yet")
		}
		if len(corr) > 0 {
			if isScalarAggregate(sq.Plan) {
				// Its one row for an outer row without matches (NULL
				// aggregates) is not in the decorrelated plan; compared
				// with that one row as a scalar subquery, it is.
				if e, ok := b.compareOneRow(sq); ok {
					node, exprs, err := b.joinSubqueries(node, []logical.Expr{e})
					if err != nil {
						return nil, nil, nil, err
					}
					return node, exprs[0], nil, nil
				}
				return nil, nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "IN/ANY/ALL over a correlated aggregate without GROUP BY is only supported as a WHERE condition")
			}
			if node, res, ok := b.anyByExtreme(node, plan, corr, sq); ok {
				return node, res, nil, nil
			}
			node, res := b.correlatedAny(node, plan, corr, sq)
			return node, res, nil, nil
		}
		if node, res, ok := b.anyByExtreme(node, plan, nil, sq); ok {
			return node, res, nil, nil
		}
		mark := b.meta.NewColumn("mark", "", sqltypes.TypeBool)
		j := &logical.Join{Type: logical.MarkJoin, Left: node, Right: plan, Cond: sq.Cmp, Mark: mark}
		var res logical.Expr = b.colRef(mark)
		if sq.Kind == logical.SubqueryAll {
			res = &logical.Unary{Op: logical.OpNot, E: res, T: sqltypes.TypeBool}
		}
		return j, res, nil, nil
	}
	return nil, nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "this subquery form is not supported yet")
}

// existsMark joins node with plan by a mark join on cond and returns the
// two-valued EXISTS of the matches: a mark join's NULL ("some pair's
// condition was NULL, none TRUE") means no row qualified, which EXISTS
// reports as FALSE.
func (b *binder) existsMark(node, plan logical.Node, cond []logical.Expr) (logical.Node, logical.Expr) {
	mark := b.meta.NewColumn("exists", "", sqltypes.TypeBool)
	j := &logical.Join{Type: logical.MarkJoin, Left: node, Right: plan, Cond: logical.And(cond), Mark: mark, ExistsMark: true}
	fls := &logical.Const{T: sqltypes.TypeBool, V: false}
	return j, &logical.Func{Name: "coalesce", Args: []logical.Expr{b.colRef(mark), fls}, T: sqltypes.TypeBool}
}

// correlatedAny evaluates `x op ANY (q)` (and ALL, as NOT (x negop ANY))
// over a decorrelated q outside WHERE, where a semi join cannot stand in
// for it. The correlation is a filter (a NULL correlation drops the inner
// row) while the comparison is three-valued, so one mark join cannot hold
// both; two EXISTS marks over the same inner rows can:
//
//	CASE WHEN EXISTS (corr AND x op y) THEN TRUE
//	     WHEN EXISTS (corr AND (x op y) IS NULL) THEN NULL
//	     ELSE FALSE END
func (b *binder) correlatedAny(node, plan logical.Node, corr []logical.Expr, sq *logical.Subquery) (logical.Node, logical.Expr) {
	cmp := sq.Cmp
	withCorr := func(c logical.Expr) []logical.Expr { return append(append([]logical.Expr(nil), corr...), c) }
	node, hit := b.existsMark(node, plan, withCorr(cmp))
	node, unknown := b.existsMark(node, plan, withCorr(&logical.Unary{Op: logical.OpIsNull, E: cmp, T: sqltypes.TypeBool}))
	return node, anyResult(hit, unknown, sq.Kind)
}

// anyResult is the three-valued `x op ANY (q)` from whether some row
// compared TRUE (hit) and whether some compared NULL (unknown); ALL,
// bound as NOT (x negop ANY), negates it.
func anyResult(hit, unknown logical.Expr, kind logical.SubqueryKind) logical.Expr {
	boolConst := func(v any) logical.Expr { return &logical.Const{T: sqltypes.TypeBool, V: v} }
	var res logical.Expr = &logical.Case{
		Whens: []logical.When{{Cond: hit, Then: boolConst(true)}, {Cond: unknown, Then: boolConst(nil)}},
		Else:  boolConst(false),
		T:     sqltypes.TypeBool,
	}
	if kind == logical.SubqueryAll {
		res = &logical.Unary{Op: logical.OpNot, E: res, T: sqltypes.TypeBool}
	}
	return res
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

// bindSubqueryComparison binds the comparison of `lhs op ANY|ALL (q)`
// with q's output columns cols; lhs is one expression or a row
// constructor with one field per column. For ALL it returns the
// comparison whose ANY is the ALL's negation.
func (b *binder) bindSubqueryComparison(lhsNode *pg_query.Node, cols []outCol, op expr.BinaryOp, name string, all bool, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	lhsNodes := []*pg_query.Node{lhsNode}
	if row := lhsNode.GetRowExpr(); row != nil {
		lhsNodes = row.Args
		// A row compares as a whole: = ANY (IN) and <> ALL (NOT IN) only.
		if len(lhsNodes) > 1 && !(op == expr.OpEq && !all || op == expr.OpNe && all) {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "row comparison %s %s (subquery) is not supported", name, map[bool]string{true: "ALL", false: "ANY"}[all]), loc)
		}
	}
	if len(lhsNodes) < len(cols) {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "subquery has too many columns"), loc)
	}
	if len(lhsNodes) > len(cols) {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "subquery has too few columns"), loc)
	}
	if all {
		op = negateComparison(op) // x op ALL (q) = NOT (x negop ANY (q)); a row's <> ALL is NOT (= ANY)
	}
	var parts []logical.Expr
	for i, n := range lhsNodes {
		lhs, err := b.bindExpr(n, sc, agg)
		if err != nil {
			return nil, err
		}
		out := &logical.ColRef{ID: cols[i].id, Name: cols[i].name, T: cols[i].t}
		cmp, err := b.bindOperator(op, name, lhs, out, loc)
		if err != nil {
			return nil, err
		}
		parts = append(parts, cmp)
	}
	return logical.And(parts), nil
}

// arraySubquery binds ARRAY(q) as the scalar subquery
// COALESCE((SELECT array_agg(x ORDER BY q's order) FROM q), '{}'): one
// array per outer row, empty rather than NULL when q has no rows, and
// decorrelated like any scalar subquery.
func (b *binder) arraySubquery(q *relation) logical.Expr {
	col := q.cols[0]
	input := q.node
	// The ORDER BY of q orders the elements: it becomes the aggregate's
	// input order (a final projection only drops hidden sort columns).
	var order []logical.SortKey
	if p, ok := input.(*logical.Project); ok && allColRefs(p.Exprs) {
		if s, ok := p.Input.(*logical.Sort); ok {
			input, order = s.Input, s.Keys
		}
	} else if s, ok := input.(*logical.Sort); ok {
		input, order = s.Input, s.Keys
	}
	t := sqltypes.ListOf(col.t)
	out := b.meta.NewColumn("array", "", t)
	agg := &logical.Aggregate{
		Input:      input,
		Aggs:       []logical.AggCall{{Func: "array_agg", Args: []logical.Expr{&logical.ColRef{ID: col.id, Name: col.name, T: col.t}}, T: t}},
		AggCols:    []logical.ColumnID{out},
		InputOrder: order,
	}
	sq := &logical.Subquery{Kind: logical.SubqueryScalar, Plan: agg, Out: out, T: t}
	empty := &logical.Const{T: t, V: []any{}}
	return &logical.Func{Name: "coalesce", Args: []logical.Expr{sq, empty}, T: t}
}

func allColRefs(es []logical.Expr) bool {
	for _, e := range es {
		if _, ok := e.(*logical.ColRef); !ok {
			return false
		}
	}
	return true
}

// liftOuterProjection handles a scalar subquery whose select list reads
// outer columns, as `(SELECT json_build_object('always', a.attidentity =
// 'a', ...) FROM ... WHERE ...)` in SQLAlchemy's column reflection: the
// expression is computed after the join instead, over the outer columns
// and the inner ones the subquery passes up, and a marker column tells a
// matched row from none. Not for a correlated aggregate (its one row
// exists even without input rows that match) — ok is false then, and
// decorrelation decides; an uncorrelated one, as in `(SELECT max(o.x) +
// count(*) FROM p)` over an aggregate of the outer query, is computed
// once.
//
// A LIMIT over the select list (`(SELECT sum(o.x) FROM p LIMIT 1)`, an
// outer aggregate read per row of p) keeps the same rows of the input
// under the lifted select list: it stays on the inner plan, with the
// ORDER BY under it when that reads the input's own columns.
func (b *binder) liftOuterProjection(sq *logical.Subquery) (inner logical.Node, marker logical.ColumnID, lifted logical.Expr, ok bool) {
	return b.liftOuter(sq.Plan, sq.Out, logical.ColSet{})
}

// liftOuter is liftOuterProjection of plan's column out; the inner plan
// also passes on the columns of need (a sort's keys).
func (b *binder) liftOuter(plan logical.Node, out logical.ColumnID, need logical.ColSet) (inner logical.Node, marker logical.ColumnID, lifted logical.Expr, ok bool) {
	switch x := plan.(type) {
	case *logical.Limit:
		in, marker, lifted, ok := b.liftOuter(x.Input, out, need)
		if !ok {
			return nil, 0, nil, false
		}
		l := *x
		l.Input = in
		return &l, marker, lifted, true
	case *logical.Sort:
		keysNeed := logical.ColSet{}
		keysNeed.AddSet(need)
		for _, k := range x.Keys {
			keysNeed.AddSet(logical.ColumnsOf(k.Expr))
		}
		in, marker, lifted, ok := b.liftOuter(x.Input, out, keysNeed)
		if !ok || !keysNeed.SubsetOf(logical.OutputSet(in)) {
			return nil, 0, nil, false
		}
		c := *x
		c.Input = in
		return &c, marker, lifted, true
	}
	p, isProject := plan.(*logical.Project)
	if !isProject || containsAggregate(p.Input) && readsOuter(p.Input, definedIDs(p.Input)) {
		return nil, 0, nil, false
	}
	local := definedIDs(p.Input)
	idx := -1
	for i, id := range p.Cols {
		if id == out {
			idx = i
		}
	}
	if idx < 0 {
		return nil, 0, nil, false
	}
	e := p.Exprs[idx]
	if ref, isRef := e.(*logical.ColRef); isRef && ref.ID == out {
		switch p.Input.(type) {
		case *logical.Limit, *logical.Sort:
			// The projection that drops ORDER BY's hidden columns.
			return b.liftOuter(p.Input, out, need)
		}
	}
	if logical.ColumnsOf(e).SubsetOf(local) {
		return nil, 0, nil, false
	}
	up := &logical.Project{Input: p.Input}
	cols := logical.ColumnsOf(e)
	for _, id := range need.Sorted() {
		if !local.Has(id) {
			return nil, 0, nil, false
		}
	}
	cols.AddSet(need)
	for _, id := range cols.Sorted() {
		if local.Has(id) {
			up.Exprs, up.Cols = append(up.Exprs, b.colRef(id)), append(up.Cols, id)
		}
	}
	marker = b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	up.Exprs, up.Cols = append(up.Exprs, &logical.Const{T: sqltypes.TypeBool, V: true}), append(up.Cols, marker)
	return up, marker, e, true
}

func containsAggregate(n logical.Node) bool {
	found := false
	logical.Inspect(n, func(n logical.Node) bool {
		_, isAgg := n.(*logical.Aggregate)
		found = found || isAgg
		return !found
	})
	return found
}

// directOutput reports whether plan passes column id from its aggregate
// to its output unchanged and unfiltered (no HAVING in between), so that
// a missing group's NULL stands for exactly the empty input.
func directOutput(plan logical.Node, id logical.ColumnID) bool {
	switch n := plan.(type) {
	case *logical.Aggregate:
		return slices.Contains(n.AggCols, id)
	case *logical.Project:
		for i, c := range n.Cols {
			if c == id {
				r, ok := n.Exprs[i].(*logical.ColRef)
				return ok && r.ID == id && directOutput(n.Input, id)
			}
		}
	}
	return false
}

// withoutLargeLimit returns the plan of a scalar subquery without its
// LIMIT n, n > 1 (and the ORDER BY under it), when it has no OFFSET: the
// subquery yields the same one row or none, or fails with 21000 either
// way. ok is false for other plans.
func withoutLargeLimit(plan logical.Node) (logical.Node, bool) {
	return withoutLimit(plan, func(lim *logical.Limit, _ logical.Node) bool { return lim.Count < 0 || lim.Count > 1 })
}

// withoutOneRowLimit returns the plan of a scalar subquery over an
// aggregate without GROUP BY (maybe under a HAVING) without its LIMIT n,
// n >= 1, and ORDER BY: the aggregate yields at most one row, which the
// LIMIT keeps, so count() of no rows stays 0 once decorrelated.
func withoutOneRowLimit(plan logical.Node) (logical.Node, bool) {
	return withoutLimit(plan, func(lim *logical.Limit, in logical.Node) bool {
		return lim.Count != 0 && (isScalarAggregate(in) || havingOverScalarAggregate(in))
	})
}

// withoutLimit returns plan without the LIMIT under its projections (and
// the ORDER BY under that) when it has no OFFSET and drop says so of it
// and its input.
func withoutLimit(plan logical.Node, drop func(lim *logical.Limit, in logical.Node) bool) (logical.Node, bool) {
	tops, cur := projectionsOf(plan)
	lim, ok := cur.(*logical.Limit)
	if !ok || lim.Bounds != nil || lim.Offset != 0 {
		return nil, false
	}
	out := lim.Input
	if s, ok := out.(*logical.Sort); ok {
		out = s.Input
	}
	if !drop(lim, out) {
		return nil, false
	}
	for i := len(tops) - 1; i >= 0; i-- {
		p := *tops[i]
		p.Input = out
		out = &p
	}
	return out, true
}

// predicatePerOuterRow evaluates EXISTS, IN, ANY or ALL over a subquery
// decorrelate cannot rewrite because a correlation that is not an
// equality sits under its LIMIT or GROUP BY: the subquery's rows for
// every numbered outer row (limitOverOuter, aggregateOverOuter, keeping
// the rows without any) are aggregated back to one row per outer row,
// grouped by its number and columns:
//
//	EXISTS: count(matched) > 0
//	x op ANY: CASE WHEN bool_or(cmp) THEN TRUE WHEN bool_or(cmp IS NULL) THEN NULL ELSE FALSE END
//
// and ALL as NOT (x negop ANY). ok is false for other shapes.
func (b *binder) predicatePerOuterRow(node logical.Node, sq *logical.Subquery) (logical.Node, logical.Expr, bool, error) {
	for _, id := range node.Output() {
		if !groupable(b.meta.Column(id).Type) {
			return nil, nil, false, nil
		}
	}
	plan, fresh := b.freshOuterColumns(sq.Plan, logical.NewColSet(node.Output()...))
	r, ok, err := b.aggregateOverOuter(b.numberOuter(node), plan, true, true)
	if !ok && err == nil {
		r, ok, err = b.limitOverOuter(b.numberOuter(node), plan, true, false)
	}
	if err != nil {
		return nil, nil, false, err
	}
	if !ok {
		if r, ok = b.perRowPadded(node, plan, false); !ok {
			return nil, nil, false, nil
		}
	}
	var matched logical.Expr
	if r.marker != nil {
		matched = &logical.Unary{Op: logical.OpIsNotNull, E: r.marker, T: sqltypes.TypeBool}
	}
	g := &logical.Aggregate{Input: r.node}
	for _, id := range r.keys {
		g.Groups, g.GroupCols = append(g.Groups, b.colRef(id)), append(g.GroupCols, id)
	}
	agg := func(fn string, arg logical.Expr, t sqltypes.Type) *logical.ColRef {
		id := b.meta.NewColumn(fn, "", t)
		call := logical.AggCall{Func: fn, Filter: matched, T: t}
		if arg != nil {
			call.Args = []logical.Expr{arg}
		}
		g.Aggs, g.AggCols = append(g.Aggs, call), append(g.AggCols, id)
		return b.colRef(id)
	}
	if sq.Kind == logical.SubqueryExists {
		n := agg("count_star", nil, sqltypes.TypeInt8)
		return g, &logical.Binary{Op: expr.OpGt, L: n, R: &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}, T: sqltypes.TypeBool}, true, nil
	}
	cmp := r.rename(renameCols(sq.Cmp, fresh))
	hit := agg("bool_or", cmp, sqltypes.TypeBool)
	unknown := agg("bool_or", &logical.Unary{Op: logical.OpIsNull, E: cmp, T: sqltypes.TypeBool}, sqltypes.TypeBool)
	return g, anyResult(hit, unknown, sq.Kind), true, nil
}

// lazyOneRow joins the uncorrelated scalar subquery plan (output out) to
// node so that its having more than one row fails with 21000 only where a
// row reads its value, as PostgreSQL's InitPlan runs on first use: in
// `CASE WHEN x > 0 THEN 'ok' ELSE (SELECT …) END` rows that take the
// first branch never see the error. The subquery reads at most two rows,
// numbered by a count over them, and its first row joins every outer
// row; the value is CASE WHEN mesh_one_row(count) THEN value END.
func (b *binder) lazyOneRow(node, plan logical.Node, out logical.ColumnID) (logical.Node, logical.Expr) {
	n := b.meta.NewColumn("subquery_rows", "", sqltypes.TypeInt8)
	counted := &logical.Window{
		Input: &logical.Limit{Input: plan, Count: 2},
		Calls: []logical.WindowCall{{Func: "count_star", Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8}},
		Cols:  []logical.ColumnID{n},
	}
	j := &logical.Join{Type: logical.SingleJoin, Left: node, Right: &logical.Limit{Input: counted, Count: 1}}
	check := &logical.Func{Name: expr.OneRowFunc, Args: []logical.Expr{b.colRef(n)}, T: sqltypes.TypeBool}
	v := b.colRef(out)
	return j, &logical.Case{Whens: []logical.When{{Cond: check, Then: v}}, T: v.T}
}

// atMostOneRow reports whether n yields at most one row whatever its
// input: an aggregate without GROUP BY, LIMIT 0 or 1, one VALUES row,
// under filters, projections, sorts and windows.
func atMostOneRow(n logical.Node) bool {
	switch x := n.(type) {
	case *logical.Aggregate:
		return len(x.Groups) == 0
	case *logical.Values:
		return len(x.Rows) <= 1
	case *logical.Limit:
		if x.Bounds == nil && x.Count >= 0 && x.Count <= 1 {
			return true
		}
	case *logical.Project, *logical.Sort, *logical.Filter, *logical.Window:
	default:
		return false
	}
	return atMostOneRow(n.Children()[0])
}
