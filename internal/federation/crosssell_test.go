package federation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
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
	f := newDemoFixture(t, "crosssell", nil)
	f.moveToPostgres(t, "catalog", "products_v2")
	single, federated, conn, mem, now := f.onParquet, f.moved, f.conn, f.mem, f.now

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
