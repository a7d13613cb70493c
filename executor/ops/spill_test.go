package ops

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// spillEnv is testEnv with a memory budget of limit bytes whose spill
// folder is a test temp dir; the cleanup checks the folder was emptied
// (operators remove their files on Close) and closes the budget.
func spillEnv(t *testing.T, mem memory.Allocator, batch int, limit int64) *executor.Env {
	t.Helper()
	dir := t.TempDir()
	b := membudget.New(membudget.Options{Limit: limit, TempDir: dir})
	t.Cleanup(func() {
		if d := b.Dir(); d != "" {
			if left, _ := os.ReadDir(d); len(left) > 0 {
				t.Errorf("%d spill files left behind after Close", len(left))
			}
		}
		b.Close()
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("spill folder not removed by Budget.Close")
		}
	})
	env := testEnv(mem, batch)
	env.Budget = b
	return env
}

func TestSortSpillMatchesInMemory(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rows := randomSortRows(r, 1200)
	for ki, keys := range sortKeyCases {
		t.Run(fmt.Sprintf("keys=%d", ki), func(t *testing.T) {
			mem := checked(t)
			env := spillEnv(t, mem, 64, 8<<10)
			op, err := NewSort(env, source(mem, sortSchema, rows, 50, ki%2 == 1), sortKeysFor(keys))
			if err != nil {
				t.Fatal(err)
			}
			got := mustDrain(t, op)
			if env.Budget.Spilled() == 0 {
				t.Fatal("the sort did not spill; shrink the budget")
			}
			ref, _ := NewSort(testEnv(mem, 64), source(mem, sortSchema, rows, 50, false), sortKeysFor(keys))
			want := mustDrain(t, ref)
			sameOrdered(t, fmtRows(got), fmtRows(want))
			if env.Budget.Used() != 0 {
				t.Errorf("%d bytes still reserved after Close", env.Budget.Used())
			}
		})
	}
}

