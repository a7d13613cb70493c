package ops

import (
	"context"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// benchBatches builds rows of (key int64 in [0, keys), value int64) in
// batches of 8192; nulls sets about 1% NULL keys.
func benchBatches(mem memory.Allocator, rows, keys int, nulls bool, seed uint64) []arrow.RecordBatch {
	r := rand.New(rand.NewPCG(seed, seed))
	s := schemaOf(i64, i64)
	var out []arrow.RecordBatch
	for done := 0; done < rows; {
		n := min(executor.DefaultBatchSize, rows-done)
		kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
		for range n {
			if nulls && r.IntN(100) == 0 {
				kb.AppendNull()
			} else {
				kb.Append(int64(r.IntN(keys)))
			}
			vb.Append(r.Int64N(1 << 40))
		}
		k, v := kb.NewArray(), vb.NewArray()
		out = append(out, array.NewRecordBatch(s, []arrow.Array{k, v}, int64(n)))
		k.Release()
		v.Release()
		kb.Release()
		vb.Release()
		done += n
	}
	return out
}

// splitBatches returns n inputs that hold the batches between them, in order.
func splitBatches(s *arrow.Schema, batches []arrow.RecordBatch, n int) []executor.Operator {
	var inputs []executor.Operator
	per := (len(batches) + n - 1) / n
	for p := range n {
		inputs = append(inputs, NewBatches(s, batches[min(p*per, len(batches)):min((p+1)*per, len(batches))]))
	}
	return inputs
}

// benchRows runs the operator mk makes once per iteration; it must
// return want rows (-1: any number).
func benchRows(b *testing.B, want int64, mk func() (executor.Operator, error)) {
	b.ReportAllocs()
	for b.Loop() {
		op, err := mk()
		if err != nil {
			b.Fatal(err)
		}
		if n := consume(b, op); want >= 0 && n != want {
			b.Fatalf("%d rows, want %d", n, want)
		}
	}
}

// consume drains op and returns the row count.
func consume(b *testing.B, op executor.Operator) int64 {
	ctx := context.Background()
	if err := op.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer op.Close()
	var n int64
	for {
		r, err := op.Next(ctx)
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n += r.NumRows()
		r.Release()
	}
}

func BenchmarkHashJoin(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	build := benchBatches(mem, 100_000, 100_000, false, 1)
	probe := benchBatches(mem, 1_000_000, 200_000, false, 2)
	s := schemaOf(i64, i64)
	for _, jt := range []JoinType{InnerJoin, LeftJoin, SemiJoin} {
		b.Run("type="+jt.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_100_000 * 16))
			for b.Loop() {
				op, err := NewHashJoin(env, HashJoinSpec{
					Type: jt, Probe: NewBatches(s, probe), Build: NewBatches(s, build),
					ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)},
				})
				if err != nil {
					b.Fatal(err)
				}
				consume(b, op)
			}
		})
	}
	// The inner join with the probe rows split into streams, each joined
	// in its own goroutine (a Gather) with one build side built once.
	for _, streams := range []int{1, 2, 4} {
		b.Run("type=inner/streams="+strconv.Itoa(streams), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_100_000 * 16))
			for b.Loop() {
				pj, err := NewParallelHashJoin(env, HashJoinSpec{
					Type: InnerJoin, Build: NewBatches(s, build),
					ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)},
				}, splitBatches(s, probe, streams))
				if err != nil {
					b.Fatal(err)
				}
				consume(b, NewGather(env, pj.Joins))
			}
		})
	}
	// The inner join of the probe rows a filter keeps (the shape of TPC-H
	// Q3's lineitem under its date filter), the filter folded into the
	// join.
	key := []expr.Expr{expr.Column(0, tI8, "k")}
	for _, pct := range []int64{10, 50, 90} {
		b.Run("type=inner/filter=keep"+strconv.FormatInt(pct, 10)+"%", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_100_000 * 16))
			for b.Loop() {
				f, err := NewFilter(env, NewBatches(s, probe), cmpExpr{1, expr.OpLt, pct << 40 / 100})
				if err != nil {
					b.Fatal(err)
				}
				op, err := NewHashJoin(env, HashJoinSpec{Type: InnerJoin, Probe: f, Build: NewBatches(s, build), ProbeKeys: key, BuildKeys: key})
				if err != nil {
					b.Fatal(err)
				}
				consume(b, op)
			}
		})
	}
}

