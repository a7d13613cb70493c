package engine

import (
	"strings"
	"testing"
)

// TestNotInPlan checks which NOT IN (subquery) conditions are planned as
// anti joins: those whose two sides are never NULL (declared not_null,
// filtered by a condition a NULL never passes, inner join keys, count()).
// With a side that may be NULL, a mark join keeps the three values.
func TestNotInPlan(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		name, q string
		anti    bool
	}{
		{"declared not_null", "SELECT count(*) FROM sales.orders_v1 o WHERE o.product_id NOT IN (SELECT product_id FROM catalog.products_v2 WHERE category = 'audio')", true},
		{"<> ALL", "SELECT count(*) FROM sales.orders_v1 o WHERE o.product_id <> ALL (SELECT product_id FROM catalog.products_v2 WHERE category = 'audio')", true},
		{"IS NOT NULL", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT y FROM (VALUES (1), (NULL)) v(y) WHERE y IS NOT NULL)", true},
		{"compared expression", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT y FROM (VALUES (1), (NULL)) v(y) WHERE y + 1 > 0)", true},
		{"both sides of OR", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT y FROM (VALUES (1), (NULL)) v(y) WHERE y < 0 OR y > 0)", true},
		{"one side of OR", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT y FROM (VALUES (1), (NULL)) v(y) WHERE y > 0 OR y IS NULL)", false},
		{"inner join key", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT a.y FROM (VALUES (1), (NULL)) a(y) JOIN (VALUES (1), (NULL)) b(z) ON a.y = b.z)", true},
		{"count", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT count(*) FROM (VALUES (1), (NULL)) a(y) GROUP BY y)", true},
		{"correlated", "SELECT count(*) FROM sales.customers_v1 c WHERE c.customer_id NOT IN (SELECT o.customer_id FROM sales.orders_v1 o WHERE o.product_id = c.customer_id)", true},
		{"NULL inside", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT y FROM (VALUES (1), (NULL)) v(y))", false},
		{"NULL outside", "SELECT x FROM (VALUES (1), (NULL)) t(x) WHERE x NOT IN (SELECT product_id FROM catalog.products_v2)", false},
		{"outer join side", "SELECT x FROM (VALUES (1), (5)) t(x) WHERE x NOT IN (SELECT b.z FROM (VALUES (1), (2)) a(y) LEFT JOIN (VALUES (1)) b(z) ON a.y = b.z)", false},
		{"expression", "SELECT count(*) FROM sales.orders_v1 o WHERE NULLIF(o.quantity, 1) NOT IN (SELECT product_id FROM catalog.products_v2)", false},
		{"row", "SELECT x FROM (VALUES (1, 1), (2, 2)) t(x, y) WHERE (x, y) NOT IN (SELECT a, b FROM (VALUES (1, 1), (2, NULL)) v(a, b))", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Join(rows(t, e, "admin", "EXPLAIN "+tc.q), "\n")
			anti, mark := strings.Contains(text, "Join Anti"), strings.Contains(text, "Join Mark")
			if anti != tc.anti || mark == tc.anti {
				t.Errorf("want anti join %v (mark join %v):\n%s", tc.anti, !tc.anti, text)
			}
		})
	}
}
