package expr

import "github.com/meshql/meshql/sqltypes"

// implicitArg reports whether an argument of type from may stand for a
// parameter of type to without an explicit cast, following PostgreSQL's
// implicit casts (pg_cast castcontext 'i'): integers widen
// (int2 → int4 → int8 → numeric → real → double precision), date and
// timestamp widen to timestamp with time zone, time to interval, and
// character(n), "char" and name to text. Nothing else converts:
// PostgreSQL finds no left(text, bigint), lpad(integer, integer, unknown)
// nor array_to_string(integer[], integer), and meshql must fail the same
// calls (42883) rather than run them.
//
// An untyped literal or parameter (Unknown) converts to anything, as
// PostgreSQL's function resolution lets an unknown argument match any
// parameter type. Text and varchar convert to no number, date, time or
// interval: an explicitly typed text is no integer (left('abc', '2'::text)
// is 42883 in PostgreSQL while left('abc', '2') runs). The binder keeps
// untyped literals unknown where no string parameter takes them
// (bind.resolveUnknowns). Targets outside the families above keep the
// builders' own checks.
func implicitArg(from, to sqltypes.Type) bool {
	switch {
	case from.Kind == sqltypes.Unknown:
		return true
	case from.Kind == to.Kind:
		return true
	}
	switch {
	case to.IsString():
		return from.IsString() || from.Kind == sqltypes.Bpchar || from.Kind == sqltypes.Char || from.Kind == sqltypes.Name
	case from.IsString():
		return to.Kind.NumericRank() == 0 && tempRank(to.Kind) == 0 && to.Kind != sqltypes.Interval
	case to.Kind.NumericRank() > 0:
		r := from.Kind.NumericRank()
		return r > 0 && r <= to.Kind.NumericRank()
	case tempRank(to.Kind) > 0:
		r := tempRank(from.Kind)
		return r > 0 && r <= tempRank(to.Kind)
	case to.Kind == sqltypes.Interval:
		return from.Kind == sqltypes.Time
	}
	return true
}

// coerceIntArgs casts integer arguments of a function whose PostgreSQL
// signature takes integer (int4) to the bigint its kernel reads:
// smallint and integer widen, bigint and numeric are 42883 as in
// PostgreSQL.
func coerceIntArgs(name string, args []Expr) ([]Expr, error) {
	ints := make([]Expr, len(args))
	for i, a := range args {
		if !implicitArg(a.Type(), sqltypes.TypeInt4) {
			return nil, functionError(name, args) // Call names the whole signature
		}
		ints[i] = a
		if a.Type().Kind == sqltypes.Unknown {
			ints[i] = coerceTo(a, sqltypes.TypeInt4) // the parameter's type, which an untyped argument takes
		}
	}
	return coerceArgs(name, ints, sqltypes.TypeInt8)
}
