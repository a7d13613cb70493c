package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// probeFilterJoin builds a hash join of jt whose probe side is a filter
// (v < 50) over probe, with a column-picking projection over the filter
// when project is set: the shape a scan with a filter gives. keys are
// plain columns (expr.Column), so joins that can fold the filter are
// given it in their spec, as the planner does, and the others as
// operators.
func probeFilterJoin(t *testing.T, env *executor.Env, jt JoinType, probe, build [][]any, project, residual bool, batch int) *hashJoinOp {
	t.Helper()
	mem := env.Mem
	spec := HashJoinSpec{
		Type:        jt,
		Probe:       source(mem, joinSchema, probe, batch, true),
		ProbeFilter: cmpExpr{2, expr.OpLt, 50},
		Build:       source(mem, joinSchema, build, batch, false),
		ProbeKeys:   []expr.Expr{expr.Column(0, tI8, "k"), expr.Column(1, tTxt, "k2")},
		BuildKeys:   []expr.Expr{expr.Column(0, tI8, "k"), expr.Column(1, tTxt, "k2")},
	}
	if project {
		spec.ProbeProject = []expr.Expr{expr.Column(0, tI8, "k"), expr.Column(1, tTxt, "k2"), expr.Column(2, tI8, "v")}
		spec.ProbeNames = []string{"k", "k2", "v"}
	}
	if residual {
		// The expr package's nodes: read on their columns only.
		spec.Residual = ltExprOf(t, 2, 5)
	}
	if !FoldsProbeFilter(jt, spec.ProbeKeys) {
		// The planner gives such a join the filter as an operator.
		if _, err := NewHashJoin(env, spec); err == nil {
			t.Fatalf("a %s join took a probe filter", jt)
		}
		f, err := NewFilter(env, spec.Probe, spec.ProbeFilter)
		if err == nil && project {
			f, err = NewProject(env, f, spec.ProbeProject, spec.ProbeNames)
		}
		if err != nil {
			t.Fatal(err)
		}
		spec.Probe, spec.ProbeFilter, spec.ProbeProject, spec.ProbeNames = f, nil, nil, nil
	}
	op, err := NewHashJoin(env, spec)
	if err != nil {
		t.Fatal(err)
	}
	return op.(*hashJoinOp)
}

// wantProbeFiltered is the reference result of probeFilterJoin.
func wantProbeFiltered(jt JoinType, probe, build [][]any, residual bool) [][]any {
	var kept [][]any
	for _, p := range probe {
		if p[2] != nil && p[2].(int64) < 50 {
			kept = append(kept, p)
		}
	}
	return refJoin(jt, kept, build, func(p, b []any) bool {
		ok := eqKey(p[0], b[0]) && eqKey(p[1], b[1])
		if residual {
			ok = ok && p[2].(int64) < b[2].(int64)
		}
		return ok
	})
}

// TestHashJoinProbeFilter: a filter under a join's probe side (with or
// without the scan's projection over it) is folded into the joins that
// never emit unmatched probe rows, which then look up only the rows that
// pass; every join type gives the rows of the join of the filtered
// input, and no memory is left held.
func TestHashJoinProbeFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	sizes := [][2]int{{0, 5}, {5, 0}, {1, 1}, {60, 40}, {300, 30}}
	for _, sz := range sizes {
		probe := randomJoinRows(r, sz[0], 6)
		for i := range probe {
			if probe[i][2] != nil && r.IntN(3) == 0 {
				probe[i][2] = int64(90) // a run of rows the filter drops
			}
		}
		build := randomJoinRows(r, sz[1], 6)
		for _, project := range []bool{false, true} {
			for _, residual := range []bool{false, true} {
				for _, jt := range allJoinTypes {
					name := fmt.Sprintf("%dx%d/project=%v/residual=%v/%s", sz[0], sz[1], project, residual, jt)
					t.Run(name, func(t *testing.T) {
						mem := checked(t)
						op := probeFilterJoin(t, testEnv(mem, 7), jt, probe, build, project, residual, 7)
						switch jt {
						case InnerJoin, SemiJoin, RightJoin, RightSemiJoin, RightAntiJoin:
							if op.pf == nil {
								t.Fatal("the filter was not folded into the join")
							}
						default:
							if op.pf != nil {
								t.Fatal("a join that emits unmatched probe rows folded the filter")
							}
						}
						sameRows(t, mustDrain(t, op), wantProbeFiltered(jt, probe, build, residual))
					})
				}
			}
		}
	}
}

// TestHashJoinProbeFilterSpill: when the build side spills, the join
// partitions the filtered probe rows (its probe operator's), not the
// filter's input.
func TestHashJoinProbeFilterSpill(t *testing.T) {
	r := rand.New(rand.NewPCG(73, 74))
	probe := randomJoinRows(r, 400, 200)
	build := randomJoinRows(r, 3000, 200)
	for _, jt := range []JoinType{InnerJoin, SemiJoin, RightAntiJoin} {
		t.Run(jt.String(), func(t *testing.T) {
			mem := checked(t)
			env := spillEnv(t, mem, 50, 8<<10)
			op := probeFilterJoin(t, env, jt, probe, build, true, false, 50)
			if op.pf == nil {
				t.Fatal("the filter was not folded into the join")
			}
			got := mustDrain(t, op)
			if env.Budget.Spilled() == 0 {
				t.Fatal("the join did not spill; shrink the budget")
			}
			sameRows(t, got, wantProbeFiltered(jt, probe, build, false))
		})
	}
}

// TestParallelHashJoinProbeFilter: each stream's join of a shared build
// side folds its own stream's filter.
func TestParallelHashJoinProbeFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(75, 76))
	probe := randomJoinRows(r, 500, 50)
	build := randomJoinRows(r, 200, 50)
	mem := checked(t)
	env := testEnv(mem, 16)
	var probes []executor.Operator
	for s := range 3 {
		probes = append(probes, source(mem, joinSchema, probe[s*len(probe)/3:(s+1)*len(probe)/3], 16, false))
	}
	keys := []expr.Expr{expr.Column(0, tI8, "k")}
	pj, err := NewParallelHashJoin(env, HashJoinSpec{Type: InnerJoin, Build: source(mem, joinSchema, build, 16, false), ProbeKeys: keys, BuildKeys: keys,
		ProbeFilter: cmpExpr{2, expr.OpLt, 50}}, probes)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]any
	for _, j := range pj.Joins {
		if j.(*hashJoinOp).pf == nil {
			t.Fatal("the filter was not folded into the join")
		}
		got = append(got, mustDrain(t, j)...)
	}
	pj.Close()
	var kept [][]any
	for _, p := range probe {
		if p[2] != nil && p[2].(int64) < 50 {
			kept = append(kept, p)
		}
	}
	sameRows(t, got, refJoin(InnerJoin, kept, build, func(p, b []any) bool { return eqKey(p[0], b[0]) }))
}
