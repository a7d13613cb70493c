package ops

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
)

// TestHashJoinKeyFilter joins a probe side whose keys mostly have no
// partner (NULL keys on both sides, duplicate build keys) with the build
// side hashed in parallel and given a runtime key filter, for every join
// type, with and without a residual and a probe filter folded into the
// join: the rows are the reference join's, and the filter skipped the
// lookups of nearly every probe row without a partner (JoinStats). Build
// keys in a narrow range (negative ones too) get a filter of key values,
// which skips exactly those rows; keys spread over int64 a hashed one.
func TestHashJoinKeyFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	probe := randomJoinRows(r, 3000, 6000) // keys 0..5999
	build := randomJoinRows(r, 400, 300)   // keys 0..299, repeated
	types := append(append([]JoinType{}, allJoinTypes...), SingleJoin, MarkJoin)
	for _, keys := range []string{"narrow", "spread"} {
		probe, build := scaleKeys(probe, keys == "spread"), scaleKeys(build, keys == "spread")
		for _, jt := range types {
			testKeyFilter(t, keys, jt, probe, build)
		}
	}
}

// scaleKeys returns rows with keys k-100 (narrow) or k·2^40 (spread).
func scaleKeys(rows [][]any, spread bool) [][]any {
	out := make([][]any, len(rows))
	for i, row := range rows {
		row = append([]any(nil), row...)
		if k, ok := row[0].(int64); ok {
			if spread {
				row[0] = k << 40
			} else {
				row[0] = k - 100
			}
		}
		out[i] = row
	}
	return out
}

// testKeyFilter runs TestHashJoinKeyFilter's cases of join type jt.
func testKeyFilter(t *testing.T, keyRange string, jt JoinType, probe, build [][]any) {
	for _, residual := range []bool{false, true} {
		for _, filtered := range []bool{false, true} {
			if filtered && !FoldsProbeFilter(jt, []expr.Expr{expr.Column(0, tI8, "k")}) {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s/residual=%v/probe_filter=%v", keyRange, jt, residual, filtered), func(t *testing.T) {
				mem := checked(t)
				build := build
				if jt == SingleJoin {
					build = uniqueFirstKey(build)
				}
				var st JoinStats
				spec := HashJoinSpec{
					Type:      jt,
					Probe:     source(mem, joinSchema, probe, 256, true),
					Build:     source(mem, joinSchema, build, 50, false),
					ProbeKeys: []expr.Expr{expr.Column(0, tI8, "k")},
					BuildKeys: []expr.Expr{expr.Column(0, tI8, "k")},
					Stats:     &st,
				}
				if residual {
					spec.Residual = colCmpExpr{2, 5, expr.OpLt}
				}
				kept := probe
				if filtered {
					spec.ProbeFilter = cmpExpr{2, expr.OpLt, 50}
					kept = nil
					for _, p := range probe {
						if p[2].(int64) < 50 {
							kept = append(kept, p)
						}
					}
				}
				op, err := NewHashJoin(testEnv(mem, 40), spec)
				if err != nil {
					t.Fatal(err)
				}
				hj := op.(*hashJoinOp)
				hj.minParallel, hj.minKeyFilter = 1, 0
				got := mustDrain(t, op)
				pt, ok := hj.table.(*partIntTable[int64])
				if !ok || pt.filter == nil {
					t.Fatalf("the build side was hashed into a %T without a key filter", hj.table)
				}
				if direct := pt.filter.span != 0; direct != (keyRange == "narrow") {
					t.Fatalf("%s build keys: filter of key values %v", keyRange, direct)
				}
				var want [][]any
				if jt == MarkJoin {
					want = refMark(kept, build, markCond(1, residual))
				} else {
					want = refJoin(jt, kept, build, func(p, b []any) bool {
						return eqKey(p[0], b[0]) && (!residual || p[2].(int64) < b[2].(int64))
					})
				}
				sameRows(t, got, want)
				// Rows with a key but no partner: the filter lets
				// through at most about 1/16 of them.
				keys := map[int64]bool{}
				for _, b := range build {
					if b[0] != nil {
						keys[b[0].(int64)] = true
					}
				}
				alone := 0
				for _, p := range kept {
					if p[0] != nil && !keys[p[0].(int64)] {
						alone++
					}
				}
				if s := st.Skipped(); s < int64(alone)*3/4 || s > int64(alone) || keyRange == "narrow" && s != int64(alone) {
					t.Errorf("the key filter skipped %d probe rows, want most of the %d without a partner (all when narrow, and no other)", s, alone)
				}
			})
		}
	}
}

