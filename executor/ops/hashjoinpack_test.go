package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/meshql/meshql/executor/expr"
)

// Packed-key test rows: a int8, b int4, v int8.
var packSchema = schemaOf(i64, i32, i64)

// randomPackRows draws keys from a few values around zero (negative ones
// too), some NULL, and with wide set some a values outside int32's range.
func randomPackRows(r *rand.Rand, n int, wide bool) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		a := int64(r.IntN(7) - 3)
		switch {
		case !wide:
		case r.IntN(10) == 0:
			a += 1 << 32 // the same low 32 bits as a: must not match it
		case r.IntN(10) == 0:
			a = math.MaxInt32 + 1
		}
		row := []any{a, int32(r.IntN(5) - 2), int64(r.IntN(100))}
		for c := range 2 {
			if r.IntN(8) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

// TestHashJoinPackedKeys: a join on two integer columns packs them into
// one 64-bit key when every build value fits in 32 bits (and then builds
// on several goroutines), and keeps the generic table when one does not;
// probe values that do not fit match nothing; NULLs never match. Every
// join type gives the reference rows either way.
func TestHashJoinPackedKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(81, 82))
	for _, tc := range []struct {
		name                 string
		wideProbe, wideBuild bool
		wantPacked, parallel bool
		probeRows, buildRows int
		residual             bool
		probeFilter          bool // only the probe rows with v < 50 take part
	}{
		{name: "fits", wantPacked: true, probeRows: 200, buildRows: 60},
		{name: "fits/parallel build", wantPacked: true, parallel: true, probeRows: 200, buildRows: 300},
		{name: "fits/residual", wantPacked: true, residual: true, probeRows: 100, buildRows: 50},
		{name: "wide probe values", wideProbe: true, wantPacked: true, probeRows: 300, buildRows: 60},
		{name: "wide probe values/probe filter", wideProbe: true, wantPacked: true, probeFilter: true, probeRows: 300, buildRows: 60},
		{name: "fits/parallel build/probe filter", wantPacked: true, parallel: true, probeFilter: true, probeRows: 300, buildRows: 300},
		{name: "wide build values", wideBuild: true, wideProbe: true, wantPacked: false, probeRows: 300, buildRows: 200},
	} {
		probe := randomPackRows(r, tc.probeRows, tc.wideProbe)
		build := randomPackRows(r, tc.buildRows, tc.wideBuild)
		for _, jt := range allJoinTypes {
			keys := []expr.Expr{col(0, tI8), col(1, tI4)}
			if tc.probeFilter { // the planner folds filters over plain columns
				keys = []expr.Expr{expr.Column(0, tI8, "a"), expr.Column(1, tI4, "b")}
				if !FoldsProbeFilter(jt, keys) {
					continue
				}
			}
			t.Run(fmt.Sprintf("%s/%s", tc.name, jt), func(t *testing.T) {
				mem := checked(t)
				env := testEnv(mem, 16)
				spec := HashJoinSpec{
					Type:      jt,
					Probe:     source(mem, packSchema, probe, 16, true),
					Build:     source(mem, packSchema, build, 16, false),
					ProbeKeys: keys,
					BuildKeys: keys,
				}
				if tc.residual {
					spec.Residual = colCmpExpr{2, 5, expr.OpLt}
				}
				if tc.probeFilter {
					spec.ProbeFilter = cmpExpr{2, expr.OpLt, 50}
				}
				op, err := NewHashJoin(env, spec)
				if err != nil {
					t.Fatal(err)
				}
				o := op.(*hashJoinOp)
				if tc.parallel {
					o.minParallel = 1
				}
				got := mustDrain(t, o)
				if o.packed != tc.wantPacked {
					t.Errorf("packed %v, want %v", o.packed, tc.wantPacked)
				}
				if _, ok := o.table.(*partIntTable[int64]); tc.parallel && (!ok || !BuildsInParallel(spec.BuildKeys)) {
					// The planner shares large build sides it is told
					// are hashed on all workers.
					t.Errorf("the packed build side was hashed into a %T, or BuildsInParallel does not say it is parallel", o.table)
				}
				probe := probe
				if tc.probeFilter {
					probe = slices.DeleteFunc(slices.Clone(probe), func(r []any) bool { return r[2].(int64) >= 50 })
				}
				want := refJoin(jt, probe, build, func(p, b []any) bool {
					ok := eqKey(p[0], b[0]) && eqKey(p[1], b[1])
					if tc.residual {
						ok = ok && p[2].(int64) < b[2].(int64)
					}
					return ok
				})
				sameRows(t, got, want)
			})
		}
	}
}

// TestHashJoinPackedKeysSpill: over budget, each pair of partitions is
// joined on its packed keys too.
func TestHashJoinPackedKeysSpill(t *testing.T) {
	r := rand.New(rand.NewPCG(83, 84))
	probe := randomPackRows(r, 400, true)
	build := randomPackRows(r, 3000, false)
	for _, jt := range []JoinType{InnerJoin, LeftJoin, RightAntiJoin} {
		t.Run(jt.String(), func(t *testing.T) {
			mem := checked(t)
			env := spillEnv(t, mem, 50, 8<<10)
			op, err := NewHashJoin(env, HashJoinSpec{
				Type:      jt,
				Probe:     source(mem, packSchema, probe, 50, false),
				Build:     source(mem, packSchema, build, 50, false),
				ProbeKeys: []expr.Expr{col(0, tI8), col(1, tI4)},
				BuildKeys: []expr.Expr{col(0, tI8), col(1, tI4)},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := mustDrain(t, op)
			if env.Budget.Spilled() == 0 {
				t.Fatal("the join did not spill; shrink the budget")
			}
			sameRows(t, got, refJoin(jt, probe, build, func(p, b []any) bool { return eqKey(p[0], b[0]) && eqKey(p[1], b[1]) }))
		})
	}
}
