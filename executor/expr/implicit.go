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
// Text converts to anything here: the binder reads an untyped literal or
// parameter as text before it resolves the call (bindScalarCall), so by
// the time a builder sees '2' in left('abc', '2') it is text, and must
// still be accepted as PostgreSQL accepts the unknown literal. Targets
// outside the families above keep the builders' own checks.
func implicitArg(from, to sqltypes.Type) bool {
	switch {
	case from.Kind == sqltypes.Unknown || from.IsString():
		return true
	case from.Kind == to.Kind:
		return true
	}
	switch {
	case to.IsString():
		return from.Kind == sqltypes.Bpchar || from.Kind == sqltypes.Char || from.Kind == sqltypes.Name
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
	for _, a := range args {
		if !implicitArg(a.Type(), sqltypes.TypeInt4) {
			return nil, functionError(name, args) // Call names the whole signature
		}
	}
	return coerceArgs(name, args, sqltypes.TypeInt8)
}
