package ops

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestHashTables checks group ids against a Go map: the same key always
// gets the same id, distinct keys distinct ids, ids dense in order of
// first appearance, lookups of absent keys -1, and keyArrays round-trips.
func TestHashTables(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		name  string
		types []arrow.DataType
	}{
		{"int64", []arrow.DataType{i64}},
		{"int32", []arrow.DataType{i32}},
		{"text", []arrow.DataType{str}},
		{"int64,text", []arrow.DataType{i64, str}},
		{"float,bool", []arrow.DataType{f64, boo}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			s := schemaOf(tc.types...)
			ht, err := newHashTable(tc.types, maphash.MakeSeed())
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]int32{}
			var firsts [][]any
			for batch := range 6 {
				rows := make([][]any, 1000)
				for i := range rows {
					row := make([]any, len(tc.types))
					for c, dt := range tc.types {
						k := r.IntN(3000)
						switch dt.ID() {
						case arrow.INT64:
							row[c] = int64(k)
						case arrow.INT32:
							row[c] = int32(k)
						case arrow.STRING:
							row[c] = fmt.Sprint("key-", k)
						case arrow.FLOAT64:
							row[c] = float64(k) / 8
						case arrow.BOOL:
							row[c] = k%2 == 0
						}
						if r.IntN(50) == 0 {
							row[c] = nil
						}
					}
					rows[i] = row
				}
				b := mkBatches(mem, s, rows, len(rows), batch%2 == 1)[0]
				gids := make([]int32, len(rows))
				if batch == 5 { // lookups only
					ht.lookup(b.Columns(), gids)
				} else {
					ht.insert(b.Columns(), gids)
				}
				for i, row := range rows {
					k := fmtRow(row)
					want, ok := ids[k]
					if !ok && batch < 5 {
						want = int32(len(ids))
						ids[k] = want
						firsts = append(firsts, row)
					} else if !ok {
						want = -1
					}
					if gids[i] != want {
						t.Fatalf("batch %d row %d %v: gid %d want %d", batch, i, row, gids[i], want)
					}
				}
				b.Release()
			}
			if ht.len() != len(ids) {
				t.Fatalf("len %d want %d", ht.len(), len(ids))
			}
			keys := ht.keyArrays(mem)
			out := array.NewRecordBatch(s, keys, int64(ht.len()))
			releaseArrays(keys)
			sameOrdered(t, fmtRows(rowsOf(out)), fmtRows(firsts))
			out.Release()
		})
	}
}

func TestAppendTrueSliced(t *testing.T) {
	mem := checked(t)
	r := rand.New(rand.NewPCG(13, 14))
	bld := array.NewBooleanBuilder(mem)
	vals := make([]any, 100)
	for i := range vals {
		if r.IntN(5) == 0 {
			bld.AppendNull()
		} else {
			v := r.IntN(2) == 0
			vals[i] = v
			bld.Append(v)
		}
	}
	full := bld.NewArray()
	bld.Release()
	defer full.Release()
	for _, off := range []int{0, 1, 3, 8, 13} {
		for _, end := range []int{off, off + 1, off + 7, 64, 100} {
			if end < off {
				continue
			}
			s := array.NewSlice(full, int64(off), int64(end))
			got := appendTrue(nil, s)
			var want []int32
			for i := off; i < end; i++ {
				if vals[i] == true {
					want = append(want, int32(i-off))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("[%d:%d] got %v want %v", off, end, got, want)
			}
			s.Release()
		}
	}
}

// TestHashTableNullIgnoresValueBits: the bits under a NULL are whatever
// the kernel left there; two NULLs are one key whatever they hold, also in
// a column after the first (SELECT a, b = b ... UNION, where b is NULL).
func TestHashTableNullIgnoresValueBits(t *testing.T) {
	mem := checked(t)
	for _, dt := range []arrow.DataType{i64, boo} {
		t.Run(dt.String(), func(t *testing.T) {
			first := array.NewInt64Builder(mem)
			first.AppendValues([]int64{7, 7}, nil)
			a := first.NewArray()
			first.Release()
			defer a.Release()
			// Two NULLs over different value bits: 1 and 2, or true and false.
			valid := memory.NewResizableBuffer(mem)
			valid.Resize(1)
			valid.Bytes()[0] = 0
			vals := memory.NewResizableBuffer(mem)
			if dt.ID() == arrow.BOOL {
				vals.Resize(1)
				vals.Bytes()[0] = 0b01
			} else {
				vals.Resize(16)
				copy(vals.Bytes(), []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0})
			}
			data := array.NewData(dt, 2, []*memory.Buffer{valid, vals}, nil, 2, 0)
			valid.Release()
			vals.Release()
			b := array.MakeFromData(data)
			data.Release()
			defer b.Release()
			ht, err := newHashTable([]arrow.DataType{i64, dt}, maphash.MakeSeed())
			if err != nil {
				t.Fatal(err)
			}
			gids := make([]int32, 2)
			ht.insert([]arrow.Array{a, b}, gids)
			if gids[0] != gids[1] || ht.len() != 1 {
				t.Errorf("gids %v, %d groups; want one group for (7, NULL) twice", gids, ht.len())
			}
		})
	}
}
