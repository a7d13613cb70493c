package bind

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// An uncorrelated `x < ANY (q)` (<, <=, >, >=; ALL is bound as NOT (x
// negop ANY)) holds when x is below q's greatest value: q is aggregated
// once to that value, and each outer row makes one comparison. As a join
// on `x < v` it was a nested loop comparing every outer row with every
// row of q (10 s for a UNION branch over orders against PostgreSQL's
// 0.1 s at SF0.01). `x <> ANY (q)` (and `= ALL`, its negation) holds when
// x differs from q's least or greatest value.
//
// A correlated one whose correlations are equalities (`WHERE t.k = o.k`)
// is aggregated per correlation key instead, and each outer row compares
// with its key's values: one pass over q and one hash join, where a join
// on `t.k = o.k AND x < v` compared every outer row with every inner row
// of its key (all of them, for a key of few values).

// extremeAny is what anyByExtreme reads off a quantified comparison.
type extremeAny struct {
	op    expr.BinaryOp // x op v, with x the outer side
	outer logical.Expr  // x
	inner logical.Expr  // v, over the subquery's columns
}

// asExtremeAny recognizes `x op ANY (plan)` with op an ordering
// comparison or <> of a type whose min and max order as the comparison
// does, plan's columns on one side only and no subquery or volatile call
// on either.
func asExtremeAny(plan logical.Node, sq *logical.Subquery) (extremeAny, bool) {
	if sq.Kind != logical.SubqueryAny && sq.Kind != logical.SubqueryAll {
		return extremeAny{}, false
	}
	bin, ok := sq.Cmp.(*logical.Binary)
	if !ok || bin.Op < expr.OpNe || bin.Op > expr.OpGe || hasSubquery(bin) || logical.IsVolatile(bin) {
		return extremeAny{}, false
	}
	inner := logical.OutputSet(plan)
	x, v, op := bin.L, bin.R, bin.Op
	if readsAny(logical.ColumnsOf(x), inner.Sorted()) {
		x, v, op = v, x, expr.FlipComparison(op)
	}
	vc := logical.ColumnsOf(v)
	if len(vc) == 0 || !vc.SubsetOf(inner) || readsAny(logical.ColumnsOf(x), inner.Sorted()) || !extremeOrdered(v.Type()) {
		return extremeAny{}, false
	}
	return extremeAny{op: op, outer: x, inner: v}, true
}

// extremeOrdered reports whether min and max of type t pick the least and
// greatest value by the order its comparisons use (text in bytes, as the
// C collation; NaN above every number, as PostgreSQL orders it).
func extremeOrdered(t sqltypes.Type) bool {
	switch t.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8, sqltypes.Numeric,
		sqltypes.Text, sqltypes.Varchar, sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ,
		sqltypes.Time, sqltypes.Interval:
		return true
	}
	return false
}

// correlationKeys returns the columns of plan that corr equates with
// outer expressions (`t.k = o.k`), for grouping plan by them: ok is false
// when some correlation is another predicate, or its column is not one
// plan outputs or cannot be a group key.
func (b *binder) correlationKeys(plan logical.Node, corr []logical.Expr) ([]logical.ColumnID, bool) {
	local := definedIDs(plan)
	out := logical.OutputSet(plan)
	isCorr := func(e logical.Expr) bool { return !logical.ColumnsOf(e).SubsetOf(local) }
	var keys []logical.ColumnID
	seen := logical.ColSet{}
	for _, p := range corr {
		inner, ok := innerSideOfEquality(p, isCorr)
		if !ok || !out.Has(inner.ID) || !groupable(inner.T) {
			return nil, false
		}
		if !seen.Has(inner.ID) {
			seen.Add(inner.ID)
			keys = append(keys, inner.ID)
		}
	}
	return keys, true
}

