package bind

import (
	"slices"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// widenDisplayScales gives numerics whose scale PostgreSQL picks per value
// (quotients, avg, stddev and variance, text and floats cast to numeric,
// CASE/COALESCE/GREATEST/LEAST and VALUES columns mixing scales) that
// per-value scale (sqltypes.VarNumericType) where they go to the client
// unchanged: the select list of the outermost SELECT, below nothing but
// ORDER BY and LIMIT. Everywhere else (inside expressions, subqueries,
// sort keys, DISTINCT, set operations) they keep their static scale, so
// that no operator but the ones that only move rows (project, sort,
// limit) ever sees a variable-scale column.
func (b *binder) widenDisplayScales(rel *relation) {
	var above []*logical.Project // pass-through projections over the target
	blocked := logical.ColSet{}
	node := rel.node
	var target *logical.Project
walk:
	for {
		switch x := node.(type) {
		case *logical.Limit:
			node = x.Input
		case *logical.Sort:
			for _, k := range x.Keys {
				blocked.AddSet(logical.ColumnsOf(k.Expr))
			}
			node = x.Input
		case *logical.Project:
			if target != nil {
				above = append(above, target)
			}
			target = x
			if !allColRefs(x.Exprs) {
				break walk
			}
			node = x.Input
		default:
			break walk
		}
	}
	if target == nil {
		return
	}
	out := map[logical.ColumnID]int{} // root output column -> its index in rel.cols
	for i, c := range rel.cols {
		if _, dup := out[c.id]; dup {
			out[c.id] = -1
			continue
		}
		out[c.id] = i
	}
	// A sort key keeps reading the static value (sorting compares one
	// scale): the target then computes both, the variable-scale one as a
	// new column that the projections above pass on to the output.
	added := map[logical.ColumnID]logical.ColumnID{}
	replaced := logical.ColSet{} // not read above the target any more
	n := len(target.Exprs)
	for i := range n {
		e, id := target.Exprs[i], target.Cols[i]
		oi, ok := out[id]
		if !ok || oi < 0 || countID(target.Cols, id) > 1 {
			continue
		}
		w, ok := b.widened(e, target)
		if !ok {
			continue
		}
		nid := b.meta.NewColumn(rel.cols[oi].name, "", w.Type())
		if blocked.Has(id) {
			target.Exprs, target.Cols = append(target.Exprs, w), append(target.Cols, nid)
		} else {
			target.Exprs[i], target.Cols[i] = w, nid
		}
		added[id] = nid
		if !blocked.Has(id) {
			replaced.Add(id)
		}
		rel.cols[oi].id, rel.cols[oi].t = nid, w.Type()
	}
	for _, p := range above {
		for i := range len(p.Exprs) {
			c := p.Exprs[i].(*logical.ColRef)
			nid, ok := added[c.ID]
			switch {
			case !ok:
			case replaced.Has(c.ID):
				p.Exprs[i], p.Cols[i] = &logical.ColRef{ID: nid, Name: c.Name, T: b.meta.Column(nid).Type}, nid
			default:
				p.Exprs = append(p.Exprs, &logical.ColRef{ID: nid, Name: c.Name, T: b.meta.Column(nid).Type})
				p.Cols = append(p.Cols, nid)
			}
		}
	}
}

// widened returns e computed with per-value scales, if it is one of the
// forms widenDisplayScales lists (aggregates and VALUES read through
// target's input).
func (b *binder) widened(e logical.Expr, target *logical.Project) (logical.Expr, bool) {
	switch x := e.(type) {
	case *logical.Binary:
		if x.Op != expr.OpDiv || x.T.Kind != sqltypes.Numeric || x.T.VarScale ||
			x.L.Type().Kind != sqltypes.Numeric && !x.L.Type().IsInteger() ||
			x.R.Type().Kind != sqltypes.Numeric && !x.R.Type().IsInteger() {
			return nil, false
		}
		return &logical.Binary{Op: x.Op, L: x.L, R: x.R, T: sqltypes.VarNumericType(x.T.Scale)}, true
	case *logical.Func:
		if x.T.Kind == sqltypes.Numeric && !x.T.VarScale && expr.PerValueScale(x.Name) {
			return &logical.Func{Name: x.Name, Args: x.Args, T: sqltypes.VarNumericType(x.T.Scale)}, true
		}
		return pickedScale(e)
	case *logical.Case:
		return pickedScale(e)
	case *logical.Cast:
		from := x.E.Type()
		if x.T.Kind != sqltypes.Numeric || x.T.Precision != 0 || x.T.VarScale ||
			!from.IsString() && from.Kind != sqltypes.Float8 && from.Kind != sqltypes.Float4 {
			return nil, false
		}
		return &logical.Cast{E: x.E, T: sqltypes.VarNumericType(x.T.Scale)}, true
	case *logical.ColRef:
		// The avg itself stays for the other readers (HAVING, ORDER BY);
		// the output reads new sum and count aggregates.
		in := target.Input
		for {
			switch n := in.(type) {
			case *logical.Filter:
				in = n.Input
				continue
			case *logical.Window:
				if slices.Contains(n.Cols, x.ID) {
					return b.windowAsExpr(n, x)
				}
				in = n.Input
				continue
			case *logical.Aggregate:
				return b.aggAsExpr(n, x)
			case *logical.Values:
				return b.valuesScale(n, x)
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
	return b.statsExpr(call.Func, call.Args, call.T, func(fn string, arg logical.Expr) (logical.Expr, bool) {
		t, err := ops.AggregateType(fn, []sqltypes.Type{arg.Type()})
		if err != nil {
			return nil, false
		}
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
	return b.statsExpr(call.Func, call.Args, call.T, func(fn string, arg logical.Expr) (logical.Expr, bool) {
		t, err := ops.AggregateType(fn, []sqltypes.Type{arg.Type()})
		if err != nil {
			return nil, false
		}
		nc := call
		nc.Func, nc.Args, nc.T = fn, []logical.Expr{arg}, t
		id := b.meta.NewColumn(fn, "", t)
		w.Calls = append(w.Calls, nc)
		w.Cols = append(w.Cols, id)
		return &logical.ColRef{ID: id, Name: fn, T: t}, true
	})
}

// statsExpr returns fn(args) of type t computed with per-value scales
// from sums and counts that ref provides, if fn is avg or a
// stddev/variance over integers or numerics: avg(x) is sum(x) / count(x)
// (PostgreSQL's numeric_avg divides with numeric_div), the others come
// from sum(x), sum(x*x) and count(x) as in PostgreSQL's
// numeric_stddev_internal.
func (b *binder) statsExpr(fn string, args []logical.Expr, t sqltypes.Type, ref func(fn string, arg logical.Expr) (logical.Expr, bool)) (logical.Expr, bool) {
	if len(args) != 1 || t.Kind != sqltypes.Numeric || t.VarScale {
		return nil, false
	}
	x := args[0]
	if at := x.Type(); at.Kind != sqltypes.Numeric && !at.IsInteger() {
		return nil, false
	}
	asNumeric := func(e logical.Expr) logical.Expr {
		if e.Type().Kind != sqltypes.Numeric {
			return &logical.Cast{E: e, T: sqltypes.NumericType(0, 0)}
		}
		return e
	}
	switch fn {
	case "avg":
		sum, ok1 := ref("sum", x)
		count, ok2 := ref("count", x)
		if !ok1 || !ok2 {
			return nil, false
		}
		return &logical.Binary{Op: expr.OpDiv, L: asNumeric(sum), R: asNumeric(count), T: sqltypes.VarNumericType(t.Scale)}, true
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		nx := asNumeric(x)
		sqT, err := binaryType(expr.OpMul, nx.Type(), nx.Type())
		if err != nil {
			return nil, false
		}
		sum, ok1 := ref("sum", x)
		sum2, ok2 := ref("sum", &logical.Binary{Op: expr.OpMul, L: nx, R: nx, T: sqT})
		count, ok3 := ref("count", x)
		if !ok1 || !ok2 || !ok3 || sum2.Type().Kind != sqltypes.Numeric {
			return nil, false
		}
		return &logical.Func{Name: sqltypes.StatsFuncPrefix + fn, Args: []logical.Expr{asNumeric(sum), sum2, count},
			T: sqltypes.VarNumericType(t.Scale)}, true
	}
	return nil, false
}

// valuesScale returns the column c of the VALUES list v with each row at
// the scale it was written with (VALUES (1), (2.5) is 1 and 2.5), if the
// rows' numerics were cast to one scale from different ones: v gets a
// column of the rows' scales for expr.WithScale.
func (b *binder) valuesScale(v *logical.Values, c *logical.ColRef) (logical.Expr, bool) {
	j := slices.Index(v.Cols, c.ID)
	if j < 0 || c.T.Kind != sqltypes.Numeric || c.T.VarScale {
		return nil, false
	}
	scales := make([]logical.Expr, len(v.Rows))
	differs := false
	for r, row := range v.Rows {
		s := writtenScale(row[j])
		differs = differs || s != c.T.Scale
		scales[r] = &logical.Const{T: sqltypes.TypeInt4, V: s}
	}
	if !differs {
		return nil, false
	}
	id := b.meta.NewColumn(c.Name+" scale", "", sqltypes.TypeInt4)
	v.Cols = append(v.Cols, id)
	for r := range v.Rows {
		v.Rows[r] = append(v.Rows[r], scales[r])
	}
	return &logical.Func{Name: sqltypes.WithScaleFunc, Args: []logical.Expr{c, &logical.ColRef{ID: id, Name: c.Name + " scale", T: sqltypes.TypeInt4}},
		T: sqltypes.VarNumericType(c.T.Scale)}, true
}

// writtenScale is the scale of a numeric before the cast to a common
// scale that unifying it with others added (integers: 0).
func writtenScale(a logical.Expr) int32 {
	if c, ok := a.(*logical.Cast); ok && (c.E.Type().Kind == sqltypes.Numeric || c.E.Type().IsInteger()) {
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

func countID(ids []logical.ColumnID, id logical.ColumnID) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}
