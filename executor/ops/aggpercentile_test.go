package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// TestPercentileSelection checks the selection path of percentile_cont
// and percentile_disc over double precision against sorting, on groups
// with duplicates, NaNs, infinities and sorted or reversed input.
func TestPercentileSelection(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, 1, -1}
	for trial := range 300 {
		n := 1 + r.IntN(50)
		if trial%10 == 0 {
			n = 1 + r.IntN(5000)
		}
		vals := make([]float64, n)
		for i := range vals {
			switch r.IntN(6) {
			case 0:
				vals[i] = special[r.IntN(len(special))]
			case 1:
				vals[i] = float64(r.IntN(4)) // many duplicates
			default:
				vals[i] = r.NormFloat64() * 100
			}
		}
		switch r.IntN(3) { // input order, independent of the fraction
		case 1:
			slices.SortFunc(vals, floatCmp[float64])
		case 2:
			slices.SortFunc(vals, func(a, b float64) int { return floatCmp(b, a) })
		}
		f := []float64{0, 1, 0.5, r.Float64()}[r.IntN(4)]
		for _, cont := range []bool{true, false} {
			for _, desc := range []bool{false, true} {
				mem := checked(t)
				a := &percentileAcc{mem: mem, cont: cont, desc: desc, dt: arrow.PrimitiveTypes.Float64}
				a.grow(1)
				fr := fixedArray(mem, arrow.PrimitiveTypes.Float64, slices.Repeat([]float64{f}, n), nil)
				vs := fixedArray(mem, arrow.PrimitiveTypes.Float64, vals, nil)
				if err := a.update(make([]int32, n), []arrow.Array{fr, vs}); err != nil {
					t.Fatal(err)
				}
				fr.Release()
				vs.Release()
				out, err := a.finish(mem)
				if err != nil {
					t.Fatal(err)
				}
				got, want := fixedVals[float64](out)[0], refPercentile(cont, desc, f, slices.Clone(vals)).(float64)
				if !(got == want || got != got && want != want) {
					t.Errorf("trial %d (n=%d f=%g cont=%v desc=%v): got %v, want %v", trial, n, f, cont, desc, got, want)
				}
				out.Release()
				a.release()
			}
		}
	}
}

// TestPercentileSharedGrouping: ordered-set aggregates over one column
// share one retained copy and its grouped, sorted values (shareRetained,
// groupedValues), ascending and descending ones and mode alike; each
// gives what it gives alone (a FILTER keeps an aggregate from sharing).
func TestPercentileSharedGrouping(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	rows := randomAggRows(r, 400, 9)
	txt, i8 := expr.Column(5, tTxt, "s"), expr.Column(2, tI8, "i")
	frac := func(f float64) expr.Expr { return expr.Literal(tF8, f) }
	aggs := []Aggregate{
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.3), txt}},
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.3), txt}, Desc: true},
		{Func: "mode", Args: []expr.Expr{frac(0), txt}, Desc: true},
		{Func: "mode", Args: []expr.Expr{frac(0), txt}},
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.9), txt}},
		{Func: "percentile_cont", Args: []expr.Expr{frac(0.5), i8}},
		{Func: "percentile_cont", Args: []expr.Expr{frac(0.25), i8}, Desc: true},
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.5), i8}, Desc: true},
		{Func: "mode", Args: []expr.Expr{frac(0), i8}},
		{Func: "percentile_disc", Args: []expr.Expr{frac(0.5), i8}},
	}
	alone := slices.Clone(aggs)
	for j := range alone {
		alone[j].Filter = expr.Literal(tB, true)
	}
	run := func(as []Aggregate) [][]any {
		mem := checked(t)
		var ins []executor.Operator
		for p := range 3 {
			ins = append(ins, source(mem, aggSchema, rows[p*len(rows)/3:(p+1)*len(rows)/3], 17, p == 1))
		}
		op, err := NewHashAggregate(testEnv(mem, 5), ins, []expr.Expr{col(0, tI8)}, as)
		if err != nil {
			t.Fatal(err)
		}
		return mustDrain(t, op)
	}
	got := run(aggs)
	sameRows(t, got, run(alone))
	if len(got) < 5 {
		t.Fatalf("%d groups", len(got))
	}
}

