package bind

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// aggregateNames are the aggregate functions meshql executes.
var aggregateNames = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"array_agg": true, "bool_and": true, "bool_or": true, "every": true, "string_agg": true,
	"stddev": true, "stddev_samp": true, "stddev_pop": true, "variance": true, "var_samp": true, "var_pop": true,
	"percentile_cont": true, "percentile_disc": true, "mode": true,
	"corr": true, "covar_pop": true, "covar_samp": true, "regr_count": true, "regr_avgx": true, "regr_avgy": true,
	"regr_slope": true, "regr_intercept": true, "regr_r2": true, "regr_sxx": true, "regr_syy": true, "regr_sxy": true,
	"bit_and": true, "bit_or": true, "bit_xor": true, "json_agg": true, "jsonb_agg": true,
	"json_object_agg": true, "jsonb_object_agg": true, "range_intersect_agg": true,
}

func isAggregate(fc *pg_query.FuncCall) bool {
	return fc.Over == nil && (aggregateNames[funcName(fc)] || fc.AggWithinGroup && isHypotheticalSet(funcName(fc)))
}

// aggState collects the grouping keys and aggregate calls of one query block.
type aggState struct {
	groups    []logical.Expr
	groupKeys []string
	groupCols []logical.ColumnID
	aggs      []logical.AggCall
	aggKeys   []string
	aggCols   []logical.ColumnID
	order     []logical.SortKey // ORDER BY inside aggregate calls
	orderKey  string
	// mixedOrders: calls have different ORDER BYs, so each orders its own
	// rows (AggCall.Order) instead of sorting the input once.
	mixedOrders bool
	inAgg       bool // binding an aggregate's arguments: nested aggregates are errors
	// sets are the grouping sets (indexes into groups); nil for a plain
	// GROUP BY. grouping holds the grouping() calls.
	sets     [][]int
	grouping []groupingCall
	// local holds the columns of this query block's FROM clause; only
	// they must be grouped (outer columns of a correlated subquery are
	// constants here).
	local logical.ColSet
	// localNames are local's columns as a subquery names them
	// (table.column), for the error of one it reads ungrouped.
	localNames map[logical.ColumnID]string
}

func (a *aggState) addGroup(b *binder, e logical.Expr) int {
	k := logical.Key(e)
	for i, g := range a.groupKeys {
		if g == k {
			return i
		}
	}
	a.groups = append(a.groups, e)
	a.groupKeys = append(a.groupKeys, k)
	if c, ok := e.(*logical.ColRef); ok {
		a.groupCols = append(a.groupCols, c.ID)
	} else {
		a.groupCols = append(a.groupCols, b.meta.NewColumn(e.String(), "", e.Type()))
	}
	return len(a.groups) - 1
}

// addAgg registers an aggregate call (deduplicated) and returns a reference
// to its output column.
func (a *aggState) addAgg(b *binder, call logical.AggCall, name string) logical.Expr {
	k := aggKey(call)
	for i, ak := range a.aggKeys {
		if ak == k {
			return &logical.ColRef{ID: a.aggCols[i], Name: name, T: call.T}
		}
	}
	id := b.meta.NewColumn(name, "", call.T)
	a.aggs = append(a.aggs, call)
	a.aggKeys = append(a.aggKeys, k)
	a.aggCols = append(a.aggCols, id)
	return &logical.ColRef{ID: id, Name: name, T: call.T}
}

// groupify replaces grouped subexpressions by references to the group
// columns and checks that nothing else reads ungrouped input columns.
func (a *aggState) groupify(e logical.Expr, ast *pg_query.Node) (logical.Expr, error) {
	out := a.replaceGroups(e)
	allowed := logical.NewColSet(a.groupCols...)
	allowed.Add(a.aggCols...)
	for _, g := range a.grouping {
		allowed.Add(g.id)
	}
	if bad := a.ungrouped(out, allowed); bad != nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeGroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", a.localNames[bad.ID]), location(ast))
	}
	if id, ok := a.ungroupedOuterColumn(out, allowed); ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeGroupingError, "subquery uses ungrouped column %q from outer query", a.localNames[id]), location(ast))
	}
	return out, nil
}

