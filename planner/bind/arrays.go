package bind

import (
	"slices"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// subArrays binds the elements of ARRAY[...] when they are arrays: the
// result has one more dimension than they have, and they must all have
// the same number of dimensions (2202E, as PostgreSQL reports it; equal
// lengths are checked per row by the executor). An untyped NULL among
// them takes their type and fails at run time, as in PostgreSQL. leaf is
// the element type a cast asked for (zero Kind: the elements' common
// one). ok is false when no element is an array.
func (b *binder) subArrays(elems []logical.Expr, leaf sqltypes.Type, pos int) (logical.Expr, bool, error) {
	nd := 0
	for _, e := range elems {
		t := e.Type()
		switch {
		case t.Kind == sqltypes.Unknown:
		case t.Kind != sqltypes.List:
			if nd > 0 {
				return nil, true, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "ARRAY could not convert type %s to %s", t, elems[0].Type()), pos)
			}
			nd = -1
		case nd < 0:
			return nil, true, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "ARRAY could not convert type %s to %s", t, elems[0].Type()), pos)
		case nd > 0 && t.Ndims() != nd:
			return nil, true, errAt(sqltypes.New(sqltypes.CodeArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions"), pos)
		default:
			nd = t.Ndims()
		}
	}
	if nd <= 0 {
		return nil, false, nil
	}
	if nd >= sqltypes.MaxArrayDims {
		return nil, true, errAt(sqltypes.ErrTooManyDims(nd+1), pos)
	}
	if leaf.Kind == sqltypes.Unknown || unconstrainedNumericArray(sqltypes.ListOf(leaf)) {
		// numeric[] takes the largest scale of its sub-arrays
		// (ARRAY[[1.5],[2.25]]::numeric[] was read at scale 0).
		for _, e := range elems {
			if e.Type().Kind == sqltypes.Unknown {
				continue
			}
			l, ok := selectCommonType(leaf, e.Type().Leaf())
			if !ok {
				return nil, true, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "ARRAY types %s and %s cannot be matched", sqltypes.ListOf(leaf).String(), e.Type()), pos)
			}
			leaf = l
		}
	}
	t := sqltypes.ArrayOf(leaf, nd)
	out := make([]logical.Expr, len(elems))
	for i, e := range elems {
		c, err := b.coerce(e, t)
		if err != nil {
			return nil, true, errAt(sqltypes.AsError(err), pos)
		}
		out[i] = c
	}
	return &logical.Array{Elems: out, T: sqltypes.ListOf(t)}, true, nil
}

// arrayTypeFor is the array type an untyped operand e takes next to
// arrays of leaf: a string literal brings its own dimensions
// ('{{1,2},{3,4}}' is two-dimensional), anything else is one-dimensional.
func (b *binder) arrayTypeFor(e logical.Expr, leaf sqltypes.Type) sqltypes.Type {
	if c, ok := e.(*logical.Const); ok {
		if s, ok := c.V.(string); ok {
			return sqltypes.ArrayOf(leaf, sqltypes.ArrayTextNdims(s))
		}
	}
	return sqltypes.ListOf(leaf)
}

// mixedArrayDims is the error for one column of arrays of different
// dimensions (CASE, UNION, COALESCE, VALUES), which PostgreSQL allows: an
// array column has one Arrow shape (see sqltypes' array.go); nil when a
// and b are not two such arrays.
func mixedArrayDims(a, b sqltypes.Type) *sqltypes.Error {
	if a.Kind != sqltypes.List || b.Kind != sqltypes.List || a.Ndims() == b.Ndims() {
		return nil
	}
	return sqltypes.New(sqltypes.CodeFeatureNotSupported, "arrays of %d and %d dimensions in one column are not supported", min(a.Ndims(), b.Ndims()), max(a.Ndims(), b.Ndims())).
		WithHint("meshql fixes an array's number of dimensions when it plans the query.")
}

// anycompatibleArrayFuncs are the array functions PostgreSQL declares
// over anycompatiblearray and anycompatible, with the positions of their
// array arguments (the others are elements).
var anycompatibleArrayFuncs = map[string][]int{
	"array_append": {0}, "array_prepend": {1}, "array_cat": {0, 1},
	"array_remove": {0}, "array_position": {0}, "array_positions": {0}, "array_replace": {0},
	"width_bucket": {1}, // width_bucket(anycompatible, anycompatiblearray); its 4-argument forms are numeric
}

