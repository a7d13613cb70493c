package expr

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Differential tests (STYLE.md §2.4.4): every binary kernel against a
// row-at-a-time reference written independently with math/big, on random
// data with and without NULLs, sliced arrays, an empty batch and one row.

// randDatum returns a random value of t, biased towards edge values.
func randDatum(r *rand.Rand, t sqltypes.Type) sqltypes.Datum {
	edge := r.Intn(8) == 0
	switch t.Kind {
	case sqltypes.Int2:
		if edge {
			return []int16{math.MaxInt16, math.MinInt16, 0, -1, 1}[r.Intn(5)]
		}
		return int16(r.Intn(400) - 200)
	case sqltypes.Int4:
		if edge {
			return []int32{math.MaxInt32, math.MinInt32, 0, -1, 1}[r.Intn(5)]
		}
		return int32(r.Intn(200000) - 100000)
	case sqltypes.Int8:
		if edge {
			return []int64{math.MaxInt64, math.MinInt64, 0, -1, 1, 3037000500}[r.Intn(6)]
		}
		return r.Int63n(1<<40) - 1<<39
	case sqltypes.Float8:
		if edge {
			return []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, -1, 1e308, 1e-308}[r.Intn(7)]
		}
		return (r.Float64() - 0.5) * 1000
	case sqltypes.Numeric:
		digits := int64(r.Intn(15) + 1)
		if edge {
			digits = int64(r.Intn(38) + 1)
		}
		m := new(big.Int).Rand(r, new(big.Int).Exp(big.NewInt(10), big.NewInt(digits), nil))
		if r.Intn(2) == 0 {
			m.Neg(m)
		}
		if r.Intn(10) == 0 {
			m.SetInt64(0)
		}
		return decimal128.FromBigInt(m)
	case sqltypes.Text:
		n := r.Intn(4)
		b := make([]byte, n)
		for i := range b {
			b[i] = "abAB\xc3\xa9"[r.Intn(6)]
		}
		return string(b)
	case sqltypes.Date:
		return arrow.Date32(r.Intn(40000) - 20000)
	case sqltypes.Timestamp:
		return arrow.Timestamp(r.Int63n(4e15) - 2e15)
	case sqltypes.Interval:
		return arrow.MonthDayNanoInterval{Months: int32(r.Intn(40) - 20), Days: int32(r.Intn(80) - 40), Nanoseconds: (r.Int63n(2e11) - 1e11) * 1000}
	}
	panic("no generator for " + t.String())
}

// bigOfDatum returns a numeric Datum of type t as an exact rational.
func ratOf(t sqltypes.Type, v sqltypes.Datum) *big.Rat {
	switch x := v.(type) {
	case int16:
		return new(big.Rat).SetInt64(int64(x))
	case int32:
		return new(big.Rat).SetInt64(int64(x))
	case int64:
		return new(big.Rat).SetInt64(x)
	case decimal128.Num:
		return new(big.Rat).SetFrac(x.BigInt(), bigPow10(t.Scale))
	}
	panic(fmt.Sprintf("ratOf %T", v))
}

var (
	refOverflow = fmt.Errorf("22003")
	refDivZero  = fmt.Errorf("22012")
	ten4        = big.NewRat(10000, 1)
)

// refPGDivScale computes select_div_scale from the decimal value itself.
func refPGDivScale(x, y *big.Rat, sx, sy int32) int32 {
	weight := func(v *big.Rat) (int32, int64) {
		a := new(big.Rat).Abs(v)
		if a.Sign() == 0 {
			return 0, 0
		}
		w := int32(0)
		for a.Cmp(ten4) >= 0 {
			a.Quo(a, ten4)
			w++
		}
		for a.Cmp(big.NewRat(1, 1)) < 0 {
			a.Mul(a, ten4)
			w--
		}
		f, _ := new(big.Float).SetRat(a).Int64()
		return w, f
	}
	w1, f1 := weight(x)
	w2, f2 := weight(y)
	q := w1 - w2
	if f1 <= f2 {
		q--
	}
	return max(16-q*4, sx, sy, 0)
}

