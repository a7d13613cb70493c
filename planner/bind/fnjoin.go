package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// joinFunction binds join j of l with r, a set-returning function in FROM
// bound over l's rows (bindRangeFunction). A CROSS JOIN, or an inner or
// left join ON true, takes r as it is: joined is nil and right r. A
// function that does not read l is otherwise taken off l's rows
// (detachFunction) and returned as right, to join as a table does (joined
// nil). One that reads l (implicitly LATERAL) is joined here: an inner join keeps the function
// rows that pass the condition; a LEFT JOIN keeps them, or one row with
// the function's columns NULL when none passes: the function applies the
// condition itself (Unnest.Cond) when it can, else leftJoinFunction. The
// function and the condition are bound once, here or by the caller's join
// of a table.
func (b *binder) joinFunction(j *pg_query.JoinExpr, jt logical.JoinType, l, r *relation) (joined, right *relation, err error) {
	using := j.IsNatural || len(j.UsingClause) > 0
	asIs := !using && (jt == logical.InnerJoin || jt == logical.LeftJoin)
	if asIs && j.Quals == nil {
		return nil, r, nil
	}
	if !functionReads(r, l) {
		return nil, detachFunction(l, r), nil
	}
	if jt != logical.InnerJoin && jt != logical.LeftJoin {
		return nil, nil, errAt(sqltypes.New(sqltypes.CodeInvalidColumnReference, "the combining JOIN type must be INNER or LEFT for a LATERAL reference"), location(j.Rarg))
	}
	var cond logical.Expr
	if using {
		// The function's own columns are the right table of USING.
		fn := &relation{node: r.node, scope: functionScope(l, r)}
		if cond, err = b.bindUsing(j, jt, l, fn, r); err != nil {
			return nil, nil, err
		}
	} else if cond, err = b.bindPredicate(j.Quals, r.scope, "JOIN/ON"); err != nil {
		return nil, nil, err
	}
	switch {
	case asIs && logical.IsTrueConst(cond):
		return nil, r, nil
	case jt == logical.InnerJoin:
		if r.node, err = b.filterWithSubqueries(r.node, cond); err != nil {
			return nil, nil, err
		}
		return r, r, nil
	case !hasSubquery(cond) && r.node == logical.Node(unnestOf(r.node)) && readsFrom(cond).SubsetOf(logical.OutputSet(r.node)):
		// The function's rows are filtered as they are made, l's rows
		// without a passing one padded there: l stays under the function,
		// where a WHERE over its columns reaches it.
		unnestOf(r.node).Cond = cond
		b.outerFunction(l, r, false)
		return r, r, nil
	}
	if err := b.leftJoinFunction(l, r, cond); err != nil {
		return nil, nil, errAt(sqltypes.AsError(err), location(j.Rarg))
	}
	return r, r, nil
}

// functionReads reports whether r, a function in FROM bound over l's rows,
// reads them: its arguments, or the joins of their subqueries below it,
// read a column of l (other than to pass it on). Binding such a function
// on its own could resolve the names to an enclosing query instead, so
// the columns decide, not a second binding.
func functionReads(r, l *relation) bool {
	left := logical.OutputSet(l.node)
	found := false
	logical.Inspect(r.node, func(n logical.Node) bool {
		if n == l.node || found {
			return false
		}
		read := func(e logical.Expr) {
			for id := range readsFrom(e) {
				found = found || left.Has(id)
			}
		}
		if p, ok := n.(*logical.Project); ok {
			for i, e := range p.Exprs {
				if c, isRef := e.(*logical.ColRef); !isRef || c.ID != p.Cols[i] {
					read(e) // a column passed on under its own ID reads nothing
				}
			}
		} else {
			logical.VisitExprs(n, read)
		}
		return !found
	})
	return found
}

// detachFunction returns r, a function bound over l's rows that reads
// none of them, over one empty row instead, without l's columns: the
// function as bound on its own, without binding it (its subqueries,
// notices and columns) a second time.
func detachFunction(l, r *relation) *relation {
	left := logical.OutputSet(l.node)
	u := unnestOf(r.node)
	// The joins of the arguments' subqueries (bindRangeFunction) stay.
	var detach func(n logical.Node) logical.Node
	detach = func(n logical.Node) logical.Node {
		if n == l.node {
			return &logical.Values{Rows: [][]logical.Expr{{}}}
		}
		ch := n.Children()
		if len(ch) == 0 {
			return n
		}
		nc := make([]logical.Node, len(ch))
		for i, c := range ch {
			nc[i] = detach(c)
		}
		return n.WithChildren(nc)
	}
	u.Input = detach(u.Input)
	if p, ok := r.node.(*logical.Project); ok {
		// A record function's or json_each's projection passed l's
		// columns on.
		c := &logical.Project{Input: u}
		for i, id := range p.Cols {
			if !left.Has(id) {
				c.Exprs, c.Cols = append(c.Exprs, p.Exprs[i]), append(c.Cols, id)
			}
		}
		return &relation{node: c, scope: functionScope(l, r), over: u.Input}
	}
	return &relation{node: u, scope: functionScope(l, r), over: u.Input}
}