// anyarrayFuncs are the functions PostgreSQL declares over one anyarray
// or anyelement argument (at the position given) with the numbers of
// arguments they take. An untyped literal or parameter there is 42804:
// unlike anycompatible, that polymorphism does not default to text.
var anyarrayFuncs = map[string]struct{ pos, minArgs, maxArgs int }{
	"array_length": {0, 2, 2}, "array_lower": {0, 2, 2}, "array_upper": {0, 2, 2},
	"array_ndims": {0, 1, 1}, "array_dims": {0, 1, 1}, "cardinality": {0, 1, 1},
	"array_to_string": {0, 2, 3}, "array_to_json": {0, 1, 2}, "trim_array": {0, 2, 2},
	"generate_subscripts": {0, 2, 3}, "to_json": {0, 1, 1}, "to_jsonb": {0, 1, 1},
}

// isUntypedParam reports whether e is a parameter of no type yet.
func isUntypedParam(e logical.Expr) bool {
	p, ok := e.(*logical.Param)
	return ok && p.T.Kind == sqltypes.Unknown
}

// untypedPolymorphic is PostgreSQL's 42804 for a call of an anyarrayFuncs
// function whose polymorphic argument is untyped; nil for other calls.
func untypedPolymorphic(name string, args []logical.Expr) error {
	f, ok := anyarrayFuncs[name]
	if !ok || len(args) < f.minArgs || len(args) > f.maxArgs || args[f.pos].Type().Kind != sqltypes.Unknown {
		return nil
	}
	// No position, as PostgreSQL reports none.
	return sqltypes.New(sqltypes.CodeDatatypeMismatch, "could not determine polymorphic type because input has type unknown")
}

// unifyArrayElements converts the array and element arguments of the
// anycompatible array function name to their elements' common type, as
// PostgreSQL resolves the polymorphism: ARRAY[1] || 1.5 is {1,1.5}, and
// array_position(ARRAY[1,2], 1.5) compares in numeric. Untyped literals
// and NULLs take no part (the function reads them as the element type).
// Arguments without a common type are 42883 (integer[] || text), as
// PostgreSQL finds no function; an argument in an array's place that is
// no array is left for the function to reject.
func (b *binder) unifyArrayElements(name string, args []logical.Expr) ([]logical.Expr, error) {
	arrays, ok := anycompatibleArrayFuncs[name]
	if !ok || name == "width_bucket" && len(args) != 2 {
		return args, nil
	}
	isArray := func(i int) bool { return slices.Contains(arrays, i) }
	n := len(args)
	if name == "array_position" {
		n = min(n, 2) // a start is an integer, no element
	}
	var common sqltypes.Type
	for i, a := range args[:n] {
		t := a.Type()
		if isArray(i) {
			if t.Kind != sqltypes.List && t.Kind != sqltypes.Unknown {
				return args, nil
			}
			t = t.Leaf()
		}
		switch {
		case t.Kind == sqltypes.Unknown:
			continue
		case common.Kind == sqltypes.Unknown:
			common = t
			continue
		}
		c, ok := selectCommonType(common, t)
		if !ok {
			return nil, sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s(%s) does not exist", name, typeNames(args)).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
		}
		common = c
	}
	if common.Kind == sqltypes.Unknown {
		// All untyped: PostgreSQL's anycompatible polymorphism resolves
		// to text (array_append('{1}', '2') is text[] {1,2}).
		common = sqltypes.TypeText
	}
	out := slices.Clone(args)
	for i, a := range args[:n] {
		t, want := a.Type(), common
		if isArray(i) {
			t, want = t.Leaf(), sqltypes.ArrayOf(common, t.Ndims())
		}
		switch {
		case a.Type().Kind == sqltypes.Unknown && isArray(i):
			want = b.arrayTypeFor(a, common) // array_append(NULL, 1.5) is {1.5}
		case isUntypedParam(a):
			// A parameter takes the element type: array_position(ints, $1)
			// gives $1 integer.
		case t.Kind == sqltypes.Unknown || t.Equal(common) || t.IsString() && common.IsString():
			continue
		}
		c, err := b.coerce(a, want)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}
