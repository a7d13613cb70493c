package ops

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Static result scale of the variance family over integers, and its
// minimum over numeric(p,s) inputs (max(16, 2s), at most statsMaxScale).
// PostgreSQL's scale depends on the value (at least 16 significant
// digits, at least 2s). Where the result is kept (a select list, casts,
// arithmetic: the planner's scale flow) statsAcc computes each value
// with PostgreSQL's scale (expr.NumericStatsValue), rounded to 38 digits
// when PostgreSQL shows more, so that only results of 10^38 or more
// overflow. Other readers (comparisons, IN, most functions) read the
// static scale: for results in [1, 10^4) and s <= 8 it agrees with
// PostgreSQL digit for digit, other results have a different number of
// fractional digits, and results of 10^(38-scale) or more (10^18 for s >=
// 10, 10^22 over integers) overflow with 22003 where PostgreSQL succeeds.
// The cap trades places for range: at 2s = 32 (averages) a variance of a
// million would not fit.
const (
	statsScale    = 16
	statsMaxScale = 20
)

// statsType returns the result type of stddev/variance over a: double
// precision for floats, numeric for integers and numerics (as PostgreSQL).
func statsType(a sqltypes.Type) (sqltypes.Type, bool) {
	switch a.Kind {
	case sqltypes.Float4, sqltypes.Float8:
		return sqltypes.TypeFloat8, true
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		return sqltypes.NumericType(sqltypes.MaxNumericPrecision, statsScale), true
	case sqltypes.Numeric:
		return sqltypes.NumericType(sqltypes.MaxNumericPrecision, max(statsScale, min(2*a.Scale, statsMaxScale))), true
	}
	return sqltypes.Type{}, false
}

// varStats reports whether declared is the variable-scale form of the
// numeric result t of the variance family's fn: statsAcc computes either
// (each value with PostgreSQL's scale, see expr.NumericStatsValue).
func varStats(fn string, declared, t sqltypes.Type) bool {
	return isStatsFunc(fn) && t.Kind == sqltypes.Numeric && declared.Equal(sqltypes.VarNumericType(t.Scale))
}

// isStatsFunc reports whether fn is one of the variance family.
func isStatsFunc(fn string) bool {
	switch fn {
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		return true
	}
	return false
}

// statsAcc is stddev[_samp|_pop] and variance / var_samp / var_pop, and
// avg over float4/float8 (avg set): PostgreSQL's avg(float8) keeps the
// same float8_accum state, so it fails with 22003 where Σx² overflows
// even though the mean does not need it.
// Float inputs use PostgreSQL's float8_accum state (N, Sx, Sxx by the
// Youngs-Cramer update, float8_combine to merge), so serial results match
// PostgreSQL bit for bit. Integer and numeric inputs keep exact sums (N,
// Σx in 192 bits, Σx² in 320 bits) and compute
// (N·Σx² − (Σx)²) / (N·(N−1)) exactly, rounded half away from zero to the
// result scale (stddev: the square root, rounded likewise).
type statsAcc struct {
	pop, sqrt bool
	avg       bool // Σx/N of the float state
	float     bool
	inScale   int32
	out       arrow.DataType
	// float state
	fn, fsx, fsxx []float64
	// exact state
	cnt []int64
	sx  [][3]uint64 // two's complement
	sxx [][5]uint64
	// special marks the groups that saw a numeric NaN or ±Infinity (nil
	// until one does): their result is NaN, as in PostgreSQL.
	special []bool
	scratch bigScratch
}

func newStatsAcc(fn string, in arrow.DataType, out sqltypes.Type) (*statsAcc, error) {
	a := &statsAcc{out: out.Arrow()}
	a.pop = fn == "stddev_pop" || fn == "var_pop"
	a.sqrt = fn == "stddev" || fn == "stddev_samp" || fn == "stddev_pop"
	a.avg = fn == "avg"
	switch in.ID() {
	case arrow.FLOAT32, arrow.FLOAT64:
		a.float = true
		if a.avg {
			return a, nil
		}
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
	case arrow.DECIMAL128:
		a.inScale = in.(*arrow.Decimal128Type).Scale
	default:
		return nil, errInternal("%s over %s", fn, in)
	}
	if a.avg {
		return nil, errInternal("float avg state over %s", in)
	}
	return a, nil
}

