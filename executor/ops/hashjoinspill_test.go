package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/meshql/meshql/executor/expr"
)

// TestHashJoinSpillNullKeys: a spilling build side whose keys are mostly
// NULL. NULL keys all hash alike, so partitioning them would put them
// in one partition that no level splits (53200); they match nothing, so
// the joins that do not emit unmatched build rows leave them out.
func TestHashJoinSpillNullKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	probe := randomJoinRows(r, 300, 40)
	build := randomJoinRows(r, 2000, 40)
	for i := range build {
		if i%20 != 0 {
			build[i][0] = nil
		}
	}
	for _, jt := range []JoinType{InnerJoin, LeftJoin, SemiJoin, AntiJoin} {
		t.Run(jt.String(), func(t *testing.T) {
			mem := checked(t)
			env := spillEnv(t, mem, 50, 8<<10)
			op, err := NewHashJoin(env, HashJoinSpec{
				Type:      jt,
				Probe:     source(mem, joinSchema, probe, 50, false),
				Build:     source(mem, joinSchema, build, 50, false),
				ProbeKeys: []expr.Expr{col(0, tI8)},
				BuildKeys: []expr.Expr{col(0, tI8)},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := mustDrain(t, op)
			if env.Budget.Spilled() == 0 {
				t.Fatal("the join did not spill; shrink the budget")
			}
			sameRows(t, got, refJoin(jt, probe, build, func(p, b []any) bool { return eqKey(p[0], b[0]) }))
		})
	}
}
