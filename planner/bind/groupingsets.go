package bind

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// groupingCall is one grouping(a, b, …) call: which group keys it tests
// and the column holding its value.
type groupingCall struct {
	args []int // indexes into aggState.groups
	id   logical.ColumnID
}

// maxGroupingSets bounds CUBE's expansion (2^n sets).
const maxGroupingSets = 4096

// groupByItemSets binds one GROUP BY item and returns the grouping sets it
// stands for, as lists of indexes into agg.groups: a plain expression is
// one set of one key; ROLLUP(a, b) is (a, b), (a), (); CUBE every subset;
// GROUPING SETS the union of its members.
func (b *binder) groupByItemSets(it *pg_query.Node, bindKey func(*pg_query.Node) (int, error)) ([][]int, error) {
	gs := it.GetGroupingSet()
	if row := it.GetRowExpr(); gs == nil && row != nil {
		// (a, b) inside GROUPING SETS: one set of several keys.
		var set []int
		for _, k := range row.Args {
			idx, err := bindKey(k)
			if err != nil {
				return nil, err
			}
			set = append(set, idx)
		}
		return [][]int{set}, nil
	}
	if gs == nil {
		idx, err := bindKey(it)
		if err != nil {
			return nil, err
		}
		return [][]int{{idx}}, nil
	}
	// Each element of ROLLUP/CUBE may be a parenthesized list of keys.
	elems := func() ([][]int, error) {
		var out [][]int
		for _, c := range gs.Content {
			var keys []int
			items := []*pg_query.Node{c}
			if r := c.GetRowExpr(); r != nil {
				items = r.Args
			} else if l := c.GetList(); l != nil {
				items = l.Items
			}
			for _, k := range items {
				idx, err := bindKey(k)
				if err != nil {
					return nil, err
				}
				keys = append(keys, idx)
			}
			out = append(out, keys)
		}
		return out, nil
	}
	switch gs.Kind {
	case pg_query.GroupingSetKind_GROUPING_SET_EMPTY:
		return [][]int{{}}, nil
	case pg_query.GroupingSetKind_GROUPING_SET_SIMPLE:
		es, err := elems()
		if err != nil {
			return nil, err
		}
		var set []int
		for _, e := range es {
			set = append(set, e...)
		}
		return [][]int{set}, nil
	case pg_query.GroupingSetKind_GROUPING_SET_ROLLUP:
		es, err := elems()
		if err != nil {
			return nil, err
		}
		var out [][]int
		for n := len(es); n >= 0; n-- {
			var set []int
			for _, e := range es[:n] {
				set = append(set, e...)
			}
			out = append(out, set)
		}
		return out, nil
	case pg_query.GroupingSetKind_GROUPING_SET_CUBE:
		es, err := elems()
		if err != nil {
			return nil, err
		}
		if len(es) > 12 {
			return nil, errAt(sqltypes.New(sqltypes.CodeProgramLimitExceeded, "CUBE is limited to 12 elements"), int(gs.Location))
		}
		var out [][]int
		for mask := (1 << len(es)) - 1; mask >= 0; mask-- {
			var set []int
			for i, e := range es {
				if mask&(1<<(len(es)-1-i)) != 0 {
					set = append(set, e...)
				}
			}
			out = append(out, set)
		}
		return out, nil
	case pg_query.GroupingSetKind_GROUPING_SET_SETS:
		var out [][]int
		for _, c := range gs.Content {
			sets, err := b.groupByItemSets(c, bindKey)
			if err != nil {
				return nil, err
			}
			out = append(out, sets...)
		}
		return out, nil
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "this grouping set form is not supported"), int(gs.Location))
}

// crossSets combines the sets of two GROUP BY items (GROUP BY a, ROLLUP(b)).
func crossSets(a, b [][]int) [][]int {
	var out [][]int
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(append([]int(nil), x...), y...))
		}
	}
	return out
}

