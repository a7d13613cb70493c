package expr

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

const benchRows = 8192

func benchBatch(b *testing.B, nulls bool, gen func(r *rand.Rand) any, types ...sqltypes.Type) (arrow.RecordBatch, func()) {
	env := newTestEnv(b)
	r := rand.New(rand.NewSource(7))
	cols := make([]testCol, len(types))
	for c, t := range types {
		vals := make([]any, benchRows)
		for i := range vals {
			if nulls && r.Intn(10) == 0 {
				continue
			}
			vals[i] = gen(r)
		}
		cols[c] = testCol{t, vals}
	}
	batch := makeBatch(b, env, cols...)
	return batch, func() { batch.Release() }
}

func runBench(b *testing.B, e Expr, batch arrow.RecordBatch, bytesPerRow int) {
	env := newTestEnv(b)
	b.ReportAllocs()
	b.SetBytes(int64(bytesPerRow * benchRows))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, err := e.Eval(ctxBG, env, batch)
		if err != nil {
			b.Fatal(err)
		}
		a.Release()
	}
}

func BenchmarkInt64Add(b *testing.B) {
	for _, nulls := range []bool{false, true} {
		b.Run(fmt.Sprintf("nulls=%v", nulls), func(b *testing.B) {
			batch, done := benchBatch(b, nulls, func(r *rand.Rand) any { return r.Int63n(1 << 40) }, sqltypes.TypeInt8, sqltypes.TypeInt8)
			defer done()
			e := must(Binary(OpAdd, Column(0, sqltypes.TypeInt8, "a"), Column(1, sqltypes.TypeInt8, "b")))
			runBench(b, e, batch, 16)
		})
	}
}

func BenchmarkCompare(b *testing.B) {
	for _, nulls := range []bool{false, true} {
		for _, rhs := range []string{"column", "literal"} {
			b.Run(fmt.Sprintf("nulls=%v/rhs=%s", nulls, rhs), func(b *testing.B) {
				batch, done := benchBatch(b, nulls, func(r *rand.Rand) any { return r.Int63n(1000) }, sqltypes.TypeInt8, sqltypes.TypeInt8)
				defer done()
				var r Expr = Column(1, sqltypes.TypeInt8, "b")
				if rhs == "literal" {
					r = Literal(sqltypes.TypeInt8, int64(500))
				}
				e := must(Binary(OpLt, Column(0, sqltypes.TypeInt8, "a"), r))
				runBench(b, e, batch, 8)
			})
		}
	}
}

func BenchmarkDecimalAdd(b *testing.B) {
	for _, nulls := range []bool{false, true} {
		for _, scales := range [][2]int32{{2, 2}, {2, 4}} {
			b.Run(fmt.Sprintf("nulls=%v/scales=%d,%d", nulls, scales[0], scales[1]), func(b *testing.B) {
				t1, t2 := sqltypes.NumericType(15, scales[0]), sqltypes.NumericType(15, scales[1])
				batch, done := benchBatch(b, nulls, func(r *rand.Rand) any { return decimal128.FromI64(r.Int63n(1e12)) }, t1, t2)
				defer done()
				e := must(Binary(OpAdd, Column(0, t1, "a"), Column(1, t2, "b")))
				runBench(b, e, batch, 32)
			})
		}
	}
}

func BenchmarkDecimalDiv(b *testing.B) {
	t1 := sqltypes.NumericType(15, 2)
	batch, done := benchBatch(b, false, func(r *rand.Rand) any { return decimal128.FromI64(r.Int63n(1e9) + 1) }, t1, t1)
	defer done()
	e := must(Binary(OpDiv, Column(0, t1, "a"), Column(1, t1, "b")))
	runBench(b, e, batch, 32)
}

