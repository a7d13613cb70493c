package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
)

// TestPairSetMatchesMap fills two pair sets with far more pairs than a
// partition inserts at once (so partitions insert several times and
// their tables double), the pair 0 and negative values among them, and
// merges one into the other with its groups renumbered (two groups onto
// one, one dropped): the set holds each pair once, its counts per group
// are those of a map, and the NULL groups follow the renumbering.
func TestPairSetMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	const groups = 40
	pack := func(g int32, v int32) int64 { return int64(uint64(uint32(g))<<32 | uint64(uint32(v))) }
	want := map[int64]bool{}
	var sets [2]pairSet
	gmap := make([]int32, groups)
	for g := range gmap {
		gmap[g] = int32(g) / 2 // pairs 2k and 2k+1 merge into k
	}
	gmap[groups-1] = -1
	for s := range sets {
		for range 300 {
			batch := make([]int64, 2000)
			for i := range batch {
				g, v := int32(r.IntN(groups)), int32(r.IntN(150000)-75000)
				if r.IntN(50) == 0 {
					v = 0
				}
				batch[i] = pack(g, v)
				if s == 1 {
					if g = gmap[g]; g < 0 {
						continue
					}
				}
				want[pack(g, v)] = true
			}
			sets[s].add(batch)
		}
		sets[s].markNull(int32(3 + s))
	}
	sets[0].mergeFrom(&sets[1], gmap)
	got := map[int64]bool{}
	sets[0].flushAll()
	sets[0].each(func(k int64) {
		if got[k] {
			t.Fatalf("pair %x twice in the set", k)
		}
		got[k] = true
	})
	if len(got) != len(want) {
		t.Fatalf("%d pairs, want %d", len(got), len(want))
	}
	for k := range want {
		if !got[k] {
			t.Fatalf("pair %x missing", k)
		}
	}
	counts := make([]int64, groups)
	sets[0].countInto(counts)
	wantCounts := make([]int64, groups)
	for k := range want {
		wantCounts[k>>32]++
	}
	for g := range counts {
		if counts[g] != wantCounts[g] {
			t.Errorf("group %d: %d pairs, want %d", g, counts[g], wantCounts[g])
		}
	}
	mem := checked(t)
	keys := sets[0].keyArrays(mem, arrow.PrimitiveTypes.Int64)
	defer releaseArrays(keys)
	nullGroups := map[int32]bool{}
	for i, g := range fixedVals[int32](keys[0]) {
		if keys[1].IsNull(i) {
			nullGroups[g] = true
		}
	}
	if len(nullGroups) != 2 || !nullGroups[3] || !nullGroups[gmap[4]] {
		t.Errorf("NULL values in groups %v, want 3 and %d", nullGroups, gmap[4])
	}
	if n := keys[0].Len(); n != len(want)+2 {
		t.Errorf("%d key rows, want %d pairs and 2 NULLs", n, len(want))
	}
}

// TestHashAggDistinctPairsMatchReference: DISTINCT aggregates over the
// integer and numeric columns (kept in pair sets) with NULL values,
// grouped by many keys or none, from one input or three merged: the
// same answers as the row-at-a-time reference, and a set that moves to
// the hash table mid-way (values past 32 bits in one input) gives them
// too.
func TestHashAggDistinctPairsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	aggs := []refAgg{
		{fn: "count", col: 2, distinct: true}, {fn: "sum", col: 2, distinct: true},
		{fn: "count", col: 7, distinct: true}, {fn: "avg", col: 6, distinct: true},
		{fn: "array_agg", col: 2, distinct: true}, {fn: "count", col: 6, distinct: true},
		{fn: "count", col: 0, distinct: true, filter: true}, {fn: "count_star"},
	}
	for _, wide := range []bool{false, true} {
		rows := randomAggRows(r, 4000, 700)
		if wide {
			for i := 2000; i < 2100; i++ {
				if rows[i][2] != nil {
					rows[i][2] = rows[i][2].(int64) << 33
				}
			}
		}
		for _, keys := range [][]int{{}, {0}, {1, 0}} {
			for _, inputs := range []int{1, 3} {
				t.Run(fmt.Sprintf("wide=%v/keys=%v/inputs=%d", wide, keys, inputs), func(t *testing.T) {
					mem := checked(t)
					var ins []executor.Operator
					for p := range inputs {
						chunk := rows[p*len(rows)/inputs : (p+1)*len(rows)/inputs]
						ins = append(ins, source(mem, aggSchema, chunk, 64, p%2 == 1))
					}
					sameRows(t, runAgg(t, testEnv(mem, 64), ins, keys, aggs), refGroupBy(rows, keys, aggs))
				})
			}
		}
	}
}

// TestHashAggDistinctPairsReserved: the pair set's memory is reserved
// from the query's budget as it grows (not its arguments' bytes, which
// count every duplicate): a count(DISTINCT) without group keys, which
// has nothing to spill, fails with 53200 under a budget smaller than its
// set, and one whose set fits reserves at least the set's bytes.
func TestHashAggDistinctPairsReserved(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	const n = 60000
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(i), "k", int64(r.IntN(n)), 0.0, true, "s", decimal128.FromI64(1), int32(i), ","}
	}
	run := func(limit int64) (peak, set int64, err error) {
		mem := checked(t)
		env := testEnv(mem, 1000)
		env.Budget = membudget.New(membudget.Options{Limit: limit, TempDir: t.TempDir()})
		defer env.Budget.Close()
		op, err := NewHashAggregate(env, []executor.Operator{source(mem, aggSchema, rows, 1000, false)}, nil,
			[]Aggregate{refAgg{fn: "count", col: 2, distinct: true}.aggregate()})
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, op)
		if err == nil && (len(got) != 1 || got[0][0] != refValue(refAgg{fn: "count", col: 2, distinct: true}, rows)) {
			t.Errorf("count(DISTINCT) = %v", got)
		}
		return env.Budget.Peak(), pairSetBytes(rows), err
	}
	peak, set, err := run(64 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if peak < set {
		t.Errorf("peak reservation %d bytes, below the pair set's %d", peak, set)
	}
	if _, _, err := run(set / 2); err == nil {
		t.Errorf("a %d-byte pair set fit a budget of %d", set, set/2)
	} else {
		wantCode(t, err, "53200")
	}
}

// pairSetBytes is the size of the pair set of count(DISTINCT col 2) over
// rows in one group.
func pairSetBytes(rows [][]any) int64 {
	var s pairSet
	ks := make([]int64, 0, len(rows))
	for _, r := range rows {
		ks = append(ks, int64(uint32(r[2].(int64))))
	}
	s.add(ks)
	s.flushAll()
	return s.bytes()
}