// BenchmarkHashJoinBuild is a semi join whose build side (a million
// rows, a quarter as many keys, like TPC-H Q4's lineitem) dwarfs its
// probe side: the build's hashing on one worker, then on two.
func BenchmarkHashJoinBuild(b *testing.B) {
	mem := memory.NewGoAllocator()
	build := benchBatches(mem, 1_000_000, 250_000, true, 4)
	probe := benchBatches(mem, 10_000, 1_000_000, false, 5)
	key := []expr.Expr{col(0, tI8)}
	benchJoinWorkers(b, mem, HashJoinSpec{Type: SemiJoin, ProbeKeys: key, BuildKeys: key}, schemaOf(i64, i64), probe, build)
}

// benchJoinWorkers runs the join spec of probe and build (read afresh
// each time) with its build on one worker, then on two.
func benchJoinWorkers(b *testing.B, mem memory.Allocator, spec HashJoinSpec, s *arrow.Schema, probe, build []arrow.RecordBatch) {
	for _, workers := range []int{1, 2} {
		env := testEnv(mem, 0)
		env.Workers = workers
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				spec.Probe, spec.Build = NewBatches(s, probe), NewBatches(s, build)
				op, err := NewHashJoin(env, spec)
				if err != nil {
					b.Fatal(err)
				}
				consume(b, op)
			}
		})
	}
}

func BenchmarkHashAggregate(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 10_000, true, 3)
	aggs := []Aggregate{{Func: "count_star"}, {Func: "sum", Args: []expr.Expr{col(1, tI8)}}, {Func: "max", Args: []expr.Expr{col(1, tI8)}}}
	for _, parts := range []int{1, 4} {
		b.Run("inputs="+strconv.Itoa(parts), func(b *testing.B) {
			b.SetBytes(int64(1_000_000 * 16))
			benchAggregate(b, env, s, in, parts, []expr.Expr{col(0, tI8)}, aggs, 10_001)
		})
	}
	b.Run("keys=2", func(b *testing.B) { // the generic (vectorized probing) table
		b.ReportAllocs()
		for b.Loop() {
			op, _ := NewHashAggregate(env, []executor.Operator{NewBatches(s, in)}, []expr.Expr{col(0, tI8), cmpExpr{1, expr.OpGt, 1 << 39}}, aggs[:1])
			consume(b, op)
		}
	})
}

func BenchmarkSort(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 1<<30, true, 4)
	b.ReportAllocs()
	b.SetBytes(int64(1_000_000 * 16))
	for b.Loop() {
		op, _ := NewSort(env, NewBatches(s, in), []SortKey{{Expr: col(0, tI8)}})
		consume(b, op)
	}
}

func BenchmarkTopN(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 1<<30, true, 5)
	for _, n := range []int64{10, 10_000} {
		b.Run("n="+strconv.FormatInt(n, 10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_000_000 * 16))
			for b.Loop() {
				op, _ := NewTopN(env, NewBatches(s, in), []SortKey{{Expr: col(0, tI8), Desc: true, NullsFirst: true}}, n)
				consume(b, op)
			}
		})
	}
}

func BenchmarkFilter(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 100, true, 6)
	pred := predExpr{}
	for _, sel := range []int64{1, 50, 100} {
		b.Run("selectivity="+strconv.FormatInt(sel, 10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_000_000 * 16))
			for b.Loop() {
				op, _ := NewFilter(env, NewBatches(s, in), pred.lt(sel))
				consume(b, op)
			}
		})
	}
}

