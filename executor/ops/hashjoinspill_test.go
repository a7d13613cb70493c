package ops

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
)

// TestHashJoinSpillNullKeys: a spilling build side whose keys are mostly
// NULL. NULL keys all hash alike, so partitioning them would put them
// in one partition that no level splits (53200); they match nothing, so
// the joins that do not emit unmatched build rows leave them out, and
// those that do emit them at the end without joining them.
func TestHashJoinSpillNullKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	probe := randomJoinRows(r, 300, 40)
	build := randomJoinRows(r, 2000, 40)
	for i := range build {
		if i%20 != 0 {
			build[i][0] = nil
		}
	}
	for _, jt := range allJoinTypes {
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

// TestHashJoinBuildGivesBackCopyReservation: collecting the build side
// reserves its rows twice (they are copied into one set of columns); once
// the table is built, the join keeps only its rows once and the table, so
// that operators running beside a large build get the rest (TPC-H Q21 at
// SF1 under 256MB failed with 53200 when a build that fit kept it all).
func TestHashJoinBuildGivesBackCopyReservation(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	probe := randomJoinRows(r, 10, 500)
	build := randomJoinRows(r, 4000, 500)
	mem := checked(t)
	env := spillEnv(t, mem, 100, 64<<20)
	var rowBytes int64
	for _, b := range mkBatches(mem, joinSchema, build, 100, false) {
		rowBytes += membudget.BatchBytes(b)
		b.Release()
	}
	op, err := NewHashJoin(env, HashJoinSpec{
		Type:      InnerJoin,
		Probe:     source(mem, joinSchema, probe, 100, false),
		Build:     source(mem, joinSchema, build, 100, false),
		ProbeKeys: []expr.Expr{col(0, tI8)},
		BuildKeys: []expr.Expr{col(0, tI8)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	b, err := op.Next(t.Context()) // builds, then joins the first probe batch
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	used, table := env.Budget.Used(), int64(32*len(build))
	if used < rowBytes || used > rowBytes+table {
		t.Errorf("after the build %d bytes are reserved; want the rows once (%d) and the table (%d)", used, rowBytes, table)
	}
	if peak := env.Budget.Peak(); peak < 2*rowBytes {
		t.Errorf("peak %d: collecting should have reserved the rows twice (%d)", peak, 2*rowBytes)
	}
	if err := op.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHashJoinSpillUnderCollectingJoin: a join collecting its build side
// from a join below it that spilled (TPC-H Q9's top join over the
// lineitem ⋈ orders ⋈ part joins). The collecting join fills the budget
// with rows it could spill while the join below still has partitions to
// build: that one must get its fair share (membudget's lend) instead of
// partitioning ever finer into no memory and failing with 53200.
func TestHashJoinSpillUnderCollectingJoin(t *testing.T) {
	var lowProbe, lowBuild, topProbe [][]any
	for i := range 3000 {
		lowProbe = append(lowProbe, []any{int64(i % 1000), "p", int64(i)})
	}
	wide := strings.Repeat("b", 200) // the build rows outweigh the rows above
	for i := range 1000 {
		lowBuild = append(lowBuild, []any{int64(i), wide, int64(i)})
	}
	for i := range 100 {
		topProbe = append(topProbe, []any{int64(i), "t", int64(i)})
	}
	mem := checked(t)
	env := spillEnv(t, mem, 16, 64<<10)
	low, err := NewHashJoin(env, HashJoinSpec{
		Type:      InnerJoin,
		Probe:     source(mem, joinSchema, lowProbe, 16, false),
		Build:     source(mem, joinSchema, lowBuild, 16, false),
		ProbeKeys: []expr.Expr{col(0, tI8)},
		BuildKeys: []expr.Expr{col(0, tI8)},
		ProbeOut:  []int{2},
		BuildOut:  []int{0},
	})
	if err != nil {
		t.Fatal(err)
	}
	top, err := NewHashJoin(env, HashJoinSpec{
		Type:      InnerJoin,
		Probe:     source(mem, joinSchema, topProbe, 16, false),
		Build:     low,
		ProbeKeys: []expr.Expr{col(2, tI8)},
		BuildKeys: []expr.Expr{col(0, tI8)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mustDrain(t, top)
	if len(got) != 100 {
		t.Fatalf("%d rows, want 100", len(got))
	}
	if env.Budget.Spilled() == 0 {
		t.Fatal("nothing spilled; shrink the budget")
	}
}
