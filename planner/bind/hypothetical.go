package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// isHypotheticalSet reports whether name is a hypothetical-set aggregate.
func isHypotheticalSet(name string) bool {
	switch name {
	case "rank", "dense_rank", "percent_rank", "cume_dist":
		return true
	}
	return false
}

// bindHypotheticalSet binds rank, dense_rank, percent_rank and cume_dist
// (x) WITHIN GROUP (ORDER BY v [ASC|DESC] [NULLS ...]): where a row of
// value x would land among the group's values, as PostgreSQL defines it.
// They become counts with filters: rank is 1 + the rows sorting before x,
// dense_rank 1 + the distinct values before it, percent_rank those
// before over all rows (0 for none), cume_dist (the rows before or equal
// to x, plus x itself) over (all rows plus x). One argument and one sort
// key only (0A000 otherwise).
func (b *binder) bindHypotheticalSet(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	name, loc := funcName(fc), int(fc.Location)
	if len(fc.Args) != 1 || len(fc.AggOrder) != 1 {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s ... WITHIN GROUP is supported with one argument and one ORDER BY key", name), loc)
	}
	sb := fc.AggOrder[0].GetSortBy()
	x, err := b.bindExpr(fc.Args[0], sc, nil)
	if err != nil {
		return nil, err
	}
	v, err := b.bindExpr(sb.Node, sc, nil)
	if err != nil {
		return nil, err
	}
	if v, x, err = b.unify(v, x, name, loc); err != nil {
		return nil, err
	}
	desc, nullsFirst, err := sortDirection(sb)
	if err != nil {
		return nil, err
	}
	bin := func(op expr.BinaryOp, l, r logical.Expr) logical.Expr {
		if err == nil {
			var e logical.Expr
			if e, err = b.makeBinary(op, l, r, loc); err == nil {
				return e
			}
		}
		return nil
	}
	isNull := func(e logical.Expr, not bool) logical.Expr {
		op := logical.OpIsNull
		if not {
			op = logical.OpIsNotNull
		}
		return &logical.Unary{Op: op, E: e, T: sqltypes.TypeBool}
	}
	cmp := expr.OpLt
	if desc {
		cmp = expr.OpGt
	}
	nullBefore := bin(expr.OpAnd, isNull(x, false), isNull(v, true)) // NULLS LAST: x NULL follows v
	if nullsFirst {
		nullBefore = bin(expr.OpAnd, isNull(v, false), isNull(x, true))
	}
	before := bin(expr.OpOr, bin(cmp, v, x), nullBefore)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	user, err := b.bindAggFilter(fc, sc) // the aggregate's own FILTER: every count sees only its rows
	if err != nil {
		return nil, err
	}
	count := func(filter logical.Expr, distinct bool) (logical.Expr, error) {
		switch {
		case filter == nil:
			filter = user
		case user != nil:
			filter = bin(expr.OpAnd, filter, user)
		}
		call := logical.AggCall{Func: "count_star", Filter: filter}
		if distinct {
			call = logical.AggCall{Func: "count", Args: []logical.Expr{v}, Distinct: true, Filter: filter}
		}
		t, err := ops.AggregateType(call.Func, typesOf(call.Args))
		if err != nil {
			return nil, err
		}
		call.T = t
		return agg.addAgg(b, call, name), nil
	}
	one := &logical.Const{T: sqltypes.TypeInt8, V: int64(1)}
	toFloat := func(e logical.Expr) logical.Expr { return &logical.Cast{E: e, T: sqltypes.TypeFloat8} }
	nBefore, err := count(before, false)
	if err != nil {
		return nil, err
	}
	var out logical.Expr
	switch name {
	case "rank":
		out = bin(expr.OpAdd, one, nBefore)
	case "dense_rank":
		// count(DISTINCT v) skips NULLs; NULLs sorting first are one more value.
		d, err := count(before, true)
		if err != nil {
			return nil, err
		}
		nulls, err := count(bin(expr.OpAnd, before, isNull(v, false)), false)
		if err != nil {
			return nil, err
		}
		zero := &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}
		anyNull := &logical.Case{Whens: []logical.When{{Cond: bin(expr.OpGt, nulls, zero), Then: one}}, Else: zero, T: sqltypes.TypeInt8}
		out = bin(expr.OpAdd, bin(expr.OpAdd, one, d), anyNull)
	case "percent_rank":
		total, err := count(nil, false)
		if err != nil {
			return nil, err
		}
		zero := &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}
		out = &logical.Case{
			Whens: []logical.When{{Cond: bin(expr.OpEq, total, zero), Then: &logical.Const{T: sqltypes.TypeFloat8, V: float64(0)}}},
			Else:  bin(expr.OpDiv, toFloat(nBefore), toFloat(total)),
			T:     sqltypes.TypeFloat8,
		}
	default: // cume_dist
		total, err := count(nil, false)
		if err != nil {
			return nil, err
		}
		peer := bin(expr.OpIsNotDistinctFrom, v, x)
		upTo, err := count(bin(expr.OpOr, before, peer), false)
		if err != nil {
			return nil, err
		}
		out = bin(expr.OpDiv, toFloat(bin(expr.OpAdd, upTo, one)), toFloat(bin(expr.OpAdd, total, one)))
	}
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return out, nil
}
