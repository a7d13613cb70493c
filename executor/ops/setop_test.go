package ops

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

var setSchema = schemaOf(i64, str)

// refSetOp is the multiset reference: counts per distinct row.
func refSetOp(op SetOp, all bool, l, r [][]any) [][]any {
	lc, rc := map[string]int{}, map[string]int{}
	rowOf := map[string][]any{}
	var order []string
	for _, x := range l {
		k := fmtRow(x)
		if _, ok := rowOf[k]; !ok {
			order = append(order, k)
		}
		rowOf[k] = x
		lc[k]++
	}
	for _, x := range r {
		k := fmtRow(x)
		if _, ok := rowOf[k]; !ok {
			order = append(order, k)
		}
		rowOf[k] = x
		rc[k]++
	}
	var out [][]any
	for _, k := range order {
		m, n := lc[k], rc[k]
		copies := 0
		switch {
		case op == Union && all:
			copies = m + n
		case op == Union:
			copies = min(m+n, 1)
		case op == Intersect && all:
			copies = min(m, n)
		case op == Intersect:
			copies = min(m, n, 1)
		case all:
			copies = max(m-n, 0)
		default:
			if m > 0 && n == 0 {
				copies = 1
			}
		}
		for range copies {
			out = append(out, rowOf[k])
		}
	}
	return out
}

func randomSetRows(r *rand.Rand, n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		row := []any{int64(r.IntN(5)), fmt.Sprint("s", r.IntN(3))}
		for c := range row {
			if r.IntN(5) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

func TestSetOpRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, sz := range [][2]int{{0, 0}, {0, 6}, {6, 0}, {1, 1}, {80, 50}, {40, 200}} {
		l, rr := randomSetRows(r, sz[0]), randomSetRows(r, sz[1])
		for _, op := range []SetOp{Union, Intersect, Except} {
			for _, all := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%d/%s/all=%v", sz[0], sz[1], op, all), func(t *testing.T) {
					mem := checked(t)
					o, err := NewSetOp(testEnv(mem, 6), op, all, source(mem, setSchema, l, 7, true), source(mem, setSchema, rr, 5, false), nil)
					if err != nil {
						t.Fatal(err)
					}
					sameRows(t, mustDrain(t, o), refSetOp(op, all, l, rr))
				})
			}
		}
	}
}

func TestSetOpPostgres(t *testing.T) {
	l := [][]any{{int64(1), "a"}, {int64(1), "a"}, {int64(2), "b"}, {nil, "c"}, {nil, "c"}, {int64(3), nil}, {int64(3), nil}, {int64(3), nil}, {int64(4), "d"}}
	r := [][]any{{int64(1), "a"}, {nil, "c"}, {int64(3), nil}, {int64(3), nil}, {int64(5), "e"}, {int64(5), "e"}, {nil, nil}}
	// -- from PostgreSQL 15: select ... from (select * from l <op> select * from r) x,
	// rows sorted by a nulls last, b nulls last.
	want := map[string]string{
		"UNION":         "1|a 2|b 3|NULL 4|d 5|e NULL|c NULL|NULL",
		"UNION ALL":     "1|a 1|a 1|a 2|b 3|NULL 3|NULL 3|NULL 3|NULL 3|NULL 4|d 5|e 5|e NULL|c NULL|c NULL|c NULL|NULL",
		"INTERSECT":     "1|a 3|NULL NULL|c",
		"INTERSECT ALL": "1|a 3|NULL 3|NULL NULL|c",
		"EXCEPT":        "2|b 4|d",
		"EXCEPT ALL":    "1|a 2|b 3|NULL 4|d NULL|c",
	}
	for _, op := range []SetOp{Union, Intersect, Except} {
		for _, all := range []bool{false, true} {
			name := op.String()
			if all {
				name += " ALL"
			}
			t.Run(name, func(t *testing.T) {
				mem := checked(t)
				o, err := NewSetOp(testEnv(mem, 2), op, all, source(mem, setSchema, l, 3, false), source(mem, setSchema, r, 2, true), nil)
				if err != nil {
					t.Fatal(err)
				}
				got := mustDrain(t, o)
				sort.SliceStable(got, func(i, j int) bool {
					return lessNullsLast(got[i][0], got[j][0], got[i][1], got[j][1])
				})
				parts := make([]string, len(got))
				for i, x := range got {
					parts[i] = pgText(x[0]) + "|" + pgText(x[1])
				}
				if g := strings.Join(parts, " "); g != want[name] {
					t.Fatalf("got  %s\nwant %s", g, want[name])
				}
			})
		}
	}
}

func TestSetOpErrors(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 2)
	l, r := source(mem, setSchema, nil, 2, false), source(mem, schemaOf(i64, i64), nil, 2, false)
	defer l.Close()
	defer r.Close()
	_, err := NewSetOp(env, Union, false, l, r, nil)
	wantCode(t, err, sqltypes.CodeInternal)
	structs := schemaOf(arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int64}))
	a, b := source(mem, structs, nil, 2, false), source(mem, structs, nil, 2, false)
	defer a.Close()
	defer b.Close()
	_, err = NewSetOp(env, Intersect, false, a, b, nil)
	wantCode(t, err, sqltypes.CodeFeatureNotSupported)
	o, err := NewSetOp(env, Union, true, source(mem, setSchema, nil, 2, false), source(mem, setSchema, nil, 2, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil { // before Open, twice
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkUnion is UNION (distinct) of 2 x 500k rows (int64, int64) with
// about 600k distinct rows.
func BenchmarkUnion(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	l := benchBatches(mem, 500_000, 300_000, false, 3)
	r := benchBatches(mem, 500_000, 300_000, false, 4)
	for _, bs := range [][]arrow.RecordBatch{l, r} {
		for _, x := range bs { // values from a small domain: duplicates across sides
			v := x.Column(1).Data().Buffers()[1].Bytes()
			vals := fixedSliceOf[int64](v)
			for i := range vals {
				vals[i] %= 2
			}
		}
	}
	for _, all := range []bool{false, true} {
		b.Run(fmt.Sprintf("all=%v", all), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(1_000_000 * 16)
			for b.Loop() {
				op, err := NewSetOp(env, Union, all, NewBatches(s, l), NewBatches(s, r), nil)
				if err != nil {
					b.Fatal(err)
				}
				consume(b, op)
			}
		})
	}
}

// TestUnionOfMany: one operator over n branches gives the rows the chain
// of binary UNIONs gives (the reference applies them pairwise), empty
// branches included.
func TestUnionOfMany(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{2, 3, 7} {
		branches := make([][][]any, n)
		for i := range branches {
			branches[i] = randomSetRows(r, r.IntN(30))
		}
		branches[n/2] = nil
		for _, all := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/all=%v", n, all), func(t *testing.T) {
				mem := checked(t)
				want := branches[0]
				inputs := make([]executor.Operator, n)
				for i, rows := range branches {
					if i > 0 {
						want = refSetOp(Union, all, want, rows)
					}
					inputs[i] = source(mem, setSchema, rows, 4, i%2 == 0)
				}
				o, err := NewUnion(testEnv(mem, 4), all, nil, inputs...)
				if err != nil {
					t.Fatal(err)
				}
				sameRows(t, mustDrain(t, o), want)
			})
		}
	}
	if _, err := NewUnion(testEnv(checked(t), 1), true, nil, source(checked(t), setSchema, nil, 1, false)); err == nil {
		t.Fatal("a UNION of one input was accepted")
	}
}
