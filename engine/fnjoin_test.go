package engine

import (
	"fmt"
	"strings"
	"testing"
)

// TestLeftJoinFunctionOnReadsOnce checks that a function over a table's
// rows, LEFT JOINed ON a condition, reads the table once and joins
// nothing: the function keeps each row's passing elements or its padding
// (Unnest's cond), with no pairing of rows and no window over them.
func TestLeftJoinFunctionOnReadsOnce(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	const q = "SELECT count(*), count(t) FROM sales.orders_v1 o LEFT JOIN unnest(string_to_array(o.status, 'e')) t ON t LIKE 'l%'"
	text := strings.Join(rows(t, e, "analyst", "EXPLAIN ANALYZE "+q), "\n")
	if n := strings.Count(text, "Scan sales.orders_v1"); n != 1 {
		t.Errorf("the table is read %d times, want once:\n%s", n, text)
	}
	if strings.Contains(text, "Join") || strings.Contains(text, "Window") {
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

// TestJoinFunctionOnBoundOnce checks that the ON condition of a join of
// a function over the left side's rows is bound once: a product read in
// it with a column the user may not see gives one notice, not one per
// binding.
func TestJoinFunctionOnBoundOnce(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "marketing")
	for _, q := range []string{
		"SELECT v.a, g FROM (VALUES (1), (2)) v(a) LEFT JOIN generate_series(1, v.a) g ON g IN (SELECT customer_id FROM sales.customers_v1)",
		"SELECT v.a, g FROM (VALUES (1), (2)) v(a) JOIN generate_series(1, v.a) g ON g IN (SELECT customer_id FROM sales.customers_v1)",
		"SELECT v.a, g FROM (VALUES (1), (2)) v(a) LEFT JOIN generate_series(1, 2) g ON g IN (SELECT customer_id FROM sales.customers_v1)",
		"SELECT v.a, g FROM (VALUES (1), (2)) v(a) LEFT JOIN generate_series(1, v.a) g ON EXISTS (SELECT FROM sales.customers_v1)",
		// The function itself reads the product, and not the left side.
		"SELECT v.a, u FROM (VALUES (1), (2)) v(a) JOIN unnest(ARRAY(SELECT customer_id FROM sales.customers_v1)) u ON u = v.a",
		"SELECT v.a, u FROM (VALUES (1), (2)) v(a) LEFT JOIN unnest(ARRAY(SELECT customer_id FROM sales.customers_v1)) u ON u < v.a",
	} {
		res, err := s.Query(t.Context(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var msgs []string
		for _, n := range res.Notices {
			msgs = append(msgs, n.Msg)
		}
		res.Close()
		if len(msgs) != 1 || msgs[0] != "column signup_date of sales.customers_v1 is hidden by its access policy" {
			t.Errorf("%s: notices %q, want the hidden column's once", q, msgs)
		}
	}
}

// TestLeftJoinFunctionOnFilteredBelow checks the plan of a LEFT JOIN
// LATERAL function ON a condition under a WHERE over the left side: the
// function applies the condition itself (cond, outer), and the WHERE
// reaches the table's scan below it instead of waiting above a window
// over all its rows.
func TestLeftJoinFunctionOnFilteredBelow(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	const q = "SELECT o.order_id, t FROM sales.orders_v1 o LEFT JOIN LATERAL unnest(string_to_array(o.status, 'e')) t ON t LIKE 'l%' WHERE o.order_id < 4"
	lines := rows(t, e, "analyst", "EXPLAIN "+q)
	text := strings.Join(lines, "\n")
	unnest, scan := -1, -1
	for i, l := range lines {
		switch {
		case strings.Contains(l, "Unnest ("):
			unnest = i
			if !strings.Contains(l, "cond=") || !strings.Contains(l, "outer") {
				t.Errorf("the unnest does not apply the ON condition itself:\n%s", text)
			}
		case strings.Contains(l, "Scan sales.orders_v1"):
			scan = i
			if !strings.Contains(l, "order_id < 4") {
				t.Errorf("the WHERE does not reach the scan:\n%s", text)
			}
		}
	}
	if unnest < 0 || scan < unnest || strings.Contains(text, "Window") || strings.Contains(text, "Join") {
		t.Errorf("want the scan under an unnest, and no window or join:\n%s", text)
	}
}
