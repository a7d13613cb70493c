package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindRowCompare binds a comparison of two rows of the same width as
// PostgreSQL compares them. = is the AND of the fields' equalities and <>
// the OR of their inequalities; IS [NOT] DISTINCT FROM likewise. <, <=, >
// and >= are lexicographic, decided by the first pair of fields that is
// not equal, and NULL when that pair holds a NULL: (a1, a2) < (b1, b2) is
// a1 < b1 OR (a1 = b1 AND a2 < b2). Keyset pagination, WHERE (day, id) >
// ($1, $2), reads so.
func (b *binder) bindRowCompare(op expr.BinaryOp, name string, l, r *pg_query.RowExpr, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	if len(l.Args) != len(r.Args) {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "unequal number of entries in row expressions"), loc)
	}
	if len(l.Args) == 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot compare rows of zero length"), loc)
	}
	ls, err := b.bindExprs(l.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	rs, err := b.bindExprs(r.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	pair := func(op expr.BinaryOp, name string, i int) (logical.Expr, error) {
		return b.bindOperator(op, name, ls[i], rs[i], loc)
	}
	var combine expr.BinaryOp
	switch op {
	case expr.OpEq, expr.OpIsNotDistinctFrom:
		combine = expr.OpAnd
	case expr.OpNe, expr.OpIsDistinctFrom:
		combine = expr.OpOr
	case expr.OpLt, expr.OpLe, expr.OpGt, expr.OpGe:
		return b.lexicographic(op, name, len(ls), pair)
	default:
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "operator %s is not supported for rows", name), loc)
	}
	var res logical.Expr
	for i := range ls {
		c, err := pair(op, name, i)
		if err != nil {
			return nil, err
		}
		if res == nil {
			res = c
			continue
		}
		res = &logical.Binary{Op: combine, L: res, R: c, T: sqltypes.TypeBool}
	}
	return res, nil
}

// lexicographic builds the ordering comparison of rows of width n from
// the last field backwards: field i decides with its strict comparison,
// or passes to the rest when equal.
func (b *binder) lexicographic(op expr.BinaryOp, name string, n int, pair func(expr.BinaryOp, string, int) (logical.Expr, error)) (logical.Expr, error) {
	strict, strictName := op, name
	switch op {
	case expr.OpLe:
		strict, strictName = expr.OpLt, "<"
	case expr.OpGe:
		strict, strictName = expr.OpGt, ">"
	}
	res, err := pair(op, name, n-1)
	if err != nil {
		return nil, err
	}
	for i := n - 2; i >= 0; i-- {
		decides, err := pair(strict, strictName, i)
		if err != nil {
			return nil, err
		}
		eq, err := pair(expr.OpEq, "=", i)
		if err != nil {
			return nil, err
		}
		rest := &logical.Binary{Op: expr.OpAnd, L: eq, R: res, T: sqltypes.TypeBool}
		res = &logical.Binary{Op: expr.OpOr, L: decides, R: rest, T: sqltypes.TypeBool}
	}
	return res, nil
}
