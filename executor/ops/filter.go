package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// filterOp keeps the rows where a predicate is TRUE.
type filterOp struct {
	env   *executor.Env
	child executor.Operator
	where *rowFilter
	sel   []int32
	// failed is the error of the row after the last batch returned: the
	// rows before it went out first (rowsbefore.go).
	failed error
}

// rowFilter finds the rows of a batch where a predicate is TRUE:
// conjunct by conjunct through an expr.Selector when the predicate has
// several or an interval, else by evaluating it.
type rowFilter struct {
	pred expr.Expr
	sel  *expr.Selector // nil: evaluate pred
}

func newRowFilter(pred expr.Expr) *rowFilter {
	return &rowFilter{pred: pred, sel: expr.NewSelector(pred)}
}

// selectRows returns the positions of the rows of b where the predicate
// is TRUE, in ascending order, reusing sel's storage.
func (f *rowFilter) selectRows(ctx context.Context, env *executor.Env, b arrow.RecordBatch, sel []int32) ([]int32, error) {
	if f.sel != nil {
		return f.sel.Select(ctx, env, b, sel)
	}
	mask, err := evalOne(ctx, env, f.pred, b)
	if err != nil {
		return sel[:0], err
	}
	sel = appendTrue(sel[:0], mask)
	mask.Release()
	return sel, nil
}

// NewFilter returns an operator that emits the rows of child for which
// pred is TRUE (FALSE and NULL drop the row). A batch whose rows all pass
// is passed through unchanged; batches left empty are skipped. pred must be
// boolean (42804 otherwise).
func NewFilter(env *executor.Env, child executor.Operator, pred expr.Expr) (executor.Operator, error) {
	if err := checkBool("WHERE", pred); err != nil {
		return nil, err
	}
	return &filterOp{env: env, child: child, where: newRowFilter(pred)}, nil
}

func (o *filterOp) Schema() *arrow.Schema { return o.child.Schema() }

func (o *filterOp) Open(ctx context.Context) error { return o.child.Open(ctx) }

func (o *filterOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.failed != nil {
		return nil, o.failed
	}
	for {
		b, err := o.child.Next(ctx)
		if err != nil {
			return nil, err
		}
		if err := ctxErr(ctx); err != nil {
			b.Release()
			return nil, err
		}
		out, err := o.apply(ctx, b)
		if err != nil {
			out, err = o.beforeError(ctx, b, err)
		}
		b.Release()
		if err != nil {
			return nil, err
		}
		if out != nil {
			return out, nil
		}
	}
}

// apply returns the filtered batch (b itself, retained, if every row
// passes), or nil if no row passes.
func (o *filterOp) apply(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	if b.NumRows() == 0 {
		return nil, nil
	}
	var err error
	if o.sel, err = o.where.selectRows(ctx, o.env, b, o.sel); err != nil {
		return nil, err
	}
	switch len(o.sel) {
	case 0:
		return nil, nil
	case int(b.NumRows()):
		b.Retain()
		return b, nil
	}
	return takeBatch(o.env.Mem, b.Schema(), b.Columns(), o.sel)
}

// beforeError is the batch of the rows of b that pass before the first
// one whose predicate failed (nil when none), after which Next reports
// that row's error.
func (o *filterOp) beforeError(ctx context.Context, b arrow.RecordBatch, err error) (arrow.RecordBatch, error) {
	sel, err := filterPrefix(ctx, o, b, err)
	if len(sel) == 0 {
		return nil, err
	}
	out, terr := takeBatch(o.env.Mem, b.Schema(), b.Columns(), sel)
	if terr != nil {
		return nil, terr
	}
	o.failed = err
	return out, nil
}

func (o *filterOp) Close() error { return o.child.Close() }