// ungrouped returns a column of this block that e (its groups replaced)
// reads other than allowed ones, or nil.
func (a *aggState) ungrouped(e logical.Expr, allowed logical.ColSet) *logical.ColRef {
	var bad *logical.ColRef
	logical.Walk(e, func(x logical.Expr) bool {
		if c, ok := x.(*logical.ColRef); ok && !allowed.Has(c.ID) && a.local.Has(c.ID) && bad == nil {
			bad = c
		}
		return true
	})
	return bad
}

func (a *aggState) replaceGroups(e logical.Expr) logical.Expr {
	k := logical.Key(e)
	for i, g := range a.groupKeys {
		if g == k {
			return &logical.ColRef{ID: a.groupCols[i], Name: a.groups[i].String(), T: a.groups[i].Type()}
		}
	}
	ch := e.Children()
	if len(ch) == 0 {
		return e
	}
	nc := make([]logical.Expr, len(ch))
	for i, c := range ch {
		nc[i] = a.replaceGroups(c)
	}
	return e.WithChildren(nc)
}

func (a *aggState) node(b *binder, input logical.Node) (logical.Node, error) {
	if len(a.aggs) > 0 && readsWorkTable(input) {
		// Grouping a recursive query's working table: PostgreSQL's
		// parseCheckAggregates.
		return nil, sqltypes.New(sqltypes.CodeInvalidRecursion, "aggregate functions are not allowed in a recursive query's recursive term")
	}
	input, err := a.joinInputSubqueries(b, input)
	if err != nil {
		return nil, err
	}
	// A set-returning function in a grouping key expands below the
	// aggregate: PostgreSQL evaluates it before grouping, for every
	// grouping set alike.
	input, a.groups = b.expandSetFunctions(input, a.groups)
	if a.sets != nil {
		return a.groupingSetsNode(b, input), nil
	}
	if len(a.grouping) > 0 {
		// Without grouping sets every grouping() is 0.
		a.sets = [][]int{make([]int, len(a.groups))}
		for i := range a.groups {
			a.sets[0][i] = i
		}
		return a.groupingSetsNode(b, input), nil
	}
	calls, order := a.orderedAggs()
	return &logical.Aggregate{Input: input, Groups: a.groups, GroupCols: a.groupCols, Aggs: calls, AggCols: a.aggCols, InputOrder: order}, nil
}

// joinInputSubqueries turns the subqueries in grouping keys, aggregate
// arguments, ORDER BY keys and FILTER clauses, which read the aggregate's input rows,
// into joins below the aggregate.
func (a *aggState) joinInputSubqueries(b *binder, input logical.Node) (logical.Node, error) {
	var slots []*logical.Expr
	for i := range a.groups {
		slots = append(slots, &a.groups[i])
	}
	for i := range a.aggs {
		c := &a.aggs[i]
		c.Args = slices.Clone(c.Args) // the call's own, not the bound expression's
		for j := range c.Args {
			slots = append(slots, &c.Args[j])
		}
		if c.Filter != nil {
			slots = append(slots, &c.Filter)
		}
		c.Order = slices.Clone(c.Order)
		for j := range c.Order {
			slots = append(slots, &c.Order[j].Expr)
		}
	}
	// The one order every call shares (orderedAggs), sorted below.
	a.order = slices.Clone(a.order)
	for i := range a.order {
		slots = append(slots, &a.order[i].Expr)
	}
	return b.joinSlotSubqueries(input, slots)
}

// singleRowArg is the ROW(...) an aggregate call's only argument is.
func singleRowArg(fc *pg_query.FuncCall) *pg_query.RowExpr {
	if len(fc.Args) != 1 {
		return nil
	}
	return fc.Args[0].GetRowExpr()
}