// predExpr is a vectorized int64 < k predicate (the test cmpExpr goes
// through a builder per value, which would dominate the benchmark).
type predExpr struct{ k int64 }

func (predExpr) lt(k int64) expr.Expr  { return predExpr{k} }
func (p predExpr) Type() sqltypes.Type { return tB }
func (p predExpr) String() string      { return "$0 < k" }
func (p predExpr) Eval(_ context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	in := b.Column(0)
	vals := fixedVals[int64](in)
	n := len(vals)
	db := newBuffer(env.Mem, (n+7)/8)
	bits := db.Bytes()
	clear(bits)
	for i, v := range vals {
		if v < p.k {
			bits[i>>3] |= 1 << (i & 7)
		}
	}
	var vb *memory.Buffer
	if in.NullN() > 0 {
		vb = in.Data().Buffers()[0]
		vb.Retain()
		if in.Data().Offset() != 0 {
			vb.Release()
			return nil, errInternal("sliced input")
		}
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{vb, db}, nil, in.NullN()), nil
}

// BenchmarkSpill runs the sort, the hash aggregate and the hash join with
// a 4MB budget, so that each spills to a temp folder (compare with
// BenchmarkSort, BenchmarkHashAggregate and BenchmarkHashJoin).
func BenchmarkSpill(b *testing.B) {
	mem := memory.NewGoAllocator()
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 1<<30, true, 7)
	build := benchBatches(mem, 100_000, 100_000, false, 1)
	probe := benchBatches(mem, 1_000_000, 200_000, false, 2)
	aggs := []Aggregate{{Func: "count_star"}, {Func: "sum", Args: []expr.Expr{col(1, tI8)}}}
	env := func(b *testing.B) *executor.Env {
		bud := membudget.New(membudget.Options{Limit: 4 << 20, TempDir: b.TempDir()})
		b.Cleanup(func() { bud.Close() })
		e := testEnv(mem, 0)
		e.Budget = bud
		return e
	}
	run := func(b *testing.B, mk func(env *executor.Env) (executor.Operator, error)) {
		b.ReportAllocs()
		b.SetBytes(int64(1_000_000 * 16))
		var spilled int64
		for b.Loop() {
			e := env(b)
			op, err := mk(e)
			if err != nil {
				b.Fatal(err)
			}
			consume(b, op)
			spilled = e.Budget.Spilled()
		}
		if spilled == 0 {
			b.Fatal("nothing spilled")
		}
		b.ReportMetric(float64(spilled)/(1<<20), "MB-spilled/op")
	}
	b.Run("sort", func(b *testing.B) {
		run(b, func(e *executor.Env) (executor.Operator, error) {
			return NewSort(e, NewBatches(s, in), []SortKey{{Expr: col(0, tI8)}})
		})
	})
	b.Run("hashagg", func(b *testing.B) {
		run(b, func(e *executor.Env) (executor.Operator, error) {
			return NewHashAggregate(e, []executor.Operator{NewBatches(s, in)}, []expr.Expr{col(0, tI8)}, aggs)
		})
	})
	b.Run("hashjoin", func(b *testing.B) {
		run(b, func(e *executor.Env) (executor.Operator, error) {
			return NewHashJoin(e, HashJoinSpec{Type: InnerJoin, Probe: NewBatches(s, probe), Build: NewBatches(s, build),
				ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)}})
		})
	})
}

// BenchmarkFilterAggregate is a hash aggregate over a filter that keeps
// 98% (TPC-H Q1) or 50% of the rows, grouped by two keys.
func BenchmarkFilterAggregate(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 100, false, 7)
	aggs := []Aggregate{{Func: "count_star"}, {Func: "sum", Args: []expr.Expr{col(1, tI8)}}}
	for _, sel := range []int64{98, 50} {
		b.Run("selectivity="+strconv.FormatInt(sel, 10), func(b *testing.B) {
			b.SetBytes(int64(1_000_000 * 16))
			benchRows(b, sel, func() (executor.Operator, error) {
				f, _ := NewFilter(env, NewBatches(s, in), predExpr{}.lt(sel))
				return NewHashAggregate(env, []executor.Operator{f}, []expr.Expr{col(0, tI8), col(0, tI8)}, aggs)
			})
		})
	}
}

