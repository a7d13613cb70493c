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
// 0.1 s at SF0.01).

// extremeAny is what anyByExtreme reads off a quantified comparison.
type extremeAny struct {
	op    expr.BinaryOp // x op v, with x the outer side
	outer logical.Expr  // x
	inner logical.Expr  // v, over the subquery's columns
}

// asExtremeAny recognizes `x op ANY (plan)` with op an ordering
// comparison of a type whose min and max order as the comparison does,
// plan's columns on one side only and no subquery or volatile call on
// either.
func asExtremeAny(plan logical.Node, sq *logical.Subquery) (extremeAny, bool) {
	if sq.Kind != logical.SubqueryAny && sq.Kind != logical.SubqueryAll {
		return extremeAny{}, false
	}
	bin, ok := sq.Cmp.(*logical.Binary)
	if !ok || bin.Op < expr.OpLt || bin.Op > expr.OpGe || hasSubquery(bin) || logical.IsVolatile(bin) {
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

// anyByExtreme joins to node the one row of plan's extreme value of the
// compared expression, its row count and its non-NULL count, and returns
// sq's value over the joined rows with ANY's three values:
//
//	x < ANY (q) = CASE WHEN count(*) = 0 THEN FALSE
//	              ELSE x < max(v) OR (CASE WHEN count(*) > count(v) THEN NULL ELSE FALSE END) END
//
// No rows: FALSE. Some value above x: TRUE, whatever NULLs q holds. None,
// but a NULL in q (or x NULL, or only NULLs, where max is NULL): NULL.
// ALL is NOT of its bound ANY. ok is false for other shapes.
func (b *binder) anyByExtreme(node, plan logical.Node, sq *logical.Subquery) (logical.Node, logical.Expr, bool) {
	q, ok := asExtremeAny(plan, sq)
	if !ok {
		return nil, nil, false
	}
	fn := "max"
	if q.op == expr.OpGt || q.op == expr.OpGe {
		fn = "min"
	}
	vt := q.inner.Type()
	et, err := ops.AggregateType(fn, []sqltypes.Type{vt})
	if err != nil || !et.Equal(vt) {
		return nil, nil, false
	}
	ext := b.meta.NewColumn(fn, "", vt)
	rows := b.meta.NewColumn("rows", "", sqltypes.TypeInt8)
	values := b.meta.NewColumn("non_null", "", sqltypes.TypeInt8)
	agg := &logical.Aggregate{
		Input: plan,
		Aggs: []logical.AggCall{
			{Func: fn, Args: []logical.Expr{q.inner}, T: vt},
			{Func: "count_star", T: sqltypes.TypeInt8},
			{Func: "count", Args: []logical.Expr{q.inner}, T: sqltypes.TypeInt8},
		},
		AggCols: []logical.ColumnID{ext, rows, values},
	}
	// An aggregate without GROUP BY has exactly one row: joined once.
	j := &logical.Join{Type: logical.SingleJoin, Left: node, Right: agg}
	boolean := func(v any) logical.Expr { return &logical.Const{T: sqltypes.TypeBool, V: v} }
	cmp := &logical.Binary{Op: q.op, L: q.outer, R: b.colRef(ext), T: sqltypes.TypeBool}
	nulls := &logical.Case{
		Whens: []logical.When{{Cond: &logical.Binary{Op: expr.OpGt, L: b.colRef(rows), R: b.colRef(values), T: sqltypes.TypeBool}, Then: boolean(nil)}},
		Else:  boolean(false), T: sqltypes.TypeBool,
	}
	empty := &logical.Binary{Op: expr.OpEq, L: b.colRef(rows), R: &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}, T: sqltypes.TypeBool}
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