// leftJoinFunction turns r, a function over l's rows, into `l LEFT JOIN
// r ON cond`: each row of l keeps its function rows where cond holds, or
// one row with the function's columns NULL when none does or the
// function has no rows for it. It is the machinery of a LEFT JOIN
// LATERAL whose condition is not an equality (keepOrPad): l's rows are
// numbered below the function, which keeps a row without elements (Outer)
// and tells it by its NULL ordinality, and a window over the row number
// picks the rows. l is read once; subqueries in cond are computed for
// every function row before (joinSubqueries).
func (b *binder) leftJoinFunction(l, r *relation, cond logical.Expr) error {
	u := unnestOf(r.node)
	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	u.Input = b.numberRows(u.Input, rowID)
	b.outerFunction(l, r, true, rowID)
	node := r.node
	if hasSubquery(cond) {
		var conds []logical.Expr
		var err error
		if node, conds, err = b.joinSubqueries(node, []logical.Expr{cond}); err != nil {
			return err
		}
		cond = conds[0]
	}
	pr := &perRowOut{node: node, rowID: rowID, keys: append([]logical.ColumnID{rowID}, l.node.Output()...), marker: b.colRef(u.Ord)}
	b.keepOrPad(pr, cond)
	out := &logical.Project{Input: pr.node}
	for _, id := range l.node.Output() {
		out.Exprs, out.Cols = append(out.Exprs, b.colRef(id)), append(out.Cols, id)
	}
	have := logical.NewColSet(out.Cols...)
	sc := &scope{parent: r.scope.parent}
	for _, c := range r.scope.cols {
		c.id = pr.current(c.id)
		if !have.Has(c.id) {
			have.Add(c.id)
			out.Exprs, out.Cols = append(out.Exprs, b.colRef(c.id)), append(out.Cols, c.id)
		}
		sc.add(c)
	}
	r.node, r.scope = out, sc
	return nil
}

// outerFunction makes r, a function over l's rows, keep a row of l for
// which it has no rows, with its columns NULL (LEFT JOIN), and passes the
// columns pass of the rows under it on. Its ordinality, a hidden one if
// the query did not ask for it, is NULL on that row: it has one with ord,
// or when the statement reads the function's range as a whole row (whose
// presence column it makes NULL there, markRangesBy).
func (b *binder) outerFunction(l, r *relation, ord bool, pass ...logical.ColumnID) {
	u := unnestOf(r.node)
	u.Outer = true
	fn := &relation{node: r.node, scope: functionScope(l, r)}
	for _, c := range fn.scope.cols {
		ord = ord || c.table != "" && b.wholeRowNames[c.table]
	}
	if ord && u.Ord == 0 {
		u.Ord = b.meta.NewColumn("ordinality", "", sqltypes.TypeInt8)
	}
	if p, ok := r.node.(*logical.Project); ok && p.Input == logical.Node(u) {
		// A record function's fields (bindRecordFunction) pass them on.
		if u.Ord != 0 {
			pass = append(pass, u.Ord)
		}
		for _, id := range pass {
			p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
		}
	}
	if u.Ord == 0 {
		return
	}
	n := len(fn.scope.cols)
	there := &logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(u.Ord), T: sqltypes.TypeBool}
	b.markRangesBy(fn, &logical.Case{Whens: []logical.When{{Cond: there, Then: &logical.Const{T: sqltypes.TypeBool, V: true}}}, T: sqltypes.TypeBool})
	r.node = fn.node
	r.scope.cols = append(r.scope.cols, fn.scope.cols[n:]...)
}

// functionScope returns the scope of r's own columns, r being a function
// over l's rows, whose scope holds l's columns too.
func functionScope(l, r *relation) *scope {
	left := logical.OutputSet(l.node)
	sc := &scope{parent: r.scope.parent}
	for _, c := range r.scope.cols {
		if !left.Has(c.id) {
			sc.add(c)
		}
	}
	return sc
}