// BenchmarkGroupByText groups 1M rows by two one-letter text columns
// (TPC-H Q1's l_returnflag, l_linestatus), plain or dictionary-encoded
// (as the Parquet scan delivers them).
func BenchmarkGroupByText(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(str, str)
	ds := arrow.NewSchema([]arrow.Field{{Name: "f", Type: dictStr, Nullable: true}, {Name: "l", Type: dictStr, Nullable: true}}, nil)
	r := rand.New(rand.NewPCG(8, 8))
	var in, dict []arrow.RecordBatch
	for done := 0; done < 1_000_000; done += executor.DefaultBatchSize {
		f, l := array.NewStringBuilder(mem), array.NewStringBuilder(mem)
		fd := array.NewDictionaryBuilder(mem, dictStr).(*array.BinaryDictionaryBuilder)
		ld := array.NewDictionaryBuilder(mem, dictStr).(*array.BinaryDictionaryBuilder)
		for range executor.DefaultBatchSize {
			fv, lv := []string{"A", "N", "R"}[r.IntN(3)], []string{"F", "O"}[r.IntN(2)]
			f.Append(fv)
			l.Append(lv)
			if err := fd.AppendString(fv); err != nil {
				b.Fatal(err)
			}
			if err := ld.AppendString(lv); err != nil {
				b.Fatal(err)
			}
		}
		fa, la := f.NewArray(), l.NewArray()
		in = append(in, array.NewRecordBatch(s, []arrow.Array{fa, la}, int64(fa.Len())))
		fda, lda := fd.NewArray(), ld.NewArray()
		dict = append(dict, array.NewRecordBatch(ds, []arrow.Array{fda, lda}, int64(fa.Len())))
		for _, x := range []interface{ Release() }{fa, la, f, l, fda, lda, fd, ld} {
			x.Release()
		}
	}
	keys := []expr.Expr{expr.Column(0, tTxt, "f"), expr.Column(1, tTxt, "l")}
	for _, c := range []struct {
		name string
		s    *arrow.Schema
		in   []arrow.RecordBatch
	}{{"plain", s, in}, {"dictionary", ds, dict}} {
		b.Run(c.name, func(b *testing.B) {
			benchRows(b, 6, func() (executor.Operator, error) {
				return NewHashAggregate(env, []executor.Operator{NewBatches(c.s, c.in)}, keys, []Aggregate{{Func: "count_star"}})
			})
		})
	}
}

// BenchmarkRangeFilter filters 1M rows by a conjunction of comparisons
// with constants on two columns (TPC-H Q6's shape), keeping about 1%,
// 25% or 100% of them, alone and folded into an aggregate.
func BenchmarkRangeFilter(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 100, true, 9)
	bin := func(op expr.BinaryOp, l, r expr.Expr) expr.Expr {
		e, err := expr.Binary(op, l, r)
		if err != nil {
			b.Fatal(err)
		}
		return e
	}
	k, v := expr.Column(0, tI8, "k"), expr.Column(1, tI8, "v")
	lit := func(x int64) expr.Expr { return expr.Literal(tI8, x) }
	for _, c := range []struct {
		name   string
		hi, lt int64 // k in [10, hi), v < lt
	}{{"1%", 14, 1 << 38}, {"25%", 60, 1 << 39}, {"100%", 100, 1 << 40}} {
		pred := bin(expr.OpAnd, bin(expr.OpAnd, bin(expr.OpGe, k, lit(0)), bin(expr.OpLt, k, lit(c.hi))), bin(expr.OpLt, v, lit(c.lt)))
		b.Run("filter/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_000_000 * 16))
			for b.Loop() {
				op, _ := NewFilter(env, NewBatches(s, in), pred)
				consume(b, op)
			}
		})
		b.Run("aggregate/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_000_000 * 16))
			for b.Loop() {
				f, _ := NewFilter(env, NewBatches(s, in), pred)
				op, _ := NewHashAggregate(env, []executor.Operator{f}, nil, []Aggregate{{Func: "sum", Args: []expr.Expr{v}}})
				consume(b, op)
			}
		})
	}
}

