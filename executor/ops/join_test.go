package ops

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Join test rows: k int8, k2 text, v int8 on both sides.
var joinSchema = schemaOf(i64, str, i64)

func randomJoinRows(r *rand.Rand, n, keys int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		row := []any{int64(r.IntN(keys)), fmt.Sprint("x", r.IntN(2)), int64(r.IntN(100))}
		for c := range 2 {
			if r.IntN(6) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

// refJoin is the row-at-a-time reference: match(p, b) is the whole join
// condition; NULL-extended rows use nils.
func refJoin(jt JoinType, probe, build [][]any, match func(p, b []any) bool) [][]any {
	var out [][]any
	bm := make([]bool, len(build))
	for _, p := range probe {
		matched := false
		for j, b := range build {
			if !match(p, b) {
				continue
			}
			matched = true
			bm[j] = true
			if !jt.filtersProbe() && !jt.filtersBuild() {
				out = append(out, append(append([]any{}, p...), b...))
			}
		}
		switch {
		case jt == SemiJoin && matched, jt == AntiJoin && !matched:
			out = append(out, p)
		case jt.keepsProbe() && !matched:
			out = append(out, append(append([]any{}, p...), make([]any, len(joinSchema.Fields()))...))
		}
	}
	for j, b := range build {
		switch {
		case jt == RightSemiJoin && bm[j], jt == RightAntiJoin && !bm[j]:
			out = append(out, b)
		case jt.keepsBuild() && !jt.filtersBuild() && !bm[j]:
			out = append(out, append(make([]any, len(joinSchema.Fields())), b...))
		}
	}
	return out
}

func eqKey(a, b any) bool { return a != nil && b != nil && a == b }

var allJoinTypes = []JoinType{InnerJoin, LeftJoin, RightJoin, FullJoin, SemiJoin, AntiJoin, RightSemiJoin, RightAntiJoin}

func TestHashJoinRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type shape struct {
		name     string
		twoKeys  bool
		residual bool
	}
	shapes := []shape{{"int", false, false}, {"int+residual", false, true}, {"int,text", true, false}, {"int,text+residual", true, true},
		{"int+narrow residual", false, true}, {"int,text+narrow residual", true, true}}
	sizes := [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {60, 40}, {200, 30}}
	for _, sz := range sizes {
		probe := randomJoinRows(r, sz[0], 6)
		build := randomJoinRows(r, sz[1], 6)
		for _, sh := range shapes {
			for _, jt := range allJoinTypes {
				t.Run(fmt.Sprintf("%dx%d/%s/%s", sz[0], sz[1], sh.name, jt), func(t *testing.T) {
					mem := checked(t)
					env := testEnv(mem, 5)
					spec := HashJoinSpec{
						Type:      jt,
						Probe:     source(mem, joinSchema, probe, 7, true),
						Build:     source(mem, joinSchema, build, 3, false),
						ProbeKeys: []expr.Expr{col(0, tI8)},
						BuildKeys: []expr.Expr{col(0, tI8)},
					}
					if sh.twoKeys {
						spec.ProbeKeys = append(spec.ProbeKeys, col(1, tTxt))
						spec.BuildKeys = append(spec.BuildKeys, col(1, tTxt))
					}
					if sh.residual {
						spec.Residual = colCmpExpr{2, 5, expr.OpLt}
						if strings.Contains(sh.name, "narrow") {
							// This package's own nodes: evaluated on the
							// columns they read only (narrowResidual).
							spec.Residual = ltExprOf(t, 2, 5)
						}
					}
					op, err := NewHashJoin(env, spec)
					if err != nil {
						t.Fatal(err)
					}
					got := mustDrain(t, op)
					want := refJoin(jt, probe, build, func(p, b []any) bool {
						ok := eqKey(p[0], b[0])
						if sh.twoKeys {
							ok = ok && eqKey(p[1], b[1])
						}
						if sh.residual {
							ok = ok && p[2].(int64) < b[2].(int64)
						}
						return ok
					})
					sameRows(t, got, want)
				})
			}
		}
	}
}

func TestHashJoinErrors(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 5)
	p := source(mem, joinSchema, nil, 1, false)
	b := source(mem, joinSchema, nil, 1, false)
	defer p.Close()
	defer b.Close()
	_, err := NewHashJoin(env, HashJoinSpec{Probe: p, Build: b, ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI4)}})
	wantCode(t, err, sqltypes.CodeInternal)
	_, err = NewHashJoin(env, HashJoinSpec{Probe: p, Build: b, ProbeKeys: []expr.Expr{col(0, sqltypes.TypeJSON)}, BuildKeys: []expr.Expr{col(0, sqltypes.TypeJSON)}})
	wantCode(t, err, sqltypes.CodeUndefinedFunction)
}

func TestNestedLoopJoinRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	conds := []struct {
		name  string
		cond  expr.Expr
		match func(p, b []any) bool
	}{
		{"cross", nil, func(p, b []any) bool { return true }},
		{"lt", colCmpExpr{2, 5, expr.OpLt}, func(p, b []any) bool { return p[2].(int64) < b[2].(int64) }},
		{"key ne", colCmpExpr{0, 3, expr.OpNe}, func(p, b []any) bool { return p[0] != nil && b[0] != nil && p[0] != b[0] }},
		{"narrow lt", ltExprOf(t, 2, 5), func(p, b []any) bool { return p[2].(int64) < b[2].(int64) }},
		{"narrow probe only", ltExprOf(t, 0, 2), func(p, b []any) bool { return p[0] != nil && p[0].(int64) < p[2].(int64) }},
	}
	for _, sz := range [][2]int{{0, 3}, {3, 0}, {1, 1}, {25, 13}} {
		left := randomJoinRows(r, sz[0], 4)
		right := randomJoinRows(r, sz[1], 4)
		for _, c := range conds {
			for _, jt := range []JoinType{InnerJoin, LeftJoin, SemiJoin, AntiJoin} {
				t.Run(fmt.Sprintf("%dx%d/%s/%s", sz[0], sz[1], c.name, jt), func(t *testing.T) {
					mem := checked(t)
					env := testEnv(mem, 4)
					op, err := NewNestedLoopJoin(env, jt, source(mem, joinSchema, left, 5, true), source(mem, joinSchema, right, 2, false), c.cond)
					if err != nil {
						t.Fatal(err)
					}
					sameRows(t, mustDrain(t, op), refJoin(jt, left, right, c.match))
				})
			}
		}
	}
	_, err := NewNestedLoopJoin(testEnv(nil, 1), RightJoin, nil, nil, nil)
	wantCode(t, err, sqltypes.CodeFeatureNotSupported)
}

// ltExprOf is $l < $r of int8 columns built from the expr package's
// nodes, which a join evaluates on the columns they read only.
func ltExprOf(t *testing.T, l, r int) expr.Expr {
	e, err := expr.Binary(expr.OpLt, expr.Column(l, tI8, "l"), expr.Column(r, tI8, "r"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestUnnest(t *testing.T) {
	mem := checked(t)
	s := schemaOf(i64, arrowListI64)
	rows := unnestRows
	for _, ord := range []bool{false, true} {
		env := testEnv(mem, 3)
		op, err := NewUnnest(env, source(mem, s, rows, 2, true), UnnestSpec{Lists: []expr.Expr{col(1, sqltypes.ListOf(tI8))}, Names: []string{"x"}, Ordinality: ord})
		if err != nil {
			t.Fatal(err)
		}
		var want [][]any
		for _, r := range rows {
			if r[1] == nil {
				continue
			}
			for i, e := range r[1].([]any) {
				w := []any{r[0], r[1], e}
				if r[1] == nil {
					w[1] = nil
				}
				if ord {
					w = append(w, int64(i+1))
				}
				want = append(want, w)
			}
		}
		sameOrdered(t, fmtRows(mustDrain(t, op)), fmtRows(want))
	}
	src := source(mem, s, nil, 2, true)
	defer src.Close()
	_, err := NewUnnest(testEnv(mem, 3), src, UnnestSpec{Lists: []expr.Expr{col(0, tI8)}, Names: []string{"x"}})
	wantCode(t, err, sqltypes.CodeDatatypeMismatch)
}

var _ executor.Operator = (*hashJoinOp)(nil)

// TestHashJoinUniqueBuildKeys: a build side whose keys are all distinct
// (a primary key) pairs each probe row with its one row without walking
// chains; batches of output smaller than a probe batch resume where they
// stopped. A duplicate key makes the join walk chains again.
func TestHashJoinUniqueBuildKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(95, 96))
	for _, dup := range []bool{false, true} {
		build := make([][]any, 50)
		for i, k := range r.Perm(len(build)) {
			build[i] = []any{int64(2 * k), "x", int64(i)}
		}
		if dup {
			build = append(build, []any{int64(10), "y", int64(99)})
		}
		probe := make([][]any, 300)
		for i := range probe {
			probe[i] = []any{int64(r.IntN(120)), "p", int64(i)}
		}
		for _, jt := range []JoinType{InnerJoin, LeftJoin, RightJoin, FullJoin} {
			t.Run(fmt.Sprintf("duplicate=%v/%s", dup, jt), func(t *testing.T) {
				mem := checked(t)
				op, err := NewHashJoin(testEnv(mem, 7), HashJoinSpec{
					Type:      jt,
					Probe:     source(mem, joinSchema, probe, 40, false),
					Build:     source(mem, joinSchema, build, 16, false),
					ProbeKeys: []expr.Expr{col(0, tI8)},
					BuildKeys: []expr.Expr{col(0, tI8)},
				})
				if err != nil {
					t.Fatal(err)
				}
				o := op.(*hashJoinOp)
				got := mustDrain(t, o)
				if o.unique == dup {
					t.Errorf("unique = %v with a duplicate key %v", o.unique, dup)
				}
				sameRows(t, got, refJoin(jt, probe, build, func(p, b []any) bool { return eqKey(p[0], b[0]) }))
			})
		}
	}
}
