package ops

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/internal/cputime"
	"github.com/meshql/meshql/sqltypes"
)

var tJSONB = sqltypes.TypeJSONB

// jsonbSorted are jsonb values (normalized text) in PostgreSQL 15's order
// (ORDER BY the jsonb, equal values in this order).
var jsonbSorted = []string{`[]`, `null`, `""`, `"a"`, `"é"`, `-10`, `-1.5`, `0`, `1`, `1.0`, `1.00`, `10`,
	`false`, `true`, `[null]`, `[1]`, `[1.0]`, `[2]`, `[[]]`, `[1, 2]`, `{}`, `{"a": 1}`, `{"b": 1}`, `{"a": 1, "b": 2}`}

// jsonbRows are vals with their index, shuffled, and a NULL.
func jsonbRows(vals []string) [][]any {
	rows := make([][]any, 0, len(vals)+1)
	for i := range vals {
		j := (i * 7) % len(vals)
		rows = append(rows, []any{vals[j], int64(j)})
	}
	return append(rows, []any{nil, int64(len(vals))})
}

func TestSortJSONBFollowsPostgreSQL(t *testing.T) {
	for _, desc := range []bool{false, true} {
		mem := checked(t)
		env := testEnv(mem, 5)
		rows := jsonbRows(jsonbSorted)
		keys := []SortKey{{Expr: col(0, tJSONB), Desc: desc, NullsFirst: desc}, {Expr: col(1, tI8)}}
		op, err := NewSort(env, source(mem, schemaOf(str, i64), rows, 4, true), keys)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range mustDrain(t, op) {
			got = append(got, fmt.Sprint(r[0]))
		}
		want := append([]string{}, jsonbSorted...)
		want = append(want, "<nil>")
		if desc {
			// Descending: equal values keep the ascending tie-breaker.
			want = []string{"<nil>", `{"a": 1, "b": 2}`, `{"b": 1}`, `{"a": 1}`, `{}`, `[1, 2]`, `[[]]`, `[2]`, `[1]`, `[1.0]`, `[null]`,
				`true`, `false`, `10`, `1`, `1.0`, `1.00`, `0`, `-1.5`, `-10`, `"é"`, `"a"`, `""`, `null`, `[]`}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("desc=%v:\ngot  %s\nwant %s", desc, strings.Join(got, " "), strings.Join(want, " "))
		}
	}
}

func TestTopNJSONB(t *testing.T) {
	mem := checked(t)
	op, err := NewTopN(testEnv(mem, 3), source(mem, schemaOf(str, i64), jsonbRows(jsonbSorted), 4, false),
		[]SortKey{{Expr: col(0, tJSONB), Desc: true, NullsFirst: true}, {Expr: col(1, tI8), Desc: true}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	sameOrdered(t, fmtRows(mustDrain(t, op)), fmtRows([][]any{{nil, int64(24)}, {`{"a": 1, "b": 2}`, int64(23)}, {`{"b": 1}`, int64(22)}}))
}

// Equal jsonb values of different text (1, 1.0, 1.00) are one group, one
// DISTINCT value and one join key, also across parallel inputs and spills;
// a group keeps the first text seen.
func TestJSONBKeysGroupByValue(t *testing.T) {
	vals := []any{`1`, `1.0`, `[1.50, {"a": 2}]`, `1.00`, nil, `[1.5, {"a": 2.0}]`, `"1"`, `{"a": [0.10]}`, `{"a": [0.1]}`, nil}
	var rows [][]any
	for i, v := range vals {
		rows = append(rows, []any{v, int64(i)})
	}
	want := [][]any{{`1`, int64(3)}, {`[1.50, {"a": 2}]`, int64(2)}, {nil, int64(2)}, {`"1"`, int64(1)}, {`{"a": [0.10]}`, int64(2)}}
	for _, budget := range []int64{0, 64} {
		t.Run(fmt.Sprintf("budget=%d", budget), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 2)
			if budget > 0 {
				env = spillEnv(t, mem, 2, budget)
			}
			op, err := NewHashAggregate(env, []executor.Operator{source(mem, schemaOf(str, i64), rows, 3, true)},
				[]expr.Expr{col(0, tJSONB)}, []Aggregate{{Func: "count_star"}})
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, mustDrain(t, op), want)
			if budget > 0 && env.Budget.Spilled() == 0 {
				t.Error("the aggregate did not spill")
			}
		})
	}
	t.Run("parallel", func(t *testing.T) {
		mem := checked(t)
		env := testEnv(mem, 2)
		op, err := NewHashAggregate(env, []executor.Operator{source(mem, schemaOf(str, i64), rows[:5], 2, false), source(mem, schemaOf(str, i64), rows[5:], 2, false)},
			[]expr.Expr{col(0, tJSONB)}, []Aggregate{{Func: "count_star"}, {Func: "count", Args: []expr.Expr{col(0, tJSONB)}, Distinct: true}})
		if err != nil {
			t.Fatal(err)
		}
		got := mustDrain(t, op)
		if len(got) != 5 {
			t.Fatalf("got %d groups, want 5: %v", len(got), got)
		}
	})
	t.Run("count distinct", func(t *testing.T) {
		mem := checked(t)
		op, err := NewHashAggregate(testEnv(mem, 4), []executor.Operator{source(mem, schemaOf(str, i64), rows, 3, false)},
			nil, []Aggregate{{Func: "count", Args: []expr.Expr{col(0, tJSONB)}, Distinct: true}})
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, mustDrain(t, op), [][]any{{int64(4)}})
	})
	t.Run("union", func(t *testing.T) {
		mem := checked(t)
		op, err := NewSetOp(testEnv(mem, 2), Union, false, source(mem, schemaOf(str, i64), rows[:4], 2, false),
			source(mem, schemaOf(str, i64), [][]any{{`1.000`, int64(0)}, {`1`, int64(1)}}, 2, false), []sqltypes.Type{tJSONB, tI8})
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, mustDrain(t, op), [][]any{{`1`, int64(0)}, {`1.0`, int64(1)}, {`[1.50, {"a": 2}]`, int64(2)}, {`1.00`, int64(3)}})
	})
	t.Run("join", func(t *testing.T) {
		mem := checked(t)
		build := source(mem, schemaOf(str, i64), [][]any{{`1.0`, int64(100)}, {`{"a": [0.1]}`, int64(200)}, {nil, int64(300)}}, 2, false)
		probe := source(mem, schemaOf(str, i64), rows, 3, true)
		op, err := NewHashJoin(testEnv(mem, 3), HashJoinSpec{Type: InnerJoin, Probe: probe, Build: build,
			ProbeKeys: []expr.Expr{col(0, tJSONB)}, BuildKeys: []expr.Expr{col(0, tJSONB)}})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]any
		for _, r := range mustDrain(t, op) {
			got = append(got, []any{r[1], r[3]})
		}
		sameRows(t, got, [][]any{{int64(0), int64(100)}, {int64(1), int64(100)}, {int64(3), int64(100)}, {int64(7), int64(200)}, {int64(8), int64(200)}})
	})
}