func (a *statsAcc) grow(n int) {
	if a.float {
		a.fn, a.fsx, a.fsxx = growTo(a.fn, n), growTo(a.fsx, n), growTo(a.fsxx, n)
		return
	}
	a.cnt, a.sx, a.sxx = growTo(a.cnt, n), growTo(a.sx, n), growTo(a.sxx, n)
}

func errFloatOverflow() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value out of range: overflow")
}

// accum is PostgreSQL's float8_accum.
func (a *statsAcc) accum(g int32, x float64) error {
	n0, sx0 := a.fn[g], a.fsx[g]
	n := n0 + 1
	sx := sx0 + x
	sxx := a.fsxx[g]
	if n0 > 0 {
		tmp := x*n - sx
		sxx += tmp * tmp / (n * n0)
		if math.IsInf(sx, 0) || math.IsInf(sxx, 0) {
			if !math.IsInf(sx0, 0) && !math.IsInf(x, 0) {
				return errFloatOverflow()
			}
			sxx = math.NaN()
		}
	} else if math.IsNaN(x) || math.IsInf(x, 0) {
		sxx = math.NaN()
	}
	a.fn[g], a.fsx[g], a.fsxx[g] = n, sx, sxx
	return nil
}

// markSpecial counts a numeric NaN or ±Infinity in group g.
func (a *statsAcc) markSpecial(g int32) {
	a.cnt[g]++
	a.special = growTo(a.special, len(a.cnt))
	a.special[g] = true
}

// addExact folds the 128-bit integer (hi, lo) into group g.
func (a *statsAcc) addExact(g int32, hi int64, lo uint64) {
	a.cnt[g]++
	ext := uint64(hi >> 63)
	s := &a.sx[g]
	var c uint64
	s[0], c = bits.Add64(s[0], lo, 0)
	s[1], c = bits.Add64(s[1], uint64(hi), c)
	s[2], _ = bits.Add64(s[2], ext, c)
	if hi < 0 { // |x|
		lo, c = bits.Sub64(0, lo, 0)
		h, _ := bits.Sub64(0, uint64(hi), c)
		hi = int64(h)
	}
	q := &a.sxx[g]
	mulAdd(q[:], lo, lo, 0)
	if hi != 0 {
		mulAdd(q[:], lo, uint64(hi), 1)
		mulAdd(q[:], lo, uint64(hi), 1)
		mulAdd(q[:], uint64(hi), uint64(hi), 2)
	}
}

// mulAdd adds x*y·2^(64·at) to the little-endian limbs acc.
func mulAdd(acc []uint64, x, y uint64, at int) {
	hi, lo := bits.Mul64(x, y)
	var c uint64
	acc[at], c = bits.Add64(acc[at], lo, 0)
	acc[at+1], c = bits.Add64(acc[at+1], hi, c)
	for i := at + 2; c != 0 && i < len(acc); i++ {
		acc[i], c = bits.Add64(acc[i], 0, c)
	}
}

func addLimbs(dst, src []uint64) {
	var c uint64
	for i := range dst {
		dst[i], c = bits.Add64(dst[i], src[i], c)
	}
}

func (a *statsAcc) update(gids []int32, args []arrow.Array) error {
	arr := args[0]
	v := validityOf(arr)
	switch arr.DataType().ID() {
	case arrow.FLOAT32:
		return statsFloats(a, gids, fixedVals[float32](arr), v)
	case arrow.FLOAT64:
		return statsFloats(a, gids, fixedVals[float64](arr), v)
	case arrow.INT8:
		statsInts(a, gids, fixedVals[int8](arr), v)
	case arrow.INT16:
		statsInts(a, gids, fixedVals[int16](arr), v)
	case arrow.INT32:
		statsInts(a, gids, fixedVals[int32](arr), v)
	case arrow.INT64:
		statsInts(a, gids, fixedVals[int64](arr), v)
	case arrow.DECIMAL128:
		for i, d := range fixedVals[decimal128.Num](arr)[:len(gids)] {
			if g := gids[i]; g >= 0 && v.OK(i) {
				if sqltypes.IsNumericSpecialHi(d.HighBits()) {
					a.markSpecial(g)
					continue
				}
				a.addExact(g, d.HighBits(), d.LowBits())
			}
		}
	case arrow.NULL:
	default:
		return errInternal("variance over %s", arr.DataType())
	}
	return nil
}

