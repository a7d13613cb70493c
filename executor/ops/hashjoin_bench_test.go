package ops

import (
	"hash/maphash"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// BenchmarkHashTablePairLookup looks up 1M rows of two int64 keys (the
// key column twice: about half the rows match) in a table of 100k keys,
// in the specialized pair table and in the generic table that held such
// keys before.
func BenchmarkHashTablePairLookup(b *testing.B) {
	mem := memory.NewGoAllocator()
	build := benchBatches(mem, 100_000, 100_000, false, 1)
	probe := benchBatches(mem, 1_000_000, 200_000, false, 2)
	types := []arrow.DataType{i64, i64}
	tables := map[string]func() hashTable{
		"pair":    func() hashTable { return newPairTable(i64, i64) },
		"generic": func() hashTable { t, _ := newGenTable(types, maphash.MakeSeed()); return t },
	}
	for _, name := range []string{"pair", "generic"} {
		b.Run("table="+name, func(b *testing.B) {
			t := tables[name]()
			var gids []int32
			for _, bb := range build {
				gids = growTo(gids[:0], int(bb.NumRows()))[:bb.NumRows()]
				t.insert(pairCols(bb), gids)
			}
			b.ReportAllocs()
			b.SetBytes(1_000_000 * 16)
			for b.Loop() {
				for _, pb := range probe {
					gids = growTo(gids[:0], int(pb.NumRows()))[:pb.NumRows()]
					t.lookup(pairCols(pb), gids)
				}
			}
		})
	}
}

func pairCols(b arrow.RecordBatch) []arrow.Array { return []arrow.Array{b.Column(0), b.Column(0)} }

// BenchmarkParallelHashJoin joins 1M probe rows split into streams with
// 100k build rows built once (ParallelHashJoin), the streams' joins run
// in their own goroutines by a Gather.
func BenchmarkParallelHashJoin(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	build := benchBatches(mem, 100_000, 100_000, false, 1)
	probe := benchBatches(mem, 1_000_000, 200_000, false, 2)
	s := schemaOf(i64, i64)
	for _, streams := range []int{1, 2, 4} {
		b.Run("streams="+strconv.Itoa(streams), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(1_100_000 * 16))
			for b.Loop() {
				var probes []executor.Operator
				per := (len(probe) + streams - 1) / streams
				for p := range streams {
					probes = append(probes, NewBatches(s, probe[min(p*per, len(probe)):min((p+1)*per, len(probe))]))
				}
				pj, err := NewParallelHashJoin(env, HashJoinSpec{
					Type: InnerJoin, Build: NewBatches(s, build),
					ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)},
				}, probes)
				if err != nil {
					b.Fatal(err)
				}
				consume(b, NewGather(env, pj.Joins))
			}
		})
	}
}
