package ops

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestHashTables checks group ids against a Go map: the same key always
// gets the same id, distinct keys distinct ids, ids dense in order of
// first appearance, lookups of absent keys -1, and keyArrays round-trips.
func TestHashTables(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	dec := &arrow.Decimal128Type{Precision: 38, Scale: 2}
	// Grouping tables (newGroupTable) pack integer and numeric keys
	// while they fit: NULLs (in two columns) and values too wide for
	// the packing appear from batch wideFrom on, so the first batches
	// run packed and the later ones after the move to the generic table
	// (batch 5 only looks up: absent wide keys while packed).
	cases := []struct {
		name     string
		types    []arrow.DataType
		group    bool
		wideFrom int
	}{
		{"int64", []arrow.DataType{i64}, false, 0},
		{"int32", []arrow.DataType{i32}, false, 0},
		{"text", []arrow.DataType{str}, false, 0},
		{"int64,text", []arrow.DataType{i64, str}, false, 0},
		{"float,bool", []arrow.DataType{f64, boo}, false, 0},
		{"group int64,numeric", []arrow.DataType{i64, dec}, true, 2},
		{"group int32,int64", []arrow.DataType{i32, i64}, true, 3},
		{"group numeric,date", []arrow.DataType{dec, arrow.FixedWidthTypes.Date32}, true, 2},
		{"group numeric", []arrow.DataType{dec}, true, 3},
		{"group numeric packed", []arrow.DataType{dec}, true, 5},
		{"group int64,int64 packed", []arrow.DataType{i64, i64}, true, 5},
		{"group int64,numeric wide at once", []arrow.DataType{i64, dec}, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			s := schemaOf(tc.types...)
			newTable := newHashTable
			if tc.group {
				newTable = newGroupTable
			}
			ht, err := newTable(tc.types, maphash.MakeSeed())
			if err != nil {
				t.Fatal(err)
			}
			if pt, ok := ht.(*packTable); ok != tc.group {
				t.Fatalf("table %T", ht)
			} else if ok {
				defer func() {
					if packed := pt.gen == nil; packed != (tc.wideFrom >= 5) {
						t.Errorf("packed at the end: %v", packed)
					}
				}()
			}
			ids := map[string]int32{}
			var firsts [][]any
			for batch := range 6 {
				rows := make([][]any, 1000)
				for i := range rows {
					row := make([]any, len(tc.types))
					wide := tc.group && batch >= tc.wideFrom && r.IntN(20) == 0
					for c, dt := range tc.types {
						k := r.IntN(3000)
						if tc.group {
							k -= 1500 // negatives pack too
						}
						switch dt.ID() {
						case arrow.INT64:
							row[c] = int64(k)
							if wide {
								row[c] = int64(k) << 33
							}
						case arrow.INT32:
							row[c] = int32(k)
						case arrow.DATE32:
							row[c] = arrow.Date32(k)
						case arrow.DECIMAL128:
							row[c] = decimal128.FromI64(int64(k))
							if wide {
								row[c] = decimal128.New(int64(k), 7) // beyond 64 bits
							}
						case arrow.STRING:
							row[c] = fmt.Sprint("key-", k)
						case arrow.FLOAT64:
							row[c] = float64(k) / 8
						case arrow.BOOL:
							row[c] = k%2 == 0
						}
						if r.IntN(50) == 0 && (!tc.group || batch >= tc.wideFrom || len(tc.types) == 1) {
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
						shown := append([]any(nil), row...)
						for c, v := range shown {
							if d, ok := v.(decimal128.Num); ok {
								shown[c] = d.ToString(dec.Scale) // as rowsOf shows it
							}
						}
						firsts = append(firsts, shown)
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
