package ops

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// BenchmarkHashJoinProbeFilter: 1M probe rows through a filter that
// keeps pct% of them into an inner join with 100k build rows (the shape
// of TPC-H Q3's lineitem under its date filter).
func BenchmarkHashJoinProbeFilter(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	build := benchBatches(mem, 100_000, 100_000, false, 1)
	probe := benchBatches(mem, 1_000_000, 200_000, false, 2)
	s := schemaOf(i64, i64)
	key := []expr.Expr{expr.Column(0, tI8, "k")}
	for _, pct := range []int64{10, 50, 90} {
		b.Run("keep="+strconv.FormatInt(pct, 10)+"%", func(b *testing.B) {
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

// BenchmarkHashJoinTwoKeys: an inner join on two integer columns (TPC-H
// Q9's partsupp on part and supplier), 800k build rows, 300k probe rows,
// with the build on workers goroutines.
func BenchmarkHashJoinTwoKeys(b *testing.B) {
	mem := memory.NewGoAllocator()
	build := pairBatches(mem, 800_000, 200_000, 1)
	probe := pairBatches(mem, 300_000, 200_000, 2)
	s := schemaOf(i64, i64, i64)
	keys := []expr.Expr{col(0, tI8), col(1, tI8)}
	for _, workers := range []int{1, 2} {
		env := testEnv(mem, 0)
		env.Workers = workers
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				op, err := NewHashJoin(env, HashJoinSpec{Type: InnerJoin, Probe: NewBatches(s, probe), Build: NewBatches(s, build), ProbeKeys: keys, BuildKeys: keys})
				if err != nil {
					b.Fatal(err)
				}
				consume(b, op)
			}
		})
	}
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
