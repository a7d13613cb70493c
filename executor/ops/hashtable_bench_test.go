package ops

import (
	"hash/maphash"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
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