// refRound rounds r half away from zero at scale s.
func refRound(r *big.Rat, s int32) *big.Int {
	m := new(big.Rat).Mul(r, new(big.Rat).SetInt(bigPow10(s)))
	num, den := m.Num(), m.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	return q
}

// refArith is the row-at-a-time reference for integer and numeric + - * / %.
func refArith(op BinaryOp, lt, rt, out sqltypes.Type, x, y sqltypes.Datum) (sqltypes.Datum, error) {
	a, b := ratOf(lt, x), ratOf(rt, y)
	var r *big.Rat
	switch op {
	case OpAdd:
		r = new(big.Rat).Add(a, b)
	case OpSub:
		r = new(big.Rat).Sub(a, b)
	case OpMul:
		r = new(big.Rat).Mul(a, b)
	case OpDiv, OpMod:
		if b.Sign() == 0 {
			return nil, refDivZero
		}
		q := new(big.Rat).Quo(a, b)
		if out.Kind != sqltypes.Numeric || op == OpMod {
			qi := new(big.Int).Quo(new(big.Int).Mul(a.Num(), b.Denom()), new(big.Int).Mul(b.Num(), a.Denom()))
			q = new(big.Rat).SetInt(qi)
			if op == OpMod {
				q = new(big.Rat).Sub(a, new(big.Rat).Mul(q, b))
			}
		} else {
			ps := min(refPGDivScale(a, b, lt.Scale, rt.Scale), out.Scale)
			q = new(big.Rat).SetFrac(refRound(q, ps), bigPow10(ps))
		}
		r = q
	}
	switch out.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		bitsN := map[sqltypes.Kind]uint{sqltypes.Int2: 15, sqltypes.Int4: 31, sqltypes.Int8: 63}[out.Kind]
		lim := new(big.Int).Lsh(big.NewInt(1), bitsN)
		v := r.Num()
		if v.Cmp(lim) >= 0 || v.Cmp(new(big.Int).Neg(lim)) < 0 {
			return nil, refOverflow
		}
		switch out.Kind {
		case sqltypes.Int2:
			return int16(v.Int64()), nil
		case sqltypes.Int4:
			return int32(v.Int64()), nil
		}
		return v.Int64(), nil
	}
	v := refRound(r, out.Scale)
	if new(big.Int).Abs(v).Cmp(bigPow10(38)) >= 0 {
		return nil, refOverflow
	}
	return decimal128.FromBigInt(v), nil
}

// refCompare is the reference ordering (numbers exactly, floats with
// PostgreSQL's NaN rule, strings by bytes, intervals by 30-day months).
func refCompare(lt, rt sqltypes.Type, x, y sqltypes.Datum) int {
	switch a := x.(type) {
	case float64:
		b := y.(float64)
		switch {
		case math.IsNaN(a) && math.IsNaN(b):
			return 0
		case math.IsNaN(a):
			return 1
		case math.IsNaN(b):
			return -1
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	case string:
		return cmpString(a, y.(string))
	case arrow.Date32:
		return cmpInt(int64(a), int64(y.(arrow.Date32)))
	case arrow.Timestamp:
		return cmpInt(int64(a), int64(y.(arrow.Timestamp)))
	case arrow.MonthDayNanoInterval:
		b := y.(arrow.MonthDayNanoInterval)
		tot := func(iv arrow.MonthDayNanoInterval) *big.Int {
			d := big.NewInt(int64(iv.Months)*30 + int64(iv.Days))
			d.Mul(d, big.NewInt(86400e9))
			return d.Add(d, big.NewInt(iv.Nanoseconds))
		}
		return tot(a).Cmp(tot(b))
	}
	return ratOf(lt, x).Cmp(ratOf(rt, y))
}

func refCmpOp(op BinaryOp, c int) bool {
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	}
	return c >= 0
}

type diffCase struct {
	op     BinaryOp
	lt, rt sqltypes.Type
}