// BenchmarkAggregateQ1Arguments sums TPC-H Q1's decimal arguments over
// 1M rows: price, price * (1 - discount) and price * (1 - discount) *
// (1 + tax), the last two sharing their product.
func BenchmarkAggregateQ1Arguments(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	dec := sqltypes.NumericType(15, 2)
	s := schemaOf(dec.Arrow(), dec.Arrow(), dec.Arrow())
	r := rand.New(rand.NewPCG(10, 10))
	var in []arrow.RecordBatch
	for done := 0; done < 1_000_000; done += executor.DefaultBatchSize {
		rb := array.NewRecordBuilder(mem, s)
		for range executor.DefaultBatchSize {
			rb.Field(0).(*array.Decimal128Builder).Append(decimal128.FromI64(r.Int64N(10_000_000)))
			rb.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(r.Int64N(11)))
			rb.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(r.Int64N(9)))
		}
		in = append(in, rb.NewRecordBatch())
		rb.Release()
	}
	bin := func(op expr.BinaryOp, l, r expr.Expr) expr.Expr {
		e, err := expr.Binary(op, l, r)
		if err != nil {
			b.Fatal(err)
		}
		return e
	}
	price, disc, tax := expr.Column(0, dec, "price"), expr.Column(1, dec, "discount"), expr.Column(2, dec, "tax")
	one := expr.Literal(sqltypes.NumericType(1, 0), decimal128.FromI64(1))
	discounted := func() expr.Expr { return bin(expr.OpMul, price, bin(expr.OpSub, one, disc)) }
	aggs := []Aggregate{
		{Func: "sum", Args: []expr.Expr{price}},
		{Func: "sum", Args: []expr.Expr{discounted()}},
		{Func: "sum", Args: []expr.Expr{bin(expr.OpMul, discounted(), bin(expr.OpAdd, one, tax))}},
	}
	b.ReportAllocs()
	b.SetBytes(1_000_000 * 48)
	for b.Loop() {
		op, err := NewHashAggregate(env, []executor.Operator{NewBatches(s, in)}, nil, aggs)
		if err != nil {
			b.Fatal(err)
		}
		consume(b, op)
	}
}

// BenchmarkHashJoinTwoKeys: an inner join on two integer columns (TPC-H
// Q9's partsupp on part and supplier), 800k build rows, 300k probe rows,
// with the build on workers goroutines.
func BenchmarkHashJoinTwoKeys(b *testing.B) {
	mem := memory.NewGoAllocator()
	build := pairBatches(mem, 800_000, 200_000, 1)
	probe := pairBatches(mem, 300_000, 200_000, 2)
	keys := []expr.Expr{col(0, tI8), col(1, tI8)}
	benchJoinWorkers(b, mem, HashJoinSpec{Type: InnerJoin, ProbeKeys: keys, BuildKeys: keys}, schemaOf(i64, i64, i64), probe, build)
}

