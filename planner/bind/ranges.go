package bind

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Range types: constructors and operators bind to the functions
// PostgreSQL implements them with (executor/expr/func_range.go). As in
// PostgreSQL, an untyped literal next to a range is read as that range
// type (so r @> '3' is a malformed range literal, not an element); an
// element operand must be of the subtype exactly (the operators are
// polymorphic), while a constructor's bounds take the subtype's implicit
// casts (int4 to int8 or numeric, date to timestamp).

// rangeOperatorFuncs maps the range operators to their functions.
var rangeOperatorFuncs = map[string]string{
	"@>": "range_contains", "<@": "range_contained_by", "&&": "range_overlaps", "<<": "range_before", ">>": "range_after",
	"&<": "range_overleft", "&>": "range_overright", "-|-": "range_adjacent",
	"+": "range_union", "*": "range_intersect", "-": "range_minus",
}

// isRangeOnlyOperator reports whether name is an operator only ranges
// have in meshql.
func isRangeOnlyOperator(name string) bool { return name == "&<" || name == "&>" || name == "-|-" }

// bindRangeOperator binds a binary operator of which one operand is a
// range; ok is false when neither is. op matters only for the operators
// that are not range functions (= <> < <= > >= IS [NOT] DISTINCT FROM),
// which bindOperator passes; other callers pass 0.
func (b *binder) bindRangeOperator(op expr.BinaryOp, name string, l, r logical.Expr, loc int) (logical.Expr, bool, error) {
	lt, rt := l.Type(), r.Type()
	if !lt.IsRange() && !rt.IsRange() {
		return nil, false, nil
	}
	fn, isFunc := rangeOperatorFuncs[name]
	if !isFunc && !op.IsComparison() && op != expr.OpIsDistinctFrom && op != expr.OpIsNotDistinctFrom {
		return nil, false, nil // || and the rest: anynonarray operators, not range ones
	}
	var err error
	switch {
	case name == "@>" && lt.IsRange() && !rt.IsRange() && rt.Kind != sqltypes.Unknown:
		// anyrange @> anyelement: the element must be of the subtype
		// itself, no implicit cast (numrange @> integer does not exist).
		if rt.Kind != sqltypes.RangeSubtype(lt).Kind {
			return nil, true, opError(name, lt, rt, loc)
		}
		fn = "range_contains_elem"
	case name == "<@" && rt.IsRange() && !lt.IsRange() && lt.Kind != sqltypes.Unknown:
		if lt.Kind != sqltypes.RangeSubtype(rt).Kind {
			return nil, true, opError(name, lt, rt, loc)
		}
		fn = "elem_contained_by_range"
	default:
		if lt.Kind == sqltypes.Unknown {
			l, err = b.coerce(l, rt)
		} else if rt.Kind == sqltypes.Unknown {
			r, err = b.coerce(r, lt)
		}
		if err != nil {
			return nil, true, errAt(sqltypes.AsError(err), loc)
		}
		if l.Type().Kind != r.Type().Kind {
			return nil, true, opError(name, lt, rt, loc)
		}
		if !isFunc { // a comparison (see the top)
			e, err := b.makeBinary(op, l, r, loc)
			return e, true, err
		}
	}
	args := []logical.Expr{l, r}
	t, err := funcType(fn, args)
	if err != nil {
		return nil, true, opError(name, lt, rt, loc)
	}
	return &logical.Func{Name: fn, Args: args, T: t}, true, nil
}

// rangeBound converts e to a constructor's bound of the range type rt:
// an untyped literal is read as the subtype; a typed value takes the
// subtype's implicit casts only.
func (b *binder) rangeBound(e logical.Expr, rt sqltypes.Type) (logical.Expr, error) {
	sub := sqltypes.RangeSubtype(rt)
	t := e.Type()
	if t.Kind == sqltypes.Unknown {
		if rt.Kind == sqltypes.NumRange {
			return b.coerce(e, sqltypes.NumericType(0, 0))
		}
		return b.coerce(e, sub)
	}
	ok := t.Kind == sub.Kind
	switch rt.Kind {
	case sqltypes.Int4Range:
		ok = ok || t.Kind == sqltypes.Int2
	case sqltypes.Int8Range:
		ok = ok || t.Kind == sqltypes.Int2 || t.Kind == sqltypes.Int4
	case sqltypes.NumRange:
		return e, boolErr(t.IsInteger() || t.Kind == sqltypes.Numeric)
	case sqltypes.TsRange:
		ok = ok || t.Kind == sqltypes.Date
	case sqltypes.TstzRange:
		ok = ok || t.Kind == sqltypes.Date || t.Kind == sqltypes.Timestamp
	}
	if !ok {
		return nil, errNotBound
	}
	if t.Kind == sub.Kind {
		return e, nil
	}
	return &logical.Cast{E: e, T: sub}, nil
}

var errNotBound = sqltypes.New(sqltypes.CodeUndefinedFunction, "not a range bound")

func boolErr(ok bool) error {
	if ok {
		return nil
	}
	return errNotBound
}

// bindRangeConstructor binds int4range(lower, upper [, bounds]) and its
// siblings; a NULL bound is infinite.
func (b *binder) bindRangeConstructor(rt sqltypes.Type, fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	name := funcName(fc)
	loc := int(fc.Location)
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	notExist := func() error {
		ts := make([]string, len(args))
		for i, a := range args {
			ts[i] = a.Type().String()
		}
		return errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s(%s) does not exist", name, strings.Join(ts, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), loc)
	}
	if len(args) != 2 && len(args) != 3 {
		return nil, notExist()
	}
	bound := make([]logical.Expr, len(args))
	for i := range 2 {
		if bound[i], err = b.rangeBound(args[i], rt); err != nil {
			if err == errNotBound {
				return nil, notExist()
			}
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	if len(args) == 3 {
		switch t := args[2].Type(); {
		case t.Kind == sqltypes.Unknown:
			if bound[2], err = b.coerce(args[2], sqltypes.TypeText); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
		case t.IsString():
			bound[2] = args[2]
		default:
			return nil, notExist()
		}
	}
	t, err := funcType(name, bound)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: name, Args: bound, T: t}, nil
}

// isMultirangeName reports whether name is a multirange type (and so
// its constructor): PostgreSQL 14's int4multirange, datemultirange, ...
func isMultirangeName(name string) bool {
	switch strings.ToLower(name) {
	case "int4multirange", "int8multirange", "nummultirange", "datemultirange", "tsmultirange", "tstzmultirange":
		return true
	}
	return false
}

// errMultirange is 0A000 for multiranges, which meshql does not have:
// range_agg returns one, and the multirange types and constructors.
func errMultirange(what string) *sqltypes.Error {
	return sqltypes.New(sqltypes.CodeFeatureNotSupported, "multirange types are not supported (%s)", what).
		WithHint("Use range_merge(a, b) for the smallest range covering two ranges, or range_intersect_agg for the intersection of a group's ranges.")
}
