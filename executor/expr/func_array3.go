package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Array manipulation, on one-dimensional arrays with lower bound 1 as
// PostgreSQL builds them: array_slice (arr[lo:hi]), array_append, array_prepend, array_cat (and
// the || operator over arrays), array_remove, and the containment
// operators @> (array_contains), <@ (array_contained) and && (array_overlap).
// They work element by element through Datums: arrays are off the hot
// path of analytic queries. arr[i] is array_element (func_subscript.go).

// SliceOpenBound stands for a missing bound of a slice (arr[:hi], arr[lo:]).
const SliceOpenBound = math.MaxInt32

// datumRows builds an array of type t from f's value per row.
func datumRows(env *executor.Env, t sqltypes.Type, n int, f func(i int) (sqltypes.Datum, error)) (arrow.Array, error) {
	bld := array.NewBuilder(env.Mem, t.Arrow())
	defer bld.Release()
	bld.Reserve(n)
	for i := 0; i < n; i++ {
		v, err := f(i)
		if err != nil {
			return nil, err
		}
		appendDatum(bld, t, v)
	}
	return bld.NewArray(), nil
}

// listAt returns row i of a list array as its elements (nil, false for NULL).
func listAt(a arrow.Array, t sqltypes.Type, i int) ([]any, bool) {
	if a.IsNull(i) {
		return nil, false
	}
	v, _ := datumAt(a, t, i).([]any)
	return v, true
}

// arrayArgs checks that the arguments at the list positions are arrays
// and casts the others to their element type; it returns the array type.
func arrayArgs(name string, args []Expr, listPos ...int) ([]Expr, sqltypes.Type, error) {
	var lt sqltypes.Type
	for _, p := range listPos {
		if isList(args[p]) {
			lt = args[p].Type()
			break
		}
	}
	if lt.Elem == nil {
		return nil, lt, functionError(name, args)
	}
	out := make([]Expr, len(args))
	isListPos := map[int]bool{}
	for _, p := range listPos {
		isListPos[p] = true
	}
	for i, a := range args {
		want := *lt.Elem
		if isListPos[i] {
			want = lt
		}
		c := coerceTo(a, want)
		if !c.Type().Equal(want) && !(c.Type().IsString() && want.IsString()) {
			return nil, lt, functionError(name, args)
		}
		out[i] = c
	}
	return out, lt, nil
}

// buildArraySlice: arr[lo:hi] or arr[lo1:hi1][lo2:hi2]… (the binder
// gives SliceOpenBound for a missing bound, and lo 1 for a plain [i]),
// clamped to the array's bounds, dimensions without bounds kept whole; a
// range that selects nothing, or more ranges than the array has
// dimensions, gives the empty array, and NULL bounds give NULL, as in
// PostgreSQL.
func buildArraySlice(name string, args []Expr) (Expr, error) {
	if len(args) < 3 || len(args)%2 == 0 || !isList(args[0]) {
		return nil, functionError(name, args)
	}
	lt := args[0].Type()
	idx, err := coerceArgs(name, args[1:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append([]Expr{args[0]}, idx...), t: lt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		bounds := make([][]int32, len(idx))
		for k := range bounds {
			bounds[k] = values[int32](in[k+1])
		}
		ranges := make([][2]int, len(idx)/2)
		return datumRows(env, lt, n, func(i int) (sqltypes.Datum, error) {
			elems, ok := listAt(in[0], lt, i)
			if !ok {
				return nil, nil
			}
			for k := range ranges {
				if in[2*k+1].IsNull(i) || in[2*k+2].IsNull(i) {
					return nil, nil
				}
				ranges[k] = [2]int{int(bounds[2*k][i]), int(bounds[2*k+1][i])}
			}
			if len(ranges) > lt.Ndims() {
				return []any{}, nil
			}
			out, ok := sliceDatum(elems, ranges)
			if !ok {
				return []any{}, nil
			}
			return out, nil
		})
	}}, nil
}

