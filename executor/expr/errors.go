package expr

import (
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

const noOperatorHint = "No operator matches the given name and argument types. You might need to add explicit type casts."

const noFunctionHint = "No function matches the given name and argument types. You might need to add explicit type casts."

// intRangeErr returns the out-of-range error for an integer kind.
func intRangeErr(k sqltypes.Kind) error {
	switch k {
	case sqltypes.Int2:
		return errSmallintRange()
	case sqltypes.Int4:
		return errIntegerRange()
	}
	return errBigintRange()
}

// operatorError is 42883 for a binary operator without a kernel.
func operatorError(op string, l, r sqltypes.Type) error {
	return sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s %s", l, op, r).WithHint(noOperatorHint)
}

// unaryOperatorError is 42883 for a prefix operator without a kernel.
func unaryOperatorError(op string, t sqltypes.Type) error {
	return sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s", op, t).WithHint(noOperatorHint)
}

// functionError is 42883 for a function name or signature without a kernel.
func functionError(name string, args []Expr) error {
	ts := make([]string, len(args))
	for i, a := range args {
		ts[i] = a.Type().String()
	}
	return sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s(%s) does not exist", name, strings.Join(ts, ", ")).WithHint(noFunctionHint)
}

// ambiguousFunction is PostgreSQL's 42725 for a call whose arguments
// convert equally well to several signatures (to_hex(smallint)).
func ambiguousFunction(name string, args []Expr) error {
	ts := make([]string, len(args))
	for i, a := range args {
		ts[i] = a.Type().String()
	}
	return sqltypes.New(sqltypes.CodeAmbiguousFunction, "function %s(%s) is not unique", name, strings.Join(ts, ", ")).
		WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
}

// internalErr reports a broken invariant as XX000.
func internalErr(format string, args ...any) error {
	return sqltypes.New(sqltypes.CodeInternal, "internal error: "+format, args...).WithHint("This is a bug in meshql; please report it with the query.")
}

// The SQL errors kernels raise, worded as PostgreSQL words them. They are
// built fresh at each use, so no caller can modify a shared value.
func errSmallintRange() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "smallint out of range")
}
func errIntegerRange() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "integer out of range")
}
func errBigintRange() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "bigint out of range")
}
func errDivByZero() error { return sqltypes.New(sqltypes.CodeDivisionByZero, "division by zero") }
func errNumericRange() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
}
func errFloatRange() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value out of range: overflow")
}
func errFloatUnder() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value out of range: underflow")
}
func errDateRange() error {
	return sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date out of range")
}
func errTSRange() error {
	return sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "timestamp out of range")
}
func errIntervalRange() error {
	return sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "interval out of range")
}
func errSqrtNeg() error { return sqltypes.New("2201F", "cannot take square root of a negative number") }
func errLogZero() error { return sqltypes.New("2201E", "cannot take logarithm of zero") }
func errLogNeg() error  { return sqltypes.New("2201E", "cannot take logarithm of a negative number") }
func errPowZero() error { return sqltypes.New("2201F", "zero raised to a negative power is undefined") }
func errPowNeg() error {
	return sqltypes.New("2201F", "a negative number raised to a non-integer power yields a complex result")
}
func errOutOfDom() error { return sqltypes.New("22003", "input is out of range") }
