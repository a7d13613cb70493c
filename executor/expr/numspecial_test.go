package expr

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// TestNumericSpecialArith runs + - * / and unary minus over static-scale
// columns holding NaN and ±Infinity, on every kernel path (same scales,
// different scales, a literal operand, the 64-bit product path), against
// PostgreSQL 15's answers (select x op y over the same values), written
// compared by value (meshql's static result scale may show more places). A batch with no special value takes
// the fast paths; one with a special value anywhere takes the row path
// for all of its rows, so the finite rows are checked too.
func TestNumericSpecialArith(t *testing.T) {
	env := newTestEnv(t)
	dec := func(s string, scale int32) sqltypes.Datum {
		if s == "NULL" {
			return nil
		}
		v, err := sqltypes.ParseNumeric(s, 0, scale)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	xs := []string{"1.50", "NaN", "Infinity", "-Infinity", "0.00", "Infinity", "-2.25", "NULL"}
	ys := []string{"Infinity", "2.00", "-Infinity", "NaN", "-Infinity", "0.00", "3.00", "Infinity"}
	want := map[BinaryOp][]string{
		OpAdd: {"Infinity", "NaN", "NaN", "NaN", "-Infinity", "Infinity", "0.75", "NULL"},
		OpSub: {"-Infinity", "NaN", "Infinity", "NaN", "Infinity", "Infinity", "-5.25", "NULL"},
		OpMul: {"Infinity", "NaN", "-Infinity", "NaN", "NaN", "NaN", "-6.7500", "NULL"},
		OpDiv: {"0.0000000000000000", "NaN", "NaN", "NaN", "0.0000000000000000", "", "-0.7500000000000000", "NULL"},
	}
	for _, ys2 := range []int32{2, 3} {
		t2, ty := sqltypes.NumericType(20, 2), sqltypes.NumericType(20, ys2)
		var xv, yv []sqltypes.Datum
		for i := range xs {
			xv, yv = append(xv, dec(xs[i], 2)), append(yv, dec(ys[i], ys2))
		}
		b := makeBatch(t, env, testCol{t2, xv}, testCol{ty, yv})
		x, y := Column(0, t2, "x"), Column(1, ty, "y")
		for op, w := range want {
			t.Run(fmt.Sprintf("%s/yscale=%d", op, ys2), func(t *testing.T) {
				got, err := evalStrings(t, env, must(Binary(op, x, y)), b)
				if op == OpDiv {
					// Infinity / 0 is 22012 in the sixth row.
					if sqltypes.Code(err) != sqltypes.CodeDivisionByZero {
						t.Fatalf("got %v, %v; want 22012", got, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				for i := range w {
					if !sameNumber(got[i], w[i]) {
						t.Errorf("row %d: %s %s %s = %s, want %s", i, xs[i], op, ys[i], got[i], w[i])
					}
				}
			})
		}
		b.Release()
	}
	// Division without the zero divisor, and unary minus.
	b := makeBatch(t, env, testCol{sqltypes.NumericType(20, 2), []sqltypes.Datum{dec("1.50", 2), dec("NaN", 2), dec("Infinity", 2), dec("-Infinity", 2)}})
	defer b.Release()
	x := Column(0, sqltypes.NumericType(20, 2), "x")
	for _, tc := range []struct {
		e    Expr
		want string
	}{
		{must(Binary(OpDiv, x, Literal(sqltypes.NumericType(5, 0), sqltypes.NumericNegInf))), "0 NaN NaN NaN"},
		{must(Binary(OpDiv, x, Literal(sqltypes.NumericType(5, 1), decimal128.FromI64(-5)))), "-3.0000000000000000 NaN -Infinity Infinity"},
		{must(Binary(OpMod, x, Literal(sqltypes.NumericType(5, 0), sqltypes.NumericPosInf))), "1.50 NaN NaN NaN"},
		{must(Negate(x)), "-1.50 NaN -Infinity Infinity"},
	} {
		got, err := evalStrings(t, env, tc.e, b)
		if err != nil {
			t.Fatalf("%s: %v", tc.e, err)
		}
		for i, w := range strings.Fields(tc.want) {
			if !sameNumber(got[i], w) {
				t.Errorf("%s row %d = %s, want %s", tc.e, i, got[i], w)
			}
		}
	}
}

// sameNumber compares numeric texts by value (2.50 = 2.5), the special
// values and NULL by spelling.
func sameNumber(got, want string) bool {
	g, ok1 := new(big.Rat).SetString(got)
	w, ok2 := new(big.Rat).SetString(want)
	if ok1 && ok2 {
		return g.Cmp(w) == 0
	}
	return got == want
}

// TestNumericSpecialCompareScales compares numerics of different static
// scales where the lower-scale side does not fit 38 digits at the other's
// scale (it saturates): NaN and ±Infinity still order above and below it.
func TestNumericSpecialCompareScales(t *testing.T) {
	env := newTestEnv(t)
	big37 := decimal128.FromBigInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(37), nil))
	ta, tb := sqltypes.NumericType(38, 0), sqltypes.NumericType(38, 5)
	b := makeBatch(t, env,
		testCol{ta, []sqltypes.Datum{big37, big37.Negate(), big37, big37, decimal128.FromI64(5)}},
		testCol{tb, []sqltypes.Datum{sqltypes.NumericPosInf, sqltypes.NumericNegInf, sqltypes.NumericNaN, sqltypes.NumericNegInf, sqltypes.NumericNaN}})
	defer b.Release()
	x, y := Column(0, ta, "a"), Column(1, tb, "b")
	for op, want := range map[BinaryOp]string{
		OpLt: "t f t f t",
		OpGt: "f t f t f",
		OpEq: "f f f f f",
	} {
		got, err := evalStrings(t, env, must(Binary(op, x, y)), b)
		if err != nil {
			t.Fatal(err)
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("a %s b: %s, want %s", op, g, want)
		}
	}
}
