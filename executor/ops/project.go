package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// projectOp computes one output column per expression.
type projectOp struct {
	env    *executor.Env
	child  executor.Operator
	exprs  []expr.Expr
	schema *arrow.Schema
	// failed is the error of the row after the last batch returned: the
	// rows before it went out first (rowsbefore.go).
	failed error
}

// NewProject returns an operator whose output column i is exprs[i]
// evaluated over each child batch, named names[i], of Arrow type
// exprs[i].Type().Arrow(), nullable. len(names) must equal len(exprs).
func NewProject(env *executor.Env, child executor.Operator, exprs []expr.Expr, names []string) (executor.Operator, error) {
	if len(exprs) != len(names) {
		return nil, errInternal("project has %d expressions and %d names", len(exprs), len(names))
	}
	fs := make([]arrow.Field, len(exprs))
	for i, e := range exprs {
		if e == nil {
			return nil, errInternal("project expression %d is nil", i)
		}
		fs[i] = arrow.Field{Name: names[i], Type: e.Type().Arrow(), Nullable: true}
	}
	return &projectOp{env: env, child: child, exprs: exprs, schema: arrow.NewSchema(fs, nil)}, nil
}

func (o *projectOp) Schema() *arrow.Schema { return o.schema }

func (o *projectOp) Open(ctx context.Context) error { return o.child.Open(ctx) }

func (o *projectOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.failed != nil {
		return nil, o.failed
	}
	for {
		b, err := o.child.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		if err := ctxErr(ctx); err != nil {
			b.Release()
			return nil, err
		}
		cols, err := evalAll(ctx, o.env, o.exprs, b)
		n := int(b.NumRows())
		if err != nil {
			cols, n, err = projectPrefix(ctx, o, b, err)
			b.Release()
			if n == 0 {
				return nil, err
			}
			o.failed = err
			return newBatch(o.schema, cols, n), nil
		}
		b.Release()
		return newBatch(o.schema, cols, n), nil
	}
}

func (o *projectOp) Close() error { return o.child.Close() }
