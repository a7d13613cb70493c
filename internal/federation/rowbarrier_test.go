package federation

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/tpch"
	"github.com/meshql/meshql/sqltypes"
)

// TestRowFilterIsSecurityBarrier reads sales.customers_v1 as sales_eu,
// whose row filter keeps the EU customers, with predicates that fail on
// one hidden customer only (by division, cast and function), from
// Parquet and from PostgreSQL. The row filter is written
// upper(region) = …, so it is not the cheapest conjunct: were the
// predicates ordered by cost, the failing one would run first and its
// error would tell that the hidden customer exists and what its name
// starts with. The reference is PostgreSQL itself with the same row
// filter as a row-level security policy, read by a role it applies to:
// no error, the EU rows' answer. A cheap comparison with a constant still
// reaches the source beside the row filter.
func TestRowFilterIsSecurityBarrier(t *testing.T) {
	ctx := context.Background()
	const rowFilter = "upper(region) = current_user_attr('region')"
	f := newDemoFixture(t, "rowbarrier", func(m *catalog.Mesh) {
		c, ok := m.Lookup("sales", "customers_v1")
		if !ok || len(c.Policies.RowFilters) != 1 {
			t.Fatal("the demo mesh's sales.customers_v1 has no single row filter")
		}
		c.Policies.RowFilters[0].Predicate = rowFilter
	})
	f.moveToPostgres(t, "sales", "customers_v1")
	onParquet, onPostgres, conn, mem := f.onParquet, f.moved, f.conn, f.mem

	// The reference: a role under a row-level security policy. meshql
	// reads PostgreSQL as the table's owner, which the policy exempts.
	for _, stmt := range []string{
		`DO $$ BEGIN CREATE ROLE meshql_rls_eu; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
		`GRANT USAGE ON SCHEMA sales TO meshql_rls_eu`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA sales TO meshql_rls_eu`,
		`CREATE POLICY eu ON sales.customers_v1 USING (upper(region) = 'EU')`,
		`ALTER TABLE sales.customers_v1 ENABLE ROW LEVEL SECURITY`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	var hidden int64
	var initial string
	if err := conn.QueryRow(ctx, `SELECT customer_id, left(name, 1) FROM sales.customers_v1 WHERE upper(region) <> 'EU' ORDER BY 1 LIMIT 1`).Scan(&hidden, &initial); err != nil {
		t.Fatal(err)
	}
	reference := func(sql string) []string {
		t.Helper()
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, "SET LOCAL ROLE meshql_rls_eu"); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatalf("PostgreSQL: %s: %v", sql, err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var r []string
			for _, v := range rows.RawValues() {
				r = append(r, string(v))
			}
			out = append(out, strings.Join(r, "|"))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("PostgreSQL: %s: %v", sql, err)
		}
		return out
	}

	// fails is 0 (so that the expression raises) for the hidden customer
	// alone, 1 for every other row.
	fails := fmt.Sprintf("CASE WHEN customer_id = %d AND name LIKE '%s%%' THEN 0 ELSE 1 END", hidden, initial)
	failsC := strings.ReplaceAll(strings.ReplaceAll(fails, "customer_id", "c.customer_id"), "name", "c.name")
	queries := []string{
		"SELECT count(*) FROM sales.customers_v1 WHERE 1/(" + fails + ") = 1",
		"SELECT count(*) FROM sales.customers_v1 WHERE (CASE WHEN " + fails + " = 0 THEN name ELSE '1' END)::int = 1",
		"SELECT count(*) FROM sales.customers_v1 WHERE ln(" + fails + ") = 0",
		"SELECT count(*) FROM sales.customers_v1 WHERE customer_id < 5000 AND 1/(" + fails + ") = 1",
		"SELECT count(*) FROM sales.customers_v1 WHERE region = 'none' OR 1/(" + fails + ") = 1",
		"SELECT count(*) FROM (SELECT * FROM sales.customers_v1 WHERE segment IS NOT NULL) c WHERE 1/(" + failsC + ") = 1",
		"SELECT count(*) FROM sales.orders_v1 o JOIN sales.customers_v1 c ON c.customer_id = o.customer_id AND 1/(" + failsC + ") = 1",
		"SELECT count(*) FROM sales.orders_v1 o WHERE EXISTS (SELECT 1 FROM sales.customers_v1 c WHERE c.customer_id = o.customer_id AND 1/(" + failsC + ") = 1)",
		"SELECT count(*) FROM sales.orders_v1 o LEFT JOIN sales.customers_v1 c ON c.customer_id = o.customer_id AND 1/(" + failsC + ") = 1 WHERE c.customer_id IS NOT NULL",
	}
	for name, m := range map[string]*catalog.Mesh{"parquet": onParquet, "postgres": onPostgres} {
		eng, err := engine.New(engine.Config{Mesh: m, Mem: mem, Workers: 2, Connectors: []connectors.Connector{parquet.New(), postgres.New()}})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := eng.NewSession("sales_eu", nil)
		if err != nil {
			t.Fatal(err)
		}
		run := func(sql string) ([]string, error) {
			res, err := tpch.Run(ctx, sess, sql)
			if err != nil {
				return nil, err
			}
			var out []string
			for _, r := range res.Rows {
				out = append(out, strings.Join(r, "|"))
			}
			return out, nil
		}
		for _, sql := range queries {
			want := reference(sql)
			got, err := run(sql)
			if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: %s\ngot %v (SQLSTATE %s: %v), want %v as PostgreSQL under row-level security", name, sql, got, sqltypes.Code(err), err, want)
			}
		}

		// The comparison with a constant is leakproof: it is pushed
		// beside the row filter. The division runs above the scan.
		plan, err := run("EXPLAIN " + queries[3])
		if err != nil {
			t.Fatal(err)
		}
		scan := ""
		for _, line := range plan {
			if strings.Contains(line, "Scan sales.customers_v1") {
				scan = line
			}
		}
		text := strings.Join(plan, "\n")
		if name == "postgres" && !strings.Contains(scan, `remote_sql="SELECT \"customer_id\", \"name\", \"region\" FROM \"sales\".\"customers_v1\" WHERE \"customer_id\" < $1"`) {
			t.Errorf("the remote SQL should filter on the comparison alone:\n%s", scan)
		}
		if !strings.Contains(scan, "pushed_filters=[customer_id < 5000") || strings.Contains(scan, "CASE") || !strings.Contains(text, "Filter (predicate=((1 / CASE") {
			t.Errorf("%s: the comparison should be pushed into the scan and the division stay above it:\n%s", name, text)
		}
		sess.Close()
	}
}
