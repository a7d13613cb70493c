package engine

import (
	"fmt"
	"strings"
	"testing"
)

// TestLeftJoinFunctionOnReadsOnce checks that a function over a table's
// rows, LEFT JOINed ON a condition, reads the table once and joins
// nothing: the rows are numbered under the function and a window keeps
// each row's passing elements or its padding, with no pairing of rows.
func TestLeftJoinFunctionOnReadsOnce(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	const q = "SELECT count(*), count(t) FROM sales.orders_v1 o LEFT JOIN unnest(string_to_array(o.status, 'e')) t ON t LIKE 'l%'"
	text := strings.Join(rows(t, e, "analyst", "EXPLAIN ANALYZE "+q), "\n")
	if n := strings.Count(text, "Scan sales.orders_v1"); n != 1 {
		t.Errorf("the table is read %d times, want once:\n%s", n, text)
	}
	if strings.Contains(text, "Join") {
		t.Errorf("the function's rows are joined back:\n%s", text)
	}
	// Every passing element once, and one row for each order without any.
	const matched = "SELECT count(*) FROM sales.orders_v1 o CROSS JOIN unnest(string_to_array(o.status, 'e')) t WHERE t LIKE 'l%'"
	const unmatched = "SELECT count(*) FROM (SELECT o.order_id, count(t) FILTER (WHERE t LIKE 'l%') AS n FROM sales.orders_v1 o LEFT JOIN unnest(string_to_array(o.status, 'e')) t ON true GROUP BY 1) x WHERE n = 0"
	m, u := rows(t, e, "analyst", matched)[0], rows(t, e, "analyst", unmatched)[0]
	var mn, un int
	if _, err := fmt.Sscan(m+" "+u, &mn, &un); err != nil || un == 0 {
		t.Fatalf("%s / %s: %v (the data must have orders without a match)", m, u, err)
	}
	if got, want := strings.Join(rows(t, e, "analyst", q), ","), fmt.Sprintf("%d|%d", mn+un, mn); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