// anyByExtreme joins to node plan's extreme values of the compared
// expression, its row count and its non-NULL count (per correlation key
// when corr, equalities, correlates plan with node), and returns sq's
// value over the joined rows with ANY's three values:
//
//	x < ANY (q) = CASE WHEN coalesce(count(*), 0) = 0 THEN FALSE
//	              ELSE x < max(v) OR (CASE WHEN count(*) > count(v) THEN NULL ELSE FALSE END) END
//
// No rows (or, correlated, no rows of the outer row's key): FALSE. Some
// value above x: TRUE, whatever NULLs q holds. None, but a NULL in q (or
// x NULL, or only NULLs, where max is NULL): NULL. `x <> ANY` compares
// with min(v) and max(v) alike. ALL is NOT of its bound ANY. ok is false
// for other shapes.
func (b *binder) anyByExtreme(node, plan logical.Node, corr []logical.Expr, sq *logical.Subquery) (logical.Node, logical.Expr, bool) {
	q, ok := asExtremeAny(plan, sq)
	if !ok {
		return nil, nil, false
	}
	keys, ok := b.correlationKeys(plan, corr)
	if !ok {
		return nil, nil, false
	}
	var fns []string
	switch q.op {
	case expr.OpLt, expr.OpLe:
		fns = []string{"max"}
	case expr.OpGt, expr.OpGe:
		fns = []string{"min"}
	default: // <>
		fns = []string{"min", "max"}
	}
	vt := q.inner.Type()
	agg := &logical.Aggregate{Input: plan}
	for _, id := range keys {
		agg.Groups, agg.GroupCols = append(agg.Groups, b.colRef(id)), append(agg.GroupCols, id)
	}
	var cmps []logical.Expr
	for _, fn := range fns {
		et, err := ops.AggregateType(fn, []sqltypes.Type{vt})
		if err != nil || !et.Equal(vt) {
			return nil, nil, false
		}
		ext := b.meta.NewColumn(fn, "", vt)
		agg.Aggs = append(agg.Aggs, logical.AggCall{Func: fn, Args: []logical.Expr{q.inner}, T: vt})
		agg.AggCols = append(agg.AggCols, ext)
		cmps = append(cmps, &logical.Binary{Op: q.op, L: q.outer, R: b.colRef(ext), T: sqltypes.TypeBool})
	}
	rows := b.meta.NewColumn("rows", "", sqltypes.TypeInt8)
	values := b.meta.NewColumn("non_null", "", sqltypes.TypeInt8)
	agg.Aggs = append(agg.Aggs,
		logical.AggCall{Func: "count_star", T: sqltypes.TypeInt8},
		logical.AggCall{Func: "count", Args: []logical.Expr{q.inner}, T: sqltypes.TypeInt8})
	agg.AggCols = append(agg.AggCols, rows, values)
	// An aggregate without GROUP BY has exactly one row: joined once.
	// Grouped by the correlation keys, an outer row meets at most its
	// key's row, and none (rows NULL) for a key q lacks.
	var j logical.Node = &logical.Join{Type: logical.SingleJoin, Left: node, Right: agg}
	if len(keys) > 0 {
		j = &logical.Join{Type: logical.LeftJoin, Left: node, Right: agg, Cond: logical.And(corr)}
	}
	boolean := func(v any) logical.Expr { return &logical.Const{T: sqltypes.TypeBool, V: v} }
	zero := &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}
	var cmp logical.Expr = cmps[0]
	if len(cmps) == 2 {
		cmp = &logical.Binary{Op: expr.OpOr, L: cmps[0], R: cmps[1], T: sqltypes.TypeBool}
	}
	nulls := &logical.Case{
		Whens: []logical.When{{Cond: &logical.Binary{Op: expr.OpGt, L: b.colRef(rows), R: b.colRef(values), T: sqltypes.TypeBool}, Then: boolean(nil)}},
		Else:  boolean(false), T: sqltypes.TypeBool,
	}
	count := &logical.Func{Name: "coalesce", Args: []logical.Expr{b.colRef(rows), zero}, T: sqltypes.TypeInt8}
	empty := &logical.Binary{Op: expr.OpEq, L: count, R: zero, T: sqltypes.TypeBool}
	var res logical.Expr = &logical.Case{
		Whens: []logical.When{{Cond: empty, Then: boolean(false)}},
		Else:  &logical.Binary{Op: expr.OpOr, L: cmp, R: nulls, T: sqltypes.TypeBool},
		T:     sqltypes.TypeBool,
	}
	if sq.Kind == logical.SubqueryAll {
		res = &logical.Unary{Op: logical.OpNot, E: res, T: sqltypes.TypeBool}
	}
	return j, res, true
}

// extremeApplies reports whether anyByExtreme answers sq over plan,
// decorrelated with corr: a correlated aggregate without GROUP BY is
// compared with its one row instead (compareOneRow).
func (b *binder) extremeApplies(plan logical.Node, corr []logical.Expr, sq *logical.Subquery) bool {
	if _, ok := asExtremeAny(plan, sq); !ok || len(corr) > 0 && isScalarAggregate(sq.Plan) {
		return false
	}
	_, ok := b.correlationKeys(plan, corr)
	return ok
}
