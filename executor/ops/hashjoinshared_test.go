package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

var parallelJoinTypes = []JoinType{InnerJoin, LeftJoin, SemiJoin, AntiJoin, SingleJoin}

// TestParallelHashJoin probes one shared build side from three streams
// at once (each join in its own goroutine, through a Gather), in memory
// and with a budget that makes the build side spill; together the
// streams must give the reference join of all probe rows.
func TestParallelHashJoin(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	probe := randomJoinRows(r, 900, 150)
	build := randomJoinRows(r, 500, 150)
	// 16 kB makes every build side spill; at 8 kB three streams holding
	// partition buffers at once could leave one stream too little to
	// spill further under -race, a budget too small for this join (53200).
	for _, budget := range []int64{0, 16 << 10} {
		for _, twoKeys := range []bool{false, true} {
			for _, residual := range []bool{false, true} {
				for _, jt := range parallelJoinTypes {
					name := fmt.Sprintf("budget=%d/twokeys=%v/residual=%v/%s", budget, twoKeys, residual, jt)
					t.Run(name, func(t *testing.T) {
						mem := checked(t)
						env := testEnv(mem, 40)
						if budget > 0 {
							env = spillEnv(t, mem, 40, budget)
						}
						build := build
						if jt == SingleJoin && twoKeys {
							build = uniqueKeys(build)
						} else if jt == SingleJoin {
							build = uniqueFirstKey(build)
						}
						spec := HashJoinSpec{
							Type:      jt,
							Build:     source(mem, joinSchema, build, 50, false),
							ProbeKeys: []expr.Expr{col(0, tI8)},
							BuildKeys: []expr.Expr{col(0, tI8)},
						}
						if twoKeys {
							spec.ProbeKeys = append(spec.ProbeKeys, col(1, tTxt))
							spec.BuildKeys = append(spec.BuildKeys, col(1, tTxt))
						}
						if residual {
							spec.Residual = colCmpExpr{2, 5, expr.OpLt}
						}
						// The third stream has no rows: its join must
						// still take part in (and release) the build.
						probes := []executor.Operator{
							source(mem, joinSchema, probe[:500], 30, true),
							source(mem, joinSchema, probe[500:], 45, false),
							source(mem, joinSchema, nil, 10, false),
						}
						pj, err := NewParallelHashJoin(env, spec, probes)
						if err != nil {
							t.Fatal(err)
						}
						pj.build.op.minParallel = 1 // hashed on several goroutines too
						got := mustDrain(t, NewGather(env, pj.Joins))
						if budget > 0 && env.Budget.Spilled() == 0 {
							t.Fatal("the build side did not spill; shrink the budget")
						}
						want := refJoin(jt, probe, build, func(p, b []any) bool {
							ok := eqKey(p[0], b[0])
							if twoKeys {
								ok = ok && eqKey(p[1], b[1])
							}
							return ok && (!residual || p[2].(int64) < b[2].(int64))
						})
						sameRows(t, got, want)
						if budget > 0 && env.Budget.Used() != 0 {
							t.Errorf("%d bytes still reserved after Close", env.Budget.Used())
						}
					})
				}
			}
		}
	}
}

// TestParallelHashJoinClosedUnopened: joins closed without running
// release the build input (the checked allocator sees its batches).
func TestParallelHashJoinClosedUnopened(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 10)
	r := rand.New(rand.NewPCG(23, 24))
	spec := HashJoinSpec{
		Type:      InnerJoin,
		Build:     source(mem, joinSchema, randomJoinRows(r, 20, 5), 7, false),
		ProbeKeys: []expr.Expr{col(0, tI8)},
		BuildKeys: []expr.Expr{col(0, tI8)},
	}
	probes := []executor.Operator{source(mem, joinSchema, randomJoinRows(r, 20, 5), 7, false), source(mem, joinSchema, nil, 7, false)}
	pj, err := NewParallelHashJoin(env, spec, probes)
	if err != nil {
		t.Fatal(err)
	}
	// One join runs, the other is closed before it was ever opened.
	if _, err := drain(t, pj.Joins[0]); err != nil {
		t.Fatal(err)
	}
	if err := pj.Close(); err != nil {
		t.Fatal(err)
	}
	spec.Type = RightJoin
	spec.Build = source(mem, joinSchema, nil, 7, false)
	if _, err := NewParallelHashJoin(env, spec, probes); err == nil {
		t.Error("a right join cannot be probed per stream: want an error")
	}
}

// uniqueFirstKey keeps the first build row of each non-NULL first column.
func uniqueFirstKey(rows [][]any) [][]any {
	seen := map[any]bool{}
	var out [][]any
	for _, r := range rows {
		if r[0] != nil && seen[r[0]] {
			continue
		}
		seen[r[0]] = true
		out = append(out, r)
	}
	return out
}
