package expr

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// TestVarNumericFuncs checks mod, %, gcd, lcm, trunc, floor, ceil, sign,
// greatest, least and nullif over variable-scale numerics against
// PostgreSQL 15's answers for the same values: each value's own digits
// are read (floor(0.99999999999999999998) is 0), mod/gcd/lcm answer at
// the larger of the two values' scales, greatest/least/nullif return a
// value with its scale (the first of equal ones).
func TestVarNumericFuncs(t *testing.T) {
	env := newTestEnv(t)
	xs := []sqltypes.Datum{"1.55", "2", "-2.251", "0.9999999999", nil, "0.50", "-15.5", "0.99999999999999999998"}
	ys := []sqltypes.Datum{"0.7", "0.50", "0.7", "0.3", "1", "0.5", "1.00", "0.00000000000000000004"}
	b := makeBatch(t, env, testCol{sqltypes.TypeText, xs}, testCol{sqltypes.TypeText, ys})
	defer b.Release()
	num := func(i int) Expr {
		e, err := Cast(Column(i, sqltypes.TypeText, "c"), sqltypes.VarNumericType(4))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	x, y := num(0), num(1)
	call := func(name string, args ...Expr) Expr {
		e, err := Call(name, args)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return e
	}
	rem, err := VarArith(OpMod, x, y, 4)
	if err != nil {
		t.Fatal(err)
	}
	one, minusOne := Literal(sqltypes.TypeInt4, int32(1)), Literal(sqltypes.TypeInt4, int32(-1))
	for _, tc := range []struct {
		name string
		e    Expr
		want []string
	}{
		{"mod", call("mod", x, y), []string{"0.15", "0.00", "-0.151", "0.0999999999", "NULL", "0.00", "-0.50", "0.00000000000000000002"}},
		{"%", rem, []string{"0.15", "0.00", "-0.151", "0.0999999999", "NULL", "0.00", "-0.50", "0.00000000000000000002"}},
		{"gcd", call("gcd", x, y), []string{"0.05", "0.50", "0.001", "0.0000000003", "NULL", "0.50", "0.50", "0.00000000000000000002"}},
		{"lcm", call("lcm", x, y), []string{"21.70", "2.00", "1575.700", "999999999.9000000000", "NULL", "0.50", "31.00", "1.99999999999999999996"}},
		{"trunc", call("trunc", x), []string{"1", "2", "-2", "0", "NULL", "0", "-15", "0"}},
		{"trunc 1", call("trunc", x, one), []string{"1.5", "2.0", "-2.2", "0.9", "NULL", "0.5", "-15.5", "0.9"}},
		{"trunc -1", call("trunc", x, minusOne), []string{"0", "0", "0", "0", "NULL", "0", "-10", "0"}},
		{"floor", call("floor", x), []string{"1", "2", "-3", "0", "NULL", "0", "-16", "0"}},
		{"ceil", call("ceil", x), []string{"2", "2", "-2", "1", "NULL", "1", "-15", "1"}},
		{"sign", call("sign", x), []string{"1", "1", "-1", "1", "NULL", "1", "-1", "1"}},
		{"greatest", call("greatest", x, y), []string{"1.55", "2", "0.7", "0.9999999999", "1", "0.50", "1.00", "0.99999999999999999998"}},
		{"least", call("least", x, y), []string{"0.7", "0.50", "-2.251", "0.3", "1", "0.50", "-15.5", "0.00000000000000000004"}},
		{"nullif", call("nullif", x, y), []string{"1.55", "2", "-2.251", "0.9999999999", "NULL", "NULL", "-15.5", "0.99999999999999999998"}},
	} {
		expectRows(t, env, tc.name, tc.e, b, tc.want)
	}
	if _, err := evalStrings(t, env, call("mod", x, Literal(sqltypes.NumericType(0, 1), nil)), b); err != nil {
		t.Errorf("mod by NULL: %v", err)
	}
	zero, _ := Cast(Literal(sqltypes.TypeText, "0.0"), sqltypes.VarNumericType(1))
	if _, err := evalStrings(t, env, call("mod", x, zero), b); sqltypes.Code(err) != sqltypes.CodeDivisionByZero {
		t.Errorf("mod by 0.0: %v, want 22012", err)
	}
}

// TestVarNumericFuncsSpecial: mod, gcd and lcm with a variable-scale
// operand and NaN or ±Infinity answer as the fixed-scale forms do
// (PostgreSQL 15), where computing on the sentinel mantissas overflowed.
func TestVarNumericFuncsSpecial(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeText, []sqltypes.Datum{"NaN", "Infinity", "1.55", "-Infinity", "1.5", "0.00"}},
		testCol{sqltypes.TypeText, []sqltypes.Datum{"0.7", "0.7", "Infinity", "2", "NaN", "-Infinity"}})
	defer b.Release()
	x, err := Cast(Column(0, sqltypes.TypeText, "x"), sqltypes.VarNumericType(2))
	if err != nil {
		t.Fatal(err)
	}
	y, err := Cast(Column(1, sqltypes.TypeText, "y"), sqltypes.VarNumericType(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"mod", []string{"NaN", "NaN", "1.55", "NaN", "NaN", "0.00"}},
		{"gcd", []string{"NaN", "NaN", "NaN", "NaN", "NaN", "NaN"}},
		{"lcm", []string{"NaN", "NaN", "NaN", "NaN", "NaN", "NaN"}},
	} {
		e, err := Call(tc.name, []Expr{x, y})
		if err != nil {
			t.Fatal(err)
		}
		expectRows(t, env, tc.name, e, b, tc.want)
	}
	zero, _ := Cast(Literal(sqltypes.TypeText, "0.0"), sqltypes.VarNumericType(1))
	inf, _ := Cast(Literal(sqltypes.TypeText, "Infinity"), sqltypes.VarNumericType(1))
	e, _ := Call("mod", []Expr{inf, zero})
	one := makeBatch(t, env, testCol{sqltypes.TypeInt4, []sqltypes.Datum{int32(1)}})
	defer one.Release()
	if _, err := evalStrings(t, env, e, one); sqltypes.Code(err) != sqltypes.CodeDivisionByZero {
		t.Errorf("mod(Infinity, 0.0): %v, want 22012", err)
	}
}

