package expr

import (
	"context"
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
	for r := 0; r < int(b.NumRows()); r++ {
		lb.Append(true)
		for _, c := range cols {
			appendDatum(vb, *a.t.Elem, datumAt(c, *a.t.Elem, r))
		}
	}
	return lb.NewArray(), nil
}
