package federation

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/demodata"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/tpch"
)

// TestCrossSellFederated runs the README's cross-sell query (the SQL of
// marketing.cross_sell_v1) over the demo data with sales.orders_v1 in
// Parquet and catalog.products_v2 in PostgreSQL, and over the same data
// with both in Parquet; both answers must equal PostgreSQL's own answer
// over the same rows. The date is fixed and the order made total (ties
// of the LIMIT 50 would make any 50 of them right).
func TestCrossSellFederated(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	dataDir := filepath.Join(t.TempDir(), "data")
	if err := demodata.Generate(ctx, dataDir, demodata.Options{Now: now, Scale: 0.01}); err != nil {
		t.Fatal(err)
	}
	load := func() *catalog.Mesh {
		m, err := catalog.Load(filepath.Join("..", "..", "testdata", "mesh"), catalog.LoadOptions{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	single, federated := load(), load()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pgURL := pgtest.NewDatabase(t, "crosssell")
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := pgload.LoadMesh(ctx, conn, single, mem); err != nil {
		t.Fatal(err)
	}
	products, ok := federated.Lookup("catalog", "products_v2")
	if !ok {
		t.Fatal("the demo mesh has no catalog.products_v2")
	}
	products.Source = catalog.Source{Connector: "postgres", Table: "catalog.products_v2", Options: map[string]string{"url": pgURL}}

	cs, ok := single.Lookup("marketing", "cross_sell_v1")
	if !ok {
		t.Fatal("the demo mesh has no marketing.cross_sell_v1")
	}
	sql := cs.Source.Query
	for old, repl := range map[string]string{
		"current_date":                      "DATE '" + now.Format(time.DateOnly) + "'",
		"ORDER BY occurences DESC LIMIT 50": "ORDER BY occurences DESC, 1, 2",
	} {
		if !strings.Contains(sql, old) {
			t.Fatalf("the cross-sell query no longer contains %q:\n%s", old, sql)
		}
		sql = strings.Replace(sql, old, repl, 1)
	}

	want := &tpch.Result{}
	rows, err := conn.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r []string
		for _, v := range rows.RawValues() {
			r = append(r, string(v))
		}
		want.Rows = append(want.Rows, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want.Columns = []string{"customer_id", "category", "occurences"}
	if len(want.Rows) < 50 {
		t.Fatalf("PostgreSQL finds %d customer/category pairs; the data should give more than 50", len(want.Rows))
	}

	for name, m := range map[string]*catalog.Mesh{"parquet": single, "parquet+postgres": federated} {
		eng, err := engine.New(engine.Config{Mesh: m, Mem: mem, Workers: 2, Connectors: []connectors.Connector{parquet.New(), postgres.New()}})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := eng.NewSession("admin", nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tpch.Run(ctx, sess, sql)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := tpch.Compare(sql, got, want); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if name == "parquet+postgres" {
			plan, err := tpch.Run(ctx, sess, "EXPLAIN "+sql)
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			for _, r := range plan.Rows {
				text.WriteString(strings.Join(r, " ") + "\n")
			}
			if !strings.Contains(text.String(), `remote_sql="SELECT \"product_id\", \"category\" FROM \"catalog\".\"products_v2\""`) {
				t.Errorf("EXPLAIN does not show products read from PostgreSQL:\n%s", text.String())
			}
		}
		sess.Close()
	}
}
