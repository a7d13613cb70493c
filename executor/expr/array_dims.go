package expr

import (
	"context"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Multidimensional arrays are nested lists, one per dimension (see
// sqltypes' array.go). The functions that see an array as its elements in
// row-major order (cardinality, unnest, = ANY, array_to_string, @>, &&)
// read it through flatArray, a one-dimensional list over the innermost
// values; the ones about dimensions read sqltypes.ArrayElements.

// flatArray returns the arrays of a (of array type t) as one-dimensional
// lists of their elements in row-major order, sharing a's element values.
// For a one-dimensional t it is a itself, retained. The caller releases it.
func flatArray(mem memory.Allocator, a arrow.Array, t sqltypes.Type) (*array.List, error) {
	nd := t.Ndims()
	if nd == 1 {
		l, ok := a.(*array.List)
		if !ok {
			return nil, internalErr("array of type %s holds Arrow %s", t, a.DataType())
		}
		l.Retain()
		return l, nil
	}
	levels, ok := sqltypes.ArrayLevels(a, nd)
	if !ok {
		return nil, internalErr("array of type %s holds Arrow %s", t, a.DataType())
	}
	inner := levels[nd-1]
	offsets := make([][]int32, nd)
	for k, l := range levels {
		ll, ok := l.(*array.List)
		if !ok {
			return nil, internalErr("array of type %s holds Arrow %s", t, a.DataType())
		}
		offsets[k] = listOffsets(ll)
	}
	// Row i's elements run from its first sub-array's first element to its
	// last sub-array's last: map the row boundaries down the levels.
	n := a.Len()
	offBuf, offs := allocFixed[int32](mem, n+1)
	defer offBuf.Release()
	for i := 0; i <= n; i++ {
		p := offsets[0][i]
		for k := 1; k < nd; k++ {
			p = offsets[k][p]
		}
		offs[i] = p
	}
	valid := andValidity(mem, n, a)
	if valid != nil {
		defer valid.Release()
	}
	nulls := a.NullN()
	dt := arrow.ListOf(inner.ListValues().DataType())
	data := array.NewData(dt, n, []*memory.Buffer{valid, offBuf}, []arrow.ArrayData{inner.ListValues().Data()}, nulls, 0)
	defer data.Release()
	return array.NewListData(data), nil
}

// buildArrayDims: cardinality(a) (the number of elements), array_ndims(a),
// array_dims(a) ('[1:2][1:3]'), array_length(a, d), array_lower(a, d) and
// array_upper(a, d), from each value's dimensions (lower bounds are 1).
// An empty array has no dimensions: cardinality 0 and NULL for the rest,
// as for a dimension it does not have.
func buildArrayDims(name string, args []Expr) (Expr, error) {
	want := 2
	switch name {
	case "cardinality", "array_ndims", "array_dims":
		want = 1
	}
	if err := wantArgs(name, args, want, want); err != nil {
		return nil, err
	}
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	t := args[0].Type()
	if want == 2 {
		d := coerceTo(args[1], sqltypes.TypeInt4)
		if !implicitArg(args[1].Type(), sqltypes.TypeInt4) || d.Type().Kind != sqltypes.Int4 {
			return nil, functionError(name, args)
		}
		args = []Expr{args[0], d}
	}
	out := sqltypes.TypeInt4
	if name == "array_dims" {
		out = sqltypes.TypeText
	}
	return &callExpr{name: name, args: args, t: out, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		levels, ok := sqltypes.ArrayLevels(in[0], t.Ndims())
		if !ok {
			return nil, internalErr("%s of %s", name, in[0].DataType())
		}
		var dims []int32
		if name == "array_dims" {
			return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
				_, _, dims = sqltypes.ArrayElements(levels, i, dims[:0])
				for _, d := range dims {
					dst = append(append(append(dst, "[1:"...), strconv.Itoa(int(d))...), ']')
				}
				return dst, len(dims) == 0, nil
			})
		}
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			s, e, ds := sqltypes.ArrayElements(levels, i, dims[:0])
			dims = ds
			switch name {
			case "cardinality":
				return int32(e - s), false, nil
			case "array_ndims":
				return int32(len(dims)), len(dims) == 0, nil
			}
			d := int(values[int32](in[1])[i])
			if d < 1 || d > len(dims) {
				return 0, true, nil
			}
			if name == "array_lower" {
				return 1, false, nil
			}
			return dims[d-1], false, nil
		})
	}}, nil
}