// TestPercentileSelectionGroups: percentiles over double precision per
// group, the values retained from several batches (rows of no group,
// NULLs and NaNs among them) and from two partial states merged with
// their groups renumbered, are each group's percentile of its own values.
func TestPercentileSelectionGroups(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const groups = 7
	for _, cont := range []bool{true, false} {
		for _, desc := range []bool{false, true} {
			mem := checked(t)
			f := 0.3 + r.Float64()/2
			parts := [2]*percentileAcc{}
			perGroup := make([][]float64, groups)
			for p := range parts {
				a := &percentileAcc{mem: mem, cont: cont, desc: desc, dt: arrow.PrimitiveTypes.Float64}
				a.grow(groups)
				parts[p] = a
				for range 3 {
					n := 1 + r.IntN(300)
					gids := make([]int32, n)
					vals := make([]float64, n)
					valid := make([]bool, n)
					for i := range n {
						gids[i] = int32(r.IntN(groups+1)) - 1
						vals[i] = r.NormFloat64() * 100
						if r.IntN(40) == 0 {
							vals[i] = math.NaN()
						}
						valid[i] = r.IntN(15) != 0
						if gids[i] >= 0 && valid[i] {
							// Part 1's group g is the merged group groups-1-g.
							g := gids[i]
							if p == 1 {
								g = groups - 1 - g
							}
							perGroup[g] = append(perGroup[g], vals[i])
						}
					}
					fr := fixedArray(mem, arrow.PrimitiveTypes.Float64, slices.Repeat([]float64{f}, n), nil)
					vs := fixedArray(mem, arrow.PrimitiveTypes.Float64, vals, valid)
					if err := a.update(gids, []arrow.Array{fr, vs}); err != nil {
						t.Fatal(err)
					}
					fr.Release()
					vs.Release()
				}
			}
			gmap := make([]int32, groups)
			for g := range gmap {
				gmap[g] = int32(groups - 1 - g)
			}
			if err := parts[0].merge(parts[1], gmap); err != nil {
				t.Fatal(err)
			}
			parts[1].release()
			out, err := parts[0].finish(mem)
			if err != nil {
				t.Fatal(err)
			}
			for g := range groups {
				got := fixedVals[float64](out)[g]
				want := refPercentile(cont, desc, f, slices.Clone(perGroup[g])).(float64)
				if !(got == want || got != got && want != want) {
					t.Errorf("cont=%v desc=%v group %d (%d values): got %v, want %v", cont, desc, g, len(perGroup[g]), got, want)
				}
			}
			out.Release()
			parts[0].release()
		}
	}
}

// TestPercentilesShareValues: percentiles that share one retained copy
// of their values (shareRetained) each select from the groups' values
// the ones before them left reordered, and each gets its own answer.
func TestPercentilesShareValues(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const groups = 5
	mem := checked(t)
	specs := []struct {
		cont, desc bool
		f          float64
	}{{true, false, 0.5}, {false, true, 0.9}, {true, true, 0.1}, {false, false, 0.75}}
	accs := make([]*percentileAcc, len(specs))
	for k, s := range specs {
		accs[k] = &percentileAcc{mem: mem, cont: s.cont, desc: s.desc, dt: arrow.PrimitiveTypes.Float64}
		accs[k].grow(groups)
		if k > 0 {
			accs[k].source = accs[0]
		}
	}
	perGroup := make([][]float64, groups)
	for range 4 {
		n := 1 + r.IntN(400)
		gids := make([]int32, n)
		vals := make([]float64, n)
		for i := range n {
			gids[i] = int32(r.IntN(groups+1)) - 1
			vals[i] = float64(r.IntN(1000)) / 8
			if r.IntN(50) == 0 {
				vals[i] = math.NaN()
			}
			if gids[i] >= 0 {
				perGroup[gids[i]] = append(perGroup[gids[i]], vals[i])
			}
		}
		vs := fixedArray(mem, arrow.PrimitiveTypes.Float64, vals, nil)
		for k, a := range accs {
			fr := fixedArray(mem, arrow.PrimitiveTypes.Float64, slices.Repeat([]float64{specs[k].f}, n), nil)
			if err := a.update(gids, []arrow.Array{fr, vs}); err != nil {
				t.Fatal(err)
			}
			fr.Release()
		}
		vs.Release()
	}
	for k, a := range accs {
		out, err := a.finish(mem)
		if err != nil {
			t.Fatal(err)
		}
		s := specs[k]
		for g := range groups {
			got := fixedVals[float64](out)[g]
			want := refPercentile(s.cont, s.desc, s.f, slices.Clone(perGroup[g])).(float64)
			if !(got == want || got != got && want != want) {
				t.Errorf("percentile %d (cont=%v desc=%v f=%g) group %d: got %v, want %v", k, s.cont, s.desc, s.f, g, got, want)
			}
		}
		out.Release()
	}
	for _, a := range accs {
		a.release()
	}
}
