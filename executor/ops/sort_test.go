package ops

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// refCmp compares two Go values of one column as PostgreSQL orders them
// (ascending, non-NULL).
func refCmp(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmp.Compare(x, b.(int64))
	case int32:
		return cmp.Compare(x, b.(int32))
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		y := b.(bool)
		if x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	case float64:
		y := b.(float64)
		switch {
		case math.IsNaN(x) && math.IsNaN(y):
			return 0
		case math.IsNaN(x):
			return 1
		case math.IsNaN(y):
			return -1
		}
		return cmp.Compare(x, y)
	case decimal128.Num:
		return x.Cmp(b.(decimal128.Num))
	}
	panic("refCmp")
}

type refKey struct {
	col              int
	desc, nullsFirst bool
}

func refSort(rows [][]any, keys []refKey) [][]any {
	out := append([][]any(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool {
		for _, k := range keys {
			a, b := out[i][k.col], out[j][k.col]
			var c int
			switch {
			case a == nil && b == nil:
				c = 0
			case a == nil:
				c = 1
				if k.nullsFirst {
					c = -1
				}
			case b == nil:
				c = -1
				if k.nullsFirst {
					c = 1
				}
			default:
				c = refCmp(a, b)
				if k.desc {
					c = -c
				}
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	return out
}

var sortSchema = schemaOf(i64, str, f64, boo, i64, &arrow.Decimal128Type{Precision: 12, Scale: 2})
var sortTypes = []sqltypes.Type{tI8, tTxt, tF8, tB, tI8, sqltypes.NumericType(12, 2)}

// randomSortRows: int key with duplicates and NULLs, text, floats with
// NaN and -0, bools, a unique sequence number (checks stability), decimals.
func randomSortRows(r *rand.Rand, n int) [][]any {
	words := []string{"", "a", "a\x00", "ab", "b", "B", "äx", "zz"}
	floats := []float64{math.NaN(), math.Copysign(0, -1), 0, -1.5, 2.25, math.Inf(1), math.Inf(-1)}
	rows := make([][]any, n)
	for i := range rows {
		row := []any{int64(r.IntN(7) - 3), words[r.IntN(len(words))], floats[r.IntN(len(floats))], r.IntN(2) == 0, int64(i), decimal128.FromI64(int64(r.IntN(2001) - 1000))}
		for c := range row {
			if c != 4 && r.IntN(6) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

func sortKeysFor(keys []refKey) []SortKey {
	out := make([]SortKey, len(keys))
	for i, k := range keys {
		out[i] = SortKey{Expr: col(k.col, sortTypes[k.col]), Desc: k.desc, NullsFirst: k.nullsFirst}
	}
	return out
}

var sortKeyCases = [][]refKey{
	{{0, false, false}},
	{{0, true, true}},
	{{0, true, false}},
	{{1, false, false}, {0, true, true}},
	{{2, false, false}},
	{{2, true, false}},
	{{3, false, true}, {5, true, true}},
	{{5, false, false}},
	{{5, true, false}, {0, false, false}},
	{{2, true, true}, {5, false, true}},
	{{1, true, true}, {2, false, true}, {0, false, false}},
}

func TestSortRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 200} {
		rows := randomSortRows(r, n)
		for ki, keys := range sortKeyCases {
			t.Run(fmt.Sprintf("n=%d/keys=%d", n, ki), func(t *testing.T) {
				mem := checked(t)
				env := testEnv(mem, 16)
				op, err := NewSort(env, source(mem, sortSchema, rows, 13, n%2 == 1), sortKeysFor(keys))
				if err != nil {
					t.Fatal(err)
				}
				got := mustDrain(t, op)
				in := mkBatch(mem, sortSchema, rows) // values as Arrow shows them
				shown := rowsOf(in)
				in.Release()
				var want [][]any
				for _, r := range refSort(rows, keys) {
					want = append(want, shown[r[4].(int64)])
				}
				sameOrdered(t, fmtRows(got), fmtRows(want))
			})
		}
	}
}

func TestSortLiteral(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 2)
	rows := [][]any{{int64(2), "b"}, {nil, "n1"}, {int64(1), "a"}, {int64(2), "b2"}, {nil, "n2"}, {int64(-5), "m"}}
	s := schemaOf(i64, str)
	cases := []struct {
		key  SortKey
		want []string
	}{
		{SortKey{Expr: col(0, tI8)}, []string{"m", "a", "b", "b2", "n1", "n2"}},
		{SortKey{Expr: col(0, tI8), Desc: true, NullsFirst: true}, []string{"n1", "n2", "b", "b2", "a", "m"}},
		{SortKey{Expr: col(0, tI8), NullsFirst: true}, []string{"n1", "n2", "m", "a", "b", "b2"}},
		{SortKey{Expr: col(0, tI8), Desc: true}, []string{"b", "b2", "a", "m", "n1", "n2"}},
	}
	for _, tc := range cases {
		op, err := NewSort(env, source(mem, s, rows, 4, true), []SortKey{tc.key})
		if err != nil {
			t.Fatal(err)
		}
		got := mustDrain(t, op)
		var names []string
		for _, r := range got {
			names = append(names, r[1].(string))
		}
		if strings.Join(names, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%+v: got %v want %v", tc.key, names, tc.want)
		}
	}
	_, err := NewSort(env, nil, []SortKey{{Expr: col(0, sqltypes.ListOf(sqltypes.TypeJSON))}})
	wantCode(t, err, sqltypes.CodeUndefinedFunction)
}

func TestTopNMatchesSortLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 50, 300} {
		rows := randomSortRows(r, n)
		for _, keys := range sortKeyCases {
			for _, limit := range []int64{0, 1, 3, 17, 64, 1000} {
				mem := checked(t)
				env := testEnv(mem, 8)
				op, err := NewTopN(env, source(mem, sortSchema, rows, 9, limit%2 == 1), sortKeysFor(keys), limit)
				if err != nil {
					t.Fatal(err)
				}
				got := mustDrain(t, op)
				so, _ := NewSort(env, source(mem, sortSchema, rows, 11, false), sortKeysFor(keys))
				want := mustDrain(t, NewLimit(so, 0, limit))
				sameOrdered(t, fmtRows(got), fmtRows(want))
			}
		}
	}
}

func TestTopNCompaction(t *testing.T) {
	// Many batches whose best rows arrive last force compactions.
	mem := checked(t)
	env := testEnv(mem, 4)
	var rows [][]any
	for i := 200; i > 0; i-- {
		rows = append(rows, []any{int64(i)})
	}
	op, _ := NewTopN(env, source(mem, schemaOf(i64), rows, 4, false), []SortKey{{Expr: col(0, tI8)}}, 5)
	got := mustDrain(t, op)
	sameOrdered(t, fmtRows(got), fmtRows(intRows(1, 2, 3, 4, 5)))
}

// TestSortRunsByValue sorts rows by an integer key with many ties and then
// by a second integer or numeric key without NULLs, ascending and
// descending (the runs sorted on the second key's values), against a
// stable sort of the same values.
func TestSortRunsByValue(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	mem := checked(t)
	for _, n := range []int{300, 5000} {
		first := make([]int64, n)
		decs := make([]decimal128.Num, n)
		i64s := make([]int64, n)
		i32s := make([]int32, n)
		for i := range n {
			first[i] = int64(r.IntN(n/6+1)) - 20 // runs of ~6 rows, and one long run when n is small
			if n < 1000 && r.IntN(3) == 0 {
				first[i] = 7
			}
			// Numerics past 64 bits, negative and positive, with ties.
			decs[i] = decimal128.FromI64(int64(r.IntN(9) - 4)).Mul(decimal128.FromU64(1 << 62)).Add(decimal128.FromI64(int64(r.IntN(5) - 2)))
			i64s[i] = int64(r.IntN(11)-5) << 40
			i32s[i] = int32(r.IntN(11) - 5)
		}
		seconds := []struct {
			name string
			arr  arrow.Array
			cmp  func(a, b int) int
		}{
			{"numeric", fixedArray(mem, &arrow.Decimal128Type{Precision: 38, Scale: 2}, decs, nil), func(a, b int) int { return decs[a].Cmp(decs[b]) }},
			{"int64", fixedArray(mem, arrow.PrimitiveTypes.Int64, i64s, nil), func(a, b int) int { return cmp.Compare(i64s[a], i64s[b]) }},
			{"int32", fixedArray(mem, arrow.PrimitiveTypes.Int32, i32s, nil), func(a, b int) int { return cmp.Compare(i32s[a], i32s[b]) }},
		}
		firstArr := fixedArray(mem, arrow.PrimitiveTypes.Int64, first, nil)
		for _, sec := range seconds {
			for _, desc := range []bool{false, true} {
				t.Run(fmt.Sprintf("n=%d/%s/desc=%v", n, sec.name, desc), func(t *testing.T) {
					got, err := sortRows([]arrow.Array{firstArr, sec.arr}, []SortKey{{}, {Desc: desc, NullsFirst: desc}}, n)
					if err != nil {
						t.Fatal(err)
					}
					want := make([]int32, n)
					for i := range want {
						want[i] = int32(i)
					}
					sort.SliceStable(want, func(i, j int) bool {
						a, b := int(want[i]), int(want[j])
						if c := cmp.Compare(first[a], first[b]); c != 0 {
							return c < 0
						}
						c := sec.cmp(a, b)
						if desc {
							c = -c
						}
						return c < 0
					})
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("position %d: row %d, want row %d", i, got[i], want[i])
						}
					}
				})
			}
			sec.arr.Release()
		}
		firstArr.Release()
	}
}