func BenchmarkLike(b *testing.B) {
	words := []string{"PROMO BRUSHED COPPER", "STANDARD POLISHED TIN", "ECONOMY ANODIZED STEEL", "forest green lime", "special requests deposits"}
	for _, nulls := range []bool{false, true} {
		for _, pat := range []string{"PROMO%", "%STEEL", "%green%", "%special%requests%", "S_ANDARD%TIN"} {
			b.Run(fmt.Sprintf("nulls=%v/pattern=%s", nulls, pat), func(b *testing.B) {
				batch, done := benchBatch(b, nulls, func(r *rand.Rand) any { return words[r.Intn(len(words))] }, sqltypes.TypeText)
				defer done()
				e := must(Like(Column(0, sqltypes.TypeText, "s"), Literal(sqltypes.TypeText, pat), false, false))
				runBench(b, e, batch, 20)
			})
		}
	}
}

func BenchmarkCaseWhen(b *testing.B) {
	batch, done := benchBatch(b, true, func(r *rand.Rand) any { return r.Int63n(100) }, sqltypes.TypeInt8)
	defer done()
	x := Column(0, sqltypes.TypeInt8, "x")
	e := Case([]When{{Cond: must(Binary(OpLt, x, Literal(sqltypes.TypeInt8, int64(50)))), Then: x}}, Literal(sqltypes.TypeInt8, int64(0)), sqltypes.TypeInt8)
	runBench(b, e, batch, 8)
}

// BenchmarkCoalesce takes a column where it is not NULL (nine rows in
// ten), and a second one (NULL one row in ten) or a constant elsewhere.
func BenchmarkCoalesce(b *testing.B) {
	batch, done := benchBatch(b, true, func(r *rand.Rand) any { return r.Int63n(100) }, sqltypes.TypeInt8, sqltypes.TypeInt8)
	defer done()
	x, y := Column(0, sqltypes.TypeInt8, "x"), Column(1, sqltypes.TypeInt8, "y")
	e := must(Call("coalesce", []Expr{x, y, Literal(sqltypes.TypeInt8, int64(0))}))
	runBench(b, e, batch, 16)
}

func BenchmarkCastTextToInt(b *testing.B) {
	batch, done := benchBatch(b, false, func(r *rand.Rand) any { return fmt.Sprint(r.Intn(1000000)) }, sqltypes.TypeText)
	defer done()
	e := must(Cast(Column(0, sqltypes.TypeText, "s"), sqltypes.TypeInt4))
	runBench(b, e, batch, 8)
}

// BenchmarkDecimalQ1 is TPC-H Q1's charge, price * (1 - discount) *
// (1 + tax), whose literals are read in place, not repeated per row.
func BenchmarkDecimalQ1(b *testing.B) {
	t := sqltypes.NumericType(15, 2)
	batch, done := benchBatch(b, false, func(r *rand.Rand) any { return decimal128.FromI64(r.Int63n(100)) }, t, t, t)
	defer done()
	one := Literal(sqltypes.NumericType(1, 0), decimal128.FromI64(1))
	disc := must(Binary(OpSub, one, Column(1, t, "discount")))
	tax := must(Binary(OpAdd, one, Column(2, t, "tax")))
	e := must(Binary(OpMul, must(Binary(OpMul, Column(0, t, "price"), disc)), tax))
	runBench(b, e, batch, 48)
}

