package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// projectRows keeps the columns pout of each probe part (the first 3
// values) and bout of each build part of the joined rows.
func projectRows(rows [][]any, pout, bout []int) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		var o []any
		for _, c := range pout {
			o = append(o, r[c])
		}
		for _, c := range bout {
			o = append(o, r[3+c])
		}
		out[i] = o
	}
	return out
}

// TestHashJoinOutputColumns: an inner join told which columns of each
// side to output returns just those (the residual still reads the
// others), built on one goroutine, shared by parallel probes, or spilled.
func TestHashJoinOutputColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	probe := randomJoinRows(r, 300, 40)
	build := randomJoinRows(r, 400, 40)
	for _, out := range [][2][]int{{{2}, {1, 2}}, {{0, 2}, {}}, {{}, {2}}, {{1}, {0, 1, 2}}} {
		for _, residual := range []bool{false, true} {
			for _, mode := range []string{"serial", "parallel", "spill"} {
				t.Run(fmt.Sprintf("probe=%v/build=%v/residual=%v/%s", out[0], out[1], residual, mode), func(t *testing.T) {
					mem := checked(t)
					env := testEnv(mem, 16)
					if mode == "spill" {
						env = spillEnv(t, mem, 50, 8<<10)
					}
					spec := HashJoinSpec{
						Type:      InnerJoin,
						Build:     source(mem, joinSchema, build, 50, false),
						ProbeKeys: []expr.Expr{col(0, tI8)},
						BuildKeys: []expr.Expr{col(0, tI8)},
						ProbeOut:  out[0],
						BuildOut:  out[1],
					}
					if residual {
						spec.Residual = ltExprOf(t, 2, 5)
					}
					var got [][]any
					if mode == "parallel" {
						probes := []executor.Operator{source(mem, joinSchema, probe[:150], 16, false), source(mem, joinSchema, probe[150:], 16, true)}
						pj, err := NewParallelHashJoin(env, spec, probes)
						if err != nil {
							t.Fatal(err)
						}
						for _, j := range pj.Joins {
							if n := j.Schema().NumFields(); n != len(out[0])+len(out[1]) {
								t.Fatalf("%d output columns, want %d", n, len(out[0])+len(out[1]))
							}
							got = append(got, mustDrain(t, j)...)
						}
						pj.Close()
					} else {
						spec.Probe = source(mem, joinSchema, probe, 50, true)
						op, err := NewHashJoin(env, spec)
						if err != nil {
							t.Fatal(err)
						}
						got = mustDrain(t, op)
						if mode == "spill" && env.Budget.Spilled() == 0 {
							t.Fatal("the join did not spill; shrink the budget")
						}
					}
					want := refJoin(InnerJoin, probe, build, func(p, b []any) bool {
						return eqKey(p[0], b[0]) && (!residual || p[2].(int64) < b[2].(int64))
					})
					sameRows(t, got, projectRows(want, out[0], out[1]))
				})
			}
		}
	}
}

// TestHashJoinOutputColumnsErrors: only inner joins leave out columns,
// and the columns must exist (a planner bug otherwise: XX000).
func TestHashJoinOutputColumnsErrors(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 5)
	for _, tc := range []struct {
		jt         JoinType
		pout, bout []int
	}{{LeftJoin, []int{0}, nil}, {SemiJoin, nil, []int{1}}, {InnerJoin, []int{3}, nil}, {InnerJoin, []int{}, []int{}}} {
		p := source(mem, joinSchema, nil, 1, false)
		b := source(mem, joinSchema, nil, 1, false)
		_, err := NewHashJoin(env, HashJoinSpec{Type: tc.jt, Probe: p, Build: b, ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)}, ProbeOut: tc.pout, BuildOut: tc.bout})
		wantCode(t, err, sqltypes.CodeInternal)
		p.Close()
		b.Close()
	}
}
