package ops

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Three-valued logic for the references: 1 TRUE, 0 NULL, -1 FALSE.
func tri(b bool) int { return map[bool]int{true: 1, false: -1}[b] }

func triEqual(a, b any) int {
	if a == nil || b == nil {
		return 0
	}
	return tri(a == b)
}

func triAnd(a, b int) int { return min(a, b) }
func triOr(a, b int) int  { return max(a, b) }

func triValue(x int) any {
	if x == 0 {
		return nil
	}
	return x > 0
}

// refMark is the mark join reference: the three-valued OR of cond over
// the build rows (FALSE when there are none).
func refMark(probe, build [][]any, cond func(p, b []any) int) [][]any {
	var out [][]any
	for _, p := range probe {
		m := -1
		for _, b := range build {
			m = triOr(m, cond(p, b))
		}
		out = append(out, append(append([]any{}, p...), triValue(m)))
	}
	return out
}

// markCond is the mark tests' join condition in three-valued logic: the
// first keys columns equal, and column 2 of the probe row less than the
// build row's if residual.
func markCond(keys int, residual bool) func(p, b []any) int {
	return func(p, b []any) int {
		c := triEqual(p[0], b[0])
		if keys == 2 {
			c = triAnd(c, triEqual(p[1], b[1]))
		}
		if residual {
			lt := 0
			if p[2] != nil && b[2] != nil {
				lt = tri(p[2].(int64) < b[2].(int64))
			}
			c = triAnd(c, lt)
		}
		return c
	}
}

func markRows(r *rand.Rand, n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		row := []any{int64(r.IntN(5)), fmt.Sprint("x", r.IntN(2)), int64(r.IntN(20))}
		for c := range row {
			if r.IntN(7) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

// ltExpr is $l < $r over int64 columns, NULL if either is NULL.
func ltExpr(l, r int) expr.Expr { return colCmpExpr{l, r, expr.OpLt} }

func TestMarkJoinRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, sz := range [][2]int{{0, 0}, {6, 0}, {0, 6}, {1, 1}, {70, 30}, {40, 90}, {30, 600}} {
		probe, build := markRows(r, sz[0]), markRows(r, sz[1])
		for _, keys := range []int{1, 2} {
			for _, residual := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%d/keys=%d/residual=%v", sz[0], sz[1], keys, residual), func(t *testing.T) {
					mem := checked(t)
					spec := HashJoinSpec{
						Type:  MarkJoin,
						Probe: source(mem, joinSchema, probe, 7, true), Build: source(mem, joinSchema, build, 4, false),
						ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)},
					}
					if keys == 2 {
						spec.ProbeKeys = append(spec.ProbeKeys, col(1, tTxt))
						spec.BuildKeys = append(spec.BuildKeys, col(1, tTxt))
					}
					if residual {
						spec.Residual = ltExpr(2, 5)
					}
					op, err := NewHashJoin(testEnv(mem, 5), spec)
					if err != nil {
						t.Fatal(err)
					}
					want := refMark(probe, build, markCond(keys, residual))
					sameRows(t, mustDrain(t, op), want)

					// As EXISTS: the same marks with NULL as FALSE.
					spec.Probe, spec.Build = source(mem, joinSchema, probe, 7, true), source(mem, joinSchema, build, 4, false)
					spec.ExistsMark = true
					if op, err = NewHashJoin(testEnv(mem, 5), spec); err != nil {
						t.Fatal(err)
					}
					exists := make([][]any, len(want))
					for i, row := range want {
						exists[i] = append([]any(nil), row...)
						if exists[i][len(row)-1] == nil {
							exists[i][len(row)-1] = false
						}
					}
					sameRows(t, mustDrain(t, op), exists)

					// The nested-loop join with the whole condition agrees.
					full := triCond{keys: keys, residual: residual}
					nl, err := NewNestedLoopJoin(testEnv(mem, 5), MarkJoin, source(mem, joinSchema, probe, 3, false), source(mem, joinSchema, build, 5, true), full)
					if err != nil {
						t.Fatal(err)
					}
					sameRows(t, mustDrain(t, nl), want)
				})
			}
		}
	}
}

// triCond is the mark test's whole join condition over probe ++ build
// columns, in SQL three-valued logic.
type triCond struct {
	keys     int
	residual bool
}

func (c triCond) Type() sqltypes.Type { return tB }
func (c triCond) String() string      { return "cond" }
func (c triCond) Eval(_ context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	rows := rowsOf(b)
	vals := make([]any, len(rows))
	for i, x := range rows {
		v := triEqual(x[0], x[3])
		if c.keys == 2 {
			v = triAnd(v, triEqual(x[1], x[4]))
		}
		if c.residual {
			lt := 0
			if x[2] != nil && x[5] != nil {
				lt = tri(x[2].(int64) < x[5].(int64))
			}
			v = triAnd(v, lt)
		}
		vals[i] = triValue(v)
	}
	out := mkBatch(env.Mem, schemaOf(boo), func() [][]any {
		rs := make([][]any, len(vals))
		for i, v := range vals {
			rs[i] = []any{v}
		}
		return rs
	}())
	defer out.Release()
	a := out.Column(0)
	a.Retain()
	return a, nil
}

