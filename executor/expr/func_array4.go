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
			x, err := newDatumCmp(et, datumAt(in[1], et, i))
			if err != nil {
				return nil, err
			}
			pos := []any{}
			for k, v := range a {
				same, err := x.same(v)
				if err != nil {
					return nil, err
				}
				if same {
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
			x, err := newDatumCmp(et, datumAt(in[1], et, i))
			if err != nil {
				return nil, err
			}
			for k := max(int(st[i]), 1) - 1; k < len(arr); k++ {
				same, err := x.same(arr[k])
				if err != nil {
					return nil, err
				}
				if same {
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
	var replace func(v []any, from *datumCmp, to any) ([]any, error)
	replace = func(v []any, from *datumCmp, to any) ([]any, error) {
		out := make([]any, len(v))
		for k, e := range v {
			if sub, ok := e.([]any); ok && lt.Ndims() > 1 {
				var err error
				if out[k], err = replace(sub, from, to); err != nil {
					return nil, err
				}
				continue
			}
			same, err := from.same(e)
			if err != nil {
				return nil, err
			}
			out[k] = e
			if same {
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
			from, err := newDatumCmp(et, datumAt(in[1], et, i))
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

// datumCmp compares values of type t with one value x, as compareDatums
// does; a range x is read once, not at every comparison (compareRangeText
// reads both sides each time). A held range that does not read is XX000
// (see rangeCompare).
type datumCmp struct {
	t   sqltypes.Type
	x   sqltypes.Datum
	rx  sqltypes.Range // x read, when rng
	rng bool
}

func newDatumCmp(t sqltypes.Type, x sqltypes.Datum) (*datumCmp, error) {
	c := &datumCmp{t: t, x: x}
	if s, ok := x.(string); ok && t.IsRange() {
		r, err := sqltypes.ReadRange(t, s)
		if err != nil {
			return nil, heldRangeErr(t, err)
		}
		c.rx, c.rng = r, true
	}
	return c, nil
}

// cmp is compareDatums(t, v, x).
func (c *datumCmp) cmp(v sqltypes.Datum) (int, error) {
	s, ok := v.(string)
	if !c.rng || !ok {
		return compareDatums(c.t, v, c.x), nil
	}
	if s == c.x.(string) {
		return 0, nil
	}
	r, err := sqltypes.ReadRange(c.t, s)
	if err != nil {
		return 0, heldRangeErr(c.t, err)
	}
	return sqltypes.CompareRanges(r, c.rx), nil
}

// same is sameElem(t, v, x).
func (c *datumCmp) same(v sqltypes.Datum) (bool, error) {
	if v == nil || c.x == nil {
		return v == nil && c.x == nil, nil
	}
	n, err := c.cmp(v)
	return n == 0, err
}

// rangeKeys returns vals with each range of type t replaced by its sort
// key ([]byte, which compareDatums compares bytewise in range_cmp's
// order), in a new slice; vals itself when t is not a range type. Each
// range of two sets is then read once, not at each of their
// comparisons. A held range that does not read is XX000.
func rangeKeys(t sqltypes.Type, vals []sqltypes.Datum) ([]sqltypes.Datum, error) {
	if !t.IsRange() {
		return vals, nil
	}
	out := make([]sqltypes.Datum, len(vals))
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue // NULL
		}
		r, err := sqltypes.ReadRange(t, s)
		if err != nil {
			return nil, heldRangeErr(t, err)
		}
		out[i] = sqltypes.AppendRangeSortKey(nil, r)
	}
	return out, nil
}