func statsFloats[T float32 | float64](a *statsAcc, gids []int32, vals []T, v validity) error {
	for i, x := range vals[:len(gids)] {
		if g := gids[i]; g >= 0 && v.OK(i) {
			if err := a.accum(g, float64(x)); err != nil {
				return err
			}
		}
	}
	return nil
}

func statsInts[T int8 | int16 | int32 | int64](a *statsAcc, gids []int32, vals []T, v validity) {
	for i, x := range vals[:len(gids)] {
		if g := gids[i]; g >= 0 && v.OK(i) {
			a.addExact(g, int64(x)>>63, uint64(int64(x)))
		}
	}
}

// merge is PostgreSQL's float8_combine for floats, addition otherwise.
func (a *statsAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*statsAcc)
	if !a.float {
		for g, c := range s.cnt {
			d := gmap[g]
			if d < 0 {
				continue
			}
			if g < len(s.special) && s.special[g] {
				a.special = growTo(a.special, len(a.cnt))
				a.special[d] = true
			}
			a.cnt[d] += c
			addLimbs(a.sx[d][:], s.sx[g][:])
			addLimbs(a.sxx[d][:], s.sxx[g][:])
		}
		return nil
	}
	for g, n2 := range s.fn {
		d := gmap[g]
		if d < 0 {
			continue
		}
		n1, sx1, sxx1 := a.fn[d], a.fsx[d], a.fsxx[d]
		sx2, sxx2 := s.fsx[g], s.fsxx[g]
		switch {
		case n2 == 0:
		case n1 == 0:
			a.fn[d], a.fsx[d], a.fsxx[d] = n2, sx2, sxx2
		default:
			n := n1 + n2
			sx := sx1 + sx2
			if math.IsInf(sx, 0) && !math.IsInf(sx1, 0) && !math.IsInf(sx2, 0) {
				return errFloatOverflow()
			}
			tmp := sx1/n1 - sx2/n2
			sxx := sxx1 + sxx2 + n1*n2*tmp*tmp/n
			if math.IsInf(sxx, 0) && !math.IsInf(sxx1, 0) && !math.IsInf(sxx2, 0) {
				return errFloatOverflow()
			}
			a.fn[d], a.fsx[d], a.fsxx[d] = n, sx, sxx
		}
	}
	return nil
}

func (a *statsAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	if a.float {
		n := len(a.fn)
		out, valid := make([]float64, n), make([]bool, n)
		for g, cnt := range a.fn {
			den := cnt - 1
			if a.pop {
				den = cnt
			}
			if a.avg {
				den = cnt
				if den > 0 {
					out[g], valid[g] = a.fsx[g]/den, true
				}
				continue
			}
			if den <= 0 {
				continue
			}
			out[g], valid[g] = a.fsxx[g]/den, true
			if a.sqrt {
				out[g] = math.Sqrt(out[g])
			}
		}
		return fixedArray(mem, a.out, out, valid), nil
	}
	n := len(a.cnt)
	out, valid := make([]decimal128.Num, n), make([]bool, n)
	var scales []int32 // per value, for a variable-scale result
	_, varOut := sqltypes.VarNumericNominal(a.out)
	var scale int32
	if varOut {
		scales = make([]int32, n)
	} else {
		_, scale = resultDecimal(a.out)
	}
	for g, cnt := range a.cnt {
		if cnt == 0 || (!a.pop && cnt == 1) {
			continue
		}
		if g < len(a.special) && a.special[g] {
			out[g], valid[g] = sqltypes.NumericNaN, true
			continue
		}
		var r decimal128.Num
		var err error
		if varOut {
			b := &a.scratch
			b.setLimbs(&b.sx, a.sx[g][:], true)
			b.setLimbs(&b.sxx, a.sxx[g][:], false)
			r, scales[g], err = expr.NumericStatsValue(&b.sx, &b.sxx, cnt, a.inScale, !a.pop, a.sqrt)
		} else {
			r, err = a.exact(g, cnt, scale)
		}
		if err != nil {
			return nil, err
		}
		out[g], valid[g] = r, true
	}
	if varOut {
		return expr.NewVarNumeric(mem, a.out, out, scales, valid), nil
	}
	return fixedArray(mem, a.out, out, valid), nil
}