// bindAggregate binds an aggregate call found while binding an expression.
func (b *binder) bindAggregate(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	name := funcName(fc)
	if agg == nil {
		return nil, b.current().notAllowed(sqltypes.CodeGroupingError, "aggregate functions", int(fc.Location))
	}
	if agg.inAgg {
		return nil, errAt(sqltypes.New(sqltypes.CodeGroupingError, "aggregate function calls cannot be nested"), int(fc.Location))
	}
	agg.inAgg = true
	savedWin := b.win
	b.win, b.inAggArgs = nil, true
	defer func() { agg.inAgg, b.win, b.inAggArgs = false, savedWin, false }()
	if fc.AggWithinGroup && isHypotheticalSet(name) {
		return b.bindHypotheticalSet(fc, sc, agg)
	}
	if fc.AggWithinGroup {
		return b.bindOrderedSetAggregate(fc, sc, agg)
	}
	call := logical.AggCall{Func: name, Distinct: fc.AggDistinct}
	if len(fc.AggOrder) > 0 && ops.OrderSensitive(name) {
		// Only these see their rows' order; for the others ORDER BY is moot.
		order, err := b.bindAggOrder(fc, sc, agg)
		if err != nil {
			return nil, err
		}
		call.Order = order
	}
	if name == "every" {
		call.Func = "bool_and"
	}
	if fc.AggStar {
		if name != "count" {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "%s(*) is not allowed", name), int(fc.Location))
		}
		call.Func = "count_star"
	}
	args := fc.Args
	if row := singleRowArg(fc); name == "count" && row != nil {
		// count((a, b)) counts rows, a row value never being NULL;
		// count(DISTINCT (a, b)) the distinct (a, b), NULLs as values.
		call.Func, args = "count_star", nil
		if fc.AggDistinct {
			args = row.Args
		}
	}
	var argTypes []sqltypes.Type
	srfOK := b.srfOK
	b.srfOK = false
	defer func() { b.srfOK = srfOK }()
	// count(t.*) counts t's rows, those an outer join did not add (a
	// whole-row value is never NULL otherwise); with DISTINCT, its
	// distinct rows.
	var presence logical.Expr
	if len(args) == 1 && call.Func == "count" {
		row, present, whole, err := b.bindWholeRowJSON(args[0], sc, nil)
		if err != nil {
			return nil, err
		}
		if whole {
			call.Func, args, presence = "count_star", nil, present
			if fc.AggDistinct {
				rowArgs := row.(*logical.Func).Args
				for i := 1; i < len(rowArgs); i += 2 {
					// PostgreSQL fails too, once two rows meet.
					if err := distinctable(rowArgs[i].Type(), int(fc.Location)); err != nil {
						return nil, err
					}
					call.Args = append(call.Args, rowArgs[i])
					argTypes = append(argTypes, rowArgs[i].Type())
				}
			}
		}
	}
	var bare []logical.Expr // the arguments before their coercion
	for _, an := range args {
		e, present, whole, err := b.bindWholeRowJSON(an, sc, nil)
		if !whole && err == nil {
			e, err = b.bindExpr(an, sc, nil)
		}
		if err != nil {
			return nil, err
		}
		if whole && call.Func != "json_agg" && call.Func != "jsonb_agg" {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "a whole-row reference is supported only in count, json_agg, jsonb_agg, row_to_json, to_json and to_jsonb"), int(fc.Location))
		}
		e = nullWhenAbsent(e, present)
		if call.Func == "count" {
			e = b.looseParam(e, location(an)) // count("any") types no parameter
		}
		bare = append(bare, e)
		if e.Type().Kind == sqltypes.Unknown && ambiguousUntypedAgg(call.Func) {
			return nil, errAt(sqltypes.New(sqltypes.CodeAmbiguousFunction, "function %s(unknown) is not unique", name).
				WithHint("Could not choose a best candidate function. You might need to add explicit type casts."), int(fc.Location))
		}
		if e.Type().Kind == sqltypes.Unknown && (call.Func == "bool_and" || call.Func == "bool_or") {
			// Their one signature takes boolean: bool_and('t') reads 't'.
			if e, err = b.coerce(e, sqltypes.TypeBool); err != nil {
				return nil, errAt(sqltypes.AsError(err), location(an))
			}
		}
		if e.Type().Kind == sqltypes.Unknown || e.Type().Kind == sqltypes.Bpchar && call.Func == "string_agg" ||
			e.Type().Kind == sqltypes.Name && (call.Func == "min" || call.Func == "max" || call.Func == "string_agg") {
			// string_agg takes text: bpchar values lose their trailing
			// blanks. PostgreSQL has no min(name) nor max(name): name
			// converts to text, and so does their result.
			if e, err = b.coerce(e, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		if fc.AggDistinct && !whole {
			if err := distinctable(e.Type(), int(fc.Location)); err != nil {
				return nil, err
			}
		}
		call.Args = append(call.Args, e)
		argTypes = append(argTypes, e.Type())
	}
	if fc.AggDistinct && len(fc.AggOrder) > 0 {
		if err := b.distinctOrderInArgs(fc, call.Order, args, bare, sc); err != nil {
			return nil, err
		}
	}
	filter, err := b.bindAggFilter(fc, sc)
	if err != nil {
		return nil, err
	}
	call.Filter = filter
	if presence != nil {
		there := &logical.Unary{Op: logical.OpIsNotNull, E: presence, T: sqltypes.TypeBool}
		if call.Filter == nil {
			call.Filter = there
		} else {
			call.Filter = logical.And([]logical.Expr{call.Filter, there})
		}
	}
	t, err := ops.AggregateType(call.Func, argTypes)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), int(fc.Location))
	}
	call.T = t
	if err := recordAggArgs(call); err != nil {
		return nil, err
	}
	return agg.addAgg(b, call, name), nil
}

