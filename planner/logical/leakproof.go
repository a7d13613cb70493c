package logical

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// IsLeakproof reports whether e may be evaluated on rows an access
// policy's row filter hides (Filter.Barrier, Scan.Barrier) without
// telling anything about them: it cannot raise an error whose occurrence
// depends on a column's value, and has no side effects. As with
// PostgreSQL's leakproof functions, what matters is the operators
// applied: comparisons of two values of one type family, AND, OR, NOT,
// the IS [NOT] NULL/TRUE/FALSE tests, IN over such comparisons, CASE, and
// casts that only widen are leakproof; arithmetic (1/x), functions,
// LIKE and regular expressions (their pattern may be invalid), narrowing
// or parsing casts and subqueries are not. Not even over constants only:
// evaluated on the rows an earlier conjunct or a CASE arm leaves, 1/0
// fails only when such a row exists, hidden or not (constant folding has
// usually replaced such an expression by its value or error already).
func IsLeakproof(e Expr) bool {
	switch x := e.(type) {
	case *ColRef, *Const, *Param:
		return true
	case *Binary:
		switch {
		case x.Op == expr.OpAnd || x.Op == expr.OpOr:
		case x.Op.IsComparison() || x.Op == expr.OpIsDistinctFrom || x.Op == expr.OpIsNotDistinctFrom:
			if !comparableSafely(x.L.Type(), x.R.Type()) {
				return false
			}
		default:
			return false
		}
		return IsLeakproof(x.L) && IsLeakproof(x.R)
	case *Unary:
		if x.Op == OpNegate { // overflows at the smallest integer
			return false
		}
		return IsLeakproof(x.E)
	case *InList:
		for _, v := range x.List {
			if !comparableSafely(x.E.Type(), v.Type()) || !IsLeakproof(v) {
				return false
			}
		}
		return IsLeakproof(x.E)
	case *Case:
		for _, w := range x.Whens {
			if !IsLeakproof(w.Cond) || !IsLeakproof(w.Then) {
				return false
			}
		}
		return x.Else == nil || IsLeakproof(x.Else)
	case *Cast:
		if !widens(x.E.Type(), x.T) {
			return false
		}
		return IsLeakproof(x.E)
	case *Subquery:
		return false
	}
	return false
}

// comparableSafely reports whether comparing values of types a and b
// cannot fail: scalars of one family (numbers, strings, or one other
// kind). Records, arrays and JSON compare element by element and are
// left out.
func comparableSafely(a, b sqltypes.Type) bool {
	for _, t := range []sqltypes.Type{a, b} {
		switch t.Kind {
		case sqltypes.List, sqltypes.Record, sqltypes.JSON, sqltypes.JSONB, sqltypes.JSONPath:
			return false
		}
	}
	switch {
	case a.Kind == sqltypes.Unknown || b.Kind == sqltypes.Unknown: // a NULL
		return true
	case a.Kind.NumericRank() > 0 && b.Kind.NumericRank() > 0:
		return true
	case isStringKind(a) && isStringKind(b):
		return true
	}
	return a.Kind == b.Kind
}

func isStringKind(t sqltypes.Type) bool { return t.IsString() || t.Kind == sqltypes.Bpchar }

// widens reports whether a cast from a to b keeps every value of a: an
// integer to a wider integer, a float or a numeric with room for 19 digits,
// float4 to float8, and a string to text.
func widens(a, b sqltypes.Type) bool {
	switch {
	case a.Equal(b):
		return true
	case a.IsInteger() && b.IsInteger():
		return intBytes(a.Kind) <= intBytes(b.Kind)
	case a.IsInteger() && (b.Kind == sqltypes.Float8 || b.Kind == sqltypes.Float4 || b.Kind == sqltypes.Numeric && (b.Precision == 0 || b.Precision-b.Scale >= 19)):
		return true
	case a.Kind == sqltypes.Float4 && b.Kind == sqltypes.Float8:
		return true
	case isStringKind(a) && b.Kind == sqltypes.Text:
		return true
	}
	return false
}

func intBytes(k sqltypes.Kind) int {
	switch k {
	case sqltypes.Int2:
		return 2
	case sqltypes.Int4:
		return 4
	}
	return 8
}
