package engine

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestForeignArrowTypesRead rewrites a product's Parquet files the way
// other writers store the same values (unsigned integers, large strings)
// and checks that queries filtering, grouping, joining and returning those
// columns give the rows they gave before the rewrite: the declared types
// still match, so the scan converts instead of failing.
func TestForeignArrowTypesRead(t *testing.T) {
	e, meshDir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	files := filepath.Join(filepath.Dir(meshDir), "data", "sales", "orders")
	s := session(t, e, "admin")
	queries := []string{
		"SELECT order_id, quantity, status FROM sales.orders_v1 WHERE order_id % 7 = 3 ORDER BY order_id",
		"SELECT status, count(*), sum(quantity), max(order_id) FROM sales.orders_v1 WHERE quantity > 1 GROUP BY status ORDER BY status",
		"SELECT count(*) FROM sales.orders_v1 o JOIN sales.orders_v1 p ON p.order_id = o.order_id + 1 AND p.status = o.status",
		"SELECT order_id FROM sales.orders_v1 WHERE order_id BETWEEN 10 AND 20 AND status IN ('delivered', 'placed') ORDER BY 1",
	}
	before := make([][]string, len(queries))
	for i, q := range queries {
		rows, err := sessionRows(t, s, q)
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s before the rewrite: %v, %v", q, rows, err)
		}
		before[i] = rows
	}
	rewriteParquet(t, files, "order_id", arrow.PrimitiveTypes.Uint32)
	rewriteParquet(t, files, "quantity", arrow.PrimitiveTypes.Uint16)
	rewriteParquet(t, files, "status", arrow.BinaryTypes.LargeString)
	for i, q := range queries {
		rows, err := sessionRows(t, s, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if !slices.Equal(rows, before[i]) {
			t.Errorf("%s:\n got %v\nwant %v", q, rows, before[i])
		}
	}
}
