package expr

import (
	"context"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// arrayCtor is ARRAY[e1, e2, …]: one list per row holding the elements'
// values of that row (NULL elements included). Elements share the element
// type; the planner coerces them.
type arrayCtor struct {
	elems []Expr
	t     sqltypes.Type
}

// MakeArray builds ARRAY[elems...] with elements of type elem.
func MakeArray(elems []Expr, elem sqltypes.Type) Expr {
	return &arrayCtor{elems: elems, t: sqltypes.ListOf(elem)}
}

func (a *arrayCtor) Type() sqltypes.Type { return a.t }

func (a *arrayCtor) String() string {
	parts := make([]string, len(a.elems))
	for i, e := range a.elems {
		parts[i] = e.String()
	}
	return "ARRAY[" + strings.Join(parts, ", ") + "]"
}

// Eval appends values one at a time: array constructors build small
// literal-like lists, so this is not a hot loop.
func (a *arrayCtor) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	cols := make([]arrow.Array, len(a.elems))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, e := range a.elems {
		c, err := e.Eval(ctx, env, b)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	lb := array.NewListBuilder(env.Mem, a.t.Elem.Arrow())
	defer lb.Release()
	vb := lb.ValueBuilder()
	sub := a.t.Elem.Kind == sqltypes.List
	row := make([]sqltypes.Datum, len(cols))
	for r := 0; r < int(b.NumRows()); r++ {
		for i, c := range cols {
			row[i] = datumAt(c, *a.t.Elem, r)
		}
		if sub {
			empty, err := matchingSubArrays(row)
			if err != nil {
				return nil, err
			}
			if empty {
				lb.Append(true) // sub-arrays all empty: the empty array, as in PostgreSQL
				continue
			}
		}
		lb.Append(true)
		for _, v := range row {
			appendDatum(vb, *a.t.Elem, v)
		}
	}
	return lb.NewArray(), nil
}

// matchingSubArrays checks the sub-arrays of one multidimensional
// ARRAY[...] value: none NULL, all of the same dimensions (2202E
// otherwise, as in PostgreSQL). empty reports that all are empty.
func matchingSubArrays(row []sqltypes.Datum) (empty bool, err error) {
	var first []int
	for i, v := range row {
		if v == nil {
			return false, errMismatchedSubArrays()
		}
		d := datumDims(v.([]any), nil)
		if i == 0 {
			first = d
			continue
		}
		if !slices.Equal(d, first) {
			return false, errMismatchedSubArrays()
		}
	}
	return len(first) == 0, nil
}

func errMismatchedSubArrays() error {
	return sqltypes.New(sqltypes.CodeArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions")
}

// datumDims appends the dimensions of an array datum (nested []any, one
// level per dimension) to dims; none for the empty array.
func datumDims(v []any, dims []int) []int {
	for len(v) > 0 {
		dims = append(dims, len(v))
		sub, ok := v[0].([]any)
		if !ok {
			break
		}
		v = sub
	}
	return dims
}