func TestDifferentialBinary(t *testing.T) {
	num := func(p, s int32) sqltypes.Type { return sqltypes.NumericType(p, s) }
	var cases []diffCase
	for _, op := range []BinaryOp{OpAdd, OpSub, OpMul, OpDiv, OpMod} {
		for _, k := range []sqltypes.Type{sqltypes.TypeInt2, sqltypes.TypeInt4, sqltypes.TypeInt8} {
			cases = append(cases, diffCase{op, k, k})
		}
		cases = append(cases, diffCase{op, num(0, 2), num(0, 2)}, diffCase{op, num(12, 2), num(0, 5)}, diffCase{op, num(0, 0), num(0, 3)})
	}
	for op := OpEq; op <= OpGe; op++ {
		for _, k := range []sqltypes.Type{sqltypes.TypeInt2, sqltypes.TypeInt4, sqltypes.TypeInt8, sqltypes.TypeFloat8,
			sqltypes.TypeText, sqltypes.TypeDate, sqltypes.TypeTimestamp, sqltypes.TypeInterval, num(0, 2)} {
			cases = append(cases, diffCase{op, k, k})
		}
		cases = append(cases, diffCase{op, num(0, 1), num(0, 4)})
	}
	r := rand.New(rand.NewSource(1))
	for _, dc := range cases {
		for _, mode := range []struct {
			name      string
			n, offset int
			nulls     float64
		}{{"nulls=false", 300, 0, 0}, {"nulls=true", 300, 0, 0.3}, {"sliced", 200, 37, 0.2}, {"empty", 0, 0, 0}, {"one", 1, 0, 0}} {
			t.Run(fmt.Sprintf("%s_%s_%s/%s", dc.lt, dc.op, dc.rt, mode.name), func(t *testing.T) {
				env := newTestEnv(t)
				xs, ys := make([]sqltypes.Datum, mode.n+mode.offset), make([]sqltypes.Datum, mode.n+mode.offset)
				for i := range xs {
					if r.Float64() >= mode.nulls {
						xs[i] = randDatum(r, dc.lt)
					}
					if r.Float64() >= mode.nulls {
						ys[i] = randDatum(r, dc.rt)
					}
				}
				full := makeBatch(t, env, testCol{dc.lt, xs}, testCol{dc.rt, ys})
				b := full.NewSlice(int64(mode.offset), full.NumRows())
				full.Release()
				defer b.Release()
				e, err := Binary(dc.op, Column(0, dc.lt, "x"), Column(1, dc.rt, "y"))
				if err != nil {
					t.Fatal(err)
				}
				checkDifferential(t, env, e, b, dc, xs[mode.offset:], ys[mode.offset:])
			})
		}
	}
}

