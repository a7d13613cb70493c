package bench

import (
	"context"
	"testing"

	"github.com/meshql/meshql/internal/cputime"
	"github.com/meshql/meshql/internal/tpch"
)

// BenchmarkFloatMath runs float8 math over lineitem's 60 000 rows at
// SF0.01: the cost of executor/libm's functions in a query, against the
// same query summing the bare column.
func BenchmarkFloatMath(b *testing.B) {
	sess := openSession(b, "../testdata/mesh-tpch")
	ctx := context.Background()
	for _, q := range []struct{ name, sql string }{
		{"none", "SELECT sum(l_extendedprice::float8) FROM lineitem"},
		{"ln", "SELECT sum(ln(l_extendedprice::float8)) FROM lineitem"},
		{"exp", "SELECT sum(exp(l_discount::float8)) FROM lineitem"},
		{"power", "SELECT sum(power(l_extendedprice::float8, 0.5::float8)) FROM lineitem"},
		{"sin", "SELECT sum(sin(l_extendedprice::float8)) FROM lineitem"},
		{"atan", "SELECT sum(atan(l_extendedprice::float8)) FROM lineitem"},
	} {
		b.Run(q.name, func(b *testing.B) {
			n := 0
			start := cputime.Process()
			for b.Loop() {
				n++
				if _, err := tpch.Run(ctx, sess, q.sql); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-start)/float64(max(n, 1)), "cpu-ns/op")
		})
	}
}