// bindGrouping binds grouping(a, b, …): each argument must be a GROUP BY key.
func (b *binder) bindGrouping(gf *pg_query.GroupingFunc, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(gf.Location)
	if agg == nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeGroupingError, "grouping operations are not allowed here"), loc)
	}
	call := groupingCall{}
	for _, a := range gf.Args {
		e, err := b.bindExpr(a, sc, nil)
		if err != nil {
			return nil, err
		}
		if hasSetFunctionPlaceholder(e) {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "aggregate function calls cannot contain set-returning function calls"), location(a))
		}
		k := logical.Key(e)
		found := -1
		for i, g := range agg.groupKeys {
			if g == k {
				found = i
			}
		}
		if found < 0 {
			return nil, errAt(sqltypes.New(sqltypes.CodeGroupingError, "arguments to GROUPING must be grouping expressions of the associated query level"), location(a))
		}
		call.args = append(call.args, found)
	}
	if len(call.args) > 31 {
		return nil, errAt(sqltypes.New(sqltypes.CodeTooManyArguments, "GROUPING must have fewer than 32 arguments"), loc)
	}
	call.id = b.meta.NewColumn("grouping", "", sqltypes.TypeInt4)
	agg.grouping = append(agg.grouping, call)
	return &logical.ColRef{ID: call.id, Name: "grouping", T: sqltypes.TypeInt4}, nil
}

// groupingValue is grouping()'s bitmask for one grouping set: bit i (from
// the right) is 1 when the i-th argument is not grouped in set.
func groupingValue(c groupingCall, set []int) int32 {
	var v int32
	for _, a := range c.args {
		v <<= 1
		in := false
		for _, s := range set {
			if s == a {
				in = true
			}
		}
		if !in {
			v |= 1
		}
	}
	return v
}

// rollupBase returns, per set, a reference to the aggregate of input
// grouped by every key (one copy per reference, computed once), for the
// set to merge from; nil when some aggregate does not merge from partial
// results, the input cannot be copied, or there is one set only.
func (a *aggState) rollupBase(b *binder, input logical.Node, calls []logical.AggCall, order []logical.SortKey) []logical.Node {
	if len(a.sets) < 2 || len(order) > 0 {
		return nil
	}
	for _, c := range calls {
		if _, ok := c.Merge(); !ok {
			return nil
		}
	}
	base := &logical.Aggregate{Input: input, Aggs: copyAggCalls(calls)}
	for _, g := range a.groups {
		base.Groups = append(base.Groups, g)
		base.GroupCols = append(base.GroupCols, b.meta.NewColumn(g.String(), "", g.Type()))
	}
	for _, id := range a.aggCols {
		m := b.meta.Column(id)
		base.AggCols = append(base.AggCols, b.meta.NewColumn(m.Name, "", m.Type))
	}
	refs := []logical.Node{base}
	for range a.sets[1:] {
		c, ok := b.clonePlan(base)
		if !ok {
			return nil
		}
		refs = append(refs, c)
	}
	key := b.newCTEKey()
	for i, r := range refs {
		refs[i] = &logical.Shared{Key: key, Name: "grouping sets", Input: r}
	}
	return refs
}