// bindGroupBy binds GROUP BY items: ordinals and output aliases refer to the
// select list; other names resolve against the input first (PostgreSQL's rule).
func (b *binder) bindGroupBy(items []*pg_query.Node, distinct bool, targets []target, sc *scope, agg *aggState) error {
	bindKey := func(it *pg_query.Node) (int, error) {
		var e logical.Expr
		var err error
		b.srfOK = true // a key may expand a set-returning function (see node)
		// The select list is not bound yet: two entries of one name are
		// one key when they bind to one expression.
		same := func(i, j int) bool {
			ei, erri := b.bindTarget(targets[i], sc, nil)
			ej, errj := b.bindTarget(targets[j], sc, nil)
			return erri == nil && errj == nil && logical.Key(ei) == logical.Key(ej)
		}
		key := it
		idx, ok, oerr := ordinalOrAlias(it, targets, sc, "GROUP BY", same)
		switch {
		case oerr != nil:
			b.srfOK = false
			return 0, oerr
		case ok:
			key = targets[idx].ast
			e, err = b.bindTarget(targets[idx], sc, nil)
		default:
			e, err = b.bindExpr(it, sc, nil)
		}
		b.srfOK = false
		if err != nil {
			return 0, err
		}
		if e, err = b.paramAsText(e); err != nil {
			return 0, err
		}
		if hasSubquery(e) && key != nil {
			// A subquery binds to new columns each time: the select-list
			// entries that are this key (by ordinal, name or the same
			// text) take this binding, so that they read the group's
			// column rather than the ungrouped input of a second one.
			for i := range targets {
				if targets[i].bound == nil && targets[i].ast != nil && sameExpr(targets[i].ast, key) {
					targets[i].bound = e
				}
			}
		}
		return agg.addGroup(b, e), nil
	}
	sets := [][]int{{}}
	hasSets := false
	for _, it := range items {
		if it.GetGroupingSet() != nil {
			hasSets = true
		}
		s, err := b.groupByItemSets(it, bindKey)
		if err != nil {
			return err
		}
		sets = crossSets(sets, s)
		if len(sets) > maxGroupingSets {
			return errAt(sqltypes.New(sqltypes.CodeProgramLimitExceeded, "too many grouping sets present"), location(it))
		}
	}
	if hasSets {
		if distinct {
			sets = distinctSets(sets)
		}
		agg.sets = sets
	}
	return nil
}

