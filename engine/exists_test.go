package engine

import (
	"regexp"
	"strings"
	"testing"
)

// TestUncorrelatedExistsReadsOneRow: an uncorrelated [NOT] EXISTS needs
// only to know whether its subquery has a row, as PostgreSQL's InitPlan
// does. meshql reads no further than the first (a LIMIT 1 below the
// join), and a NOT EXISTS that finds one does not read the outer table at
// all: a fuzzed query whose NOT EXISTS paired every outer row with every
// subquery row ran 40 s instead of milliseconds.
func TestUncorrelatedExistsReadsOneRow(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	rows, err := queryErr(t, e, "analyst", "SELECT count(*) FROM sales.orders_v1 o WHERE NOT EXISTS (SELECT 1 FROM sales.customers_v1 c WHERE c.region = 'EU')")
	if err != nil || strings.Join(rows, ",") != "0" {
		t.Fatalf("NOT EXISTS over a non-empty subquery: %v, %v; want 0", rows, err)
	}
	rows, err = queryErr(t, e, "analyst", "SELECT count(*) > 0 FROM sales.orders_v1 o WHERE EXISTS (SELECT 1 FROM sales.customers_v1 c WHERE c.region = 'EU')")
	if err != nil || strings.Join(rows, ",") != "t" {
		t.Fatalf("EXISTS over a non-empty subquery: %v, %v; want t", rows, err)
	}
	plan, err := queryErr(t, e, "analyst", "EXPLAIN ANALYZE SELECT count(*) FROM sales.orders_v1 o WHERE NOT EXISTS (SELECT 1 FROM sales.customers_v1 c WHERE c.region = 'EU')")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !regexp.MustCompile(`Limit \(offset=0 count=1\) \[actual rows=1 `).MatchString(text) {
		t.Errorf("the subquery is not cut at its first row:\n%s", text)
	}
	if !regexp.MustCompile(`Scan sales\.orders_v1 AS o .*\[actual rows=0 `).MatchString(text) {
		t.Errorf("NOT EXISTS over a non-empty subquery still reads the outer table:\n%s", text)
	}
}