// bigScratch holds reusable big integers of exact finishes.
type bigScratch struct {
	sx, sxx, num, den, t, q, r big.Int
	words                      [5]big.Word
	p10                        map[int64]*big.Int
}

// setLimbs sets x to the little-endian limbs l (two's complement when
// signed), reusing the scratch words.
func (b *bigScratch) setLimbs(x *big.Int, l []uint64, signed bool) {
	neg := signed && l[len(l)-1]>>63 != 0
	var c uint64 = 1
	for i, v := range l {
		if neg {
			v, c = bits.Add64(^v, 0, c)
		}
		b.words[i] = big.Word(v)
	}
	x.SetBits(append(x.Bits()[:0], b.words[:len(l)]...))
	if neg {
		x.Neg(x)
	}
}

// isqrt sets z = floor(sqrt(x)) for x > 0 (z != x): Newton's iteration
// from a float64 estimate just above the root, reusing scratch integers.
func (b *bigScratch) isqrt(z, x *big.Int) {
	f, _ := x.Float64()
	if f < 1<<52 {
		r := uint64(math.Sqrt(f))
		for r*r > x.Uint64() {
			r--
		}
		for (r+1)*(r+1) <= x.Uint64() {
			r++
		}
		z.SetUint64(r)
		return
	}
	m, e := math.Frexp(math.Sqrt(f) * (1 + 0x1p-40))
	z.SetUint64(uint64(m * (1 << 53)))
	if e -= 53; e >= 0 {
		z.Lsh(z, uint(e))
	} else {
		z.Rsh(z, uint(-e))
	}
	z.Add(z, b.t.SetInt64(1))
	y := &b.sx // free here
	for {
		y.Quo(x, z)
		y.Add(y, z)
		y.Rsh(y, 1)
		if y.Cmp(z) >= 0 {
			return
		}
		z.Set(y)
	}
}

func (b *bigScratch) pow10(n int64) *big.Int {
	if b.p10 == nil {
		b.p10 = map[int64]*big.Int{}
	}
	p, ok := b.p10[n]
	if !ok {
		p = pow10(n)
		b.p10[n] = p
	}
	return p
}

// exact computes group g's result at the given scale.
func (a *statsAcc) exact(g int, cnt int64, scale int32) (decimal128.Num, error) {
	b := &a.scratch
	b.setLimbs(&b.sx, a.sx[g][:], true)
	b.setLimbs(&b.sxx, a.sxx[g][:], false)
	num, den := &b.num, &b.den
	den.SetInt64(cnt)
	num.Mul(den, &b.sxx)
	num.Sub(num, b.t.Mul(&b.sx, &b.sx))
	if num.Sign() <= 0 {
		return decimal128.Num{}, nil
	}
	if a.pop {
		den.Mul(den, b.t.SetInt64(cnt))
	} else {
		den.Mul(den, b.t.SetInt64(cnt-1))
	}
	// value = num / (den · 10^(2·inScale)); result = value · 10^scale.
	exp := int64(scale) - 2*int64(a.inScale)
	if a.sqrt {
		exp = 2*int64(scale) + 2 - 2*int64(a.inScale) // one extra digit
	}
	if exp >= 0 {
		num.Mul(num, b.pow10(exp))
	} else {
		den.Mul(den, b.pow10(-exp))
	}
	q := &b.q
	if a.sqrt {
		b.isqrt(q, b.r.Quo(num, den))
		q.Add(q, b.t.SetInt64(5))
		q.Quo(q, b.t.SetInt64(10))
	} else {
		q.QuoRem(num, den, &b.r) // num, den > 0: round half up
		if b.r.Lsh(&b.r, 1).Cmp(den) >= 0 {
			q.Add(q, b.t.SetInt64(1))
		}
	}
	if q.BitLen() > 127 {
		return decimal128.Num{}, errNumericOverflow()
	}
	var r decimal128.Num
	if q.IsUint64() {
		r = decimal128.New(0, q.Uint64())
	} else {
		r = decimal128.FromBigInt(q)
	}
	if !r.FitsInPrecision(sqltypes.MaxNumericPrecision) {
		return decimal128.Num{}, errNumericOverflow()
	}
	return r, nil
}

func pow10(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }

func (a *statsAcc) release() {}
