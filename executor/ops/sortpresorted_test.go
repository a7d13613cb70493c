package ops

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// TestMergePresortedMatchesStableSort: batches of keys in order, dealt
// out from 1 to 5 interleaved ascending streams (empty batches and keys
// shared between streams among them), are ordered as a stable sort by
// key orders them when mergePresorted merges them. It must merge the
// batches of up to maxPresortedChains streams of disjoint key ranges
// (row groups of a sorted file) and of one stream of overlapping ones,
// and decline a batch out of order and more streams than that.
func TestMergePresortedMatchesStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for streams := 1; streams <= 5; streams++ {
		for _, disjoint := range []bool{false, true} {
			for _, disorder := range []bool{false, true} {
				name := fmt.Sprintf("streams=%d/disjoint=%v/disorder=%v", streams, disjoint, disorder)
				t.Run(name, func(t *testing.T) {
					testMergePresorted(t, r, streams, disjoint, disorder)
				})
			}
		}
	}
}

func testMergePresorted(t *testing.T, r *rand.Rand, streams int, disjoint, disorder bool) {
	next := make([]uint64, streams) // each stream's next key
	if disjoint {
		for s := range next {
			next[s] = uint64(s) << 20
		}
	}
	var entries []sortEntry
	var starts []int
	for b := range 60 {
		s := r.IntN(streams)
		starts = append(starts, len(entries))
		for range r.IntN(40) { // 0: an empty batch
			next[s] += uint64(r.IntN(3)) // ties within and across streams
			entries = append(entries, sortEntry{key: next[s], row: int32(len(entries))})
		}
		if disorder && b == 30 && len(entries) > starts[b]+1 {
			entries[starts[b]].key += 1000
		}
	}
	want := slices.Clone(entries)
	slices.SortStableFunc(want, func(a, b sortEntry) int { return cmp.Compare(a.key, b.key) })
	got, merged := mergePresorted(slices.Clone(entries), starts)
	switch {
	case disorder || streams > maxPresortedChains && disjoint:
		if merged {
			t.Fatal("merged batches it should have left to the radix sort")
		}
	case streams == 1 || disjoint:
		if !merged {
			t.Fatal("left batches of sorted streams to the radix sort")
		}
	}
	if merged && !slices.Equal(got, want) {
		t.Fatalf("merged entries differ from the stable sort:\n got %v\nwant %v", got, want)
	}
}

// TestSortPresortedBatches sorts rows that arrive as batches of two
// interleaved streams, each ascending on the first sort key (a Parquet
// file sorted on it, read in parallel), with ties broken by a second
// key descending: the stable reference order, as from unsorted input.
func TestSortPresortedBatches(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	var rows [][]any
	var next [2]int64
	next[1] = 5000
	for range 40 {
		s := r.IntN(2)
		for range 25 {
			next[s] += int64(r.IntN(2))
			row := randomSortRows(r, 1)[0]
			row[0], row[4] = next[s], int64(len(rows))
			rows = append(rows, row)
		}
	}
	keys := []refKey{{0, false, false}, {5, true, false}}
	mem := checked(t)
	op, err := NewSort(testEnv(mem, 25), source(mem, sortSchema, rows, 25, false), sortKeysFor(keys))
	if err != nil {
		t.Fatal(err)
	}
	sameOrdered(t, fmtRows(mustDrain(t, op)), fmtRows(decimalsAsText(refSort(rows, keys))))
}

// decimalsAsText returns rows with their numeric(12,2) values printed as
// the operators' output reads them.
func decimalsAsText(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = append([]any(nil), r...)
		if d, ok := r[5].(decimal128.Num); ok {
			out[i][5] = d.ToString(2)
		}
	}
	return out
}
