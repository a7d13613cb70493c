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

// buildArraySlice: arr[lo:hi] (the binder gives SliceOpenBound for a
// missing bound), clamped to the array's bounds; NULL bounds give NULL.
func buildArraySlice(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	lt := args[0].Type()
	idx, err := coerceArgs(name, args[1:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append([]Expr{args[0]}, idx...), t: lt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		lo, hi := values[int32](in[1]), values[int32](in[2])
		return datumRows(env, lt, n, func(i int) (sqltypes.Datum, error) {
			elems, ok := listAt(in[0], lt, i)
			if !ok || in[1].IsNull(i) || in[2].IsNull(i) {
				return nil, nil
			}
			from, to := max(int(lo[i]), 1), min(int(hi[i]), len(elems))
			if from > to {
				return []any{}, nil
			}
			return append([]any{}, elems[from-1:to]...), nil
		})
	}}, nil
}

// buildArrayEdit: array_append(arr, e), array_prepend(e, arr), array_cat(a,
// b) and array_remove(arr, e). A NULL array counts as empty for the first
// three (both NULL: NULL), as PostgreSQL does; array_remove of a NULL array
// is NULL and removes NULL elements when e is NULL.
func buildArrayEdit(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
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
			x := datumAt(in[1], et, i)
			out := []any{}
			for _, v := range a {
				if (v == nil) != (x == nil) || v != nil && compareDatums(et, v, x) != 0 {
					out = append(out, v)
				}
			}
			return out, nil
		})
	}}, nil
}

// buildArrayContains: a @> b (every element of b is in a), a <@ b, and
// a && b (they share an element). NULL elements equal nothing.
func buildArrayContains(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	args, lt, err := arrayArgs(name, args, 0, 1)
	if err != nil {
		return nil, err
	}
	et := *lt.Elem
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
			a, okA := listAt(in[0], lt, i)
			b, okB := listAt(in[1], lt, i)
			if !okA || !okB {
				return nil, nil
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