func TestMarkJoinPostgres(t *testing.T) {
	// -- from PostgreSQL 15: select x in (select y from bN) from p order by x nulls last;
	// (a,b) in (select c,d from mN) from p2 order by a, b nulls last; x < any (...).
	one := schemaOf(i64)
	two := schemaOf(i64, i64)
	p := [][]any{{int64(1)}, {int64(2)}, {nil}}
	p2 := [][]any{{int64(1), int64(1)}, {int64(1), int64(2)}, {int64(1), nil}, {int64(2), int64(2)}, {nil, nil}}
	cases := []struct {
		name        string
		probe       [][]any
		build       [][]any
		lt          bool // x < ANY: nested loop
		want        string
		probeSchema *arrow.Schema
	}{
		{"b1", p, [][]any{{int64(1)}, {int64(3)}}, false, "true false NULL", one},
		{"b2", p, [][]any{{int64(1)}, {nil}}, false, "true NULL NULL", one},
		{"b3", p, [][]any{{int64(3)}, {nil}}, false, "NULL NULL NULL", one},
		{"b4", p, nil, false, "false false false", one},
		{"m1", p2, [][]any{{int64(1), int64(1)}, {int64(2), nil}}, false, "true false NULL NULL NULL", two},
		{"m2", p2, [][]any{{nil, int64(2)}}, false, "false NULL NULL NULL NULL", two},
		{"m3", p2, [][]any{{int64(3), int64(3)}}, false, "false false false false NULL", two},
		{"m4", p2, nil, false, "false false false false false", two},
		{"lt any b3", p, [][]any{{int64(3)}, {nil}}, true, "true true NULL", one},
		{"lt any b1", p, [][]any{{int64(1)}, {int64(3)}}, true, "true true NULL", one},
		// 5 < ANY (VALUES (1), (NULL)) is NULL; 5 = ANY (empty) is false.
		{"lt any null", [][]any{{int64(5)}}, [][]any{{int64(1)}, {nil}}, true, "NULL", one},
		{"eq any empty", [][]any{{int64(5)}}, nil, false, "false", one},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 2)
			s := tc.probeSchema
			var op executor.Operator
			var err error
			probe, build := source(mem, s, tc.probe, 2, true), source(mem, s, tc.build, 1, false)
			switch {
			case tc.lt:
				op, err = NewNestedLoopJoin(env, MarkJoin, probe, build, ltExpr(0, 1))
			default:
				spec := HashJoinSpec{Type: MarkJoin, Probe: probe, Build: build}
				for c := range s.NumFields() {
					spec.ProbeKeys = append(spec.ProbeKeys, col(c, tI8))
					spec.BuildKeys = append(spec.BuildKeys, col(c, tI8))
				}
				op, err = NewHashJoin(env, spec)
			}
			if err != nil {
				t.Fatal(err)
			}
			if f := op.Schema().Field(s.NumFields()); f.Name != "mark" || f.Type.ID() != arrow.BOOL || !f.Nullable {
				t.Fatalf("mark field %v", f)
			}
			got := mustDrain(t, op)
			sort.SliceStable(got, func(i, j int) bool {
				a, b := got[i], got[j]
				return lessNullsLast(a[0], b[0], a[len(a)-2], b[len(b)-2])
			})
			marks := make([]string, len(got))
			for i, r := range got {
				marks[i] = pgText(r[len(r)-1])
				marks[i] = strings.NewReplacer("t", "true", "f", "false").Replace(marks[i])
			}
			if g := strings.Join(marks, " "); g != tc.want {
				t.Fatalf("got %s, want %s", g, tc.want)
			}
		})
	}
}

func TestSingleJoin(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	probe := randomJoinRows(r, 60, 8)
	var unique [][]any
	for k := range 5 { // keys 0..4 once, 5..7 never
		unique = append(unique, []any{int64(k), "x", int64(k * 10)})
	}
	unique = append(unique, []any{nil, "x", int64(99)})
	for _, residual := range []bool{false, true} {
		t.Run(fmt.Sprintf("hash/residual=%v", residual), func(t *testing.T) {
			mem := checked(t)
			spec := HashJoinSpec{Type: SingleJoin, Probe: source(mem, joinSchema, probe, 7, true), Build: source(mem, joinSchema, unique, 2, false),
				ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)}}
			if residual {
				spec.Residual = ltExpr(2, 5)
			}
			op, err := NewHashJoin(testEnv(mem, 4), spec)
			if err != nil {
				t.Fatal(err)
			}
			want := refJoin(LeftJoin, probe, unique, func(p, b []any) bool {
				return eqKey(p[0], b[0]) && (!residual || p[2].(int64) < b[2].(int64))
			})
			sameRows(t, mustDrain(t, op), want)
		})
	}
	t.Run("nested loop", func(t *testing.T) {
		mem := checked(t)
		op, err := NewNestedLoopJoin(testEnv(mem, 4), SingleJoin, source(mem, joinSchema, probe, 7, true), source(mem, joinSchema, unique, 2, false), colCmpExpr{0, 3, expr.OpEq})
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, mustDrain(t, op), refJoin(LeftJoin, probe, unique, func(p, b []any) bool { return eqKey(p[0], b[0]) }))
	})
	// -- from PostgreSQL 15: select (select y from b1 where y > 0) fails with 21000.
	dup := append(append([][]any{}, unique...), []any{int64(3), "y", int64(1)})
	for _, nested := range []bool{false, true} {
		t.Run(fmt.Sprintf("21000/nested=%v", nested), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 3)
			p, b := source(mem, joinSchema, probe, 7, true), source(mem, joinSchema, dup, 2, false)
			var op executor.Operator
			var err error
			if nested {
				op, err = NewNestedLoopJoin(env, SingleJoin, p, b, colCmpExpr{0, 3, expr.OpEq})
			} else {
				op, err = NewHashJoin(env, HashJoinSpec{Type: SingleJoin, Probe: p, Build: b, ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)}})
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = drain(t, op)
			wantCode(t, err, sqltypes.CodeCardinalityViolation)
			if !strings.Contains(err.Error(), "more than one row returned by a subquery used as an expression") {
				t.Fatal(err)
			}
		})
	}
}