func checkDifferential(t *testing.T, env *executor.Env, e Expr, b arrow.RecordBatch, dc diffCase, xs, ys []sqltypes.Datum) {
	var want []sqltypes.Datum
	var wantErr error
	for i := range xs {
		if xs[i] == nil || ys[i] == nil {
			want = append(want, nil)
			continue
		}
		var v sqltypes.Datum
		var err error
		if dc.op.IsComparison() {
			v = refCmpOp(dc.op, refCompare(dc.lt, dc.rt, xs[i], ys[i]))
		} else {
			v, err = refArith(dc.op, dc.lt, dc.rt, e.Type(), xs[i], ys[i])
		}
		if err != nil && wantErr == nil {
			wantErr = err
		}
		want = append(want, v)
	}
	a, err := e.Eval(ctxBG, env, b)
	if wantErr != nil {
		if err == nil {
			a.Release()
			t.Fatalf("want error %v, got none", wantErr)
		}
		if c := sqltypes.Code(err); c != "22003" && c != "22012" {
			t.Fatalf("want error class of %v, got %v", wantErr, errString(err))
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %s", errString(err))
	}
	defer a.Release()
	if a.Len() != len(want) {
		t.Fatalf("len %d, want %d", a.Len(), len(want))
	}
	for i, w := range want {
		got := datumAt(a, e.Type(), i)
		if (got == nil) != (w == nil) || got != nil && compareDatums(e.Type(), got, w) != 0 {
			t.Fatalf("row %d: %v %s %v = %v, want %v", i, xs[i], dc.op, ys[i], got, w)
		}
	}
}

// TestDifferentialLiteralScale compares a numeric column with, adds it to
// and subtracts it from numeric literals of another scale, on either side:
// Binary rescales such literals to the column's scale, which must change
// neither the values nor the result type, and must leave a literal alone
// when rescaling would overflow 38 digits.
func TestDifferentialLiteralScale(t *testing.T) {
	num := func(p, s int32) sqltypes.Type { return sqltypes.NumericType(p, s) }
	lits := []struct {
		t sqltypes.Type
		v string
	}{
		{num(10, 0), "1"}, {num(10, 0), "-30"}, {num(10, 0), "0"}, {num(0, 1), "245"}, // 24.5: values are unscaled
		{num(0, 0), "9999999999999999999999999999999999999"}, // 37 digits: cannot take 2 more
		{num(0, 0), "-99999999999999999"},                    // above int64 once rescaled by 4
	}
	cols := []sqltypes.Type{num(15, 2), num(0, 4)}
	ops := []BinaryOp{OpAdd, OpSub, OpEq, OpNe, OpLt, OpLe, OpGt, OpGe}
	r := rand.New(rand.NewSource(2))
	for _, ct := range cols {
		for _, lit := range lits {
			lv, ok := new(big.Int).SetString(lit.v, 10)
			if !ok {
				t.Fatal(lit.v)
			}
			ld := decimal128.FromBigInt(lv)
			for _, op := range ops {
				for _, litLeft := range []bool{false, true} {
					name := fmt.Sprintf("%s_%s_%s/lit=%s/litLeft=%v", ct, op, lit.t, lit.v, litLeft)
					t.Run(name, func(t *testing.T) {
						env := newTestEnv(t)
						n, offset := 300, 11
						xs, ys := make([]sqltypes.Datum, n+offset), make([]sqltypes.Datum, n+offset)
						for i := range xs {
							if r.Intn(5) != 0 {
								xs[i] = randDatum(r, ct)
							}
							ys[i] = ld
						}
						full := makeBatch(t, env, testCol{ct, xs})
						b := full.NewSlice(int64(offset), full.NumRows())
						full.Release()
						defer b.Release()
						col, litE := Column(0, ct, "x"), Literal(lit.t, ld)
						dc := diffCase{op, ct, lit.t}
						l, rr := col, litE
						if litLeft {
							l, rr, dc.lt, dc.rt = litE, col, lit.t, ct
						}
						e, err := Binary(op, l, rr)
						if err != nil {
							t.Fatal(err)
						}
						if !op.IsComparison() {
							if want := max(ct.Scale, lit.t.Scale); e.Type().Scale != want {
								t.Fatalf("result scale %d, want %d", e.Type().Scale, want)
							}
						}
						xs2, ys2 := xs[offset:], ys[offset:]
						if litLeft {
							xs2, ys2 = ys2, xs2
						}
						checkDifferential(t, env, e, b, dc, xs2, ys2)
					})
				}
			}
		}
	}
}

// TestRescaleDec checks the int64 shortcut of rescaleDec at its bounds
// against math/big.
func TestRescaleDec(t *testing.T) {
	for _, v := range []string{"0", "1", "-1", "999999999999999", "-999999999999999", "1000000000000000",
		"9223372036854775807", "-9223372036854775808", "99999999999999999999"} {
		for _, k := range []int32{1, 2, 3, 4, 17, 18, 19, 20} {
			bv, _ := new(big.Int).SetString(v, 10)
			want := new(big.Int).Mul(bv, bigPow10(k))
			got, ok := rescaleDec(decimal128.FromBigInt(bv), 0, k)
			fits := new(big.Int).Abs(want).Cmp(bigPow10(38)) < 0
			if ok != fits || ok && got.BigInt().Cmp(want) != 0 {
				t.Errorf("rescaleDec(%s, 0, %d) = %s, %v; want %s, %v", v, k, got.BigInt(), ok, want, fits)
			}
		}
	}
}