// sliceDatum slices the first len(ranges) dimensions of an array datum;
// ok is false when a range selects nothing.
func sliceDatum(v []any, ranges [][2]int) ([]any, bool) {
	if len(ranges) == 0 {
		return v, true
	}
	from, to := max(ranges[0][0], 1), min(ranges[0][1], len(v))
	if from > to {
		return nil, false
	}
	out := make([]any, 0, to-from+1)
	for _, x := range v[from-1 : to] {
		if len(ranges) > 1 {
			sub, ok := sliceDatum(x.([]any), ranges[1:])
			if !ok {
				return nil, false
			}
			x = sub
		}
		out = append(out, x)
	}
	return out, true
}

// buildArrayEdit: array_append(arr, e), array_prepend(e, arr), array_cat(a,
// b) and array_remove(arr, e). A NULL array counts as empty for the first
// three (both NULL: NULL), as PostgreSQL does; array_remove of a NULL array
// is NULL and removes NULL elements when e is NULL.
func buildArrayEdit(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if name == "array_cat" {
		return buildArrayCat(name, args)
	}
	if name == "array_remove" && isList(args[0]) && args[0].Type().Ndims() > 1 {
		return multidimOnlyEmpty(name, args)
	}
	if err := oneDimensional(name, args); err != nil {
		return nil, err
	}
	var listPos []int
	switch name {
	case "array_prepend":
		listPos = []int{1}
	case "array_cat":
		listPos = []int{0, 1}
	default:
		listPos = []int{0}
	}
	args, lt, err := arrayArgs(name, args, listPos...)
	if err != nil {
		return nil, err
	}
	et := *lt.Elem
	return &callExpr{name: name, args: args, t: lt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return datumRows(env, lt, n, func(i int) (sqltypes.Datum, error) {
			switch name {
			case "array_append":
				a, _ := listAt(in[0], lt, i)
				return append(append([]any{}, a...), datumAt(in[1], et, i)), nil
			case "array_prepend":
				a, _ := listAt(in[1], lt, i)
				return append([]any{datumAt(in[0], et, i)}, a...), nil
			case "array_cat":
				a, okA := listAt(in[0], lt, i)
				b, okB := listAt(in[1], lt, i)
				if !okA && !okB {
					return nil, nil
				}
				return append(append([]any{}, a...), b...), nil
			}
			a, ok := listAt(in[0], lt, i)
			if !ok {
				return nil, nil
			}
			x, err := newDatumCmp(et, datumAt(in[1], et, i))
			if err != nil {
				return nil, err
			}
			out := []any{}
			for _, v := range a {
				same, err := x.same(v)
				if err != nil {
					return nil, err
				}
				if !same {
					out = append(out, v)
				}
			}
			return out, nil
		})
	}}, nil
}

// buildArrayContains: a @> b (every element of b is in a), a <@ b, and
// a && b (they share an element), whatever their dimensions. NULL
// elements equal nothing.
func buildArrayContains(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	args, ta, tb, err := elementArrays(name, args)
	if err != nil {
		return nil, err
	}
	et := ta.Leaf()
	has := func(set []any, v any) bool {
		for _, s := range set {
			if s != nil && compareDatums(et, s, v) == 0 {
				return true
			}
		}
		return false
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return datumRows(env, sqltypes.TypeBool, n, func(i int) (sqltypes.Datum, error) {
			a, okA := listAt(in[0], ta, i)
			b, okB := listAt(in[1], tb, i)
			if !okA || !okB {
				return nil, nil
			}
			a, b = flatDatum(a, ta), flatDatum(b, tb) // dimensions do not matter
			var err error
			if a, err = rangeKeys(et, a); err != nil {
				return nil, err
			}
			if b, err = rangeKeys(et, b); err != nil {
				return nil, err
			}
			if name == "array_contained" {
				a, b = b, a
			}
			if name == "array_overlap" {
				for _, v := range b {
					if v != nil && has(a, v) {
						return true, nil
					}
				}
				return false, nil
			}
			for _, v := range b {
				if v == nil || !has(a, v) {
					return false, nil
				}
			}
			return true, nil
		})
	}}, nil
}
