package bench

import (
	"context"
	"testing"

	"github.com/meshql/meshql/internal/cputime"
	"github.com/meshql/meshql/internal/tpch"
)

// subqueryCliffs are subquery shapes the random queries found right but
// seconds slower than PostgreSQL (testdata/sql/perf_cliffs_sub.slt holds
// their answers): each was a nested loop over every pair of rows, or
// numbered a whole cross join before filtering it.
var subqueryCliffs = []struct{ name, sql string }{
	// A hash mark join keyed on the constant array.
	{"const_not_in_array", `SELECT count(*) FROM orders
		WHERE ARRAY[7, 0] NOT IN (SELECT ARRAY[(o2.o_custkey % 10)::int, o2.o_shippriority] FROM orders o2)`},
	// The filtered subquery's first row decides.
	{"const_in_text", `SELECT count(*) FROM orders WHERE 'F' IN (SELECT o2.o_orderstatus FROM orders o2)`},
	// Compared with max(o_totalprice), aggregated once.
	{"le_any", `SELECT count(*) FROM orders
		WHERE o_totalprice <= ANY (SELECT o2.o_totalprice FROM orders o2 WHERE o2.o_orderstatus = 'F')`},
	{"gt_all_union", `SELECT o_orderkey FROM orders WHERE o_orderdate > ALL (SELECT o2.o_orderdate FROM orders o2 WHERE o2.o_orderpriority = '1-URGENT' AND o2.o_orderkey < 1000)
		UNION SELECT c_custkey FROM customer`},
	// Correlated by a key of three values: compared with each status's
	// max (and counts), aggregated once per key, not with every order of
	// the same status.
	{"ge_all_correlated", `SELECT count(*) FROM orders o
		WHERE o.o_totalprice >= ALL (SELECT o2.o_totalprice FROM orders o2 WHERE o2.o_orderstatus = o.o_orderstatus)`},
	{"ne_any_correlated", `SELECT count(*) FILTER (WHERE o.o_orderdate <> ANY (SELECT o2.o_orderdate FROM orders o2 WHERE o2.o_orderstatus = o.o_orderstatus AND o2.o_custkey < 20)) FROM orders o`},
	// The WHERE filters the cross join before decorrelation numbers it.
	{"per_row_regexp", `SELECT count(*) FROM customer c1 CROSS JOIN customer c2
		WHERE c1.c_custkey % 100 = 7
		AND (SELECT string_agg(array_to_string(m.v, '/'), ',' ORDER BY m.n) FROM regexp_matches(c2.c_phone, '(\d+)-(\d+)', 'g') WITH ORDINALITY AS m(v, n)) > c1.c_phone`},
}

// BenchmarkSubqueryCliffs runs subqueryCliffs over the SF0.01 TPC-H mesh,
// reporting CPU per run as BenchmarkTPCH does.
func BenchmarkSubqueryCliffs(b *testing.B) {
	sess := openSession(b, "../testdata/mesh-tpch")
	ctx := context.Background()
	for _, q := range subqueryCliffs {
		b.Run(q.name, func(b *testing.B) {
			var rows, n int
			start := cputime.Process()
			for b.Loop() {
				n++
				res, err := tpch.Run(ctx, sess, q.sql)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(res.Rows)
			}
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(cputime.Process()-start)/float64(max(n, 1)), "cpu-ns/op")
		})
	}
}
