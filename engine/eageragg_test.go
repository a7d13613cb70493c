package engine

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// An aggregate moved below a join on a declared key (rules.
// PushAggregatesBelowKeyJoins) gives the same answer when the data breaks
// the declaration: here orders_v1 declares customer_id unique, which it
// is not (customers have many order lines), so every early group of
// customers meets many orders and the merge above the join must add them
// up as the join would have. The expected rows come from the same counts
// computed over orders alone, a plan the rule does not touch.
func TestEagerAggregateKeyThatDoesNotHold(t *testing.T) {
	e, meshDir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	editFile(t, filepath.Join(meshDir, "sales", "orders_v1.yaml"),
		"description: Buyer (sales.customers_v1.customer_id).\n    tags: [pii.indirect]\n    constraints: [not_null]",
		"description: Buyer (sales.customers_v1.customer_id).\n    tags: [pii.indirect]\n    constraints: [not_null, unique]")
	if err := e.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	const joined = `SELECT o.customer_id, count(*), sum(c.customer_id), min(c.signup_date), max(c.signup_date)
		FROM sales.customers_v1 c JOIN sales.orders_v1 o ON o.customer_id = c.customer_id
		GROUP BY o.customer_id ORDER BY 1`
	plan := strings.Join(rows(t, e, "admin", "EXPLAIN "+joined), "\n")
	if strings.Count(plan, "HashAggregate") < 2 {
		t.Fatalf("the aggregate did not move below the join, the test tests nothing:\n%s", plan)
	}
	got := rows(t, e, "admin", joined)
	want := rows(t, e, "admin", `SELECT o.customer_id, count(*), sum(o.customer_id), min(c.signup_date), max(c.signup_date)
		FROM sales.orders_v1 o, LATERAL (SELECT signup_date FROM sales.customers_v1 c WHERE c.customer_id = o.customer_id OFFSET 0) c
		GROUP BY o.customer_id ORDER BY 1`)
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Errorf("eager aggregate over a key with duplicates: %d rows, want %d; first %v, want %v", len(got), len(want), head(got), head(want))
	}
}

func head(rows []string) []string { return rows[:min(3, len(rows))] }
