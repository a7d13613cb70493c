package expr

import (
	"fmt"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// fmtScaled prints the unscaled integer x at scale s as psql prints a
// numeric ("-0.05", "12.3400").
func fmtScaled(x *big.Int, s int) string {
	neg := x.Sign() < 0
	d := new(big.Int).Abs(x).String()
	if len(d) <= s {
		d = strings.Repeat("0", s-len(d)+1) + d
	}
	out := d
	if s > 0 {
		out = d[:len(d)-s] + "." + d[len(d)-s:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

// TestDecimalLiteralOperand: numeric + - * with a literal on either side
// (read in place, not materialized) gives the exact values computed with
// math/big, NULL for NULL rows, and 22003 when a result overflows.
func TestDecimalLiteralOperand(t *testing.T) {
	env := newTestEnv(t)
	t2 := sqltypes.NumericType(15, 2)
	r := rand.New(rand.NewSource(3))
	var vals []sqltypes.Datum
	var raw []*big.Int
	for i := range 300 {
		if i%13 == 0 {
			vals, raw = append(vals, nil), append(raw, nil)
			continue
		}
		x := r.Int63n(2e12) - 1e12
		vals, raw = append(vals, decimal128.FromI64(x)), append(raw, big.NewInt(x))
	}
	b := makeBatch(t, env, testCol{t2, vals})
	defer b.Release()
	col := Column(0, t2, "x")
	lits := []struct {
		t sqltypes.Type
		v int64
	}{{sqltypes.NumericType(3, 2), 105}, {sqltypes.NumericType(1, 0), 1}, {sqltypes.NumericType(5, 3), -12345}}
	for _, lit := range lits {
		l := Literal(lit.t, decimal128.FromI64(lit.v))
		for _, op := range []BinaryOp{OpAdd, OpSub, OpMul} {
			for _, litLeft := range []bool{false, true} {
				name := fmt.Sprintf("%s %s x", l, op)
				e := must(Binary(op, col, l))
				if litLeft {
					e = must(Binary(op, l, col))
				} else {
					name = fmt.Sprintf("x %s %s", op, l)
				}
				t.Run(name, func(t *testing.T) {
					got, err := evalStrings(t, env, e, b)
					if err != nil {
						t.Fatal(err)
					}
					so := int(e.Type().Scale)
					for i, x := range raw {
						want := "NULL"
						if x != nil {
							// both operands at the result scale (+ -) or as
							// given (*: scales add up)
							xs, ls := new(big.Int).Set(x), big.NewInt(lit.v)
							var res *big.Int
							switch op {
							case OpMul:
								res = new(big.Int).Mul(xs, ls)
							default:
								xs.Mul(xs, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(so-2)), nil))
								ls.Mul(ls, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(so-int(lit.t.Scale))), nil))
								if litLeft {
									xs, ls = ls, xs
								}
								if op == OpAdd {
									res = new(big.Int).Add(xs, ls)
								} else {
									res = new(big.Int).Sub(xs, ls)
								}
							}
							want = fmtScaled(res, so)
						}
						if got[i] != want {
							t.Fatalf("row %d (x = %v): got %s, want %s", i, vals[i], got[i], want)
						}
					}
				})
			}
		}
	}
	t.Run("overflow", func(t *testing.T) {
		big37, _ := decimal128.FromString(strings.Repeat("9", 36), 38, 0)
		e := must(Binary(OpMul, Literal(sqltypes.NumericType(38, 0), big37), col))
		_, err := evalStrings(t, env, e, b)
		if sqltypes.Code(err) != sqltypes.CodeNumericOutOfRange {
			t.Fatalf("got %v, want 22003", err)
		}
	})
}
