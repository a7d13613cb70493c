package bind

import (
	"math/big"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Display scales. PostgreSQL gives every numeric value its own display
// scale: a quotient has the places select_div_scale picks for its values,
// avg is such a quotient, text and floats cast to numeric keep their
// digits, and CASE, COALESCE, GREATEST, LEAST, VALUES and set operations
// over numerics written with different scales keep each value's. meshql
// binds those as numerics of one static scale (the type system's), and
// widenScales then turns them into variable-scale numerics
// (sqltypes.VarNumericType) wherever the difference can be seen:
//
//   - where a value is kept as it is: a select list (at any level, so
//     subqueries, CTEs and views pass values on), GROUP BY and DISTINCT
//     keys, sort and PARTITION BY keys, set operation inputs, VALUES,
//     CASE, COALESCE, NULLIF, GREATEST and LEAST results, abs, min and
//     max, window value functions (lag/lead with their default,
//     first/last/nth_value, dscale_window.go), array_agg, unnest and
//     subscripts (dscale_arrays.go);
//   - where it feeds numeric + - * / %, unary minus, round/trunc, mod,
//     gcd, lcm and casts, which compute from each value's digits with
//     PostgreSQL's result scales (expr.VarArith), sum and avg (exact
//     sums, DISTINCT and over windows too), floor/ceil/sign and
//     count(DISTINCT), or a comparison (in a filter or join condition
//     too), which compares values exactly;
//   - where it is printed: casts to text, ||, concat, format, JSON
//     builders and json_agg (dscale_funcs.go).
//
// Every other reader (other functions and aggregates, IN lists) reads
// the value cast to its static scale, as before. A source is widened
// only when some reader keeps or computes from its scale (demand), so
// that plans whose quotients and averages only feed filters and
// aggregates (TPC-H's) stay
// on the static fast path.

// scaleFlow is the state of one widenScales pass.
type scaleFlow struct {
	b *binder
	// wide maps a static column to the variable-scale column that
	// replaces it (and a column bound variable-scale to the static one
	// that replaces it where no reader keeps its scales).
	wide map[logical.ColumnID]logical.ColumnID
	// demand holds the columns some reader would keep variable-scale;
	// out those of them some reader keeps for more than a comparison
	// (cmp is set while marking for comparisons). Averages start
	// per-value scales inside arithmetic only for out (TPC-H's
	// comparisons with averages stay static).
	demand, out logical.ColSet
	cmp         bool
	done        map[logical.Node]logical.Node // a plan may share subtrees
	marked      logical.NodeSet               // shared inputs mark has seen
	// comparing counts the comparisons settle is inside: their operands
	// keep exact quotients, but ln/exp/power results stay at their
	// static scale there (exp(-10000.0) = 0 needs no 4,000 places).
	comparing int
	// proj is the projection whose expressions are being settled: an
	// average or deviation it reads is computed there (sourceScale).
	proj    *logical.Project
	outExpr bool // the expression settled is kept for more than comparisons
}

// markingFor sets f.cmp for marking what column c is computed from:
// comparisons only if c is read by comparisons only. Call the function
// it returns when done.
func (f *scaleFlow) markingFor(c logical.ColumnID) func() {
	cmp := f.cmp
	f.cmp = !f.out.Has(c)
	return func() { f.cmp = cmp }
}

// widenScales widens the scales of rel's plan as the comment above says.
func (b *binder) widenScales(rel *relation) {
	f := &scaleFlow{b: b, wide: map[logical.ColumnID]logical.ColumnID{}, demand: logical.ColSet{}, out: logical.ColSet{}, done: map[logical.Node]logical.Node{}}
	for _, c := range rel.cols {
		f.demand.Add(c.id)
		f.out.Add(c.id)
	}
	f.mark(rel.node)
	rel.node = f.node(rel.node)
	f.outputArrays(rel)
	for i, c := range rel.cols {
		if n, ok := f.wide[c.id]; ok {
			rel.cols[i].id, rel.cols[i].t = n, b.meta.Column(n).Type
		}
	}
}

// mark adds to f.demand the columns n and its inputs read where a
// variable-scale value would be kept; readers are above what they read,
// so a walk from the root sees every reader of a column first.
func (f *scaleFlow) mark(n logical.Node) {
	keys := func(ks []logical.SortKey) {
		for _, k := range ks {
			f.markKept(k.Expr)
		}
	}
	switch x := n.(type) {
	case *logical.Project:
		for i, e := range x.Exprs {
			if f.demand.Has(x.Cols[i]) {
				done := f.markingFor(x.Cols[i])
				f.markKept(e)
				if a, ok := e.(*logical.Array); ok { // see outputArrays
					for _, el := range a.Elems {
						f.markKept(el)
					}
				}
				done()
			}
		}
	case *logical.Aggregate:
		for _, g := range x.Groups {
			f.markKept(g)
		}
		for i, a := range x.Aggs {
			if j := keptAggArg(a, f.demand.Has(x.AggCols[i])); j >= 0 {
				done := f.markingFor(x.AggCols[i])
				f.markKept(a.Args[j])
				done()
			}
		}
		keys(x.InputOrder)
		for _, a := range x.Aggs {
			keys(a.Order)
		}
	case *logical.Sort:
		keys(x.Keys)
	case *logical.Window:
		for _, p := range x.PartitionBy {
			f.markKept(p)
		}
		for i, c := range x.Calls {
			if f.demand.Has(x.Cols[i]) {
				done := f.markingFor(x.Cols[i])
				for _, j := range windowValueArgs(c) {
					f.markKept(c.Args[j])
				}
				done()
			}
		}
	case *logical.Unnest:
		if x.Cond != nil {
			f.markCompared(x.Cond)
		}
		for i, l := range x.Lists {
			if f.demand.Has(x.Cols[i]) {
				f.markKept(l)
				if a, ok := l.(*logical.Array); ok {
					for _, el := range a.Elems {
						f.markKept(el)
					}
				}
			}
		}
	case *logical.Filter:
		f.markCompared(x.Pred)
	case *logical.Join:
		f.markCompared(x.Cond)
	case *logical.SetOp:
		lo, ro := x.Left.Output(), x.Right.Output()
		for j, c := range x.Cols {
			// Of arrays, only one-dimensional numeric ones keep their
			// elements' scales through set operations (setOpArrays).
			if t := f.b.meta.Column(c).Type; f.demand.Has(c) && (t.Kind != sqltypes.List || numericList(t)) {
				f.demand.Add(lo[j], ro[j])
				if f.out.Has(c) {
					f.out.Add(lo[j], ro[j])
				}
			}
		}
	case *logical.Shared:
		// Every copy of a WITH query must produce the same types.
		f.demand.Add(x.Input.Output()...)
		f.out.Add(x.Input.Output()...)
		// References sharing one input mark it alike: once is enough.
		if f.marked.Has(x.Input) {
			return
		}
		f.marked.Add(x.Input)
	}
	logical.VisitExprs(n, f.markPrinted)
	for _, c := range n.Children() {
		f.mark(c)
	}
}

// markKept marks the columns e's value is computed from by the operators
// that keep variable scales (see settle).
func (f *scaleFlow) markKept(e logical.Expr) {
	switch x := e.(type) {
	case *logical.ColRef:
		f.demand.Add(x.ID)
		if !f.cmp {
			f.out.Add(x.ID)
		}
	case *logical.Binary:
		if varArith(x) {
			f.markKept(x.L)
			f.markKept(x.R)
		}
	case *logical.Unary:
		if x.Op == logical.OpNegate {
			f.markKept(x.E)
		}
	case *logical.Cast:
		f.markKept(x.E)
	case *logical.Array:
		for _, el := range x.Elems {
			f.markKept(el)
		}
	case *logical.Func:
		if isRound(x) || x.Name == "abs" && len(x.Args) == 1 || exactFunc(x) || elementFunc(x) || fillFunc(x) || scaleFunc(x) {
			f.markKept(x.Args[0])
		}
		if digitsFunc(x) {
			for _, a := range x.Args {
				f.markKept(a)
			}
		}
		if exactFunc(x) && len(x.Args) == 2 { // div
			f.markKept(x.Args[1])
		}
		if valueFunc(x) {
			for _, a := range x.Args {
				f.markKept(a)
			}
		}
		if textFunc(x) {
			for _, a := range x.Args {
				if a.Type().Kind == sqltypes.Numeric {
					f.markKept(a)
				}
			}
		}
	case *logical.Case:
		if x.T.Kind == sqltypes.Numeric || numericList(x.T) {
			for _, w := range x.Whens {
				f.markKept(w.Then)
			}
			if x.Else != nil {
				f.markKept(x.Else)
			}
		}
	}
	if x, ok := e.(*logical.Func); ok && x.Name == "coalesce" {
		for _, a := range x.Args {
			f.markKept(a)
		}
	}
}

// markCompared marks the operands of the numeric comparisons in e,
// which compare values exactly.
func (f *scaleFlow) markCompared(e logical.Expr) {
	cmp := f.cmp
	f.cmp = true
	defer func() { f.cmp = cmp }()
	logical.Walk(e, func(x logical.Expr) bool {
		switch y := x.(type) {
		case *logical.Binary:
			if numCompare(y) {
				f.markKept(y.L)
				f.markKept(y.R)
			}
		case *logical.InList: // as settleAnyList compares them
			if y.E.Type().Kind == sqltypes.Numeric {
				f.markKept(y.E)
			}
		case *logical.AnyArray:
			if _, ok := y.R.(*logical.Array); ok && y.Like == nil && y.Cmp == nil && y.L.Type().Kind == sqltypes.Numeric {
				f.markKept(y.L)
			}
		}
		return true
	})
}

func numCompare(x *logical.Binary) bool {
	return x.Op.IsComparison() && numOperand(x.L.Type()) && numOperand(x.R.Type()) &&
		(x.L.Type().Kind == sqltypes.Numeric || x.R.Type().Kind == sqltypes.Numeric)
}

func varArith(x *logical.Binary) bool {
	switch x.Op {
	case expr.OpAdd, expr.OpSub, expr.OpMul, expr.OpDiv, expr.OpMod:
		return x.T.Kind == sqltypes.Numeric && numOperand(x.L.Type()) && numOperand(x.R.Type())
	}
	return false
}

// varAgg reports whether the aggregate call computes from each value's
// scale (ops.varNumAcc): sum, avg, min and max of one numeric, and the
// sum of partial sums (grouping sets rolled up from the finest).
func varAgg(a logical.AggCall) bool {
	return (a.Func == "sum" || a.Func == "avg" || a.Func == "min" || a.Func == "max" || a.Func == "sum_merge") && len(a.Args) == 1 &&
		a.Args[0].Type().Kind == sqltypes.Numeric
}

// keptAggArg returns the argument of aggregate a that it reads with
// per-value scales: varAgg's when its result is kept (demanded), array_agg's
// and the value of percentile_disc and mode (which return one of the
// values) then too, and wherever it is count(DISTINCT x) (1.5 and 1.50
// are one value, two quotients differing in their 20th place two) or
// json_agg and json_object_agg, which print the values. -1: none.
func keptAggArg(a logical.AggCall, demanded bool) int {
	arg := 0
	if a.Func == "percentile_disc" || a.Func == "mode" || a.Func == "json_object_agg" || a.Func == "jsonb_object_agg" {
		arg = 1
	}
	if len(a.Args) <= arg || a.Args[arg].Type().Kind != sqltypes.Numeric {
		return -1
	}
	keep := false
	switch a.Func {
	case "count":
		keep = a.Distinct
	case "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		keep = true
	case "array_agg", "percentile_disc", "mode":
		keep = demanded
	default:
		keep = varAgg(a) && demanded
	}
	if !keep {
		return -1
	}
	return arg
}

func numOperand(t sqltypes.Type) bool { return t.Kind == sqltypes.Numeric || t.IsInteger() }

func isRound(x *logical.Func) bool {
	return (x.Name == "round" || x.Name == "trunc") && len(x.Args) > 0 && x.Args[0].Type().Kind == sqltypes.Numeric
}

// morePlaces reports whether e is a constant number of places beyond a
// static numeric's 38.
func morePlaces(e logical.Expr) bool {
	c, ok := e.(*logical.Const)
	if !ok {
		return false
	}
	switch v := c.V.(type) {
	case int32:
		return v > sqltypes.MaxNumericPrecision
	case int64:
		return v > sqltypes.MaxNumericPrecision
	}
	return false
}

func readsColumn(e logical.Expr) bool {
	found := false
	logical.Walk(e, func(x logical.Expr) bool {
		_, ok := x.(*logical.ColRef)
		found = found || ok
		return !found
	})
	return found
}

// node widens n's inputs, then n's own expressions and outputs.
func (f *scaleFlow) node(n logical.Node) logical.Node {
	if r, ok := f.done[n]; ok {
		return r
	}
	orig := n
	ch := n.Children()
	nc := make([]logical.Node, len(ch))
	changed := false
	for i, c := range ch {
		nc[i] = f.node(c)
		changed = changed || nc[i] != c
	}
	if changed {
		n = n.WithChildren(nc)
	}
	n = f.visit(n)
	f.done[orig] = n
	return n
}

func (f *scaleFlow) visit(n logical.Node) logical.Node {
	keys := func(ks []logical.SortKey) {
		for i := range ks {
			ks[i].Expr = f.expr(ks[i].Expr, true)
		}
	}
	switch x := n.(type) {
	case *logical.Project:
		f.proj = x
		defer func() { f.proj = nil }()
		for i, e := range x.Exprs {
			keep := f.demand.Has(x.Cols[i])
			f.outExpr = f.out.Has(x.Cols[i])
			e = f.expr(e, keep)
			if keep && !e.Type().VarScale {
				if w, ok := f.b.sourceScale(e, x); ok {
					e = w
				}
			}
			x.Exprs[i] = e
		}
		// Only now: an output column that passes an input column on has
		// its ID, which the other expressions read unwidened (SELECT
		// avg(x), round(avg(x), 2)).
		for i, e := range x.Exprs {
			if e.Type().HasVarScale() {
				f.define(&x.Cols[i], e.Type())
			} else if m := f.b.meta.Column(x.Cols[i]); m.Type.HasVarScale() {
				// Bound variable-scale (a grouping set's key over
				// upper(numrange)) and read at its static scale now that no
				// reader keeps it: the column says so, for whoever takes
				// its type from it (an empty Values replacing the branch).
				nid := f.b.meta.NewColumn(m.Name, m.Table, e.Type())
				f.wide[x.Cols[i]] = nid
				x.Cols[i] = nid
			}
		}
	case *logical.Filter:
		x.Pred = f.expr(x.Pred, false)
	case *logical.Join:
		if x.Cond != nil {
			x.Cond = f.expr(x.Cond, false)
		}
	case *logical.Sort:
		keys(x.Keys)
	case *logical.Aggregate:
		for i, g := range x.Groups {
			x.Groups[i] = f.expr(g, true)
			if x.Groups[i].Type().HasVarScale() {
				f.define(&x.GroupCols[i], x.Groups[i].Type())
			}
		}
		for i := range x.Aggs {
			a := &x.Aggs[i]
			kept := keptAggArg(*a, f.demand.Has(x.AggCols[i]))
			for j := range a.Args {
				a.Args[j] = f.expr(a.Args[j], j == kept)
			}
			switch {
			case kept < 0 || !a.Args[kept].Type().VarScale:
				if a.T.HasVarScale() {
					// Bound over an argument variable-scale from the start
					// (sum(lower(numrange))) that no reader keeps: the
					// argument is read at its static scale now, and so is
					// the result.
					a.T = a.T.StaticAll()
					f.define(&x.AggCols[i], a.T)
				}
			case varAgg(*a):
				a.T = sqltypes.VarNumericType(a.T.Scale)
				f.define(&x.AggCols[i], a.T)
			case a.Func == "array_agg":
				a.T = sqltypes.ListOf(a.Args[0].Type())
				f.define(&x.AggCols[i], a.T)
			case a.Func == "percentile_disc" || a.Func == "mode":
				a.T = a.Args[kept].Type()
				f.define(&x.AggCols[i], a.T)
			}
			if a.Filter != nil {
				a.Filter = f.expr(a.Filter, false)
			}
			keys(a.Order)
		}
		keys(x.InputOrder)
	case *logical.Window:
		for i := range x.PartitionBy {
			x.PartitionBy[i] = f.expr(x.PartitionBy[i], true)
		}
		for i := range x.OrderBy {
			x.OrderBy[i].Expr = f.expr(x.OrderBy[i].Expr, false)
		}
		for i := range x.Calls {
			c := &x.Calls[i]
			f.windowCall(c, &x.Cols[i])
			for _, e := range []*logical.Expr{&c.Filter, &c.RangeKey, &c.RangeStart, &c.RangeEnd} {
				if *e != nil {
					*e = f.expr(*e, false)
				}
			}
		}
	case *logical.Unnest:
		f.unnest(x)
		if x.Cond != nil {
			x.Cond = f.expr(x.Cond, false)
		}
	case *logical.Scan:
		for i := range x.Filters {
			x.Filters[i] = f.expr(x.Filters[i], false)
		}
	case *logical.Values:
		f.values(x)
	case *logical.SetOp:
		f.setOp(x)
	}
	return n
}

// define gives the output column *col, now computed with variable
// scales of type t, a new ID (one already given when *col passes on a
// widened column).
func (f *scaleFlow) define(col *logical.ColumnID, t sqltypes.Type) {
	if nid, ok := f.wide[*col]; ok {
		*col = nid
		return
	}
	m := f.b.meta.Column(*col)
	nid := f.b.meta.NewColumn(m.Name, m.Table, t)
	f.wide[*col] = nid
	*col = nid
}

// expr returns e reading the widened columns: variable-scale where e's
// operators keep scales and keep says e's reader does, else cast to the
// static type e had.
func (f *scaleFlow) expr(e logical.Expr, keep bool) logical.Expr {
	r := f.settle(e, keep)
	if !keep && r.Type().HasVarScale() {
		return &logical.Cast{E: r, T: r.Type().StaticAll()}
	}
	return r
}

// settle rebuilds e bottom-up over widened columns; keep says whether
// e's parent keeps a variable-scale value (only then do quotients and
// casts from text start one).
func (f *scaleFlow) settle(e logical.Expr, keep bool) logical.Expr {
	if c, ok := e.(*logical.ColRef); ok {
		if nid, ok := f.wide[c.ID]; ok {
			return &logical.ColRef{ID: nid, Name: c.Name, T: f.b.meta.Column(nid).Type}
		}
		if keep && f.proj != nil && f.outExpr && f.comparing == 0 {
			// avg(x) + 1 adds 1 to the average with its own scale.
			if w, ok := f.b.sourceScale(c, f.proj); ok {
				return w
			}
		}
		return e
	}
	if c, ok := e.(*logical.Case); ok {
		return f.settleCase(c, keep)
	}
	if in, ok := e.(*logical.InList); ok && in.E.Type().Kind == sqltypes.Numeric {
		op := expr.OpEq
		if in.Negated {
			op = expr.OpNe // x NOT IN (…) is x <> ALL (…)
		}
		return f.settleAnyList(in.E, op, in.List, in.Negated, func(x logical.Expr, items []logical.Expr) logical.Expr {
			return &logical.InList{E: x, List: items, Negated: in.Negated}
		})
	}
	if aa, ok := e.(*logical.AnyArray); ok && aa.Like == nil && aa.Cmp == nil && aa.L.Type().Kind == sqltypes.Numeric {
		if arr, ok := aa.R.(*logical.Array); ok && arr.T.Ndims() == 1 {
			return f.settleAnyList(aa.L, aa.Op, arr.Elems, aa.All, func(x logical.Expr, items []logical.Expr) logical.Expr {
				r := *arr
				r.Elems = items
				return &logical.AnyArray{Op: aa.Op, L: x, R: &r, All: aa.All}
			})
		}
	}
	if c, ok := e.(*logical.Const); ok && keep {
		if v, ok := f.b.varArrays[c]; ok {
			return v
		}
	}
	if a, ok := e.(*logical.Array); ok && a.T.Elem != nil && a.T.Elem.VarScale {
		// varArray's: its elements stay variable-scale (a reader that
		// does not keep them casts the whole array).
		n := &logical.Array{Elems: make([]logical.Expr, len(a.Elems)), T: a.T}
		for i, el := range a.Elems {
			n.Elems[i] = asVarScale(f.settle(el, true), *a.T.Elem)
		}
		return n
	}
	if a, ok := e.(*logical.Array); ok && keep && a.T.Ndims() == 1 && a.T.Elem.Kind == sqltypes.Numeric && a.T.Elem.Precision == 0 {
		// ARRAY[x / 3, …] kept (percentile_disc(ARRAY[…]) is one):
		// elements with their own scales make an array of them, as do
		// elements written with different scales (array_to_string(ARRAY[1.5,
		// 2.25], ',')).
		elems := make([]logical.Expr, len(a.Elems))
		anyVar, differs := false, false
		for i, el := range a.Elems {
			elems[i] = f.settle(el, true)
			anyVar = anyVar || elems[i].Type().VarScale
			differs = differs || writtenScale(elems[i]) != a.T.Elem.Scale
		}
		if anyVar || differs {
			vt := sqltypes.VarNumericType(a.T.Elem.Scale)
			for i, el := range elems {
				elems[i] = asVarScale(el, vt)
			}
			return &logical.Array{Elems: elems, T: sqltypes.ListOf(vt)}
		}
	}
	if fn, ok := e.(*logical.Func); ok && keep {
		if r, ok := f.arraySubquery(fn); ok {
			return r
		}
		if r, ok := numericSeries(fn); ok {
			return r
		}
		if varArrayFuncs[fn.Name] {
			args := make([]logical.Expr, len(fn.Args))
			for i, a := range fn.Args {
				args[i] = f.settle(a, true)
			}
			settled := &logical.Func{Name: fn.Name, Args: args, T: fn.T}
			if r, ok := varArrayFunc(settled); ok {
				return r
			}
			return settled
		}
	}
	if c, ok := e.(*logical.Cast); ok && keep && !c.Explicit && unconstrainedNumericArray(c.T) && c.T.Ndims() == 1 && c.E.Type().Ndims() == 1 && c.E.Type().Elem.IsInteger() {
		// An integer array unified with numeric ones (CASE, COALESCE):
		// its elements keep scale 0.
		return varArrayArg(f.settle(c.E, true), sqltypes.ListOf(sqltypes.VarNumericType(c.T.Elem.Scale)))
	}
	if fn, ok := e.(*logical.Func); ok && fn.Name == "coalesce" && keep && (fn.T.Kind == sqltypes.Numeric || numericList(fn.T)) && len(fn.Args) > 1 {
		// As the CASE it is, so that a variable-scale argument keeps
		// its scale.
		c := &logical.Case{Else: fn.Args[len(fn.Args)-1], T: fn.T}
		for _, a := range fn.Args[:len(fn.Args)-1] {
			c.Whens = append(c.Whens, logical.When{Cond: &logical.Unary{Op: logical.OpIsNotNull, E: unraised(a), T: sqltypes.TypeBool}, Then: a})
		}
		if r := f.settleCase(c, keep); r.Type().HasVarScale() {
			return r
		}
	}
	ch := e.Children()
	if len(ch) == 0 {
		return e
	}
	childKeep := false
	_, isFunc := e.(*logical.Func)
	switch x := e.(type) {
	case *logical.Binary:
		childKeep = keep && varArith(x) || numCompare(x)
	case *logical.Unary:
		childKeep = keep && x.Op == logical.OpNegate
	case *logical.Cast:
		childKeep = true
	case *logical.Func:
		childKeep = isRound(x) || digitsFunc(x) || x.Name == "abs" && keep || exactFunc(x) || keep && (valueFunc(x) || elementFunc(x) || fillFunc(x)) || textFunc(x) || scaleFunc(x)
	}
	allArgs := false // a Func's arguments after the first are not kept
	if fn, ok := e.(*logical.Func); ok {
		allArgs = valueFunc(fn) || textFunc(fn) || exactFunc(fn) || digitsFunc(fn)
	}
	nc := make([]logical.Expr, len(ch))
	anyVar := false
	if b, ok := e.(*logical.Binary); ok && numCompare(b) {
		f.comparing++
		defer func() { f.comparing-- }()
	}
	for i, c := range ch {
		nc[i] = f.settle(c, childKeep && (i == 0 || !isFunc || allArgs))
		anyVar = anyVar || nc[i].Type().HasVarScale()
	}
	e = e.WithChildren(nc)
	switch x := e.(type) {
	case *logical.Binary:
		if varArith(x) && (anyVar || keep && x.Op == expr.OpDiv) {
			return &logical.Binary{Op: x.Op, L: x.L, R: x.R, T: sqltypes.VarNumericType(x.T.Scale)}
		}
		if numCompare(x) && anyVar {
			return x // compares each value exactly
		}
	case *logical.Unary:
		if x.Op == logical.OpNegate && anyVar && x.T.Kind == sqltypes.Numeric {
			return &logical.Unary{Op: x.Op, E: x.E, T: sqltypes.VarNumericType(x.T.Scale)}
		}
	case *logical.Cast:
		from := x.E.Type()
		unconstrained := x.T.Kind == sqltypes.Numeric && x.T.Precision == 0 && !x.T.VarScale
		switch {
		case keep && unconstrainedNumericArray(x.T) && varElements(from):
			// text[], float8[] or numerics of their own scales cast to
			// numeric[]: each element keeps its scale.
			t := sqltypes.ArrayOf(sqltypes.VarNumericType(x.T.Leaf().Scale), x.T.Ndims())
			if from.Equal(t) {
				return x.E
			}
			return &logical.Cast{E: x.E, T: t}
		case from.VarScale && unconstrained:
			// numeric without a typmod keeps the value as it is.
			t := sqltypes.VarNumericType(x.T.Scale)
			if from.Equal(t) {
				return x.E
			}
			return &logical.Cast{E: x.E, T: t}
		case from.VarScale, from.HasVarScale() && textCast(x):
			return x // the executor casts from each value's digits
		case unconstrained && (from.IsString() || from.Kind == sqltypes.JSONB):
			// Text keeps every digit written, read or not: its nominal
			// scale of 15 would change values (1.4999999999999999 is not
			// 1.5); a reader of one scale casts it (its own loss).
			return &logical.Cast{E: x.E, T: sqltypes.VarNumericType(x.T.Scale)}
		case keep && unconstrained && (from.Kind == sqltypes.Float8 || from.Kind == sqltypes.Float4):
			return &logical.Cast{E: x.E, T: sqltypes.VarNumericType(x.T.Scale)}
		}
	case *logical.Func:
		if keep && (x.Name == "round" || x.Name == "trunc") && len(x.Args) == 2 && x.T.Kind == sqltypes.Numeric &&
			numOperand(x.Args[0].Type()) && (readsColumn(x.Args[1]) || morePlaces(x.Args[1])) {
			// round(x, d) with d from a row has d's places in each row;
			// more than a static numeric has fit only a zero.
			return &logical.Func{Name: x.Name, Args: x.Args, T: sqltypes.VarNumericType(x.Args[0].Type().Scale)}
		}
		if keep && x.Name == "trim_scale" && scaleFunc(x) {
			// Each value trimmed has a scale of its own.
			vt := sqltypes.VarNumericType(x.Args[0].Type().Scale)
			return &logical.Func{Name: x.Name, Args: []logical.Expr{asVarScale(x.Args[0], vt)}, T: vt}
		}
		if (isRound(x) || exactFunc(x) || textFunc(x) || scaleFunc(x)) && anyVar {
			return x // rounds each value from its own digits
		}
		if keep && valueFunc(x) && anyVar {
			return varValueFunc(x)
		}
		if keep && fillFunc(x) && x.Args[0].Type().VarScale {
			return &logical.Func{Name: x.Name, Args: x.Args, T: sqltypes.ArrayOf(x.Args[0].Type(), x.T.Ndims())}
		}
		if keep && elementFunc(x) && x.Args[0].Type().Elem != nil && x.Args[0].Type().Elem.VarScale {
			return &logical.Func{Name: x.Name, Args: x.Args, T: *x.Args[0].Type().Elem}
		}
		if keep && f.comparing == 0 && x.T.Kind == sqltypes.Numeric && !x.T.VarScale && expr.PerValueScale(x.Name) {
			// ln, exp, power, sqrt…: the result's scale depends on the
			// value, as for a quotient; the arguments are read with
			// every digit.
			return &logical.Func{Name: x.Name, Args: x.Args, T: sqltypes.VarNumericType(x.T.Scale)}
		}
		if digitsFunc(x) {
			return x // computes from each argument's own digits
		}
		if x.Name == "abs" && keep && len(x.Args) == 1 && x.Args[0].Type().VarScale {
			// CASE WHEN x < 0 THEN -x ELSE x END keeps x's scale.
			a, t := x.Args[0], x.Args[0].Type()
			zero := &logical.Const{T: sqltypes.NumericType(1, 0), V: decimal128.Num{}}
			return &logical.Case{Whens: []logical.When{{
				Cond: &logical.Binary{Op: expr.OpLt, L: a, R: zero, T: sqltypes.TypeBool},
				Then: &logical.Unary{Op: logical.OpNegate, E: a, T: t}}}, Else: a, T: t}
		}
	}
	if !anyVar {
		return e
	}
	for i, c := range nc {
		if c.Type().HasVarScale() {
			nc[i] = &logical.Cast{E: c, T: c.Type().StaticAll()}
		}
	}
	return e.WithChildren(nc)
}

// settleCase is settle for a CASE: a numeric CASE with a variable-scale
// result keeps it, the other results then keep the scales they were
// written with (CASE WHEN y <> 0 THEN x / y ELSE 0 END is a quotient or
// 0).
func (f *scaleFlow) settleCase(c *logical.Case, keep bool) logical.Expr {
	if keep && numericList(c.T) {
		return f.settleListCase(c)
	}
	// A CASE settled already (a plan shares it) keeps its variable-scale
	// results: cast to static scales, they would not be what it declares.
	settled := c.T.VarScale
	keep = keep && c.T.Kind == sqltypes.Numeric && !c.T.VarScale
	n := &logical.Case{Whens: make([]logical.When, len(c.Whens)), T: c.T}
	anyVar := false
	for i, w := range c.Whens {
		n.Whens[i] = logical.When{Cond: f.expr(w.Cond, false), Then: f.settle(w.Then, keep)}
		anyVar = anyVar || n.Whens[i].Then.Type().VarScale
	}
	if c.Else != nil {
		n.Else = f.settle(c.Else, keep)
		anyVar = anyVar || n.Else.Type().VarScale
	}
	if keep && !anyVar {
		// Results written with different scales (CASE WHEN … THEN amount
		// ELSE 0 END) keep them too, for sum and the others to see.
		for _, w := range n.Whens {
			anyVar = anyVar || writtenScale(w.Then) != c.T.Scale
		}
		anyVar = anyVar || n.Else != nil && writtenScale(n.Else) != c.T.Scale
	}
	vt := sqltypes.VarNumericType(c.T.Scale)
	conv := func(e logical.Expr) logical.Expr {
		switch {
		case settled:
			return asVarScale(e, c.T)
		case keep && anyVar:
			return asVarScale(e, vt)
		case e.Type().VarScale:
			return &logical.Cast{E: e, T: e.Type().Static()}
		}
		return e
	}
	for i := range n.Whens {
		n.Whens[i].Then = conv(n.Whens[i].Then)
	}
	if n.Else != nil {
		n.Else = conv(n.Else)
	}
	if keep && anyVar {
		n.T = vt
	}
	return n
}

// settleAnyList settles x and items, the operands of x op ANY (items),
// or op ALL with all: x [NOT] IN (…) and x op ANY/ALL (ARRAY[…]). When
// one is variable-scale (a column whose common scale cannot hold its
// values, VALUES (1e-29), (1e23)), the result is their comparisonChain,
// which reads each value exactly where the list's kernel would read them
// at the nominal scale; else rebuild makes the node over the settled
// operands.
func (f *scaleFlow) settleAnyList(x logical.Expr, op expr.BinaryOp, items []logical.Expr, all bool, rebuild func(x logical.Expr, items []logical.Expr) logical.Expr) logical.Expr {
	x = f.settle(x, false)
	settled := make([]logical.Expr, len(items))
	anyVar := x.Type().VarScale
	for i, it := range items {
		settled[i] = f.settle(it, false)
		anyVar = anyVar || settled[i].Type().VarScale
	}
	if !anyVar {
		return rebuild(x, settled)
	}
	res, _ := comparisonChain(settled, all, func(it logical.Expr) (logical.Expr, error) {
		return &logical.Binary{Op: op, L: x, R: it, T: sqltypes.TypeBool}, nil
	})
	return res
}

// numericList reports whether t is a one-dimensional array of static
// numerics.
func numericList(t sqltypes.Type) bool {
	return t.Ndims() == 1 && t.Elem.Kind == sqltypes.Numeric && !t.Elem.VarScale
}

// settleListCase is settle for a kept CASE of numeric arrays
// (percentile_disc(ARRAY[…]) is CASE WHEN count(x) > 0 THEN ARRAY[…]
// END): when a result is an array of variable-scale numerics, every
// result becomes one, an ARRAY[...]'s elements keeping the scales they
// were written with and another array its elements' scale.
func (f *scaleFlow) settleListCase(c *logical.Case) logical.Expr {
	n := &logical.Case{Whens: make([]logical.When, len(c.Whens)), Else: c.Else, T: c.T}
	results := make([]*logical.Expr, 0, len(c.Whens)+1)
	for i, w := range c.Whens {
		n.Whens[i] = logical.When{Cond: f.expr(w.Cond, false), Then: f.settle(w.Then, true)}
		results = append(results, &n.Whens[i].Then)
	}
	if n.Else != nil {
		n.Else = f.settle(n.Else, true)
		results = append(results, &n.Else)
	}
	anyVar := false
	for _, r := range results {
		anyVar = anyVar || (*r).Type().HasVarScale()
	}
	if !anyVar {
		return n
	}
	vt := sqltypes.ListOf(sqltypes.VarNumericType(c.T.Elem.Scale))
	for _, r := range results {
		switch x := (*r).(type) {
		case *logical.Const:
			if x.V == nil {
				*r = &logical.Const{T: vt}
				continue
			}
		case *logical.Array:
			if !x.T.HasVarScale() {
				elems := make([]logical.Expr, len(x.Elems))
				for i, el := range x.Elems {
					elems[i] = asVarScale(el, *vt.Elem)
				}
				*r = &logical.Array{Elems: elems, T: vt}
				continue
			}
		}
		if !(*r).Type().Equal(vt) {
			*r = &logical.Cast{E: *r, T: vt} // each element keeps its scale
		}
	}
	n.T = vt
	return n
}

// values widens the columns of v whose rows were written with different
// scales (VALUES (1), (2.5) is 1 and 2.5) and that some reader keeps.
func (f *scaleFlow) values(v *logical.Values) {
	for j, id := range v.Cols {
		t := f.b.meta.Column(id).Type
		overflows := slices.ContainsFunc(v.Rows, func(row []logical.Expr) bool { return raiseOverflows(row[j]) })
		if t.Kind != sqltypes.Numeric || t.VarScale || !f.demand.Has(id) && !overflows {
			// A column whose common scale cannot hold its values is
			// widened even if nobody reads it (count(*) of VALUES (1e-29), (1e23)).
			continue
		}
		differs := false
		for _, row := range v.Rows {
			differs = differs || writtenScale(row[j]) != t.Scale
		}
		if !differs {
			continue
		}
		vt := sqltypes.VarNumericType(t.Scale)
		for _, row := range v.Rows {
			row[j] = withScale(row[j], writtenScale(row[j]))
		}
		f.define(&v.Cols[j], vt)
	}
}

// unraised is e without the implicit cast that raised its scale to a
// common one of unconstrained numeric (which need not hold it), for a
// reader that takes the value at any scale: IS NULL, comparisons, or a
// variable-scale numeric of its written scale.
func unraised(e logical.Expr) logical.Expr {
	if c, ok := e.(*logical.Cast); ok && !c.Explicit && c.T.Kind == sqltypes.Numeric && c.T.Precision == 0 && !c.T.VarScale && writtenScale(c) < c.T.Scale {
		return c.E
	}
	return e
}

// raiseOverflows reports whether e is a cast that raises a numeric's
// scale to a common one that cannot hold it: a constant's value or an
// integer or numeric(p,s) type's largest.
func raiseOverflows(e logical.Expr) bool {
	in := unraised(e)
	if in == e {
		return false
	}
	raise := int(e.Type().Scale - writtenScale(e))
	intDigits := 0
	if d, s, ok := constDecimal(in); ok {
		if sqltypes.IsNumericSpecial(d) {
			return false
		}
		intDigits = len(new(big.Int).Abs(d.BigInt()).String()) - int(s)
	} else {
		switch t := in.Type(); {
		case t.Kind == sqltypes.Int2:
			intDigits = 5
		case t.Kind == sqltypes.Int4:
			intDigits = 10
		case t.Kind == sqltypes.Int8:
			intDigits = 19
		case t.Kind == sqltypes.Numeric && t.Precision > 0:
			intDigits = int(t.Precision - t.Scale)
		}
	}
	return intDigits+int(e.Type().Scale) > sqltypes.MaxNumericPrecision && raise > 0
}

// withScale is e (a static numeric) with each value at scale s (at most
// e's).
func withScale(e logical.Expr, s int32) logical.Expr {
	if c, ok := e.(*logical.Cast); ok && unraised(c) != e && !c.E.Type().VarScale && s == writtenScale(c) {
		// The cast only raised the value's scale to its column's, which
		// need not hold it (VALUES (1e-29), (1e23) has scale 29): start
		// from the value as it was written.
		in := c.E
		if in.Type().IsInteger() {
			in = &logical.Cast{E: in, T: sqltypes.NumericType(0, 0)}
		}
		return &logical.Cast{E: withScale(in, s), T: sqltypes.VarNumericType(c.T.Scale)}
	}
	return &logical.Func{Name: sqltypes.WithScaleFunc, Args: []logical.Expr{e, &logical.Const{T: sqltypes.TypeInt4, V: s}},
		T: sqltypes.VarNumericType(e.Type().Scale)}
}

// setOp makes a column of a set operation variable-scale when some
// reader keeps it and an input is variable-scale or was cast to the
// column's scale from a smaller one (UNION of 1.5 and 2 is 1.5 and 2),
// converting both inputs to it.
func (f *scaleFlow) setOp(x *logical.SetOp) {
	var conv [2]*logical.Project // the inputs' conversions, made once
	sides := [2]*logical.Node{&x.Left, &x.Right}
	defer func() {
		for j, c := range x.Cols {
			if nid, ok := f.wide[c]; ok {
				// A grouping set's key passes its input column's ID on
				// (groupingSetsNode), and that column, variable-scale
				// from the start (lower(numrange)), was given a new ID
				// below: its readers above read the new one.
				x.Cols[j] = nid
			}
		}
	}()
	for j, c := range x.Cols {
		t := f.b.meta.Column(c).Type
		if numericList(t) && f.demand.Has(c) {
			f.setOpArrays(x, &conv, j, t)
			continue
		}
		if t.Kind == sqltypes.Numeric && t.VarScale && !slices.ContainsFunc(sides[:], func(in *logical.Node) bool {
			return f.b.meta.Column((*in).Output()[j]).Type.VarScale
		}) {
			// Bound variable-scale from the start (min(upper(numrange))
			// under grouping sets) but read at the static scale below
			// now that no reader keeps it: static too.
			f.define(&x.Cols[j], t.StaticAll())
			continue
		}
		overflows, sideVar := false, false
		for _, in := range sides {
			overflows = overflows || unifyOverflows(*in, j)
			sideVar = sideVar || f.b.meta.Column((*in).Output()[j]).Type.VarScale
		}
		// An input variable-scale for a reader of its own (an operand's
		// ORDER BY over sum(lower(numrange))) makes the column so too,
		// read by no one above or not: both inputs must be of one type.
		if t.Kind != sqltypes.Numeric || t.VarScale || !f.demand.Has(c) && !overflows && !sideVar {
			continue
		}
		need := false
		for _, in := range sides {
			need = need || f.b.meta.Column((*in).Output()[j]).Type.VarScale || unifyCast(*in, j) != nil
		}
		if !need {
			continue
		}
		vt := sqltypes.VarNumericType(t.Scale)
		for k, in := range sides {
			f.toVarScale(in, &conv[k], j, t, vt)
		}
		f.define(&x.Cols[j], vt)
	}
}

// unifyCast returns bindSetOp's cast of column j of a set operation's
// input in to the column's type, if it raised the scale.
func unifyCast(in logical.Node, j int) *logical.Cast {
	p, ok := in.(*logical.Project)
	if !ok {
		return nil
	}
	c, ok := p.Exprs[j].(*logical.Cast)
	if !ok || c.T.Kind != sqltypes.Numeric || c.T.VarScale || !numOperand(c.E.Type()) || c.E.Type().VarScale || writtenScale(c) >= c.T.Scale {
		return nil
	}
	return c
}

// unifyOverflows reports whether unifyCast(in, j) raises a value beyond
// what its scale holds, looking through the input's own projection
// (SELECT 1e23 UNION ALL SELECT 1e-29).
func unifyOverflows(in logical.Node, j int) bool {
	uc := unifyCast(in, j)
	if uc == nil {
		return false
	}
	if r, ok := uc.E.(*logical.ColRef); ok {
		if p, ok := in.(*logical.Project).Input.(*logical.Project); ok {
			if k := slices.Index(p.Cols, r.ID); k >= 0 {
				return raiseOverflows(&logical.Cast{E: p.Exprs[k], T: uc.T})
			}
		}
	}
	return raiseOverflows(uc)
}

// toVarScale makes column j of the set operation input *in the
// variable-scale vt (of the static t): its values keep the scale they
// had before bindSetOp's cast, or their column's. Other conversions go to
// one projection *conv over the input.
func (f *scaleFlow) toVarScale(in *logical.Node, conv **logical.Project, j int, t, vt sqltypes.Type) {
	out := (*in).Output()
	st := f.b.meta.Column(out[j]).Type
	if st.Equal(vt) {
		return
	}
	relabel := func(e logical.Expr) logical.Expr {
		if !e.Type().Equal(vt) {
			return &logical.Cast{E: e, T: vt}
		}
		return e
	}
	if c := unifyCast(*in, j); c != nil && *conv == nil {
		p := (*in).(*logical.Project)
		p.Exprs[j] = relabel(withScale(c, writtenScale(c)))
		f.define(&p.Cols[j], vt)
		return
	}
	if *conv == nil {
		*conv = &logical.Project{Input: *in}
		for _, id := range out {
			m := f.b.meta.Column(id)
			(*conv).Exprs = append((*conv).Exprs, &logical.ColRef{ID: id, Name: m.Name, T: m.Type})
			(*conv).Cols = append((*conv).Cols, id)
		}
		*in = *conv
	}
	e := (*conv).Exprs[j]
	if !st.VarScale {
		if !st.Equal(t) {
			e = &logical.Cast{E: e, T: t}
		}
		e = withScale(e, e.Type().Scale)
	}
	(*conv).Exprs[j] = relabel(e)
	(*conv).Cols[j] = f.b.meta.NewColumn(f.b.meta.Column(out[j]).Name, "", vt)
}

// sourceScale returns e, an expression a select list keeps, computed
// with per-value scales if it is one of the forms that have them and
// that settle does not start: a CASE, COALESCE, GREATEST or LEAST over
// numerics of different scales, a numeric cast to a larger scale only to
// match others (a set operation's input), avg and stddev/variance over
// integers or numerics (read through target's input, its filters,
// windows and joins).
func (b *binder) sourceScale(e logical.Expr, target *logical.Project) (logical.Expr, bool) {
	switch x := e.(type) {
	case *logical.Case, *logical.Func:
		return pickedScale(e)
	case *logical.Cast:
		from := x.E.Type()
		if x.T.Kind != sqltypes.Numeric || x.T.Precision != 0 || !numOperand(from) || from.VarScale || writtenScale(x) >= x.T.Scale {
			return nil, false
		}
		return withScale(x, writtenScale(x)), true
	case *logical.ColRef:
		// The avg itself stays for the other readers (HAVING, ORDER BY);
		// the output reads new sum and count aggregates.
		in := target.Input
		for {
			switch n := in.(type) {
			case *logical.Filter:
				in = n.Input
				continue
			case *logical.Join:
				// A select-list subquery's join: the side computing the column
				// passes on the aggregates added to it.
				if slices.Contains(n.Left.Output(), x.ID) {
					in = n.Left
					continue
				}
				if slices.Contains(n.Right.Output(), x.ID) {
					in = n.Right
					continue
				}
				return nil, false
			case *logical.Window:
				if slices.Contains(n.Cols, x.ID) {
					return b.windowAsExpr(n, x)
				}
				in = n.Input
				continue
			case *logical.Aggregate:
				return b.aggAsExpr(n, x)
			}
			return nil, false
		}
	}
	return nil, false
}

// aggAsExpr returns the column c of agg computed with per-value scales,
// if it is avg or a stddev/variance over integers or numerics (see
// statsExpr), adding the aggregates that needs to agg.
func (b *binder) aggAsExpr(agg *logical.Aggregate, c *logical.ColRef) (logical.Expr, bool) {
	k := slices.Index(agg.AggCols, c.ID)
	if k < 0 {
		return nil, false
	}
	call := agg.Aggs[k]
	if len(call.Order) > 0 {
		return nil, false
	}
	return b.statsExpr(call.Func, call.Args, call.T, func(fn string, arg logical.Expr, t sqltypes.Type) (logical.Expr, bool) {
		nc := logical.AggCall{Func: fn, Args: []logical.Expr{arg}, Distinct: call.Distinct, Filter: call.Filter, T: t}
		id, found := sameAgg(agg, nc)
		if !found {
			id = b.meta.NewColumn(fn, "", t)
			agg.Aggs = append(agg.Aggs, nc)
			agg.AggCols = append(agg.AggCols, id)
		}
		return &logical.ColRef{ID: id, Name: fn, T: t}, true
	})
}

// windowAsExpr is aggAsExpr for a column of a window node: the sums and
// counts are window calls over the same window and frame.
func (b *binder) windowAsExpr(w *logical.Window, c *logical.ColRef) (logical.Expr, bool) {
	call := w.Calls[slices.Index(w.Cols, c.ID)]
	return b.statsExpr(call.Func, call.Args, call.T, func(fn string, arg logical.Expr, t sqltypes.Type) (logical.Expr, bool) {
		nc := call
		nc.Func, nc.Args, nc.T = fn, []logical.Expr{arg}, t
		id := b.meta.NewColumn(fn, "", t)
		w.Calls = append(w.Calls, nc)
		w.Cols = append(w.Cols, id)
		return &logical.ColRef{ID: id, Name: fn, T: t}, true
	})
}

// statsExpr returns fn(args) of type t computed with per-value scales
// from the aggregates of type t that ref provides, if fn is avg or a
// stddev/variance over integers or numerics: avg(x) is sum(x) / count(x)
// (PostgreSQL's numeric_avg divides with numeric_div); the others are
// themselves, variable-scale, from their exact sums (ops' statsAcc, as
// PostgreSQL's numeric_stddev_internal: a sum(x*x) would overflow
// decimal128 where the variance does not).
func (b *binder) statsExpr(fn string, args []logical.Expr, t sqltypes.Type, ref func(fn string, arg logical.Expr, t sqltypes.Type) (logical.Expr, bool)) (logical.Expr, bool) {
	if len(args) != 1 || t.Kind != sqltypes.Numeric || t.VarScale {
		return nil, false
	}
	x := args[0]
	if at := x.Type(); at.Kind != sqltypes.Numeric && !at.IsInteger() {
		return nil, false
	}
	switch fn {
	case "avg":
		asNumeric := func(e logical.Expr) logical.Expr {
			if e.Type().Kind != sqltypes.Numeric {
				return &logical.Cast{E: e, T: sqltypes.NumericType(0, 0)}
			}
			return e
		}
		typed := func(fn string) (logical.Expr, bool) {
			t, err := ops.AggregateType(fn, []sqltypes.Type{x.Type()})
			if err != nil {
				return nil, false
			}
			return ref(fn, x, t)
		}
		sum, ok1 := typed("sum")
		count, ok2 := typed("count")
		if !ok1 || !ok2 {
			return nil, false
		}
		return &logical.Binary{Op: expr.OpDiv, L: asNumeric(sum), R: asNumeric(count), T: sqltypes.VarNumericType(t.Scale)}, true
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		if x.Type().VarScale { // read at its static scale
			return nil, false
		}
		return ref(fn, x, sqltypes.VarNumericType(t.Scale))
	}
	return nil, false
}

// writtenScale is the scale of a numeric before the cast to a common
// scale that unifying it with others added (integers: 0); a cast the
// query wrote gives its own scale.
func writtenScale(a logical.Expr) int32 {
	if c, ok := a.(*logical.Cast); ok && !c.Explicit && (c.E.Type().Kind == sqltypes.Numeric || c.E.Type().IsInteger()) {
		return c.E.Type().Scale
	}
	return a.Type().Scale
}

// pickedScale returns e with each row at the scale of the argument it
// took, if e is a CASE, COALESCE, GREATEST or LEAST whose numeric
// arguments were cast to one scale from different ones (CASE WHEN x THEN
// 1 ELSE 2.50 END is 1 or 2.50). The scale is a CASE that repeats e's
// choice: the first argument not NULL for COALESCE, the first equal to
// the result for GREATEST and LEAST (PostgreSQL keeps the first of equal
// values).
func pickedScale(e logical.Expr) (logical.Expr, bool) {
	t := e.Type()
	if t.Kind != sqltypes.Numeric || t.VarScale {
		return nil, false
	}
	scaleOf := func(a logical.Expr) logical.Expr {
		return &logical.Const{T: sqltypes.TypeInt4, V: writtenScale(a)}
	}
	differs := false
	note := func(a logical.Expr) logical.Expr {
		s := scaleOf(a)
		differs = differs || s.(*logical.Const).V.(int32) != t.Scale
		return s
	}
	sc := &logical.Case{T: sqltypes.TypeInt4}
	switch x := e.(type) {
	case *logical.Case:
		for _, w := range x.Whens {
			sc.Whens = append(sc.Whens, logical.When{Cond: w.Cond, Then: note(w.Then)})
		}
		if x.Else != nil {
			sc.Else = note(x.Else)
		}
	case *logical.Func:
		if len(x.Args) < 2 {
			return nil, false
		}
		if x.Name == "coalesce" || x.Name == "greatest" || x.Name == "least" {
			// The kernels take each argument at its own scale: none is
			// raised to the common one, which need not hold the others
			// (coalesce(1e23, 1e-29) has scale 29).
			for _, a := range x.Args {
				differs = differs || writtenScale(a) != t.Scale
			}
			if !differs {
				return nil, false
			}
			return varValueFunc(x), true
		}
		for _, a := range x.Args {
			var cond logical.Expr
			switch x.Name {
			case "coalesce":
				cond = &logical.Unary{Op: logical.OpIsNotNull, E: a, T: sqltypes.TypeBool}
			case "greatest", "least":
				cond = &logical.Binary{Op: expr.OpEq, L: a, R: x, T: sqltypes.TypeBool}
			default:
				return nil, false
			}
			sc.Whens = append(sc.Whens, logical.When{Cond: cond, Then: note(a)})
		}
	}
	if !differs {
		return nil, false
	}
	return &logical.Func{Name: sqltypes.WithScaleFunc, Args: []logical.Expr{e, sc}, T: sqltypes.VarNumericType(t.Scale)}, true
}

// sameAgg returns the column of an aggregate of agg that computes c
// already (TPC-H Q1 has sum(l_quantity) next to avg(l_quantity)).
func sameAgg(agg *logical.Aggregate, c logical.AggCall) (logical.ColumnID, bool) {
	key := func(e logical.Expr) string {
		if e == nil {
			return ""
		}
		return logical.Key(e)
	}
	for i, a := range agg.Aggs {
		if a.Func != c.Func || a.Distinct != c.Distinct || len(a.Order) > 0 || len(a.Args) != len(c.Args) ||
			!a.T.Equal(c.T) || key(a.Filter) != key(c.Filter) {
			continue
		}
		same := true
		for j := range a.Args {
			same = same && key(a.Args[j]) == key(c.Args[j])
		}
		if same {
			return agg.AggCols[i], true
		}
	}
	return 0, false
}
