package tpch

import (
	"context"
	"io"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Run executes one statement in sess and returns its rows as text. Errors
// are the engine's (*sqltypes.Error, with a SQLSTATE). The result is
// closed, and every batch released, before Run returns.
func Run(ctx context.Context, sess *engine.Session, sql string) (*Result, error) {
	res, err := sess.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	return Collect(ctx, res)
}

// Collect reads every batch of res, converting each value to PostgreSQL's
// text format with sqltypes.FormatValue. It does not close res.
func Collect(ctx context.Context, res *engine.Result) (*Result, error) {
	out := &Result{}
	for _, c := range res.Columns {
		out.Columns = append(out.Columns, c.Name)
	}
	for {
		b, err := res.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		for row := 0; row < int(b.NumRows()); row++ {
			vals := make([]string, len(res.Columns))
			for i, c := range res.Columns {
				vals[i] = sqltypes.FormatValue(c.Type, expr.DatumAt(b.Column(i), c.Type, row))
			}
			out.Rows = append(out.Rows, vals)
		}
		b.Release()
	}
}
