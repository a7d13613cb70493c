package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// setFunctionMarker names the placeholder a set-returning function in the
// select list binds to until expandSetFunctions replaces it by a column
// of an Unnest below the projection. No scalar function has this name.
const setFunctionMarker = "unnest"

// bindSelectListSetFunction binds unnest(array) or generate_series(...)
// in a select-list entry, possibly inside an expression
// (`unnest(a) + 1`), as a placeholder over the array it expands.
func (b *binder) bindSelectListSetFunction(fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	if !b.srfOK {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "set-returning function %s is only allowed in FROM and in the select list", funcName(fc)), loc)
	}
	if funcName(fc) == "unnest" && len(fc.Args) > 1 {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "unnest with several arrays is only allowed in FROM").
			WithHint("Write FROM unnest(a, b) AS u(x, y)."), loc)
	}
	lists, err := b.bindSetFunction(fc, sc, agg)
	if err != nil {
		return nil, err
	}
	return &logical.Func{Name: setFunctionMarker, Args: lists, T: lists[0].Type().Leaf()}, nil
}

// expandSetFunctions evaluates the set-returning functions of a select
// list: one Unnest over node expands all of them in lockstep, as
// PostgreSQL (10 and later) does — as many rows as the longest, the
// others NULL — and an input row whose arrays are all empty or NULL
// yields no rows. exprs read the element columns instead.
func (b *binder) expandSetFunctions(node logical.Node, exprs []logical.Expr) (logical.Node, []logical.Expr) {
	var u *logical.Unnest
	out := make([]logical.Expr, len(exprs))
	for i, e := range exprs {
		out[i] = logical.Rewrite(e, func(x logical.Expr) logical.Expr {
			f, ok := x.(*logical.Func)
			if !ok || f.Name != setFunctionMarker {
				return x
			}
			if u == nil {
				u = &logical.Unnest{Input: node}
			}
			id := b.meta.NewColumn(setFunctionMarker, "", f.T)
			u.Lists, u.Cols = append(u.Lists, f.Args[0]), append(u.Cols, id)
			return b.colRef(id)
		})
	}
	if u == nil {
		return node, exprs
	}
	return u, out
}