// TestPairRow128MatchesBig compares the 128-bit mod, gcd and lcm with the
// big.Int forms on random operands: signs, zeros, 1 to 38 digits, scales
// 0 to 40 (the aligned operand may pass 38 digits: the big path then).
func TestPairRow128MatchesBig(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 34))
	num := func() (decimal128.Num, int32) {
		digits := 1 + r.IntN(38)
		var b strings.Builder
		if r.IntN(2) == 0 {
			b.WriteByte('-')
		}
		if r.IntN(10) == 0 {
			b.WriteByte('0')
		} else {
			for i := range digits {
				c := byte('0' + r.IntN(10))
				if i == 0 && c == '0' {
					c = '1'
				}
				b.WriteByte(c)
			}
		}
		n, ok := new(big.Int).SetString(b.String(), 10)
		if !ok {
			t.Fatal(b.String())
		}
		return decimal128.FromBigInt(n), int32(r.IntN(41))
	}
	bigRow := func(f pairFunc, xm decimal128.Num, xs int32, ym decimal128.Num, ys int32) (decimal128.Num, int32, error) {
		x, y, s := alignedBig(xm, xs, ym, ys)
		v, err := f.big(x, y)
		if err != nil {
			return decimal128.Num{}, 0, err
		}
		return fitBig(v, s)
	}
	for i := range 200000 {
		xm, xs := num()
		ym, ys := num()
		if i%3 == 0 {
			ys = xs + int32(r.IntN(3)) // near-equal scales: the common case
		}
		for name, f := range map[string]pairFunc{"mod": modPair, "gcd": gcdPair, "lcm": lcmPair} {
			gm, gs, gerr := pairRow(f, xm, xs, ym, ys)
			wm, ws, werr := bigRow(f, xm, xs, ym, ys)
			if sqltypes.Code(gerr) != sqltypes.Code(werr) || (gerr == nil && (gm != wm || gs != ws)) {
				t.Fatalf("%s(%s e-%d, %s e-%d) = %s e-%d (%v), big.Int: %s e-%d (%v)", name,
					xm.BigInt(), xs, ym.BigInt(), ys, gm.BigInt(), gs, gerr, wm.BigInt(), ws, werr)
			}
		}
	}
}
