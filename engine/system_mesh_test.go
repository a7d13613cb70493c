package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

// TestQualityAndSLATables: mesh.quality_results shows the last recorded
// check results the user may see; mesh.sla_status measures file-based
// products on their files' modification time now, and products with a
// freshness column on the last check.
func TestQualityAndSLATables(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	meshDir, data := t.TempDir(), t.TempDir()
	if err := os.CopyFS(meshDir, os.DirFS("../testdata/mesh")); err != nil {
		t.Fatal(err)
	}
	touch := func(rel string, at time.Time) {
		p := filepath.Join(data, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	touch("catalog/products_v2/a.parquet", now.Add(-3*time.Hour))
	touch("catalog/products_v2/b.parquet", now.Add(-2*time.Hour)) // the newest file counts
	touch("sales/customers/a.parquet", now.Add(-30*time.Hour))
	checked := now.Add(-time.Hour)
	err := catalog.WriteCheckResults(meshDir, []catalog.CheckResult{
		{Product: "sales.orders_v1", Check: "freshness", Rule: "freshness", OK: true, DataAt: now.Add(-5 * time.Hour), Measured: checked},
		{Product: "sales.orders_v1", Check: "quality:positive_quantity", Rule: "quality", OK: true, Detail: "no rows", Measured: checked},
		{Product: "marketing.cross_sell_v1", Check: "source", Rule: "source", OK: false, Detail: "down", Measured: checked},
		{Product: "sales.customers_v1", Check: "not_null:email", Rule: "not_null", Column: "email", OK: false, Detail: "holds 3 nulls", Measured: checked},
		{Product: "sales.customers_v1", Check: "not_null:country", Rule: "not_null", Column: "country", OK: false, Detail: "holds 2 nulls", Measured: checked},
	})
	if err != nil {
		t.Fatal(err)
	}
	mesh, err := catalog.Load(meshDir, catalog.LoadOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 2, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		user, sql string
		want      []string
	}{
		// sales_eu may not read marketing.cross_sell_v1, so its result is hidden.
		{"sales_eu", "SELECT product, check_name, ok, detail FROM mesh.quality_results WHERE product <> 'sales.customers_v1' ORDER BY 2",
			[]string{"sales.orders_v1|freshness|t|NULL", "sales.orders_v1|quality:positive_quantity|t|no rows"}},
		{"admin", "SELECT count(*) FROM mesh.quality_results WHERE NOT ok", []string{"3"}},
		// What a check measured is a statistic of the raw values: shown
		// for columns the session reads raw over all rows, withheld for a
		// masked column (analyst reads email partially masked) and under
		// a row filter (sales_eu sees only EU customers).
		{"admin", "SELECT check_name, detail FROM mesh.quality_results WHERE product = 'sales.customers_v1' ORDER BY 1",
			[]string{"not_null:country|holds 2 nulls", "not_null:email|holds 3 nulls"}},
		{"analyst", "SELECT check_name, ok, detail FROM mesh.quality_results WHERE product = 'sales.customers_v1' ORDER BY 1",
			[]string{"not_null:country|f|holds 2 nulls", "not_null:email|f|NULL"}},
		{"sales_eu", "SELECT check_name, ok, detail FROM mesh.quality_results WHERE product = 'sales.customers_v1' ORDER BY 1",
			[]string{"not_null:country|f|NULL", "not_null:email|f|NULL"}},
		{"admin", "SELECT product, freshness_target, measured_on, age, freshness_status, availability_target FROM mesh.sla_status ORDER BY 1",
			[]string{
				"catalog.products_v1|7 days|source files|NULL|unknown|99%",
				"catalog.products_v2|24:00:00|source files|02:00:00|ok|99.5%",
				"marketing.cross_sell_v1|24:00:00|NULL|NULL|unknown|99%",
				"sales.customers_v1|24:00:00|source files|30:00:00|violated|99.5%",
				"sales.orders_v1|24:00:00|order_date|05:00:00|ok|99.5%",
			}},
	} {
		got := rows(t, e, c.user, c.sql)
		if len(got) != len(c.want) {
			t.Errorf("%s as %s:\n got %q\nwant %q", c.sql, c.user, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s as %s, row %d:\n got %q\nwant %q", c.sql, c.user, i, got[i], c.want[i])
			}
		}
	}
}

// TestUnknownSystemRelationHints: a misspelt system relation is 42P01
// with the nearest relation of its schema as a hint, and an unknown one
// in the mesh schema lists the mesh views (users guess mesh.products).
func TestUnknownSystemRelationHints(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	for _, c := range []struct{ sql, hint string }{
		{"SELECT * FROM mesh.sesions", `Perhaps you meant "mesh.sessions"?`},
		{"SELECT * FROM pg_catalog.pg_clas", `Perhaps you meant "pg_catalog.pg_class"?`},
		{"SELECT * FROM information_schema.tabels", `Perhaps you meant "information_schema.tables"?`},
	} {
		err := sqltypes.AsError(sessionErr(t, e, "analyst", c.sql))
		if err == nil || err.Code != sqltypes.CodeUndefinedTable || err.Hint != c.hint {
			t.Errorf("%s: got %v (hint %q), want 42P01 with hint %q", c.sql, err, hintOf(err), c.hint)
		}
	}
	err := sqltypes.AsError(sessionErr(t, e, "analyst", "SELECT * FROM mesh.products"))
	if err == nil || err.Code != sqltypes.CodeUndefinedTable || !strings.Contains(err.Hint, "data_products") || !strings.Contains(err.Hint, "sessions") {
		t.Errorf("mesh.products: got %v (hint %q), want 42P01 listing the mesh views", err, hintOf(err))
	}
}

func hintOf(err *sqltypes.Error) string {
	if err == nil {
		return ""
	}
	return err.Hint
}