// TestHashJoinKeyFilterEdges: an empty build side, and NULL probe keys
// only, give the reference rows with a key filter asked for; a filter
// that skips few rows is turned off by its prober.
func TestHashJoinKeyFilterEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(93, 94))
	build := randomJoinRows(r, 400, 300)
	nullProbe := randomJoinRows(r, 500, 300)
	for _, p := range nullProbe {
		p[0] = nil
	}
	for _, tc := range []struct {
		name         string
		probe, build [][]any
	}{
		{"empty_build", randomJoinRows(r, 500, 300), nil},
		{"null_probe_keys", nullProbe, build},
	} {
		for _, jt := range []JoinType{InnerJoin, SemiJoin, AntiJoin, LeftJoin, RightAntiJoin} {
			t.Run(tc.name+"/"+jt.String(), func(t *testing.T) {
				mem := checked(t)
				var st JoinStats
				op, err := NewHashJoin(testEnv(mem, 40), HashJoinSpec{
					Type:      jt,
					Probe:     source(mem, joinSchema, tc.probe, 64, true),
					Build:     source(mem, joinSchema, tc.build, 50, false),
					ProbeKeys: []expr.Expr{col(0, tI8)},
					BuildKeys: []expr.Expr{col(0, tI8)},
					Stats:     &st,
				})
				if err != nil {
					t.Fatal(err)
				}
				hj := op.(*hashJoinOp)
				hj.minParallel, hj.minKeyFilter = 1, 0
				got := mustDrain(t, op)
				sameRows(t, got, refJoin(jt, tc.probe, tc.build, func(p, b []any) bool { return eqKey(p[0], b[0]) }))
				if tc.name == "null_probe_keys" && st.Skipped() > int64(len(tc.probe)) {
					t.Errorf("skipped %d of %d probe rows", st.Skipped(), len(tc.probe))
				}
			})
		}
	}
	t.Run("turned_off", func(t *testing.T) {
		var st JoinStats
		var u keyFilterUse
		u.record(keyFilterProbeRows/2, 0, &st)
		if u.off {
			t.Fatal("turned off before it had checked enough rows")
		}
		u.record(keyFilterProbeRows/2, keyFilterProbeRows/4, &st)
		if u.off {
			t.Fatal("a filter that skipped 1/4 of the rows was turned off")
		}
		var few keyFilterUse
		few.record(keyFilterProbeRows, keyFilterProbeRows/16, &st)
		if !few.off {
			t.Fatal("a filter that skipped 1/16 of the rows is still on")
		}
		if got, want := st.Skipped(), int64(keyFilterProbeRows/4+keyFilterProbeRows/16); got != want {
			t.Errorf("JoinStats counted %d skipped rows, want %d", got, want)
		}
	})
}

// TestProbeFilterDecodesDictionary: a folded probe filter copies the rows
// that pass (instead of probing them in place) only when the columns the
// join reads include a dictionary column, which reading decodes per row;
// a dictionary column that only the filter read does not count.
func TestProbeFilterDecodesDictionary(t *testing.T) {
	mem := checked(t)
	r := rand.New(rand.NewPCG(95, 96))
	b := dictBatch(mem, r, [][]any{{"a", "b", int64(1)}, {"c", nil, int64(2)}}, 0, false)
	defer b.Release()
	pick := func(cols ...int) *probeFilter {
		p := &projectOp{}
		for _, c := range cols {
			p.exprs = append(p.exprs, expr.Column(c, tI8, "c"))
		}
		return &probeFilter{proj: p}
	}
	for _, tc := range []struct {
		name string
		f    *probeFilter
		want bool
	}{
		{"no_projection", &probeFilter{}, true},
		{"dictionaries_dropped", pick(2), false},
		{"dictionary_kept", pick(2, 0), true},
	} {
		if got := tc.f.decodesDictionary(b); got != tc.want {
			t.Errorf("%s: decodesDictionary = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestHashJoinKeyFilterReserved: a build keeps its key filter reserved from
// the query's budget beside the table (a filter of key values reaches
// 1 MB on a small table), and a build the budget has no room for a filter
// probes without one, with the same rows.
func TestHashJoinKeyFilterReserved(t *testing.T) {
	r := rand.New(rand.NewPCG(97, 98))
	probe := scaleKeys(randomJoinRows(r, 3000, 6000), false)
	build := scaleKeys(randomJoinRows(r, 400, 300), false)
	want := refJoin(InnerJoin, probe, build, func(p, b []any) bool { return eqKey(p[0], b[0]) })
	// run joins with or without a filter asked for, with limit bytes of
	// budget (0: none), and returns the build's reservation once built
	// and whether it has a filter of how many bytes.
	spilled := false
	run := func(withFilter bool, limit int64) (reserved, peak, filter int64) {
		mem := checked(t)
		env := testEnv(mem, 40)
		if limit > 0 {
			env.Budget = membudget.New(membudget.Options{Limit: limit, TempDir: t.TempDir()})
		}
		op, err := NewHashJoin(env, HashJoinSpec{
			Type:      InnerJoin,
			Probe:     source(mem, joinSchema, probe, 256, true),
			Build:     source(mem, joinSchema, build, 50, false),
			ProbeKeys: []expr.Expr{col(0, tI8)},
			BuildKeys: []expr.Expr{col(0, tI8)},
		})
		if err != nil {
			t.Fatal(err)
		}
		hj := op.(*hashJoinOp)
		hj.minParallel, hj.minKeyFilter = 1, 0
		if !withFilter {
			hj.minKeyFilter = 1 << 40
		}
		ctx := context.Background()
		if err := op.Open(ctx); err != nil {
			t.Fatal(err)
		}
		var got [][]any
		first, err := op.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		reserved, peak, filter = hj.res.Size(), hj.res.Peak(), hj.keyFilterBytes()
		spilled = hj.grace != nil
		got = append(got, rowsOf(first)...)
		first.Release()
		for {
			b, err := op.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rowsOf(b)...)
			b.Release()
		}
		if err := op.Close(); err != nil {
			t.Fatal(err)
		}
		sameRows(t, got, want)
		return reserved, peak, filter
	}
	plain, plainPeak, none := run(false, 0)
	filtered, _, filter := run(true, 0)
	if none != 0 || filter == 0 {
		t.Fatalf("filters of %d and %d bytes, want none and one", none, filter)
	}
	if filtered-plain != filter {
		t.Errorf("the build reserves %d bytes with its key filter and %d without, want the filter's %d more", filtered, plain, filter)
	}
	// A budget with room for the build at its peak but not for the
	// filter beside it: no filter, the same rows.
	if _, _, filter := run(true, plainPeak+filter-1); filter != 0 || spilled {
		t.Errorf("a %d-byte filter was built past the budget (spilled: %v)", filter, spilled)
	}
}