// pairBatches makes rows of (a, b, v): a below keys, b below 4 (each a
// has four b's, as a part has four suppliers), v random.
func pairBatches(mem memory.Allocator, rows, keys int, seed uint64) []arrow.RecordBatch {
	r := rand.New(rand.NewPCG(seed, seed))
	s := schemaOf(i64, i64, i64)
	var out []arrow.RecordBatch
	for done := 0; done < rows; {
		n := min(executor.DefaultBatchSize, rows-done)
		bs := []*array.Int64Builder{array.NewInt64Builder(mem), array.NewInt64Builder(mem), array.NewInt64Builder(mem)}
		for range n {
			bs[0].Append(int64(r.IntN(keys)))
			bs[1].Append(int64(r.IntN(4)))
			bs[2].Append(r.Int64N(1 << 40))
		}
		cols := make([]arrow.Array, 3)
		for i, bl := range bs {
			cols[i] = bl.NewArray()
			bl.Release()
		}
		out = append(out, array.NewRecordBatch(s, cols, int64(n)))
		releaseArrays(cols)
		done += n
	}
	return out
}

// BenchmarkGroupByTwoInts: GROUP BY two integer columns, packed into one
// key (hashaggpack.go): 1M rows, 200k × 4 groups.
func BenchmarkGroupByTwoInts(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	in := pairBatches(mem, 1_000_000, 200_000, 5)
	aggs := []Aggregate{{Func: "count_star"}}
	benchAggregate(b, env, schemaOf(i64, i64, i64), in, 1, []expr.Expr{col(0, tI8), col(1, tI8)}, aggs, -1)
}

// benchAggregate groups in (read from parts inputs) by keys with aggs;
// groups is how many groups it must find (-1: not checked).
func benchAggregate(b *testing.B, env *executor.Env, s *arrow.Schema, in []arrow.RecordBatch, parts int, keys []expr.Expr, aggs []Aggregate, groups int64) {
	benchRows(b, groups, func() (executor.Operator, error) {
		return NewHashAggregate(env, splitBatches(s, in, parts), keys, aggs)
	})
}

// BenchmarkPercentileShared: five ordered-set aggregates of one column
// (percentile_cont over the values as double precision, percentile_disc
// over the integers, ascending and descending) on 1M rows in 2,000
// groups, from 2 inputs whose partial states merge.
func BenchmarkPercentileShared(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	in := benchBatches(mem, 1_000_000, 2_000, false, 6)
	v := expr.Column(1, tI8, "v")
	frac := func(f float64) expr.Expr { return expr.Literal(tF8, f) }
	aggs := []Aggregate{
		{Func: "percentile_cont", Args: []expr.Expr{frac(0.5), v}},
		{Func: "percentile_cont", Args: []expr.Expr{frac(0.9), v}},
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.5), v}},
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.9), v}},
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.1), v}, Desc: true},
	}
	benchAggregate(b, env, s, in, 2, []expr.Expr{col(0, tI8)}, aggs, 2_000)
}

// BenchmarkUnnestCond: LEFT JOIN LATERAL unnest(list) ON x > 900 over
// 100k rows of (id, text, list of 10 elements), about a tenth of the
// elements passing.
func BenchmarkUnnestCond(b *testing.B) {
	mem := memory.NewGoAllocator()
	r := rand.New(rand.NewPCG(7, 7))
	s := schemaOf(i64, str, arrowListI64)
	rows := make([][]any, 100_000)
	for i := range rows {
		list := make([]any, 10)
		for j := range list {
			list[j] = int64(r.IntN(1000))
		}
		rows[i] = []any{int64(i), "some text of a row " + strconv.Itoa(i), list}
	}
	var in []arrow.RecordBatch
	src := source(mem, s, rows, executor.DefaultBatchSize, false)
	if err := src.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	for {
		bt, err := src.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		in = append(in, bt)
	}
	src.Close()
	cond, err := expr.Binary(expr.OpGt, expr.Column(3, tI8, "x"), expr.Literal(tI8, int64(900)))
	if err != nil {
		b.Fatal(err)
	}
	env := testEnv(mem, 0)
	benchRows(b, -1, func() (executor.Operator, error) {
		return NewUnnest(env, NewBatches(s, in), UnnestSpec{Lists: []expr.Expr{expr.Column(2, sqltypes.ListOf(tI8), "l")}, Names: []string{"x"}, Outer: true, Cond: cond})
	})
}
