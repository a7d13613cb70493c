package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestRowFilterIsSecurityBarrier gives sales.customers_v1, and a derived
// product over it, a row filter that is not the cheapest conjunct
// (upper(region) = …) and probes them as sales_eu with predicates that
// fail on hidden rows only: by division, cast and function, through a
// derived table, a join, EXISTS and LATERAL. Each must answer what it
// answers over the visible rows, as PostgreSQL does under row-level
// security (internal/federation compares with PostgreSQL itself), and
// not the error that would reveal a hidden customer's id.
func TestRowFilterIsSecurityBarrier(t *testing.T) {
	e, dir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	const filter, upper = "predicate: region = current_user_attr('region')", "predicate: upper(region) = current_user_attr('region')"
	editFile(t, filepath.Join(dir, "sales", "customers_v1.yaml"), filter, upper)
	if err := os.WriteFile(filepath.Join(dir, "sales", "region_signups_v1.yaml"), []byte(strings.Replace(regionSignups, filter, upper, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	hidden := rows(t, e, "admin", "SELECT customer_id::text FROM sales.customers_v1 WHERE region <> 'EU' ORDER BY 1 LIMIT 1")[0]
	visible := rows(t, e, "admin", "SELECT count(*) FROM sales.customers_v1 WHERE region = 'EU'")
	visibleOrders := rows(t, e, "admin", "SELECT count(*) FROM sales.orders_v1 o JOIN sales.customers_v1 c USING (customer_id) WHERE c.region = 'EU'")
	visibleMonths := rows(t, e, "sales_eu", "SELECT count(*) FROM sales.region_signups_v1")
	fails := "CASE WHEN customer_id = " + hidden + " THEN 0 ELSE 1 END" // 0 for the hidden customer only
	failsC := strings.ReplaceAll(fails, "customer_id", "c.customer_id")
	for _, tc := range []struct {
		name, sql string
		want      []string
	}{
		{"division", "SELECT count(*) FROM sales.customers_v1 WHERE 1/(" + fails + ") = 1", visible},
		{"cast", "SELECT count(*) FROM sales.customers_v1 WHERE (CASE WHEN " + fails + " = 0 THEN name ELSE '1' END)::int = 1", visible},
		{"function", "SELECT count(*) FROM sales.customers_v1 WHERE ln(" + fails + ") = 0", visible},
		{"beside a pushed comparison", "SELECT count(*) FROM sales.customers_v1 WHERE customer_id > 0 AND 1/(" + fails + ") = 1", visible},
		{"over a dictionary column", "SELECT count(*) FROM sales.customers_v1 WHERE 1/(CASE WHEN region = 'NA' THEN 0 ELSE 1 END) = 1", visible},
		{"derived table", "SELECT count(*) FROM (SELECT name, customer_id FROM sales.customers_v1) c WHERE 1/(" + failsC + ") = 1", visible},
		{"join condition", "SELECT count(*) FROM sales.orders_v1 o JOIN sales.customers_v1 c ON c.customer_id = o.customer_id AND 1/(" + failsC + ") = 1", visibleOrders},
		{"exists", "SELECT count(*) FROM sales.orders_v1 o WHERE EXISTS (SELECT 1 FROM sales.customers_v1 c WHERE c.customer_id = o.customer_id AND 1/(" + failsC + ") = 1)", visibleOrders},
		{"lateral", "SELECT count(*) FROM (VALUES (0)) v(k) CROSS JOIN LATERAL (SELECT 1 FROM sales.customers_v1 c WHERE 1/(CASE WHEN c.customer_id = " + hidden + " + v.k THEN 0 ELSE 1 END) = 1) x", visible},
		{"derived product", "SELECT count(*) FROM sales.region_signups_v1 WHERE 1/(CASE WHEN region = 'NA' THEN 0 ELSE 1 END) = 1", visibleMonths},
	} {
		got, err := queryErr(t, e, "sales_eu", tc.sql)
		if err != nil || strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %s\ngot %v (SQLSTATE %s: %v), want %v: the rows the row filter keeps", tc.name, tc.sql, got, sqltypes.Code(err), err, tc.want)
		}
	}

	// What the source delivered before the row filter counts the rows it
	// hides: EXPLAIN ANALYZE leaves it out, as it does pruning counts.
	const count = "EXPLAIN ANALYZE SELECT count(*) FROM sales.customers_v1"
	if plan := strings.Join(rows(t, e, "sales_eu", count), "\n"); strings.Contains(plan, "source_rows=") || strings.Contains(plan, "source_bytes=") {
		t.Errorf("as sales_eu, EXPLAIN ANALYZE counts what the source delivered before the row filter:\n%s", plan)
	}
	if plan := strings.Join(rows(t, e, "admin", count), "\n"); !strings.Contains(plan, "source_rows=") {
		t.Errorf("as admin, EXPLAIN ANALYZE shows no source counts, so the check above proves nothing:\n%s", plan)
	}
}
