package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
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
