package bind

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// PostgreSQL chooses a numeric's display scale per value; a meshql
// column of decimals has one scale per expression. Where the operands
// are constants the value is known while binding, so these fold the
// expression into a literal of the value's own scale, as PostgreSQL
// prints it (1.0 / 8 is 0.12500000000000000000, 0.1::float8::numeric is
// 0.1). Anything that cannot be folded exactly is left to the kernels.

// constDecimal returns the value and scale of a non-NULL integer or
// numeric constant, possibly under a cast to unconstrained numeric.
func constDecimal(e logical.Expr) (decimal128.Num, int32, bool) {
	if c, ok := e.(*logical.Cast); ok && c.T.Kind == sqltypes.Numeric && c.T.Precision == 0 && c.E.Type().IsInteger() {
		e = c.E
	}
	c, ok := e.(*logical.Const)
	if !ok || c.V == nil {
		return decimal128.Num{}, 0, false
	}
	if v, ok := sqltypes.DatumInt64(c.V); ok && c.T.IsInteger() {
		return decimal128.FromI64(v), 0, true
	}
	if d, ok := c.V.(decimal128.Num); ok && c.T.Kind == sqltypes.Numeric {
		return d, c.T.Scale, true
	}
	return decimal128.Num{}, 0, false
}

// foldNumericDiv computes the numeric quotient of two constants at the
// scale PostgreSQL's select_div_scale picks for their values. ok is false
// when an operand is not constant or the division fails (a zero divisor
// must fail when the row is evaluated, not while planning).
func foldNumericDiv(l, r logical.Expr) (logical.Expr, bool) {
	x, sx, ok1 := constDecimal(l)
	y, sy, ok2 := constDecimal(r)
	if !ok1 || !ok2 {
		return nil, false
	}
	q, s, err := expr.DivNumeric(x, y, sx, sy)
	if err != nil || s > sqltypes.MaxNumericPrecision {
		return nil, false
	}
	return &logical.Const{T: sqltypes.NumericType(0, s), V: q}, true
}

// foldToNumeric converts a non-NULL float or text constant to
// unconstrained numeric as PostgreSQL does: a float through its shortest
// text of DBL_DIG (FLT_DIG) significant digits, text through numeric
// input, each keeping the digits written. ok is false for values that
// have no exact numeric (NaN, infinities, beyond 38 digits).
func foldToNumeric(e logical.Expr) (logical.Expr, bool) {
	if f, ok := e.(*logical.Cast); ok && (f.T.Kind == sqltypes.Float8 || f.T.Kind == sqltypes.Float4) {
		// 0.1::float8 is a cast of a numeric literal.
		d, s, ok := constDecimal(f.E)
		if !ok || sqltypes.IsNumericSpecial(d) {
			return nil, false
		}
		bits := 64
		if f.T.Kind == sqltypes.Float4 {
			bits = 32
		}
		v, err := strconv.ParseFloat(d.ToString(s), bits)
		if err != nil {
			return nil, false
		}
		if bits == 32 {
			e = &logical.Const{T: f.T, V: float32(v)}
		} else {
			e = &logical.Const{T: f.T, V: v}
		}
	}
	c, ok := e.(*logical.Const)
	if !ok || c.V == nil {
		return nil, false
	}
	var text string
	switch v := c.V.(type) {
	case float64:
		if c.T.Kind == sqltypes.Float4 {
			text = strconv.FormatFloat(v, 'g', 6, 32)
		} else {
			text = strconv.FormatFloat(v, 'g', 15, 64)
		}
	case float32:
		text = strconv.FormatFloat(float64(v), 'g', 6, 32)
	case string:
		if !c.T.IsString() {
			return nil, false
		}
		text = v
	default:
		return nil, false
	}
	n, err := numericLiteral(text)
	if err != nil || n.Type().Kind != sqltypes.Numeric {
		return nil, false
	}
	return n, true
}
