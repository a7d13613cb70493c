package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// array_positions, array_position with a start, array_replace and
// trim_array, as PostgreSQL defines them. NULL elements match NULL here
// (IS NOT DISTINCT FROM), as in PostgreSQL's array searches.

// sameElem reports whether array element v is x, NULLs matching.
func sameElem(t sqltypes.Type, v, x sqltypes.Datum) bool {
	return (v == nil) == (x == nil) && (v == nil || compareDatums(t, v, x) == 0)
}

// buildArrayPositions: array_positions(arr, x) → integer[] of every
// 1-based position holding x; multidimensional arrays are 0A000 unless
// empty, as for array_position.
func buildArrayPositions(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	if args[0].Type().Ndims() > 1 {
		return multidimOnlyEmpty("array_position", args)
	}
	args, lt, err := arrayArgs(name, args, 0)
	if err != nil {
		return nil, err
	}
	et, out := *lt.Elem, sqltypes.ListOf(sqltypes.TypeInt4)
	return &callExpr{name: name, args: args, t: out, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return datumRows(env, out, n, func(i int) (sqltypes.Datum, error) {
			a, ok := listAt(in[0], lt, i)
			if !ok {
				return nil, nil
			}
			x, err := rangeKey(et, datumAt(in[1], et, i))
			if err != nil {
				return nil, err
			}
			if a, err = rangeKeys(et, a); err != nil {
				return nil, err
			}
			pos := []any{}
			for k, v := range a {
				if sameElem(et, v, x) {
					pos = append(pos, int32(k+1))
				}
			}
			return pos, nil
		})
	}}, nil
}

// buildArrayPositionFrom: array_position(arr, x, start) searches from
// position start (1 when smaller); a NULL start is 22004.
func buildArrayPositionFrom(name string, args []Expr) (Expr, error) {
	if !isList(args[0]) || args[0].Type().Ndims() > 1 {
		return nil, functionError(name, args)
	}
	a, lt, err := arrayArgs(name, args[:2], 0)
	if err != nil {
		return nil, err
	}
	start, err := coerceArgs(name, args[2:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	et := *lt.Elem
	return &callExpr{name: name, args: append(a, start...), t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		st := values[int32](in[2])
		return datumRows(env, sqltypes.TypeInt4, n, func(i int) (sqltypes.Datum, error) {
			arr, ok := listAt(in[0], lt, i)
			if !ok {
				return nil, nil
			}
			if in[2].IsNull(i) {
				return nil, sqltypes.New(sqltypes.CodeNullValueNotAllowed, "initial position must not be null")
			}
			x, err := rangeKey(et, datumAt(in[1], et, i))
			if err != nil {
				return nil, err
			}
			for k := max(int(st[i]), 1) - 1; k < len(arr); k++ {
				v, err := rangeKey(et, arr[k])
				if err != nil {
					return nil, err
				}
				if sameElem(et, v, x) {
					return int32(k + 1), nil
				}
			}
			return nil, nil
		})
	}}, nil
}

// buildArrayReplace: array_replace(arr, from, to) replaces every element
// equal to from (NULL matching NULL) by to, in arrays of any dimensions.
func buildArrayReplace(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	lt := args[0].Type()
	et := lt.Leaf()
	if t, ok := commonArgType([]Expr{Column(0, et, ""), args[1], args[2]}); ok && !t.Equal(et) {
		lt, et = sqltypes.ArrayOf(t, lt.Ndims()), t
	}
	a := []Expr{coerceTo(args[0], lt), coerceTo(args[1], et), coerceTo(args[2], et)}
	if !a[0].Type().Equal(lt) || !sameFamily(a[1].Type(), et) || !sameFamily(a[2].Type(), et) || !comparableType(et) {
		return nil, functionError(name, args)
	}
	// from is compared as rangeKey gives it.
	var replace func(v []any, from, to any) ([]any, error)
	replace = func(v []any, from, to any) ([]any, error) {
		out := make([]any, len(v))
		for k, e := range v {
			if sub, ok := e.([]any); ok && lt.Ndims() > 1 {
				var err error
				if out[k], err = replace(sub, from, to); err != nil {
					return nil, err
				}
				continue
			}
			ek, err := rangeKey(et, e)
			if err != nil {
				return nil, err
			}
			out[k] = e
			if sameElem(et, ek, from) {
				out[k] = to
			}
		}
		return out, nil
	}
	return &callExpr{name: name, args: a, t: lt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return datumRows(env, lt, n, func(i int) (sqltypes.Datum, error) {
			v, ok := listAt(in[0], lt, i)
			if !ok {
				return nil, nil
			}
			from, err := rangeKey(et, datumAt(in[1], et, i))
			if err != nil {
				return nil, err
			}
			return replace(v, from, datumAt(in[2], et, i))
		})
	}}, nil
}

// buildTrimArray: trim_array(arr, n) drops the last n elements of the
// first dimension; n outside 0..length is 2202E.
func buildTrimArray(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	lt := args[0].Type()
	cnt, err := coerceArgs(name, args[1:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append([]Expr{args[0]}, cnt...), t: lt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		c := values[int32](in[1])
		return datumRows(env, lt, n, func(i int) (sqltypes.Datum, error) {
			v, ok := listAt(in[0], lt, i)
			if !ok || in[1].IsNull(i) {
				return nil, nil
			}
			if c[i] < 0 || int(c[i]) > len(v) {
				return nil, sqltypes.New(sqltypes.CodeArraySubscriptError, "number of elements to trim must be between 0 and %d", len(v))
			}
			return v[:len(v)-int(c[i])], nil
		})
	}}, nil
}

// rangeKey returns v, a value of type t, as compareDatums compares it
// fastest: a range as its sort key ([]byte, bytewise in range_cmp's
// order), anything else as it is. The searches read a range once this
// way, not at every comparison. A held range that does not read is XX000
// (see rangeCompare).
func rangeKey(t sqltypes.Type, v sqltypes.Datum) (sqltypes.Datum, error) {
	s, ok := v.(string)
	if !ok || !t.IsRange() {
		return v, nil
	}
	r, err := sqltypes.ReadRange(t, s)
	if err != nil {
		return nil, heldRangeErr(t, err)
	}
	return sqltypes.AppendRangeSortKey(nil, r), nil
}

// rangeKeys is rangeKey of every value, in a new slice; vals itself when
// t is not a range type.
func rangeKeys(t sqltypes.Type, vals []sqltypes.Datum) ([]sqltypes.Datum, error) {
	if !t.IsRange() {
		return vals, nil
	}
	out := make([]sqltypes.Datum, len(vals))
	for i, v := range vals {
		var err error
		if out[i], err = rangeKey(t, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}
