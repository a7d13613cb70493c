package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindRow binds a row constructor used as a value, ROW(a, b) or (a, b),
// as a record (expr.RowFunc). A t.* inside it stands for t's columns, as
// in PostgreSQL; a bare t is a nested record. Row comparisons and IN over
// rows never get here: they compare field by field (bindRowCompare).
func (b *binder) bindRow(row *pg_query.RowExpr, sc *scope, agg *aggState) (logical.Expr, error) {
	var fields []logical.Expr
	var types []sqltypes.Type
	for _, a := range row.Args {
		if cr := a.GetColumnRef(); cr != nil && len(cr.Fields) == 2 && cr.Fields[1].GetAStar() != nil {
			if _, refs, _, whole, err := b.wholeRowRefs(a, sc, agg); whole {
				if err != nil {
					return nil, err
				}
				fields = append(fields, refs...)
				for _, r := range refs {
					types = append(types, r.Type())
				}
				continue
			}
		}
		e, err := b.bindExpr(a, sc, agg)
		if err != nil {
			return nil, err
		}
		types = append(types, e.Type())
		if p, ok := e.(*logical.Param); ok && p.T.Kind == sqltypes.Unknown {
			// A field types no parameter, as in PostgreSQL.
			e = b.looseParam(e, location(a))
		}
		if e.Type().Kind == sqltypes.Unknown {
			// An untyped literal field prints as text; its type stays
			// unknown (OID 705 in record_send), as PostgreSQL's does.
			if e, err = b.coerce(e, sqltypes.TypeText); err != nil {
				return nil, errAt(sqltypes.AsError(err), location(a))
			}
		}
		fields = append(fields, e)
	}
	return &logical.Func{Name: expr.RowFunc, Args: fields, T: sqltypes.RecordOf(types, 0)}, nil
}
