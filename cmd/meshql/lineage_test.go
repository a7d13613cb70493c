package main

import (
	"strings"
	"testing"
)

func TestLineageCLI(t *testing.T) {
	t.Setenv("MESHQL_MESH", "../../testdata/mesh")
	code, out, errOut := runCLI(t, "lineage", "marketing.cross_sell")
	want := "marketing.cross_sell_v1\nupstream (derived from):\n  ├── catalog.products_v2\n  └── sales.orders_v1\n"
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
	// Written from cross_sell_v1's SQL.
	cols := "columns (derived from):\n  customer_id ← sales.orders_v1.customer_id (identity)\n  category ← catalog.products_v2.category (identity)\n  occurences ← (no input column)\n"
	if !strings.HasSuffix(out, cols) {
		t.Errorf("column lineage:\n%s\nwant it to end with\n%s", out, cols)
	}
	code, out, _ = runCLI(t, "lineage", "--format", "dot")
	if code != 0 || !strings.Contains(out, `"catalog.products_v2" -> "marketing.cross_sell_v1";`) || !strings.Contains(out, `"sales.customers_v1";`) {
		t.Errorf("dot: exit %d:\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "lineage", "sales.ordres"); code != 1 || !strings.Contains(errOut, "42P01") {
		t.Errorf("unknown product: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "lineage"); code != 2 {
		t.Errorf("tree without a product: exit %d, want 2", code)
	}
}