// BenchmarkJSONBKeys groups and sorts 200k small documents
// ({"amount": n.nn, "cur": "EUR"}) as jsonb and, for comparison, as text.
// Grouping also reports the CPU time it took (cpu-ns/op), which other
// work on the machine skews less than the wall time.
func BenchmarkJSONBKeys(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(str)
	r := rand.New(rand.NewPCG(9, 9))
	var in []arrow.RecordBatch
	const rows = 200_000
	for done := 0; done < rows; done += executor.DefaultBatchSize {
		sb := array.NewStringBuilder(mem)
		for range min(executor.DefaultBatchSize, rows-done) {
			sb.Append(fmt.Sprintf(`{"cur": "EUR", "amount": %d.%02d}`, r.IntN(1000), r.IntN(100)))
		}
		a := sb.NewArray()
		in = append(in, array.NewRecordBatch(s, []arrow.Array{a}, int64(a.Len())))
		a.Release()
		sb.Release()
	}
	doc := expr.Column(0, tJSONB, "doc")
	for _, k := range []expr.Expr{doc, expr.Column(0, tTxt, "text")} {
		b.Run("group/"+k.Type().String(), func(b *testing.B) {
			b.ReportAllocs()
			start, n := cputime.Process(), 0
			for b.Loop() {
				op, _ := NewHashAggregate(env, []executor.Operator{NewBatches(s, in)}, []expr.Expr{k}, []Aggregate{{Func: "count_star"}})
				consume(b, op)
				n++
			}
			b.ReportMetric(float64(cputime.Process()-start)/float64(n), "cpu-ns/op")
		})
		b.Run("sort/"+k.Type().String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				op, _ := NewSort(env, NewBatches(s, in), []SortKey{{Expr: k}})
				consume(b, op)
			}
		})
	}
}

// TestJSONBKeyEncodingReusesBuffers checks that the jsonb key store
// encodes each batch's sort keys in the buffers of the batch before:
// hashing jsonb keys allocates nothing per batch once warm.
func TestJSONBKeyEncodingReusesBuffers(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	mem := checked(t)
	batch := func(base int) arrow.Array {
		sb := array.NewStringBuilder(mem)
		defer sb.Release()
		for i := range 500 {
			sb.Append(fmt.Sprintf(`{"cur": "EUR", "amount": %d.50}`, base+i))
		}
		return sb.NewArray()
	}
	a, b := batch(0), batch(1000)
	defer a.Release()
	defer b.Release()
	k, err := newKeyColumn(keyArrowType(tJSONB), maphash.MakeSeed())
	if err != nil {
		t.Fatal(err)
	}
	h := make([]uint64, a.Len())
	k.hash(a, h, true)
	if allocs := testing.AllocsPerRun(20, func() {
		k.hash(b, h, true)
		k.hash(a, h, true)
	}); allocs != 0 {
		t.Errorf("hashing two batches of jsonb keys in turn: %v allocations, want 0", allocs)
	}
}
