package engine

import (
	"strings"
	"testing"
)

// EXPLAIN shows every aggregate's FILTER: count(*) FILTER (WHERE …) was
// shown as a plain count(*), so a pivot's plan read as the same count
// computed several times.
func TestExplainShowsAggregateFilters(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	plan := strings.Join(rows(t, e, "admin", "EXPLAIN SELECT count(*) FILTER (WHERE status = 'shipped'), count(*), sum(amount) FILTER (WHERE quantity > 2) FROM sales.orders_v1"), "\n")
	for _, want := range []string{"count(*) FILTER (WHERE (status = 'shipped'))", "count(*),", "sum(amount) FILTER (WHERE (quantity > 2))"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
}
