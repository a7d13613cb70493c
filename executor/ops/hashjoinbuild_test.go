package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/meshql/meshql/executor/expr"
)

// TestHashJoinParallelBuild joins with the build side hashed into
// partitions on several goroutines (NULL keys, duplicate keys, keys with
// no partner on either side) for every join type, against the
// row-at-a-time reference.
func TestHashJoinParallelBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	probe := randomJoinRows(r, 700, 400)
	build := randomJoinRows(r, 900, 300)
	types := append(append([]JoinType{}, allJoinTypes...), SingleJoin, MarkJoin)
	for _, jt := range types {
		for _, residual := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/residual=%v", jt, residual), func(t *testing.T) {
				mem := checked(t)
				build := build
				if jt == SingleJoin {
					build = uniqueFirstKey(build)
				}
				spec := HashJoinSpec{
					Type:      jt,
					Probe:     source(mem, joinSchema, probe, 64, true),
					Build:     source(mem, joinSchema, build, 50, false),
					ProbeKeys: []expr.Expr{col(0, tI8)},
					BuildKeys: []expr.Expr{col(0, tI8)},
				}
				if residual {
					spec.Residual = colCmpExpr{2, 5, expr.OpLt}
				}
				op, err := NewHashJoin(testEnv(mem, 40), spec)
				if err != nil {
					t.Fatal(err)
				}
				hj := op.(*hashJoinOp)
				hj.minParallel = 1
				got := mustDrain(t, op)
				if _, ok := hj.table.(*partIntTable[int64]); !ok {
					t.Fatalf("the build side was hashed into a %T, want a partitioned table", hj.table)
				}
				var want [][]any
				if jt == MarkJoin {
					want = refMark(probe, build, markCond(1, residual))
				} else {
					want = refJoin(jt, probe, build, func(p, b []any) bool {
						return eqKey(p[0], b[0]) && (!residual || p[2].(int64) < b[2].(int64))
					})
				}
				sameRows(t, got, want)
			})
		}
	}
}