// TestSpillCancelRemovesFiles cancels a sort between spilling and merging.
func TestSpillCancelRemovesFiles(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	rows := randomSortRows(r, 2000)
	mem := checked(t)
	env := spillEnv(t, mem, 64, 8<<10)
	ctx, cancel := context.WithCancel(context.Background())
	src := &cancelAfter{Operator: source(mem, sortSchema, rows, 50, false), n: 30, cancel: cancel}
	op, err := NewSort(env, src, sortKeysFor(sortKeyCases[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = op.Next(ctx)
	wantCode(t, err, "57014")
	if env.Budget.Spilled() == 0 {
		t.Fatal("nothing spilled before the cancel")
	}
	op.Close()
	if left, _ := os.ReadDir(env.Budget.Dir()); len(left) > 0 {
		t.Errorf("%d spill files left after Close", len(left))
	}
}

// cancelAfter cancels the query after n batches.
type cancelAfter struct {
	executor.Operator
	n      int
	cancel func()
}

func (c *cancelAfter) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if c.n == 0 {
		c.cancel()
	}
	c.n--
	return c.Operator.Next(ctx)
}

func TestHashAggSpillMatchesInMemory(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	rows := randomAggRows(r, 1500, 600)
	var aggs []Aggregate
	for _, a := range allAggs {
		if ag := a.aggregate(); !retains(ag) {
			aggs = append(aggs, ag)
		}
	}
	groups := [][]expr.Expr{{col(0, tI8)}, {col(0, tI8), col(1, tTxt)}, {col(7, tI4)}}
	for gi, g := range groups {
		for _, inputs := range []int{1, 3} {
			t.Run(fmt.Sprintf("groups=%d/inputs=%d", gi, inputs), func(t *testing.T) {
				mem := checked(t)
				run := func(env *executor.Env) [][]any {
					var ins []executor.Operator
					for i := range inputs {
						ins = append(ins, source(mem, aggSchema, rows[i*len(rows)/inputs:(i+1)*len(rows)/inputs], 100, i == 1))
					}
					op, err := NewHashAggregate(env, ins, g, aggs)
					if err != nil {
						t.Fatal(err)
					}
					return mustDrain(t, op)
				}
				env := spillEnv(t, mem, 100, 32<<10)
				got := run(env)
				if env.Budget.Spilled() == 0 {
					t.Fatal("the aggregate did not spill; shrink the budget")
				}
				sameRows(t, got, run(testEnv(mem, 100)))
				if env.Budget.Used() != 0 {
					t.Errorf("%d bytes still reserved after Close", env.Budget.Used())
				}
			})
		}
	}
}

// TestHashAggWithoutKeysOverBudget: a grouping without keys has nothing
// to spill; its growing state fails with 53200.
func TestHashAggWithoutKeysOverBudget(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	rows := randomAggRows(r, 2000, 10)
	mem := checked(t)
	env := spillEnv(t, mem, 50, 4<<10)
	op, err := NewHashAggregate(env, []executor.Operator{source(mem, aggSchema, rows, 50, false)}, nil,
		[]Aggregate{refAgg{fn: "array_agg", col: 5}.aggregate()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = drain(t, op)
	wantCode(t, err, "53200")
}

func TestHashJoinSpillMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	probe := randomJoinRows(r, 700, 200)
	build := randomJoinRows(r, 600, 200)
	for _, residual := range []bool{false, true} {
		for _, jt := range append(allJoinTypes, SingleJoin) {
			t.Run(fmt.Sprintf("%s/residual=%v", jt, residual), func(t *testing.T) {
				mem := checked(t)
				env := spillEnv(t, mem, 50, 8<<10)
				build := build
				if jt == SingleJoin {
					build = uniqueKeys(build)
				}
				spec := HashJoinSpec{
					Type:      jt,
					Probe:     source(mem, joinSchema, probe, 50, true),
					Build:     source(mem, joinSchema, build, 50, false),
					ProbeKeys: []expr.Expr{col(0, tI8), col(1, tTxt)},
					BuildKeys: []expr.Expr{col(0, tI8), col(1, tTxt)},
				}
				if residual {
					spec.Residual = colCmpExpr{2, 5, expr.OpLt}
				}
				op, err := NewHashJoin(env, spec)
				if err != nil {
					t.Fatal(err)
				}
				got := mustDrain(t, op)
				if env.Budget.Spilled() == 0 {
					t.Fatal("the join did not spill; shrink the budget")
				}
				want := refJoin(jt, probe, build, func(p, b []any) bool {
					return eqKey(p[0], b[0]) && eqKey(p[1], b[1]) && (!residual || p[2].(int64) < b[2].(int64))
				})
				sameRows(t, got, want)
				if env.Budget.Used() != 0 {
					t.Errorf("%d bytes still reserved after Close", env.Budget.Used())
				}
			})
		}
	}
}

// uniqueKeys keeps the first build row of each non-NULL key (a scalar
// subquery's build side).
func uniqueKeys(rows [][]any) [][]any {
	seen := map[string]bool{}
	var out [][]any
	for _, r := range rows {
		k := fmt.Sprint(r[0], r[1])
		if r[0] != nil && r[1] != nil && seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}

// TestMarkJoinOverBudget: a mark join cannot be partitioned; over budget
// it fails with 53200.
func TestMarkJoinOverBudget(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	mem := checked(t)
	env := spillEnv(t, mem, 50, 4<<10)
	op, err := NewHashJoin(env, HashJoinSpec{Type: MarkJoin,
		Probe:     source(mem, joinSchema, randomJoinRows(r, 100, 50), 50, false),
		Build:     source(mem, joinSchema, randomJoinRows(r, 2000, 50), 50, false),
		ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = drain(t, op)
	wantCode(t, err, "53200")
}

// TestSortSpillKeepsValueScales sorts variable-scale numerics (quotients,
// each with its own scale) through spill files: every value comes back
// with its scale, as without spilling.
func TestSortSpillKeepsValueScales(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	s := schemaOf(i64, i64, &arrow.Decimal128Type{Precision: 12, Scale: 2}, i64)
	var rows [][]any
	for i := range 1500 {
		rows = append(rows, []any{int64(r.IntN(40)), int64(i), decimal128.FromI64(int64(r.IntN(200001) - 100000)), int64(1 + r.IntN(9999))})
	}
	mem := checked(t)
	run := func(env *executor.Env) []string {
		q, err := expr.DivVarScale(col(2, sqltypes.NumericType(12, 2)), col(3, tI8))
		if err != nil {
			t.Fatal(err)
		}
		proj, err := NewProject(env, source(mem, s, rows, 50, false), []expr.Expr{col(0, tI8), col(1, tI8), q}, []string{"k", "i", "q"})
		if err != nil {
			t.Fatal(err)
		}
		op, err := NewSort(env, proj, []SortKey{{Expr: col(0, tI8), Desc: true}, {Expr: col(1, tI8)}})
		if err != nil {
			t.Fatal(err)
		}
		return fmtRows(mustDrain(t, op))
	}
	env := spillEnv(t, mem, 64, 8<<10)
	got := run(env)
	if env.Budget.Spilled() == 0 {
		t.Fatal("the sort did not spill; shrink the budget")
	}
	want := run(testEnv(mem, 64))
	sameOrdered(t, got, want)
	places := map[int]bool{}
	for _, row := range got {
		q := strings.Trim(row[strings.LastIndexByte(row, '|')+1:], `"`)
		places[len(q)-strings.IndexByte(q, '.')-1] = true
	}
	if len(places) < 2 {
		t.Errorf("quotients have %d distinct scales, want several: %v", len(places), got[:3])
	}
}

// TestSortReservesItsEntries: sorting n rows takes a 16-byte (prefix,
// row) entry per row and as many again for the radix sort's scatter,
// memory the query's budget must count. With room, the sort's peak
// reservation covers them beside its rows; under a budget that holds the
// rows but not those, the sort writes runs to disk and merges them,
// within the budget, where it sorted in memory past it.
func TestSortReservesItsEntries(t *testing.T) {
	const n, size = 20000, 500
	r := rand.New(rand.NewPCG(51, 52))
	schema := schemaOf(i64)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(r.IntN(1 << 40))}
	}
	mem := checked(t)
	var held int64 // the batches and their concatenated copy
	for _, b := range mkBatches(mem, schema, rows, size, false) {
		held += 2 * membudget.BatchBytes(b)
		b.Release()
	}
	keys := []SortKey{{Expr: col(0, tI8)}}
	ref, _ := NewSort(testEnv(mem, size), source(mem, schema, rows, size, false), keys)
	want := fmtRows(mustDrain(t, ref))

	env := spillEnv(t, mem, size, 1<<30)
	op, _ := NewSort(env, source(mem, schema, rows, size, false), keys)
	sameOrdered(t, fmtRows(mustDrain(t, op)), want)
	if peak, need := env.Budget.Peak(), held+32*n; peak < need {
		t.Errorf("peak reservation %d bytes, below the rows' %d and the entries' %d", peak, held, 32*n)
	}

	limit := held + 16*n
	env = spillEnv(t, mem, size, limit)
	op, _ = NewSort(env, source(mem, schema, rows, size, false), keys)
	sameOrdered(t, fmtRows(mustDrain(t, op)), want)
	if env.Budget.Spilled() == 0 {
		t.Errorf("the sort of %d bytes of rows and %d of entries did not spill under a budget of %d", held, 32*n, limit)
	}
	if peak := env.Budget.Peak(); peak > limit {
		t.Errorf("peak reservation %d bytes over the budget of %d", peak, limit)
	}
}

// TestWindowReservesSortEntries: a window sorts its input as the sort
// does but cannot spill, so a budget that holds its rows and not the
// sort's entries fails with 53200.
func TestWindowReservesSortEntries(t *testing.T) {
	const n, size = 20000, 500
	r := rand.New(rand.NewPCG(53, 54))
	schema := schemaOf(i64)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(r.IntN(1 << 40))}
	}
	mem := checked(t)
	var held int64
	for _, b := range mkBatches(mem, schema, rows, size, false) {
		held += 2 * membudget.BatchBytes(b)
		b.Release()
	}
	spec := WindowSpec{OrderBy: []SortKey{{Expr: col(0, tI8)}}, Funcs: []WindowFunc{{Func: "rank"}}}
	run := func(limit int64) (int64, error) {
		env := spillEnv(t, mem, size, limit)
		op, err := NewWindow(env, source(mem, schema, rows, size, false), spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, op)
		if err == nil && len(got) != n {
			t.Errorf("%d rows, want %d", len(got), n)
		}
		return env.Budget.Peak(), err
	}
	peak, err := run(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	if need := held + 32*n; peak < need {
		t.Errorf("peak reservation %d bytes, below the rows' %d and the entries' %d", peak, held, 32*n)
	}
	_, err = run(held + 16*n)
	wantCode(t, err, "53200")
}
