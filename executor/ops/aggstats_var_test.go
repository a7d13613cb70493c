package ops

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// TestStatsVarScale checks the variable-scale results the planner asks
// for where a variance is kept: PostgreSQL's scale for each value, from
// exact sums, rounded to 38 digits where PostgreSQL shows more (over
// averages, scale 16, a variance of a million used to overflow).
func TestStatsVarScale(t *testing.T) {
	mem := checked(t)
	dt := &arrow.Decimal128Type{Precision: 38, Scale: 16}
	bld := array.NewDecimal128Builder(mem, dt)
	// -- PostgreSQL 15: select var_samp(x), stddev(x), var_pop(x),
	// stddev_pop(x) from (values (423.9160848159337585), (1423.9…),
	// (2423.9…)) v(x) (group 0) and of 1.5, 2.5 (group 1).
	for _, s := range []string{"423.9160848159337585", "1423.9160848159337585", "2423.9160848159337585", "1.5", "2.5"} {
		n, err := decimal128.FromString(s, 38, 16)
		if err != nil {
			t.Fatal(err)
		}
		bld.Append(n)
	}
	in := bld.NewArray()
	bld.Release()
	defer in.Release()
	gids := []int32{0, 0, 0, 1, 1}
	for fn, want := range map[string][2]string{
		"var_samp":   {"1000000.0000000000000000000000000000000", "0.50000000000000000000000000000000"}, // PostgreSQL: 32 places
		"stddev":     {"1000.00000000000000000000000000000000", "0.70710678118654752440084436210485"},
		"var_pop":    {"666666.66666666666666666666666666666667", "0.25000000000000000000000000000000"},
		"stddev_pop": {"816.49658092772603273242802490196380", "0.50000000000000000000000000000000"},
	} {
		out, _ := statsType(sqltypes.NumericType(38, 16))
		acc, err := newStatsAcc(fn, dt, sqltypes.VarNumericType(out.Scale))
		if err != nil {
			t.Fatal(err)
		}
		acc.grow(2)
		if err := acc.update(gids, []arrow.Array{in}); err != nil {
			t.Fatal(err)
		}
		res, err := acc.finish(mem)
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		for g := range 2 {
			m, s := expr.VarNumericAt(res, g)
			if got := m.ToString(s); got != want[g] {
				t.Errorf("%s group %d = %s, want %s", fn, g, got, want[g])
			}
		}
		res.Release()
	}
}
