package expr

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// NumericStats computes fn (stddev, stddev_samp, stddev_pop, variance,
// var_samp, var_pop) of a group from its sum(x) (numeric of x's scale s),
// sum(x*x) (scale 2s) and count(x), as PostgreSQL's
// numeric_stddev_internal does, each result with PostgreSQL's scale:
// select_div_scale of N*sum(x*x) - sum(x)^2 over N*(N-1) (N*N for the
// population), 0 when that numerator is not positive. nominal is the
// static scale the result is converted to where one is needed.
func NumericStats(fn string, sumX, sumX2, n Expr, nominal int32) (Expr, error) {
	st, st2, nt := sumX.Type(), sumX2.Type(), n.Type()
	if st.Kind != sqltypes.Numeric || st2.Kind != sqltypes.Numeric || st.VarScale || st2.VarScale || nt.Kind != sqltypes.Int8 {
		return nil, internalErr("numeric %s of %s, %s, %s", fn, st, st2, nt)
	}
	e := &statsExpr{fn: fn, sumX: sumX, sumX2: sumX2, n: n, t: sqltypes.VarNumericType(nominal)}
	e.sample = !strings.HasSuffix(fn, "_pop")
	e.sqrt = strings.HasPrefix(fn, "stddev")
	return e, nil
}

type statsExpr struct {
	fn             string
	sumX, sumX2, n Expr
	t              sqltypes.Type
	sample, sqrt   bool
}

func (e *statsExpr) Type() sqltypes.Type { return e.t }
func (e *statsExpr) children() []Expr    { return []Expr{e.sumX, e.sumX2, e.n} }
func (e *statsExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.sumX, c.sumX2, c.n = ch[0], ch[1], ch[2]
	return &c
}
func (e *statsExpr) String() string { return fmt.Sprintf("%s(%s, %s, %s)", e.fn, e.sumX, e.sumX2, e.n) }

func (e *statsExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalArgs(ctx, env, b, e.sumX, e.sumX2, e.n)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	rows := args[0].Len()
	s := e.sumX.Type().Scale
	x, x2, ns := values[decimal128.Num](args[0]), values[decimal128.Num](args[1]), values[int64](args[2])
	vbuf, valid := allocBitmap(env.Mem, rows)
	mbuf, mant := allocFixed[decimal128.Num](env.Mem, rows)
	sbuf, scales := allocFixed[int8](env.Mem, rows)
	fail := func(err error) (arrow.Array, error) {
		vbuf.Release()
		mbuf.Release()
		sbuf.Release()
		return nil, err
	}
	for i := range mant {
		mant[i], scales[i] = decimal128.Num{}, 0
		if args[0].IsNull(i) || args[1].IsNull(i) || args[2].IsNull(i) || ns[i] == 0 || e.sample && ns[i] == 1 {
			continue
		}
		if isSpecial(x[i]) || isSpecial(x2[i]) {
			// A NaN or ±Infinity input: PostgreSQL's variance is NaN.
			mant[i] = numNaN
			valid[i/8] |= 1 << (i % 8)
			continue
		}
		m, sc, err := numericStatsRow(x[i].BigInt(), x2[i].BigInt(), ns[i], s, e.sample, e.sqrt)
		if err != nil {
			return fail(err)
		}
		mant[i], scales[i] = m, int8(sc)
		valid[i/8] |= 1 << (i % 8)
	}
	return newVarNumeric(e.t.Arrow(), rows, vbuf, mbuf, sbuf), nil
}

// numericStatsRow is one group's result: its unscaled value and scale.
// x is sum(x) at scale s, x2 sum(x*x) at scale 2s.
func numericStatsRow(x, x2 *big.Int, n int64, s int32, sample, sqrt bool) (decimal128.Num, int32, error) {
	bn := big.NewInt(n)
	num := new(big.Int).Mul(bn, x2)
	num.Sub(num, new(big.Int).Mul(x, x)) // at scale 2s
	if num.Sign() <= 0 {
		return decimal128.Num{}, 0, nil
	}
	den := big.NewInt(n)
	if sample {
		den.Mul(den, big.NewInt(n-1))
	} else {
		den.Mul(den, bn)
	}
	w1, f1 := bigNBaseWeight(num, 2*s)
	w2, f2 := bigNBaseWeight(den, 0)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	r := max(16-qweight*4, 2*s, 0)
	// variance = round(num / 10^2s / den at scale r)
	q := new(big.Int).Mul(num, bigPow10(r))
	d := new(big.Int).Mul(den, bigPow10(2*s))
	v := divRoundBig(q, d)
	if sqrt {
		// round(sqrt(v / 10^r) at scale r) = round(sqrt(v * 10^r))
		sq := new(big.Int).Mul(v, bigPow10(r))
		root := new(big.Int).Sqrt(sq)
		// round up iff sq >= (root + 1/2)^2, i.e. sq > root^2 + root
		lim := new(big.Int).Mul(root, root)
		lim.Add(lim, root)
		if sq.Cmp(lim) > 0 {
			root.Add(root, big.NewInt(1))
		}
		v = root
	}
	if r > 127 || v.CmpAbs(bigPow10(sqltypes.MaxNumericPrecision)) >= 0 {
		return decimal128.Num{}, 0, errNumericRange()
	}
	return decimal128.FromBigInt(v), r, nil
}

// divRoundBig is a / b for positive a and b, rounded half up.
func divRoundBig(a, b *big.Int) *big.Int {
	q, m := new(big.Int).QuoRem(a, b, new(big.Int))
	if m.Lsh(m, 1).Cmp(b) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// bigNBaseWeight is nbaseWeight for a positive big integer m at scale s.
func bigNBaseWeight(m *big.Int, s int32) (int32, uint64) {
	digits := int32(len(m.String()))
	e := digits - 1 - s
	w := e / 4
	if e < 0 && e%4 != 0 {
		w--
	}
	shift := s + 4*w
	var g *big.Int
	if shift >= 0 {
		g = new(big.Int).Quo(m, bigPow10(shift))
	} else {
		g = new(big.Int).Mul(m, bigPow10(-shift))
	}
	return w, g.Uint64()
}
