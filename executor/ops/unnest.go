package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// unnestOp emits one row per element of a list value.
type unnestOp struct {
	env        *executor.Env
	child      executor.Operator
	list       expr.Expr
	ordinality bool
	schema     *arrow.Schema
	b          arrow.RecordBatch // current child batch
	lists      array.ListLike    // list values of b
	row        int               // next child row
	elem       int64             // next element of that row, relative
	rows, idx  []int32
	ord        []int64
	ordValid   []bool
	outer      bool // LEFT JOIN LATERAL unnest(...) ON true: keep rows with no elements
	closed     bool
}

// NewUnnest returns an operator that emits, for every child row, one row
// per element of list (a list-typed expression): the child's columns
// (repeated), the element in a column called name, and, if ordinality,
// an int8 column "ordinality" numbering the elements from 1. NULL and empty
// lists produce no rows. Output batches hold about env.Rows() rows.
func NewUnnest(env *executor.Env, child executor.Operator, list expr.Expr, ordinality bool, name string) (executor.Operator, error) {
	if list == nil {
		return nil, errInternal("unnest of a nil expression")
	}
	t := list.Type()
	if t.Kind != sqltypes.List || t.Elem == nil {
		return nil, sqltypes.New(sqltypes.CodeDatatypeMismatch, "function unnest(%s) does not exist", t)
	}
	fs := fieldsOf(child.Schema(), false)
	fs = append(fs, arrow.Field{Name: name, Type: t.Elem.Arrow(), Nullable: true})
	if ordinality {
		fs = append(fs, arrow.Field{Name: "ordinality", Type: arrow.PrimitiveTypes.Int64})
	}
	return &unnestOp{env: env, child: child, list: list, ordinality: ordinality, schema: arrow.NewSchema(fs, nil)}, nil
}

// NewOuterUnnest is NewUnnest for LEFT JOIN LATERAL unnest(...) ON true:
// a child row whose list is NULL or empty yields one row with a NULL
// element (and NULL ordinality) instead of none.
func NewOuterUnnest(env *executor.Env, child executor.Operator, list expr.Expr, ordinality bool, name string) (executor.Operator, error) {
	op, err := NewUnnest(env, child, list, ordinality, name)
	if err != nil {
		return nil, err
	}
	u := op.(*unnestOp)
	u.outer = true
	return u, nil
}

func (o *unnestOp) Schema() *arrow.Schema { return o.schema }

func (o *unnestOp) Open(ctx context.Context) error { return o.child.Open(ctx) }

func (o *unnestOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if o.closed {
			return nil, io.EOF
		}
		if o.b == nil {
			b, err := o.child.Next(ctx)
			if err != nil {
				return nil, err
			}
			if err := o.load(ctx, b); err != nil {
				return nil, err
			}
			continue
		}
		out, err := o.emit()
		if out != nil || err != nil {
			return out, err
		}
		o.drop()
	}
}

// load evaluates the list expression over a new child batch.
func (o *unnestOp) load(ctx context.Context, b arrow.RecordBatch) error {
	if err := ctxErr(ctx); err != nil {
		b.Release()
		return err
	}
	l, err := evalOne(ctx, o.env, o.list, b)
	if err != nil {
		b.Release()
		return err
	}
	ll, ok := l.(array.ListLike)
	if !ok {
		l.Release()
		b.Release()
		return errInternal("unnest argument evaluated to %s", l.DataType())
	}
	o.b, o.lists, o.row, o.elem = b, ll, 0, 0
	return nil
}

func (o *unnestOp) drop() {
	if o.b != nil {
		o.b.Release()
		o.lists.Release()
		o.b, o.lists = nil, nil
	}
}

// emit returns the next output batch of the current child batch, or nil
// when it is exhausted.
func (o *unnestOp) emit() (arrow.RecordBatch, error) {
	o.rows, o.idx, o.ord, o.ordValid = o.rows[:0], o.idx[:0], o.ord[:0], o.ordValid[:0]
	limit := o.env.Rows()
	n := o.lists.Len()
	for len(o.rows) < limit && o.row < n {
		start, end := o.lists.ValueOffsets(o.row)
		if o.lists.IsNull(o.row) || start == end {
			if o.outer {
				o.rows = append(o.rows, int32(o.row))
				o.idx = append(o.idx, -1) // take of -1 is NULL
				o.ord = append(o.ord, 0)
				o.ordValid = append(o.ordValid, false)
			}
			o.row, o.elem = o.row+1, 0
			continue
		}
		k := min(end-start-o.elem, int64(limit-len(o.rows)))
		for e := o.elem; e < o.elem+k; e++ {
			o.rows = append(o.rows, int32(o.row))
			o.idx = append(o.idx, int32(start+e))
			o.ord = append(o.ord, e+1)
			o.ordValid = append(o.ordValid, true)
		}
		o.elem += k
		if start+o.elem >= end {
			o.row, o.elem = o.row+1, 0
		}
	}
	if len(o.rows) == 0 {
		return nil, nil
	}
	mem := o.env.Mem
	cols, err := takeColumns(mem, o.b.Columns(), o.rows)
	if err != nil {
		return nil, err
	}
	el, err := takeArray(mem, o.lists.ListValues(), o.idx)
	if err != nil {
		releaseArrays(cols)
		return nil, err
	}
	cols = append(cols, el)
	if o.ordinality {
		var valid []bool
		if o.outer {
			valid = o.ordValid
		}
		cols = append(cols, fixedArray(mem, arrow.PrimitiveTypes.Int64, o.ord, valid))
	}
	return newBatch(o.schema, cols, len(o.rows)), nil
}

func (o *unnestOp) Close() error {
	o.closed = true
	o.drop()
	return o.child.Close()
}
