package expr

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// sampleKept evaluates mesh_tablesample(args...) over b and returns which
// rows it keeps.
func sampleKept(t *testing.T, env *executor.Env, b arrow.RecordBatch, args ...Expr) []bool {
	t.Helper()
	e := must(Call(SampleFunc, args))
	out, err := e.Eval(context.Background(), env, b)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	bools := out.(*array.Boolean)
	kept := make([]bool, bools.Len())
	for i := range kept {
		kept[i] = bools.IsValid(i) && bools.Value(i)
	}
	return kept
}

// rowsBatch is n rows of one text column, each row distinct.
func rowsBatch(t *testing.T, env *executor.Env, n int) arrow.RecordBatch {
	vals := make([]sqltypes.Datum, n)
	for i := range vals {
		vals[i] = fmt.Sprintf(`{"order_id":%d,"status":"delivered"}`, i)
	}
	return makeBatch(t, env, testCol{sqltypes.TypeText, vals})
}

func f8(v float64) Expr { return Literal(sqltypes.TypeFloat8, v) }

func count(kept []bool) int {
	n := 0
	for _, k := range kept {
		if k {
			n++
		}
	}
	return n
}

// TestSampleFraction: each row is kept with probability p/100, so the
// kept count of n rows is binomial(n, p/100); both forms, with and without
// a seed, must land within 5 standard deviations of n·p/100 for every p.
func TestSampleFraction(t *testing.T) {
	env := newTestEnv(t)
	const n = 50000
	b := rowsBatch(t, env, n)
	defer b.Release()
	row := Column(0, sqltypes.TypeText, "row")
	for _, p := range []float64{0.5, 10, 30, 50, 90, 99.5} {
		want := n * p / 100
		tol := 5 * math.Sqrt(n*p/100*(1-p/100))
		for seed := range 3 {
			got := count(sampleKept(t, env, b, f8(p)))
			if math.Abs(float64(got)-want) > tol {
				t.Errorf("BERNOULLI (%v): kept %d of %d, want %.0f ± %.0f", p, got, n, want, tol)
			}
			got = count(sampleKept(t, env, b, f8(p), f8(float64(seed)), row))
			if math.Abs(float64(got)-want) > tol {
				t.Errorf("BERNOULLI (%v) REPEATABLE (%d): kept %d of %d, want %.0f ± %.0f", p, seed, got, n, want, tol)
			}
		}
	}
	// The bounds are exact: everything, nothing.
	for _, args := range [][]Expr{{f8(100)}, {f8(100), f8(7), row}} {
		if got := count(sampleKept(t, env, b, args...)); got != n {
			t.Errorf("100%%: kept %d of %d", got, n)
		}
	}
	for _, args := range [][]Expr{{f8(0)}, {f8(0), f8(7), row}} {
		if got := count(sampleKept(t, env, b, args...)); got != 0 {
			t.Errorf("0%%: kept %d", got)
		}
	}
}

// TestSampleRepeatable: a seed keeps the same rows however the rows are
// split into batches; another seed keeps others.
func TestSampleRepeatable(t *testing.T) {
	env := newTestEnv(t)
	const n = 2000
	b := rowsBatch(t, env, n)
	defer b.Release()
	row := Column(0, sqltypes.TypeText, "row")
	whole := sampleKept(t, env, b, f8(40), f8(1.5), row)
	var split []bool
	for lo := 0; lo < n; lo += 300 {
		part := b.NewSlice(int64(lo), int64(min(lo+300, n)))
		split = append(split, sampleKept(t, env, part, f8(40), f8(1.5), row)...)
		part.Release()
	}
	other := sampleKept(t, env, b, f8(40), f8(2.5), row)
	differ := 0
	for i := range whole {
		if whole[i] != split[i] {
			t.Fatalf("row %d: kept %v in one batch, %v in slices", i, whole[i], split[i])
		}
		if whole[i] != other[i] {
			differ++
		}
	}
	// Independent 40% samples differ on 48% of rows on average.
	if differ < n/4 {
		t.Errorf("seeds 1.5 and 2.5 differ on %d of %d rows only", differ, n)
	}
}

// TestSampleArgumentErrors: PostgreSQL's SQLSTATEs for bad arguments.
func TestSampleArgumentErrors(t *testing.T) {
	env := newTestEnv(t)
	b := rowsBatch(t, env, 3)
	defer b.Release()
	row := Column(0, sqltypes.TypeText, "row")
	null := Literal(sqltypes.TypeFloat8, nil)
	for _, c := range []struct {
		args []Expr
		code string
	}{
		{[]Expr{f8(100.5)}, "2202H"},
		{[]Expr{f8(-0.1)}, "2202H"},
		{[]Expr{f8(math.NaN())}, "2202H"},
		{[]Expr{null}, "2202H"},
		{[]Expr{f8(50), null, row}, "2202G"},
	} {
		e := must(Call(SampleFunc, c.args))
		out, err := e.Eval(context.Background(), env, b)
		if err == nil {
			out.Release()
		}
		if sqltypes.Code(err) != c.code {
			t.Errorf("%s: got %v, want SQLSTATE %s", e, err, c.code)
		}
	}
	if _, err := Call(SampleFunc, []Expr{i4(5)}); err == nil {
		t.Error("an int4 percentage was accepted: the binder must coerce it")
	}
}