// distinctSets is GROUP BY DISTINCT: the grouping sets without the ones
// that group by the same keys as an earlier one.
func distinctSets(sets [][]int) [][]int {
	seen := map[string]bool{}
	var out [][]int
	for _, s := range sets {
		keys := slices.Clone(s)
		slices.Sort(keys)
		keys = slices.Compact(keys)
		k := fmt.Sprint(keys)
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// ordinalOrAlias resolves `ORDER BY 2` / `GROUP BY 1` and bare output-alias
// names in clause (ORDER BY, GROUP BY or DISTINCT ON). In GROUP BY a name
// that is a column of the query's own FROM means that column (output
// names win in ORDER BY). A name several select-list entries have is
// 42702 unless same says they are one expression (PostgreSQL's
// findTargetlistEntrySQL92).
func ordinalOrAlias(n *pg_query.Node, targets []target, sc *scope, clause string, same func(i, j int) bool) (int, bool, error) {
	if ac := n.GetAConst(); ac != nil {
		iv, ok := ac.Val.(*pg_query.A_Const_Ival)
		if !ok || ac.Isnull {
			// A constant is an ordinal or nothing: GROUP BY 'a' is an error.
			return 0, false, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "non-integer constant in %s", clause), int(ac.Location))
		}
		pos := int(iv.Ival.Ival)
		if pos < 1 || pos > len(targets) {
			return 0, false, errAt(sqltypes.New(sqltypes.CodeInvalidColumnReference, "%s position %d is not in select list", clause, pos), int(ac.Location))
		}
		return pos - 1, true, nil
	}
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) != 1 || cr.Fields[0].GetString_() == nil {
		return 0, false, nil
	}
	name := cr.Fields[0].GetString_().Sval
	if clause == "GROUP BY" && sc.hasColumn("", name) {
		return 0, false, nil
	}
	found := -1
	for i, t := range targets {
		if t.name != name {
			continue
		}
		if found < 0 {
			found = i
		} else if !same(found, i) {
			return 0, false, errAt(sqltypes.New(sqltypes.CodeAmbiguousColumn, "%s %q is ambiguous", clause, name), int(cr.Location))
		}
	}
	if found < 0 {
		return 0, false, nil
	}
	return found, true, nil
}

// sameTargets tells bound select-list entries that are one expression.
func sameTargets(targets []target) func(i, j int) bool {
	return func(i, j int) bool { return logical.Key(targets[i].expr) == logical.Key(targets[j].expr) }
}

// anyAggregate reports whether the select list or ORDER BY calls an
// aggregate of this block: one for which own holds (not one of an
// enclosing block's, as max(o.x) in a subquery over o).
func anyAggregate(sel *pg_query.SelectStmt, own func(*pg_query.FuncCall) bool) bool {
	found := false
	var visit func(n *pg_query.Node)
	visit = func(n *pg_query.Node) {
		if n == nil || found {
			return
		}
		if fc := n.GetFuncCall(); fc != nil && isAggregate(fc) {
			if own(fc) {
				found = true
				return
			}
			walkChildren(n, visit) // an outer one may hold ours: max(o.x + sum(y)) is an error
			return
		}
		if fc := n.GetFuncCall(); fc != nil && fc.Over != nil {
			// An aggregate over a window is not grouping, but its
			// arguments may hold grouping aggregates: sum(sum(x)) OVER ().
			for _, a := range fc.Args {
				visit(a)
			}
			return
		}
		if n.GetSubLink() != nil || n.GetSelectStmt() != nil {
			return // aggregates of subqueries belong to them
		}
		walkChildren(n, visit)
	}
	for _, t := range sel.TargetList {
		visit(t)
	}
	for _, s := range sel.SortClause {
		visit(s)
	}
	return found
}