// BenchmarkVarNumericPair: mod, % , gcd and lcm of variable-scale
// numerics (each value with its own scale), with values of a few digits
// and of 30 to 37 digits (whose lcm does not fit).
func BenchmarkVarNumericPair(b *testing.B) {
	env := newTestEnv(b)
	for _, size := range []string{"small", "large"} {
		r := rand.New(rand.NewSource(7))
		xs, ys := make([]sqltypes.Datum, benchRows), make([]sqltypes.Datum, benchRows)
		for i := range xs {
			if size == "small" {
				xs[i] = fmt.Sprintf("%d.%02d", r.Int63n(1e9), r.Intn(100))
				ys[i] = fmt.Sprintf("%d.%03d", r.Int63n(1000)+1, r.Intn(1000))
			} else {
				xs[i] = fmt.Sprintf("%d%018d.%02d", r.Int63n(1e15)+1, r.Int63n(1e18), r.Intn(100))
				ys[i] = fmt.Sprintf("%d%09d.%03d", r.Int63n(1e9)+1, r.Int63n(1e9), r.Intn(1000))
			}
		}
		text := makeBatch(b, env, testCol{sqltypes.TypeText, xs}, testCol{sqltypes.TypeText, ys})
		tx, ty := sqltypes.VarNumericType(2), sqltypes.VarNumericType(3)
		ax, err := must(Cast(Column(0, sqltypes.TypeText, "x"), tx)).Eval(ctxBG, env, text)
		if err != nil {
			b.Fatal(err)
		}
		ay, err := must(Cast(Column(1, sqltypes.TypeText, "y"), ty)).Eval(ctxBG, env, text)
		if err != nil {
			b.Fatal(err)
		}
		text.Release()
		schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: ax.DataType(), Nullable: true}, {Name: "y", Type: ay.DataType(), Nullable: true}}, nil)
		batch := array.NewRecordBatch(schema, []arrow.Array{ax, ay}, benchRows)
		ax.Release()
		ay.Release()
		x, y := Column(0, tx, "x"), Column(1, ty, "y")
		for _, fn := range []string{"mod", "%", "gcd", "lcm"} {
			if fn == "lcm" && size == "large" {
				continue // past 38 digits: 22003
			}
			b.Run("size="+size+"/fn="+fn, func(b *testing.B) {
				var e Expr
				if fn == "%" {
					e = must(VarArith(OpMod, x, y, 3))
				} else {
					e = must(Call(fn, []Expr{x, y}))
				}
				runBench(b, e, batch, 34)
			})
		}
		batch.Release()
	}
}

// BenchmarkToCharEEEE: to_char(x, '9.99EEEE') over double precision,
// numeric(18,4) and bigint.
func BenchmarkToCharEEEE(b *testing.B) {
	for _, tc := range []struct {
		name string
		t    sqltypes.Type
		gen  func(r *rand.Rand) any
	}{
		{"float8", sqltypes.TypeFloat8, func(r *rand.Rand) any { return (r.Float64() - 0.5) * 1e12 }},
		{"numeric", sqltypes.NumericType(18, 4), func(r *rand.Rand) any { return decimal128.FromI64(r.Int63n(1e17) - 5e16) }},
		{"int8", sqltypes.TypeInt8, func(r *rand.Rand) any { return r.Int63() - 1<<62 }},
	} {
		b.Run("type="+tc.name, func(b *testing.B) {
			batch, done := benchBatch(b, false, tc.gen, tc.t)
			defer done()
			e := must(Call("to_char", []Expr{Column(0, tc.t, "x"), Literal(sqltypes.TypeText, "9.99EEEE")}))
			runBench(b, e, batch, 8)
		})
	}
}

// BenchmarkRangeOverlaps is r && s over tstzrange columns: every row
// reads two held ranges (sqltypes.ReadRange), as the range operators,
// sort keys and binary output do.
func BenchmarkRangeOverlaps(b *testing.B) {
	tz := sqltypes.Type{Kind: sqltypes.TstzRange}
	gen := func(r *rand.Rand) any {
		lo := int64(1_700_000_000_000_000) + r.Int63n(1<<40)
		rg, err := sqltypes.MakeRange(tz, arrow.Timestamp(lo), arrow.Timestamp(lo+r.Int63n(1<<36)), true, false)
		if err != nil {
			b.Fatal(err)
		}
		return sqltypes.FormatRange(tz, rg)
	}
	batch, done := benchBatch(b, false, gen, tz, tz)
	defer done()
	e := must(Call("range_overlaps", []Expr{Column(0, tz, "r"), Column(1, tz, "s")}))
	runBench(b, e, batch, 0)
}
