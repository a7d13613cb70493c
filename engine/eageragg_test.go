package engine

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// An aggregate moved below a join on a declared key (rules.
// PushAggregatesBelowKeyJoins) gives the same answer when the data breaks
// the declaration: here orders_v1 declares customer_id unique, which it
// is not (customers have many order lines), so every early group of
// customers meets many orders and the merge above the join must add them
// up as the join would have. The expected rows are computed here from the
// two tables' rows, read by plain scans.
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
	// signup_date is not null and ISO dates order as text.
	type group struct {
		n, sum int64
		lo, hi string
	}
	signups := map[int64][]string{}
	for _, r := range rows(t, e, "admin", "SELECT customer_id, signup_date FROM sales.customers_v1") {
		id, d, _ := strings.Cut(r, "|")
		k, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		signups[k] = append(signups[k], d)
	}
	groups := map[int64]*group{}
	for _, r := range rows(t, e, "admin", "SELECT customer_id FROM sales.orders_v1") {
		k, err := strconv.ParseInt(r, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range signups[k] {
			g := groups[k]
			if g == nil {
				g = &group{lo: d, hi: d}
				groups[k] = g
			}
			g.n, g.sum, g.lo, g.hi = g.n+1, g.sum+k, min(g.lo, d), max(g.hi, d)
		}
	}
	var want []string
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		g := groups[k]
		want = append(want, fmt.Sprintf("%d|%d|%d|%s|%s", k, g.n, g.sum, g.lo, g.hi))
	}
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Errorf("eager aggregate over a key with duplicates: %d rows, want %d; first %v, want %v", len(got), len(want), head(got), head(want))
	}
}

func head(rows []string) []string { return rows[:min(3, len(rows))] }