// listCastKernel casts an array to an array of another element type and
// the same dimensions (int[] to bigint[]): the element values are cast,
// the lists' offsets and validity are kept.
func listCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	if from.Ndims() != to.Ndims() {
		return nil, false
	}
	if from.Elem.Equal(*to.Elem) {
		return retypeKernel(to.Arrow()), true
	}
	elem, ok := castKernelFor(*from.Elem, *to.Elem)
	if to.Elem.VarScale && from.Elem.Kind == sqltypes.Numeric {
		elem, ok = toVarElemKernel(*from.Elem, *to.Elem), true
	}
	if !ok {
		return nil, false
	}
	dt := to.Arrow()
	return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
		l, ok := a.(*array.List)
		if !ok {
			return nil, internalErr("cast of Arrow %s to %s", a.DataType(), to)
		}
		vals, err := elem(mem, cx, l.ListValues())
		if err != nil {
			return nil, err
		}
		defer vals.Release()
		d := l.Data()
		data := array.NewData(dt, d.Len(), d.Buffers(), []arrow.ArrayData{vals.Data()}, d.NullN(), d.Offset())
		defer data.Release()
		return array.MakeFromData(data), nil
	}, true
}

// oneDimensional rejects, as PostgreSQL does, a multidimensional array
// argument of array_append and array_prepend: meshql knows an array's
// dimensions when it plans, and their result could not have them, so
// the error comes then. array_position and array_remove fail per value
// (multidimOnlyEmpty), as in PostgreSQL.
func oneDimensional(name string, args []Expr) error {
	for _, a := range args {
		if a.Type().Ndims() > 1 {
			return sqltypes.New(sqltypes.CodeDataException, "argument must be empty or one-dimensional array")
		}
	}
	return nil
}

// multidimOnlyEmpty builds array_position(arr, x) and array_remove(arr,
// x) over a multidimensional arr, which PostgreSQL accepts only empty:
// NULL and the empty array then, 0A000 for any other value.
func multidimOnlyEmpty(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	at := args[0].Type()
	x := coerceTo(args[1], at.Leaf())
	if !sameFamily(x.Type(), at.Leaf()) || !comparableType(at.Leaf()) {
		return nil, functionError(name, args)
	}
	t, fail := at, sqltypes.New(sqltypes.CodeFeatureNotSupported, "removing elements from multidimensional arrays is not supported")
	if name == "array_position" {
		t, fail = sqltypes.TypeInt4, sqltypes.New(sqltypes.CodeFeatureNotSupported, "searching for elements in multidimensional arrays is not supported")
	}
	return &callExpr{name: name, args: []Expr{args[0], x}, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		levels, ok := sqltypes.ArrayLevels(in[0], at.Ndims())
		if !ok {
			return nil, internalErr("%s of %s", name, in[0].DataType())
		}
		return datumRows(env, t, n, func(i int) (sqltypes.Datum, error) {
			if in[0].IsNull(i) {
				return nil, nil
			}
			if s, e, _ := sqltypes.ArrayElements(levels, i, nil); e > s {
				return nil, fail
			}
			if name == "array_position" {
				return nil, nil
			}
			return []any{}, nil
		})
	}}, nil
}

// buildArrayCat: array_cat(a, b) and a || b over arrays, as PostgreSQL
// concatenates them: along the first dimension when both have the same
// dimensions, or b as one more row of a (or a as the first row of b) when
// it has one dimension fewer; the other dimensions must agree (2202E
// otherwise). An empty or NULL array gives the other one.
func buildArrayCat(name string, args []Expr) (Expr, error) {
	if !isList(args[0]) || !isList(args[1]) {
		return nil, functionError(name, args)
	}
	leaf, lb := args[0].Type().Leaf(), args[1].Type().Leaf()
	na, nb := args[0].Type().Ndims(), args[1].Type().Ndims()
	if ra, rb := leaf.Kind.NumericRank(), lb.Kind.NumericRank(); ra > 0 && rb > 0 && ra != rb {
		// anycompatiblearray: the elements' common number type
		if rb > ra {
			leaf = lb
		}
		if leaf.Kind == sqltypes.Numeric {
			leaf = sqltypes.NumericType(0, max(leaf.Scale, lb.Scale, args[0].Type().Leaf().Scale))
		}
	} else if !sameArrayElements(lb, leaf) {
		return nil, functionError(name, args)
	}
	a, b := coerceTo(args[0], sqltypes.ArrayOf(leaf, na)), coerceTo(args[1], sqltypes.ArrayOf(leaf, nb))
	if !sameArrayElements(a.Type().Leaf(), leaf) || !sameArrayElements(b.Type().Leaf(), leaf) {
		return nil, functionError(name, args)
	}
	if na-nb > 1 || nb-na > 1 {
		return nil, errIncompatibleArrays()
	}
	ta, tb, t := a.Type(), b.Type(), sqltypes.ArrayOf(leaf, max(na, nb))
	return &callExpr{name: name, args: []Expr{a, b}, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return datumRows(env, t, n, func(i int) (sqltypes.Datum, error) {
			x, okX := listAt(in[0], ta, i)
			y, okY := listAt(in[1], tb, i)
			if !okX && !okY {
				return nil, nil
			}
			return catArrays(x, y, t.Ndims())
		})
	}}, nil
}

