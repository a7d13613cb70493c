package ops

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestDistinctCountPacked: count(DISTINCT bigint) per group, its set kept
// as packed (group, value) pairs in the partitioned pair set, counts each group's distinct non-NULL
// values: values repeated across batches and groups, NULLs, a later batch
// with values past 32 bits (the set moves to the generic table), and two
// partial sets merged with their groups renumbered.
func TestDistinctCountPacked(t *testing.T) {
	const groups = 6
	for _, wide := range []bool{false, true} {
		t.Run(fmt.Sprintf("wide=%v", wide), func(t *testing.T) {
			mem := checked(t)
			r := rand.New(rand.NewPCG(21, 22))
			seed := maphash.MakeSeed()
			want := make([]map[int64]bool, groups)
			for g := range want {
				want[g] = map[int64]bool{}
			}
			var parts [2]*distinctAcc
			for p := range parts {
				a, err := newDistinctAcc(mem, &countAcc{}, []arrow.DataType{arrow.PrimitiveTypes.Int64}, false, seed)
				if err != nil {
					t.Fatal(err)
				}
				if a.pairs == nil {
					t.Fatal("count(DISTINCT bigint) does not start in the pair set")
				}
				parts[p] = a
				for batch := range 4 {
					n := 1 + r.IntN(200)
					gids := make([]int32, n)
					b := array.NewInt64Builder(mem)
					for i := range n {
						gids[i] = int32(r.IntN(groups+1)) - 1
						v := int64(r.IntN(50) - 25)
						if wide && p == 1 && batch == 2 && i%3 == 0 {
							v += 1 << 40
						}
						if r.IntN(12) == 0 {
							b.AppendNull()
							continue
						}
						b.Append(v)
						if g := gids[i]; g >= 0 {
							if p == 1 {
								g = groups - 1 - g // part 1's groups, merged
							}
							want[g][v] = true
						}
					}
					vals := b.NewArray()
					b.Release()
					a.grow(groups)
					if err := a.update(gids, []arrow.Array{vals}); err != nil {
						t.Fatal(err)
					}
					vals.Release()
				}
			}
			if wide && parts[1].pairs != nil {
				t.Error("values past 32 bits stayed in the pair set")
			}
			gmap := make([]int32, groups)
			for g := range gmap {
				gmap[g] = int32(groups - 1 - g)
			}
			if err := parts[0].merge(parts[1], gmap); err != nil {
				t.Fatal(err)
			}
			out, err := parts[0].finish(mem)
			if err != nil {
				t.Fatal(err)
			}
			got := fixedVals[int64](out)
			for g := range groups {
				if got[g] != int64(len(want[g])) {
					t.Errorf("group %d: %d distinct values, want %d", g, got[g], len(want[g]))
				}
			}
			out.Release()
			parts[0].release()
		})
	}
}
