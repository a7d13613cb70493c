package expr

import (
	"context"
	"fmt"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// mod, gcd and lcm of numerics of which one is variable-scale: PostgreSQL
// computes them at the larger of the two values' scales and gives the
// result that scale (mod(1.55, 0.7) is 0.15, mod(2, 0.7) 0.6).

// varPairFunc returns name(l, r) computed row by row at each row's common
// scale by f, a variable-scale numeric of nominal scale nominal.
// Integer operands read as numerics of scale 0.
func varPairFunc(name string, l, r Expr, nominal int32, f pairFunc) (Expr, error) {
	var err error
	for _, p := range []*Expr{&l, &r} {
		if t := (*p).Type(); t.IsInteger() || t.Kind == sqltypes.Unknown {
			if *p, err = Cast(*p, sqltypes.NumericType(0, 0)); err != nil {
				return nil, err
			}
		} else if t.Kind != sqltypes.Numeric {
			return nil, functionError(name, []Expr{l, r})
		}
	}
	return &varPairExpr{name: name, l: l, r: r, f: f, t: sqltypes.VarNumericType(nominal)}, nil
}

// pairFunc is mod, gcd or lcm of two integers (the operands at their
// common scale): small on 128-bit magnitudes, which says !ok when its
// result would reach 10^38, and big for the rest (aligned operands past
// 38 digits, such a result), so that a row allocates only then.
type pairFunc struct {
	small func(xneg bool, x, y u128) (r u128, neg, ok bool, err error)
	big   func(x, y *big.Int) (*big.Int, error)
}

type varPairExpr struct {
	name string
	l, r Expr
	f    pairFunc
	row  varRowFunc // instead of f: the row's result and its scale from the operands'
	t    sqltypes.Type
}

type varRowFunc func(xm decimal128.Num, xs int32, ym decimal128.Num, ys int32) (decimal128.Num, int32, error)

func (e *varPairExpr) Type() sqltypes.Type { return e.t }
func (e *varPairExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *varPairExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.l, c.r = ch[0], ch[1]
	return &c
}
func (e *varPairExpr) String() string { return fmt.Sprintf("%s(%s, %s)", e.name, e.l, e.r) }

func (e *varPairExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if e.row != nil {
		return evalVarRows(ctx, env, b, e.l, e.r, e.t, e.row)
	}
	return evalVarRows(ctx, env, b, e.l, e.r, e.t, func(xm decimal128.Num, xs int32, ym decimal128.Num, ys int32) (decimal128.Num, int32, error) {
		if isSpecial(xm) || isSpecial(ym) {
			// As the fixed-scale mod, gcd and lcm: the sentinels are no
			// numbers to compute with.
			if e.name != "mod" {
				return numNaN, 0, nil
			}
			return varArithRow(OpMod, xm, xs, ym, ys)
		}
		return pairRow(e.f, xm, xs, ym, ys)
	})
}

// pairRow computes f over x × 10^-xs and y × 10^-ys at their common
// scale, which is the result's.
func pairRow(f pairFunc, xm decimal128.Num, xs int32, ym decimal128.Num, ys int32) (decimal128.Num, int32, error) {
	s := max(xs, ys)
	xneg, xa := split(xm)
	_, ya := split(ym)
	xa, okx := mulPow10(xa, s-xs)
	ya, oky := mulPow10(ya, s-ys)
	if okx && oky {
		r, neg, ok, err := f.small(xneg, xa, ya)
		if err != nil {
			return decimal128.Num{}, 0, err
		}
		if ok {
			return join(neg && !r.isZero(), r), s, nil
		}
	}
	x, y, _ := alignedBig(xm, xs, ym, ys)
	v, err := f.big(x, y)
	if err != nil {
		return decimal128.Num{}, 0, err
	}
	return fitBig(v, s)
}

var (
	modPair = pairFunc{small: mod128, big: modBig}
	gcdPair = pairFunc{small: func(_ bool, x, y u128) (u128, bool, bool, error) { return gcd128(x, y), false, true, nil }, big: gcdBig}
	lcmPair = pairFunc{small: lcm128, big: lcmBig}
)

// mod128 is x mod y with the sign of x (PostgreSQL's mod_var).
func mod128(xneg bool, x, y u128) (u128, bool, bool, error) {
	if y.isZero() {
		return u128{}, false, false, errDivByZero()
	}
	_, r := x.divmod(y)
	return r, xneg, true, nil
}

// gcd128 is Euclid's algorithm, in 64 bits once both values fit.
func gcd128(x, y u128) u128 {
	for !y.isZero() {
		if x.hi == 0 && y.hi == 0 {
			a, b := x.lo, y.lo
			for b != 0 {
				a, b = b, a%b
			}
			return u128{0, a}
		}
		_, r := x.divmod(y)
		x, y = y, r
	}
	return x
}

func lcm128(_ bool, x, y u128) (u128, bool, bool, error) {
	if x.isZero() || y.isZero() {
		return u128{}, false, true, nil
	}
	q, _ := x.divmod(gcd128(x, y))
	p, over := q.mul(y)
	return p, false, !over && p.cmp(maxDec) < 0, nil
}

// varRound is round(x, d) or trunc(x, d) whose d is read from each row
// or is more than 38: PostgreSQL's result has max(d, 0) places
// (numeric_round), so that it keeps its own scale per row. More than 38
// places fit only a zero (up to 127; PostgreSQL has up to 2000).
func varRound(name string, x, d Expr) (Expr, error) {
	var err error
	if x.Type().IsInteger() {
		if x, err = Cast(x, sqltypes.NumericType(0, 0)); err != nil {
			return nil, err
		}
	}
	if d, err = Cast(coerceTo(d, sqltypes.TypeInt4), sqltypes.NumericType(0, 0)); err != nil {
		return nil, err
	}
	if x.Type().Kind != sqltypes.Numeric {
		return nil, functionError(name, []Expr{x, d})
	}
	trunc := name == "trunc"
	return &varPairExpr{name: name, l: x, r: d, t: sqltypes.VarNumericType(x.Type().Scale),
		row: func(xm decimal128.Num, xs int32, dm decimal128.Num, _ int32) (decimal128.Num, int32, error) {
			if isSpecial(xm) {
				return xm, 0, nil
			}
			// d is an int4: its low 64 bits are its two's complement.
			places := int32(max(min(int64(dm.LowBits()), 1000), -1000))
			out := max(places, 0)
			if out > sqltypes.MaxNumericPrecision {
				// Past every place x has: only a zero fits.
				if xm != (decimal128.Num{}) || out > 127 {
					return decimal128.Num{}, 0, errNumericRange()
				}
				return xm, out, nil
			}
			r, _, err := roundDecimal(xm, xs, places, out, trunc)
			return r, out, err
		}}, nil
}

// modBig is x mod y with the sign of x (PostgreSQL's mod_var).
func modBig(x, y *big.Int) (*big.Int, error) {
	if y.Sign() == 0 {
		return nil, errDivByZero()
	}
	return x.Rem(x, y), nil
}

func gcdBig(x, y *big.Int) (*big.Int, error) {
	return new(big.Int).GCD(nil, nil, x.Abs(x), y.Abs(y)), nil
}

func lcmBig(x, y *big.Int) (*big.Int, error) {
	if x.Sign() == 0 || y.Sign() == 0 {
		return new(big.Int), nil
	}
	x.Abs(x)
	y.Abs(y)
	g := new(big.Int).GCD(nil, nil, x, y)
	return x.Mul(x.Quo(x, g), y), nil
}

// varPairOf returns the variable-scale form of mod, gcd or lcm over l and
// r if one is variable-scale (nil otherwise).
func varPairOf(name string, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	if !lt.VarScale && !rt.VarScale {
		return nil, nil
	}
	nominal := max(lt.Scale, rt.Scale)
	switch name {
	case "mod":
		return varPairFunc(name, l, r, nominal, modPair)
	case "gcd":
		return varPairFunc(name, l, r, nominal, gcdPair)
	case "lcm":
		return varPairFunc(name, l, r, nominal, lcmPair)
	}
	return nil, internalErr("variable-scale numeric %s", name)
}

// alignedBig returns x × 10^-xs and y × 10^-ys as integers at their
// common scale s.
func alignedBig(xm decimal128.Num, xs int32, ym decimal128.Num, ys int32) (x, y *big.Int, s int32) {
	s = max(xs, ys)
	return new(big.Int).Mul(xm.BigInt(), bigPow10(s-xs)), new(big.Int).Mul(ym.BigInt(), bigPow10(s-ys)), s
}
