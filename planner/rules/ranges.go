package rules

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// unwrapRangeContains rewrites `CONST_RANGE @> col` and `col <@
// CONST_RANGE` (after constants fold, so daterange('2024-01-01',
// '2024-04-01') is one) into comparisons of the column with the range's
// finite bounds: `col >= '2024-01-01' AND col < '2024-04-01'`. Those are
// pushed to sources and prune Parquet row groups; the containment
// function is opaque to both. The value is the same: NULL for a NULL
// column, as the strict function gives. An empty range, or one without
// any finite bound, keeps the function (it answers false or true for
// non-NULL values, which no comparison says).
func unwrapRangeContains(e logical.Expr) logical.Expr {
	f, ok := e.(*logical.Func)
	if !ok || len(f.Args) != 2 || f.Name != "range_contains_elem" && f.Name != "elem_contained_by_range" {
		return e
	}
	rng, elem := f.Args[0], f.Args[1]
	if f.Name == "elem_contained_by_range" {
		rng, elem = elem, rng
	}
	c, ok := rng.(*logical.Const)
	if _, isCol := elem.(*logical.ColRef); !ok || !isCol || c.V == nil {
		return e // a column: an expression would be evaluated twice
	}
	s, ok := c.V.(string)
	if !ok {
		return e
	}
	r, err := sqltypes.ReadRange(c.T, s)
	if err != nil || r.Empty || r.Lower == nil && r.Upper == nil {
		return e
	}
	var conj []logical.Expr
	cmp := func(op expr.BinaryOp, v sqltypes.Datum) {
		conj = append(conj, &logical.Binary{Op: op, L: elem, R: rangeBoundConst(c.T, v), T: sqltypes.TypeBool})
	}
	if r.Lower != nil {
		op := expr.OpGt
		if r.LowerInc {
			op = expr.OpGe
		}
		cmp(op, r.Lower)
	}
	if r.Upper != nil {
		op := expr.OpLt
		if r.UpperInc {
			op = expr.OpLe
		}
		cmp(op, r.Upper)
	}
	return logical.And(conj)
}

// rangeBoundConst is a bound of a range of type rt as a constant of the
// subtype (a numeric at the bound's own scale).
func rangeBoundConst(rt sqltypes.Type, v sqltypes.Datum) *logical.Const {
	switch x := v.(type) {
	case sqltypes.Decimal:
		return &logical.Const{T: sqltypes.NumericType(0, x.Scale), V: x.Num}
	}
	return &logical.Const{T: sqltypes.RangeSubtype(rt), V: v}
}
