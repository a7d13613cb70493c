package rules

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

const microsPerDay = 86_400_000_000

// UnwrapForPushdown rewrites, in one walk of the plan, predicates that
// sources and statistics cannot read into equivalent ones they can:
// comparisons of date casts (unwrapDateCast) and containment in a
// constant range (unwrapRangeContains). Neither rewrite makes what the
// other rewrites, so one walk does both.
func UnwrapForPushdown(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		return logical.MapExprs(n, func(e logical.Expr) logical.Expr {
			return logical.Rewrite(e, func(e logical.Expr) logical.Expr { return unwrapDateCast(unwrapRangeContains(e)) })
		}), nil
	})
}

// unwrapDateCast rewrites `CAST(d AS timestamp) op TIMESTAMP c`, where d
// is a date, into an equivalent comparison of d with a DATE constant, so
// that it can be pushed to sources and pruned by date statistics.
// (`order_date > current_date - INTERVAL '30 day'` compares a date with a
// timestamp.)
func unwrapDateCast(e logical.Expr) logical.Expr {
	b, ok := e.(*logical.Binary)
	if !ok || !b.Op.IsComparison() {
		return e
	}
	op := b.Op
	castSide, constSide := b.L, b.R
	if _, isConst := b.L.(*logical.Const); isConst {
		castSide, constSide = b.R, b.L
		op = expr.FlipComparison(op)
	}
	cast, ok := castSide.(*logical.Cast)
	if !ok || cast.T.Kind != sqltypes.Timestamp || cast.E.Type().Kind != sqltypes.Date {
		return e
	}
	c, ok := constSide.(*logical.Const)
	if !ok || c.T.Kind != sqltypes.Timestamp || c.V == nil {
		return e
	}
	us := int64(c.V.(arrow.Timestamp))
	if !sqltypes.IsFiniteTimestamp(us) {
		return e // ±infinity casts to ±infinity: no day to compare with
	}
	day := floorDiv(us, microsPerDay)
	midnight := us == day*microsPerDay
	// d::timestamp op ts, with day = floor(ts):
	//   >  : d > day               >= : d >= day (midnight) or d > day
	//   <  : d < day (midnight) or d <= day        <= : d <= day
	//   =  : d = day (midnight) or false           <> : d <> day (midnight) or true
	newOp := op
	switch op {
	case expr.OpGe:
		if !midnight {
			newOp = expr.OpGt
		}
	case expr.OpLt:
		if !midnight {
			newOp = expr.OpLe
		}
	case expr.OpEq, expr.OpNe:
		if !midnight {
			return e
		}
	}
	d := &logical.Const{T: sqltypes.TypeDate, V: arrow.Date32(day)}
	return &logical.Binary{Op: newOp, L: cast.E, R: d, T: sqltypes.TypeBool}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