func catArrays(x, y []any, nd int) ([]any, error) {
	dx, dy := datumDims(x, nil), datumDims(y, nil)
	switch {
	case len(dx) == 0 || len(dy) == 0:
		r, dr := x, dx
		if len(dx) == 0 {
			r, dr = y, dy
		}
		if len(dr) != 0 && len(dr) != nd {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "concatenating an empty array with a %d-dimensional array into a %d-dimensional one is not supported", len(dr), nd)
		}
		return append([]any{}, r...), nil
	case len(dx) == len(dy) && slices.Equal(dx[1:], dy[1:]):
		return append(append([]any{}, x...), y...), nil
	case len(dx) == len(dy)+1 && slices.Equal(dx[1:], dy):
		return append(append([]any{}, x...), any(y)), nil
	case len(dy) == len(dx)+1 && slices.Equal(dy[1:], dx):
		return append([]any{any(x)}, y...), nil
	}
	return nil, errIncompatibleArrays()
}

func errIncompatibleArrays() error {
	return sqltypes.New(sqltypes.CodeArraySubscriptError, "cannot concatenate incompatible arrays").
		WithDetail("Arrays with differing dimensions are not compatible for concatenation.")
}

// flatExpr is an array of any dimensions seen as the one-dimensional array
// of its elements in row-major order (unnest expands it so).
type flatExpr struct{ e Expr }

// FlattenArray returns e as a one-dimensional array of its elements in
// row-major order; e itself when it is one-dimensional already.
func FlattenArray(e Expr) Expr {
	if e.Type().Ndims() <= 1 {
		return e
	}
	return &flatExpr{e: e}
}

func (f *flatExpr) Type() sqltypes.Type         { return sqltypes.ListOf(f.e.Type().Leaf()) }
func (f *flatExpr) String() string              { return f.e.String() }
func (f *flatExpr) children() []Expr            { return []Expr{f.e} }
func (f *flatExpr) withChildren(ch []Expr) Expr { return &flatExpr{e: ch[0]} }

func (f *flatExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	a, err := f.e.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return flatArray(env.Mem, a, f.e.Type())
}

// elementArrays checks the two array arguments of a function that reads
// only their elements (@>, <@, &&): the second is cast to arrays of the
// first's element type, each keeping its dimensions.
func elementArrays(name string, args []Expr) (out []Expr, ta, tb sqltypes.Type, err error) {
	if !isList(args[0]) || !isList(args[1]) {
		return nil, ta, tb, functionError(name, args)
	}
	ta = args[0].Type()
	leaf := ta.Leaf()
	if !sameArrayElements(args[1].Type().Leaf(), leaf) {
		return nil, ta, tb, functionError(name, args)
	}
	b := coerceTo(args[1], sqltypes.ArrayOf(leaf, args[1].Type().Ndims()))
	tb = b.Type()
	if !tb.Leaf().Equal(leaf) && !(tb.Leaf().IsString() && leaf.IsString()) {
		return nil, ta, tb, functionError(name, args)
	}
	return []Expr{args[0], b}, ta, tb, nil
}

// flatDatum is an array datum's elements in row-major order.
func flatDatum(v []any, t sqltypes.Type) []any {
	if t.Ndims() <= 1 {
		return v
	}
	return flattenDatum(v, nil)
}

// sameArrayElements reports whether arrays of a and of b are one type for
// PostgreSQL's polymorphic array functions (which cast no element): the
// same kind (numeric scales are aligned by a cast), or both strings.
func sameArrayElements(a, b sqltypes.Type) bool {
	return a.Kind == b.Kind || a.IsString() && b.IsString()
}
