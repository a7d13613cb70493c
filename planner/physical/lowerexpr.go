package physical

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// layout maps a column to its position in an operator's output batches.
type layout map[logical.ColumnID]int

func layoutOf(ids []logical.ColumnID) layout {
	l := make(layout, len(ids))
	for i, id := range ids {
		if _, dup := l[id]; !dup {
			l[id] = i
		}
	}
	return l
}

// LowerExpr turns a logical expression into an executor expression over
// batches laid out as lay.
func lowerExpr(e logical.Expr, lay layout) (expr.Expr, error) {
	switch x := e.(type) {
	case *logical.ColRef:
		idx, ok := lay[x.ID]
		if !ok {
			return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: column %s (#%d) is not available to this operator", x.Name, x.ID).
				WithHint("This is a bug in meshql's planner; please report the query.")
		}
		return expr.Column(idx, x.T, x.Name), nil
	case *logical.Const:
		return expr.Literal(x.T, x.V), nil
	case *logical.Param:
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "no value supplied for parameter $%d", x.Index)
	}
	ch := e.Children()
	args := make([]expr.Expr, len(ch))
	for i, c := range ch {
		a, err := lowerExpr(c, lay)
		if err != nil {
			return nil, err
		}
		args[i] = a
	}
	switch x := e.(type) {
	case *logical.Binary:
		if x.T.VarScale {
			return expr.VarArith(x.Op, args[0], args[1], x.T.Scale)
		}
		return expr.Binary(x.Op, args[0], args[1])
	case *logical.Unary:
		switch x.Op {
		case logical.OpNot:
			return expr.Not(args[0]), nil
		case logical.OpNegate:
			if x.T.VarScale { // 0 - x keeps x's scale
				return expr.VarArith(expr.OpSub, expr.Literal(sqltypes.NumericType(1, 0), decimal128.Num{}), args[0], x.T.Scale)
			}
			return expr.Negate(args[0])
		case logical.OpIsNull:
			return expr.IsNull(args[0], false), nil
		case logical.OpIsNotNull:
			return expr.IsNull(args[0], true), nil
		case logical.OpIsTrue:
			return expr.IsBool(args[0], true, false), nil
		case logical.OpIsNotTrue:
			return expr.IsBool(args[0], true, true), nil
		case logical.OpIsFalse:
			return expr.IsBool(args[0], false, false), nil
		case logical.OpIsNotFalse:
			return expr.IsBool(args[0], false, true), nil
		}
	case *logical.Cast:
		return expr.Cast(args[0], x.T)
	case *logical.Case:
		whens := make([]expr.When, len(x.Whens))
		for i := range x.Whens {
			whens[i] = expr.When{Cond: args[2*i], Then: args[2*i+1]}
		}
		var els expr.Expr
		if x.Else != nil {
			els = args[len(args)-1]
		}
		return expr.Case(whens, els, x.T), nil
	case *logical.InList:
		return expr.In(args[0], args[1:], x.Negated), nil
	case *logical.Like:
		return expr.Like(args[0], args[1], x.Negated, x.ILike)
	case *logical.Func:
		if x.Name == sqltypes.WithScaleFunc {
			return expr.WithScale(args[0], args[1])
		}
		if x.Name == expr.AssignCastFunc {
			return expr.AssignCast(args[0], x.T)
		}
		if x.Name == "generate_series_array" && x.T.Elem != nil && x.T.Elem.VarScale && len(args) > 2 {
			// bind's numericSeries adds the start's and the step's scales.
			n := len(args) - 2
			ss, ok1 := expr.IsLiteral(args[n])
			st, ok2 := expr.IsLiteral(args[n+1])
			start, ok3 := ss.(int32)
			step, ok4 := st.(int32)
			if !ok1 || !ok2 || !ok3 || !ok4 {
				return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: generate_series scales are not constants")
			}
			return expr.NumericSeriesVarScale(args[:n], start, step)
		}
		if x.T.VarScale && (expr.PerValueScale(x.Name) || x.Name == "round" || x.Name == "trunc") {
			return expr.CallVarScale(x.Name, args)
		}
		return expr.Call(x.Name, args)
	case *logical.Array:
		return expr.MakeArray(args, *x.T.Elem), nil
	}
	if out, ok, err := lowerExtra(e, args); ok {
		return out, err
	}
	return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: cannot lower expression %T", e)
}

func lowerAll(es []logical.Expr, lay layout) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		x, err := lowerExpr(e, lay)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// oneRow is a batch of one row and no columns: the input of constant
// expressions.
func oneRow(env *executor.Env) arrow.RecordBatch {
	return array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
}

// EvalConst evaluates an expression that reads no columns. The optimizer
// folds constants with it.
func EvalConst(ctx context.Context, env *executor.Env, e logical.Expr) (sqltypes.Datum, error) {
	x, err := lowerExpr(e, layout{})
	if err != nil {
		return nil, err
	}
	b := oneRow(env)
	defer b.Release()
	arr, err := x.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	return expr.DatumAt(arr, e.Type(), 0), nil
}
