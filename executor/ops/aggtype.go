package ops

import (
	"strings"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Aggregate is one aggregate call of a grouping.
type Aggregate struct {
	// Func is one of count_star, count, sum, avg, min, max, array_agg,
	// bool_and, bool_or, string_agg, stddev, stddev_samp, stddev_pop,
	// variance, var_samp, var_pop, percentile_cont, percentile_disc, mode,
	// corr, covar_pop, covar_samp, regr_* (args Y, X), bit_and, bit_or,
	// bit_xor.
	Func string
	// Args are evaluated on every input batch (none for count_star, or the
	// fields of count(DISTINCT (a, b))'s row, its distinct key; value
	// and separator for string_agg; for the ordered-set aggregates
	// percentile_cont/percentile_disc(f) WITHIN GROUP (ORDER BY x), the
	// fraction f, a constant, then x: they sort each group's values
	// themselves and do not rely on the input order).
	Args []expr.Expr
	// Distinct aggregates each group's distinct argument values only.
	Distinct bool
	// Filter, if not nil, is FILTER (WHERE ...): only rows where it is
	// TRUE are aggregated.
	Filter expr.Expr
	// Type is the result type, as AggregateType decides it. The zero Type
	// means "decide it here".
	Type sqltypes.Type
	// Desc is WITHIN GROUP (ORDER BY x DESC) of the ordered-set
	// aggregates percentile_cont, percentile_disc and mode.
	Desc bool
	// Order, for array_agg and string_agg, is the aggregate's own ORDER
	// BY: each group's rows are aggregated in this order (orderedAcc).
	// Without it they are aggregated in input order.
	Order []SortKey
}

// OrderSensitive reports whether aggregate fn's result depends on the
// order of its rows, so that its ORDER BY matters.
func OrderSensitive(fn string) bool {
	switch fn {
	case "array_agg", "string_agg", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return true
	}
	return false
}

// Scale of avg over integers, and the minimum scale of avg over numerics.
// PostgreSQL's numeric division picks a scale that depends on the values
// (at least 16 significant digits); meshql uses a fixed result scale so a
// column has one Arrow type. For values below 10^4 both agree on the
// digits shown (avg(1,2) = 1.5000000000000000); for larger values meshql
// shows more fractional digits than PostgreSQL.
const avgScale = 16

// AggregateType returns the result type of aggregate fn over arguments of
// types args, following PostgreSQL:
//
//	count_star(), count(any)          bigint
//	sum(smallint|integer)             bigint (22003 if it overflows)
//	sum(bigint)                       numeric(38,0)
//	sum(numeric(p,s))                 numeric(38,s)
//	sum(real) / sum(double precision) real / double precision (accumulated in double)
//	avg(smallint|integer|bigint)      numeric(38,16)  (see avgScale)
//	avg(numeric(p,s))                 numeric(38,max(s,16))
//	avg(real|double precision)        double precision
//	min, max                          the argument type (numbers, text, bytea,
//	                                  date, timestamps, interval, uuid, arrays
//	                                  of these)
//	array_agg(T)                      T[] (of T[]: a T[] of one more dimension)
//	json_agg(T), jsonb_agg(T)         json, jsonb
//	json_object_agg(K, V)             json; jsonb_object_agg(K, V) jsonb
//	bool_and, bool_or(boolean)        boolean
//	bit_and, bit_or, bit_xor(integer) the argument type
//	corr, covar_*, regr_*(Y, X)       double precision (regr_count: bigint)
//	string_agg(text, text)            text; string_agg(bytea, bytea) bytea
//	stddev, stddev_samp, stddev_pop,  double precision for real and double
//	variance, var_samp, var_pop       precision; numeric(38,16) for integers;
//	                                  numeric(38,max(16,min(2s,32))) for
//	                                  numeric(p,s) (see statsScale)
//	percentile_cont(double precision, double precision|interval)
//	                                  the value type (args: fraction, value)
//	percentile_disc(double precision, T) T, for sortable T
//
// and the functions that combine partial aggregates computed by a source
// (see aggmerge.go): count_merge, sum_merge and avg_merge.
//
// Unknown functions and argument types fail with 42883.
func AggregateType(fn string, args []sqltypes.Type) (sqltypes.Type, error) {
	bad := func() (sqltypes.Type, error) {
		names := make([]string, len(args))
		for i, a := range args {
			names[i] = a.String()
		}
		name := fn
		if fn == "count_star" {
			name = "count"
		}
		return sqltypes.Type{}, sqltypes.New(sqltypes.CodeUndefinedFunction,
			"function %s(%s) does not exist", name, strings.Join(names, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	if fn == "count_star" {
		// Arguments, if any, are a distinct row's fields: count(DISTINCT (a, b)).
		return sqltypes.TypeInt8, nil
	}
	if fn == "string_agg" {
		if len(args) != 2 {
			return bad()
		}
		v, s := args[0], args[1]
		switch {
		case (v.IsString() || v.Kind == sqltypes.Unknown) && (s.IsString() || s.Kind == sqltypes.Unknown):
			return sqltypes.TypeText, nil
		case v.Kind == sqltypes.Bytea && s.Kind == sqltypes.Bytea:
			return sqltypes.TypeBytea, nil
		}
		return bad()
	}
	if t, ok, known := mergeType(fn, args); known {
		if !ok {
			return bad()
		}
		return t, nil
	}
	if fn == "percentile_cont" || fn == "percentile_disc" || fn == "mode" {
		if fn == "mode" {
			fn = "percentile_disc" // (0, x): any sortable x, returned as is
		}
		if t, ok := percentileType(fn, args); ok {
			return t, nil
		}
		return bad()
	}
	if fn == "json_object_agg" || fn == "jsonb_object_agg" {
		if len(args) != 2 {
			return bad()
		}
		if fn == "jsonb_object_agg" {
			return sqltypes.TypeJSONB, nil
		}
		return sqltypes.TypeJSON, nil
	}
	if isRegrFunc(fn) {
		if t, ok := regrType(fn, args); ok {
			return t, nil
		}
		return bad()
	}
	if len(args) != 1 {
		return bad()
	}
	a := args[0]
	if isStatsFunc(fn) {
		if t, ok := statsType(a); ok {
			return t, nil
		}
		return bad()
	}
	switch fn {
	case "count":
		return sqltypes.TypeInt8, nil
	case "sum":
		switch a.Kind {
		case sqltypes.Int2, sqltypes.Int4:
			return sqltypes.TypeInt8, nil
		case sqltypes.Int8:
			return sqltypes.NumericType(sqltypes.MaxNumericPrecision, 0), nil
		case sqltypes.Numeric:
			if a.VarScale {
				return a, nil
			}
			return sqltypes.NumericType(sqltypes.MaxNumericPrecision, a.Scale), nil
		case sqltypes.Float4, sqltypes.Float8, sqltypes.Interval:
			return a, nil
		}
	case "avg":
		switch a.Kind {
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
			return sqltypes.NumericType(sqltypes.MaxNumericPrecision, avgScale), nil
		case sqltypes.Numeric:
			if a.VarScale {
				return sqltypes.VarNumericType(max(a.Scale, avgScale)), nil
			}
			return sqltypes.NumericType(sqltypes.MaxNumericPrecision, max(a.Scale, avgScale)), nil
		case sqltypes.Float4, sqltypes.Float8:
			return sqltypes.TypeFloat8, nil
		case sqltypes.Interval:
			return a, nil
		}
	case "min", "max":
		switch a.Kind {
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8,
			sqltypes.Numeric, sqltypes.Text, sqltypes.Varchar, sqltypes.Bpchar, sqltypes.Bytea, sqltypes.Date,
			sqltypes.Timestamp, sqltypes.TimestampTZ, sqltypes.Time, sqltypes.Interval, sqltypes.UUID:
			return a, nil
		case sqltypes.Inet, sqltypes.Cidr:
			return sqltypes.TypeInet, nil // max(inet) serves cidr too, as in PostgreSQL
		case sqltypes.Oid, sqltypes.RegClass, sqltypes.RegType, sqltypes.RegProc, sqltypes.RegProcedure, sqltypes.RegNamespace, sqltypes.RegRole:
			return sqltypes.TypeOid, nil // max(oid) serves the reg* types, binary-coercible to oid
		case sqltypes.List:
			if sqlKeyOK(a) { // ordered as array_cmp orders them
				return a, nil
			}
		}
	case "array_agg":
		if a.Ndims() >= sqltypes.MaxArrayDims {
			return sqltypes.Type{}, sqltypes.ErrTooManyDims(a.Ndims() + 1)
		}
		if a.Kind == sqltypes.Void {
			return sqltypes.Type{}, sqltypes.ErrNoArrayType(a)
		}
		if a.Kind != sqltypes.Unknown {
			return sqltypes.ListOf(a), nil // of arrays: one more dimension
		}
	case "json_agg", "jsonb_agg":
		if fn == "jsonb_agg" {
			return sqltypes.TypeJSONB, nil
		}
		return sqltypes.TypeJSON, nil
	case "bool_and", "bool_or":
		if a.Kind == sqltypes.Bool || a.Kind == sqltypes.Unknown {
			return sqltypes.TypeBool, nil
		}
	case "range_intersect_agg":
		if a.IsRange() {
			return a, nil
		}
	case "bit_and", "bit_or", "bit_xor":
		switch a.Kind {
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
			return a, nil
		}
	}
	return bad()
}