// sharedInput returns, per set, a reference to input's columns that the
// aggregates and keys read, sorted by order (the calls' common ORDER BY),
// computed once (logical.Shared), and the renaming from input's columns to
// each reference's; nil when there is one set only or input cannot be
// copied. Aggregates that do not merge from partial results group the
// input once per set: with the input computed and sorted for each, a CUBE
// of four keys joined and sorted sixteen times (array_agg(DISTINCT x
// ORDER BY x) over a join took 30 s and 1.8 GB).
//
// The calls' computed arguments (regexp_count(x, '...'), lower(s)) are
// columns of the shared input too, returned in computed by their
// logical.Key: computed once a row, not once per set and call (a
// percentile_disc of an array of fractions is a call per fraction).
func (a *aggState) sharedInput(b *binder, input logical.Node, calls []logical.AggCall, order []logical.SortKey) (_ []logical.Node, _ []map[logical.ColumnID]logical.ColumnID, computed map[string]logical.ColumnID) {
	if len(a.sets) < 2 || len(input.Output()) == 0 || readsOuter(input, definedIDs(input)) {
		// A correlated input is decorrelated in each set: no correlation
		// is pulled out of a shared one.
		return nil, nil, nil
	}
	reads := logical.ColSet{}
	add := func(e logical.Expr) {
		if e != nil {
			reads.AddSet(logical.ColumnsOf(e))
		}
	}
	for _, g := range a.groups {
		add(g)
	}
	for _, c := range calls {
		for _, e := range c.Args {
			add(e)
		}
		add(c.Filter)
		for _, k := range c.Order {
			add(k.Expr)
		}
	}
	for _, k := range order {
		add(k.Expr)
	}
	var base logical.Node = &logical.Project{Input: input}
	p := base.(*logical.Project)
	for _, id := range input.Output() {
		if reads.Has(id) {
			p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
		}
	}
	if len(p.Cols) < len(reads) {
		// An outer query's column: each set reads it where it is.
		return nil, nil, nil
	}
	computed = map[string]logical.ColumnID{}
	for _, c := range calls {
		exprs := []logical.Expr{c.Filter}
		if c.Filter == nil {
			// A FILTER's rejected rows never compute the arguments
			// (sum(1 / x) FILTER (WHERE x <> 0)).
			exprs = c.Args
		}
		for _, e := range exprs {
			if !computedOnce(e) {
				continue
			}
			if _, ok := computed[logical.Key(e)]; !ok {
				id := b.meta.NewColumn("arg", "", e.Type())
				p.Exprs, p.Cols = append(p.Exprs, e), append(p.Cols, id)
				computed[logical.Key(e)] = id
			}
		}
	}
	if len(p.Cols) == 0 {
		// count(*) alone: keep one column for the rows.
		id := input.Output()[0]
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
	}
	if len(order) > 0 {
		base = &logical.Sort{Input: base, Keys: order}
	}
	key := b.newCTEKey()
	refs := make([]logical.Node, len(a.sets))
	renames := make([]map[logical.ColumnID]logical.ColumnID, len(a.sets))
	for i := range a.sets {
		c := base
		if i > 0 {
			var ok bool
			if c, ok = b.clonePlan(base); !ok {
				return nil, nil, nil
			}
		}
		renames[i] = map[logical.ColumnID]logical.ColumnID{}
		for j, id := range base.Output() {
			renames[i][id] = c.Output()[j]
		}
		refs[i] = &logical.Shared{Key: key, Name: "grouping sets input", Input: c}
	}
	return refs, renames, computed
}

// computedOnce reports whether e, an aggregate call's argument, is worth
// computing once in a shared input: a computation (not a column or a
// constant) that gives the same value wherever it runs. Numerics stay
// where they are: their display scale is settled per reader.
func computedOnce(e logical.Expr) bool {
	switch e.(type) {
	case nil, *logical.ColRef, *logical.Const:
		return false
	}
	return !logical.IsVolatile(e) && !hasSubquery(e) && e.Type().Kind != sqltypes.Numeric
}

// readComputed points agg's calls' arguments and FILTERs at the columns
// computed holds them in (sharedInput).
func readComputed(b *binder, agg *logical.Aggregate, computed map[string]logical.ColumnID) {
	swap := func(e logical.Expr) logical.Expr {
		if id, ok := computed[logical.Key(e)]; ok {
			return b.colRef(id)
		}
		return e
	}
	for i := range agg.Aggs {
		c := &agg.Aggs[i]
		if c.Filter != nil {
			c.Filter = swap(c.Filter)
			continue
		}
		for j, e := range c.Args {
			c.Args[j] = swap(e)
		}
	}
}

// renameAggregate points agg's calls and input order at renamed's
// columns.
func renameAggregate(agg *logical.Aggregate, renamed map[logical.ColumnID]logical.ColumnID) {
	for i := range agg.Aggs {
		c := &agg.Aggs[i]
		for j, e := range c.Args {
			c.Args[j] = renameCols(e, renamed)
		}
		if c.Filter != nil {
			c.Filter = renameCols(c.Filter, renamed)
		}
		for j := range c.Order {
			c.Order[j].Expr = renameCols(c.Order[j].Expr, renamed)
		}
	}
	for j := range agg.InputOrder {
		agg.InputOrder[j].Expr = renameCols(agg.InputOrder[j].Expr, renamed)
	}
}

// copyAggCalls copies calls and the slices they hold (the expressions
// themselves are rebuilt, never changed, by whoever rewrites them).
func copyAggCalls(calls []logical.AggCall) []logical.AggCall {
	out := make([]logical.AggCall, len(calls))
	for i, c := range calls {
		c.Args = slices.Clone(c.Args)
		c.Order = slices.Clone(c.Order)
		out[i] = c
	}
	return out
}

