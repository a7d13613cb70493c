package logical

import (
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// TestIsLeakproof: what may run beside a row filter, on rows it hides.
func TestIsLeakproof(t *testing.T) {
	id := &ColRef{ID: 1, Name: "id", T: sqltypes.TypeInt8}
	small := &ColRef{ID: 2, Name: "small", T: sqltypes.TypeInt4}
	name := &ColRef{ID: 3, Name: "name", T: sqltypes.TypeText}
	day := &ColRef{ID: 4, Name: "day", T: sqltypes.TypeDate}
	one := &Const{T: sqltypes.TypeInt8, V: int64(1)}
	zero := &Const{T: sqltypes.TypeInt8, V: int64(0)}
	text := &Const{T: sqltypes.TypeText, V: "Q"}
	bin := func(op expr.BinaryOp, l, r Expr) Expr {
		t := sqltypes.TypeBool
		if !op.IsComparison() && op != expr.OpAnd && op != expr.OpOr {
			t = l.Type()
		}
		return &Binary{Op: op, L: l, R: r, T: t}
	}
	div := bin(expr.OpDiv, one, &Case{Whens: []When{{Cond: bin(expr.OpEq, id, one), Then: zero}}, Else: one, T: sqltypes.TypeInt8})
	for _, tc := range []struct {
		name string
		e    Expr
		want bool
	}{
		{"column = constant", bin(expr.OpEq, id, one), true},
		{"integer and wider integer", bin(expr.OpLt, small, id), true},
		{"text range", bin(expr.OpAnd, bin(expr.OpGe, name, text), bin(expr.OpLt, name, text)), true},
		{"IS NULL, NOT, OR", &Unary{Op: OpNot, E: bin(expr.OpOr, &Unary{Op: OpIsNull, E: name, T: sqltypes.TypeBool}, bin(expr.OpEq, id, one)), T: sqltypes.TypeBool}, true},
		{"IN list", &InList{E: id, List: []Expr{one, zero}}, true},
		{"widening cast", bin(expr.OpEq, &Cast{E: small, T: sqltypes.TypeInt8}, one), true},
		{"CASE of comparisons", &Case{Whens: []When{{Cond: bin(expr.OpEq, id, one), Then: bin(expr.OpEq, name, text)}}, T: sqltypes.TypeBool}, true},
		{"constant division under CASE", &Case{Whens: []When{{Cond: bin(expr.OpEq, id, one), Then: bin(expr.OpEq, bin(expr.OpDiv, one, zero), one)}}, T: sqltypes.TypeBool}, false},
		{"division by a column's CASE", bin(expr.OpEq, div, one), false},
		{"under OR", bin(expr.OpOr, bin(expr.OpEq, id, one), bin(expr.OpEq, div, one)), false},
		{"parsing cast", bin(expr.OpEq, &Cast{E: name, T: sqltypes.TypeInt4}, one), false},
		{"narrowing cast", bin(expr.OpEq, &Cast{E: id, T: sqltypes.TypeInt4}, one), false},
		{"function", bin(expr.OpEq, &Func{Name: "upper", Args: []Expr{name}, T: sqltypes.TypeText}, text), false},
		{"LIKE", &Like{E: name, Pattern: text}, false},
		{"negation", bin(expr.OpEq, &Unary{Op: OpNegate, E: id, T: sqltypes.TypeInt8}, one), false},
		{"date and text", bin(expr.OpEq, day, text), false},
	} {
		if got := IsLeakproof(tc.e); got != tc.want {
			t.Errorf("%s: IsLeakproof(%s) = %v, want %v", tc.name, tc.e, got, tc.want)
		}
	}
}