func aggKey(c logical.AggCall) string {
	parts := []string{c.Func, strconv.FormatBool(c.Distinct)}
	for _, a := range c.Args {
		parts = append(parts, logical.Key(a))
	}
	if c.Filter != nil {
		parts = append(parts, "filter:"+logical.Key(c.Filter))
	}
	parts = append(parts, "order:"+orderKey(c.Order))
	return strings.Join(parts, "|")
}

func orderKey(keys []logical.SortKey) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s/%v/%v", logical.Key(k.Expr), k.Desc, k.NullsFirst))
	}
	return strings.Join(parts, ",")
}

// ambiguousUntypedAgg reports whether PostgreSQL 15 finds no best
// candidate for aggregate name over an untyped literal: its overloads
// are all numeric (or bit strings) and none of them preferred.
func ambiguousUntypedAgg(name string) bool {
	switch name {
	case "sum", "avg", "bit_and", "bit_or", "bit_xor", "array_agg":
		return true
	}
	return false
}

// distinctOrderInArgs fails with 42P10 when an ORDER BY key of an
// aggregate with DISTINCT is none of its arguments (argNodes, bound as
// args before their coercion), as PostgreSQL does: rows that are one after
// DISTINCT may differ in the key. order is the keys bound already
// (order-sensitive aggregates), else nil. A key written as an argument is
// one: PostgreSQL compares the expressions' trees, so a subquery written
// twice is one key, where meshql binds two plans of different keys.
func (b *binder) distinctOrderInArgs(fc *pg_query.FuncCall, order []logical.SortKey, argNodes []*pg_query.Node, args []logical.Expr, sc *scope) error {
	keys := make([]string, len(args))
	for i, a := range args {
		keys[i] = logical.Key(a)
	}
	for i, n := range fc.AggOrder {
		on := n.GetSortBy().Node
		if slices.ContainsFunc(argNodes, func(an *pg_query.Node) bool { return sameExpr(an, on) }) {
			continue
		}
		var e logical.Expr
		if i < len(order) {
			e = order[i].Expr
		} else {
			var err error
			if e, err = b.bindExpr(on, sc, nil); err != nil {
				return err
			}
		}
		if !slices.Contains(keys, logical.Key(e)) {
			return errAt(sqltypes.New(sqltypes.CodeInvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list"), location(on))
		}
	}
	return nil
}

// bindAggOrder binds the ORDER BY of an aggregate call. When every
// ordered call of the query block has the same order, the aggregate's
// input is sorted once (Aggregate.InputOrder); otherwise each call orders
// its own rows.
func (b *binder) bindAggOrder(fc *pg_query.FuncCall, sc *scope, agg *aggState) ([]logical.SortKey, error) {
	var keys []logical.SortKey
	for _, n := range fc.AggOrder {
		sb := n.GetSortBy()
		e, err := b.bindExpr(sb.Node, sc, nil)
		if err != nil {
			return nil, err
		}
		desc, nullsFirst, err := sortDirection(sb)
		if err != nil {
			return nil, err
		}
		keys = append(keys, logical.SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst})
	}
	key := orderKey(keys)
	if agg.order != nil && agg.orderKey != key {
		agg.mixedOrders = true
	}
	if agg.order == nil {
		agg.order, agg.orderKey = keys, key
	}
	return keys, nil
}

// orderedAggs returns the calls and the input order of an Aggregate:
// with one order for all, a sorted input and calls without their own.
func (a *aggState) orderedAggs() ([]logical.AggCall, []logical.SortKey) {
	if a.mixedOrders {
		return a.aggs, nil
	}
	for _, c := range a.aggs {
		// A sort below the aggregate would compute the keys for the rows
		// a FILTER rejects too (ORDER BY 10 / x FILTER (WHERE x <> 0)
		// failed with 22012): such a call orders its own rows.
		for _, k := range c.Order {
			if _, isCol := k.Expr.(*logical.ColRef); !isCol && c.Filter != nil {
				return a.aggs, nil
			}
		}
	}
	calls := make([]logical.AggCall, len(a.aggs))
	for i, c := range a.aggs {
		// DISTINCT feeds its values sorted ascending: it needs its own
		// order; an ordered-set aggregate's is its WITHIN GROUP.
		if !c.Distinct && ops.OrderSensitive(c.Func) {
			c.Order = nil
		}
		calls[i] = c
	}
	return calls, a.order
}

// bindOrderedSetAggregate binds percentile_cont/disc(fraction) and
// mode() WITHIN GROUP (ORDER BY value [DESC]): the aggregate gets
// (fraction, value) — 0 for mode — and orders each group's values
// itself, in the direction AggCall.Order gives.
func (b *binder) bindOrderedSetAggregate(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	name := funcName(fc)
	loc := int(fc.Location)
	wantArgs := 1
	if name == "mode" {
		wantArgs = 0
	}
	if (name != "percentile_cont" && name != "percentile_disc" && name != "mode") || len(fc.Args) != wantArgs || len(fc.AggOrder) != 1 {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s ... WITHIN GROUP is not supported (only percentile_cont and percentile_disc with one fraction, and mode())", name), loc)
	}
	var frac logical.Expr = &logical.Const{T: sqltypes.TypeFloat8, V: float64(0)}
	var fracs []logical.Expr // an array of fractions, one result each
	if wantArgs == 1 {
		var err error
		if frac, err = b.bindExpr(fc.Args[0], sc, nil); err != nil {
			return nil, err
		}
		if agg != nil {
			// The fraction is computed once per group.
			if bad := agg.ungrouped(agg.replaceGroups(frac), logical.NewColSet(agg.groupCols...)); bad != nil {
				return nil, errAt(sqltypes.New(sqltypes.CodeGroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", agg.localNames[bad.ID]).
					WithDetail("Direct arguments of an ordered-set aggregate must use only grouped columns."), loc)
			}
		}
		if c, ok := frac.(*logical.Const); ok && c.V == nil && c.T.Kind == sqltypes.List {
			// NULL fractions: a NULL array, whatever the rows.
			t, err := ops.AggregateType(name, []sqltypes.Type{sqltypes.TypeFloat8, sortKeyType(b, fc, sc)})
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			return &logical.Const{T: sqltypes.ListOf(t)}, nil
		}
		if frac.Type().Kind == sqltypes.List {
			if fracs, err = b.fractionList(frac, name, loc); err != nil {
				return nil, err
			}
			frac = &logical.Const{T: sqltypes.TypeFloat8}
		} else if frac, err = b.coerce(frac, sqltypes.TypeFloat8); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	sb := fc.AggOrder[0].GetSortBy()
	val, err := b.bindExpr(sb.Node, sc, nil)
	if err != nil {
		return nil, err
	}
	desc, _, err := sortDirection(sb)
	if err != nil {
		return nil, err
	}
	if name == "percentile_cont" && val.Type().Kind == sqltypes.Numeric {
		// PostgreSQL's percentile_cont takes double precision: a numeric
		// is cast, with every value's digits (a variable-scale one, such
		// as lower(numrange), was read at its static scale 0 and rounded).
		val = &logical.Cast{E: val, T: sqltypes.TypeFloat8}
	}
	call := logical.AggCall{Func: name, Args: []logical.Expr{frac, val}, Order: []logical.SortKey{{Expr: val, Desc: desc}}}
	if call.T, err = ops.AggregateType(name, []sqltypes.Type{frac.Type(), val.Type()}); err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	if call.Filter, err = b.bindAggFilter(fc, sc); err != nil {
		return nil, err
	}
	if fracs == nil {
		if err := recordAggArgs(call); err != nil {
			return nil, err
		}
		return agg.addAgg(b, call, name), nil
	}
	// percentile(fractions[]) is the array of percentile(f) for each
	// fraction, NULL when the group has no non-NULL value (as PostgreSQL's
	// percentile_*_multi_final returns).
	arr := &logical.Array{Elems: make([]logical.Expr, len(fracs)), T: sqltypes.ListOf(call.T)}
	for i, f := range fracs {
		c := call
		c.Args = []logical.Expr{f, val}
		arr.Elems[i] = agg.addAgg(b, c, name)
	}
	count := agg.addAgg(b, logical.AggCall{Func: "count", Args: []logical.Expr{val}, Filter: call.Filter, T: sqltypes.TypeInt8}, "count")
	some := &logical.Binary{Op: expr.OpGt, L: count, R: &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}, T: sqltypes.TypeBool}
	return &logical.Case{Whens: []logical.When{{Cond: some, Then: arr}}, T: arr.T}, nil
}

// sortKeyType is the type of an ordered-set aggregate's WITHIN GROUP
// value (unknown if it does not bind: the caller's binding reports that).
func sortKeyType(b *binder, fc *pg_query.FuncCall, sc *scope) sqltypes.Type {
	v, err := b.bindExpr(fc.AggOrder[0].GetSortBy().Node, sc, nil)
	if err != nil {
		return sqltypes.TypeUnknown
	}
	return v.Type()
}

// fractionList returns the fractions of percentile_cont/disc(fractions[])
// as double precision expressions: the elements of an ARRAY[...] or of a
// constant array. An array known only when the query runs is 0A000.
func (b *binder) fractionList(frac logical.Expr, name string, loc int) ([]logical.Expr, error) {
	switch f := frac.(type) {
	case *logical.Array:
		out := make([]logical.Expr, len(f.Elems))
		for i, e := range f.Elems {
			c, err := b.coerce(e, sqltypes.TypeFloat8)
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			out[i] = c
		}
		return out, nil
	case *logical.Const:
		vs, ok := f.V.([]any)
		if ok && f.T.Ndims() == 1 {
			out := make([]logical.Expr, len(vs))
			for i, v := range vs {
				c, err := b.coerce(&logical.Const{T: f.T.Leaf(), V: v}, sqltypes.TypeFloat8)
				if err != nil {
					return nil, errAt(sqltypes.AsError(err), loc)
				}
				out[i] = c
			}
			return out, nil
		}
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s of an array of fractions is supported for ARRAY[...] and constant arrays only", name), loc)
}

// recordAggArgs refuses aggregates over record values but count(), which
// sees only whether each value is NULL (see recordOperand).
func recordAggArgs(call logical.AggCall) error {
	if call.Func == "count" && !call.Distinct {
		return nil
	}
	return recordOperand(&logical.Func{Args: call.Args})
}

// distinctable is the 42883 of PostgreSQL for DISTINCT over values of t
// with no equality operator: json's (jsonb has one) and void's.
func distinctable(t sqltypes.Type, loc int) error {
	if !t.HasKind(sqltypes.JSON) && !t.HasKind(sqltypes.Void) {
		return nil
	}
	return errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "could not identify an equality operator for type %s", t), loc)
}

// bindAggFilter binds an aggregate call's FILTER (WHERE …), nil without one.
func (b *binder) bindAggFilter(fc *pg_query.FuncCall, sc *scope) (logical.Expr, error) {
	if fc.AggFilter == nil {
		return nil, nil
	}
	// FILTER is no argument: a window call in it is PostgreSQL's 42P20
	// "not allowed in FILTER", not the arguments' nesting error.
	inArgs := b.inAggArgs
	b.inAggArgs = false
	defer func() { b.inAggArgs = inArgs }()
	return b.bindPredicate(fc.AggFilter, sc, "FILTER")
}