// groupingSetsNode plans GROUP BY with grouping sets as a UNION ALL of one
// aggregate per set, each padding the keys it does not group with NULLs.
// When every aggregate merges from partial results (AggCall.Merge), the
// input is grouped once by all the keys, computed once (logical.Shared),
// and each set's aggregate merges those, much fewer, rows (rollupBase);
// otherwise every branch reads the input again.
func (a *aggState) groupingSetsNode(b *binder, input logical.Node) logical.Node {
	out := &logical.SetOp{Kind: logical.Union, All: true}
	out.Cols = append(append([]logical.ColumnID(nil), a.groupCols...), a.aggCols...)
	for _, g := range a.grouping {
		out.Cols = append(out.Cols, g.id)
	}
	var branches []logical.Node
	calls, order := a.orderedAggs()
	refs := a.rollupBase(b, input, calls, order)
	rollup := refs != nil
	var inputs []logical.Node
	var renames []map[logical.ColumnID]logical.ColumnID
	var computed map[string]logical.ColumnID
	if !rollup {
		inputs, renames, computed = a.sharedInput(b, input, calls, order)
	}
	for si, set := range a.sets {
		// Each branch owns its calls: later passes rewrite an
		// aggregate's calls in place (the scale flow settles their
		// arguments for that branch's readers), and a rewrite shared
		// with the next branch would be settled twice.
		agg := &logical.Aggregate{Input: input, Aggs: copyAggCalls(calls), InputOrder: slices.Clone(order)}
		if inputs != nil {
			agg.Input = inputs[si]
			readComputed(b, agg, computed)
			renameAggregate(agg, renames[si])
		}
		var ref logical.Node // this branch's reference to the grouped base
		if rollup {
			ref = refs[si]
			agg = &logical.Aggregate{Input: ref}
			for i, c := range calls {
				id := ref.Output()[len(a.groups)+i]
				merge, _ := c.Merge()
				agg.Aggs = append(agg.Aggs, logical.AggCall{Func: merge, Args: []logical.Expr{b.colRef(id)}, T: c.T})
			}
		}
		inSet := map[int]int{} // key index -> its position in agg.Groups
		for _, gi := range set {
			if _, dup := inSet[gi]; dup {
				continue
			}
			inSet[gi] = len(agg.Groups)
			g := a.groups[gi]
			if rollup {
				g = b.colRef(ref.Output()[gi])
			} else if inputs != nil {
				g = renameCols(g, renames[si])
			}
			agg.Groups = append(agg.Groups, g)
			agg.GroupCols = append(agg.GroupCols, b.meta.NewColumn(a.groups[gi].String(), "", a.groups[gi].Type()))
		}
		for _, id := range a.aggCols {
			m := b.meta.Column(id)
			agg.AggCols = append(agg.AggCols, b.meta.NewColumn(m.Name, "", m.Type))
		}
		proj := &logical.Project{Input: agg}
		for gi, g := range a.groups {
			var e logical.Expr = &logical.Const{T: g.Type()}
			if k, ok := inSet[gi]; ok {
				e = &logical.ColRef{ID: agg.GroupCols[k], Name: g.String(), T: g.Type()}
			}
			proj.Exprs = append(proj.Exprs, e)
		}
		for i, id := range agg.AggCols {
			proj.Exprs = append(proj.Exprs, &logical.ColRef{ID: id, Name: b.meta.Column(id).Name, T: a.aggs[i].T})
		}
		for _, g := range a.grouping {
			proj.Exprs = append(proj.Exprs, &logical.Const{T: sqltypes.TypeInt4, V: groupingValue(g, set)})
		}
		for _, e := range proj.Exprs {
			proj.Cols = append(proj.Cols, b.projectColumn(e, e.String()))
		}
		branches = append(branches, proj)
	}
	// Fold the branches into a left-deep chain of UNION ALLs.
	node := branches[0]
	for i, br := range branches[1:] {
		u := &logical.SetOp{Kind: logical.Union, All: true, Left: node, Right: br}
		if i == len(branches)-2 {
			u.Cols = out.Cols
		} else {
			for _, id := range out.Cols {
				m := b.meta.Column(id)
				u.Cols = append(u.Cols, b.meta.NewColumn(m.Name, "", m.Type))
			}
		}
		node = u
	}
	if len(branches) == 1 {
		p := node.(*logical.Project)
		p.Cols = out.Cols
	}
	return node
}
