package engine

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// demoEngine serves the demo mesh's descriptors; system tables need no data.
func demoEngine(t *testing.T) (*Engine, *memory.CheckedAllocator) {
	t.Helper()
	mesh, err := catalog.Load("../testdata/mesh", catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return e, mem
}

// rows runs sql as user and renders the result as "a|b" lines.
func rows(t *testing.T, e *Engine, user, sql string) []string {
	t.Helper()
	s, err := e.NewSession(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer res.Close()
	var out []string
	for {
		b, err := res.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < int(b.NumRows()); r++ {
			var cells []string
			for c, col := range res.Columns {
				cells = append(cells, sqltypes.FormatValue(col.Type, expr.DatumAt(b.Column(c), col.Type, r)))
			}
			out = append(out, strings.Join(cells, "|"))
		}
		b.Release()
	}
}

func TestSystemTablesShowOnlyReadableProducts(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct {
		user, sql string
		want      []string
	}{
		{"sales_eu", "SELECT name FROM mesh.data_products ORDER BY 1",
			[]string{"catalog.products_v1", "catalog.products_v2", "sales.customers_v1", "sales.orders_v1"}},
		{"sales_eu", "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
			[]string{"catalog.products_v1", "catalog.products_v2", "sales.customers_v1", "sales.orders_v1"}},
		{"analyst", "SELECT product, input FROM mesh.lineage ORDER BY 2",
			[]string{"marketing.cross_sell_v1|catalog.products_v2", "marketing.cross_sell_v1|sales.orders_v1"}},
		// Written from cross_sell_v1's SQL: count(*) reads no column.
		{"analyst", "SELECT product, column_name, input, input_column, transformation FROM mesh.column_lineage ORDER BY 2",
			[]string{"marketing.cross_sell_v1|category|catalog.products_v2|category|identity",
				"marketing.cross_sell_v1|customer_id|sales.orders_v1|customer_id|identity"}},
		{"sales_eu", "SELECT count(*) FROM mesh.column_lineage", []string{"0"}},
		{"admin", "SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' ORDER BY 2",
			[]string{"sales|customers_v1|r", "sales|orders_v1|r"}},
		{"admin", "SELECT a.attnum, a.attname, t.typname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid WHERE c.relname = 'orders_v1' ORDER BY 1",
			[]string{"1|order_id|int8", "2|customer_id|int8", "3|product_id|int8", "4|order_date|date", "5|quantity|int4", "6|amount|numeric", "7|status|text"}},
		{"analyst", "SELECT current_database(), pg_table_is_visible(1), pg_get_userbyid(10)", []string{"mesh|t|meshql"}},
	}
	for _, tc := range cases {
		got := rows(t, e, tc.user, tc.sql)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s as %s:\ngot  %q\nwant %q", tc.sql, tc.user, got, tc.want)
		}
	}
}

func TestSystemTableOIDsAreStable(t *testing.T) {
	e1, _ := demoEngine(t)
	e2, _ := demoEngine(t)
	q := "SELECT c.oid, c.relname FROM pg_class c WHERE c.relnamespace <> 11 ORDER BY 2"
	a, b := rows(t, e1, "admin", q), rows(t, e2, "admin", q)
	// Five products, the index of products_v2's primary key and the 24
	// views of information_schema meshql serves (the catalogs of
	// pg_catalog, namespace 11, have PostgreSQL's ids).
	if strings.Join(a, ",") != strings.Join(b, ",") || len(a) != 6+24 {
		t.Fatalf("OIDs differ between engines or products missing:\n%v\n%v", a, b)
	}
}

func TestMetricsCountQueriesByStatus(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	rows(t, e, "admin", "SELECT 1")
	s, err := e.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := s.Query(context.Background(), "SELECT 1/0"); err == nil {
		for {
			if _, err := res.Next(context.Background()); err != nil {
				break
			}
		}
		res.Close()
	}
	s.Close()
	var b strings.Builder
	e.WriteMetrics(&b)
	for _, want := range []string{`meshql_queries_total{sqlstate="00000"} 1`, `meshql_queries_total{sqlstate="22012"} 1`, "meshql_query_duration_seconds_count 2"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

// BI tools sync a database's keys through information_schema and
// pg_get_constraintdef, Metabase its tables through a join with
// pg_stat_user_tables, psql lists roles with \du. The demo descriptors declare catalog.products_v2's
// product_id as its primary key and orders_v1's columns not_null.
func TestCatalogViewsAsClientsReadThem(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct {
		sql  string
		want []string
	}{
		{`SELECT tc.table_schema, tc.table_name, tc.constraint_name, kcu.column_name, kcu.ordinal_position
		  FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu
		    ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema
		  WHERE tc.constraint_type = 'PRIMARY KEY' ORDER BY 1, 2`,
			[]string{"catalog|products_v2|products_v2_pkey|product_id|1"}},
		{`SELECT count(*) FROM information_schema.referential_constraints`, []string{"0"}},
		{`SELECT ccu.table_name, ccu.column_name FROM information_schema.constraint_column_usage ccu`, []string{"products_v2|product_id"}},
		// PostgreSQL 15 names a NOT NULL column's CHECK entry after the
		// schema's and the table's oids and the column's number.
		{`SELECT count(*), count(*) FILTER (WHERE tc.constraint_name = n.oid || '_' || c.oid || '_' || a.attnum || '_not_null')
		  FROM information_schema.table_constraints tc
		  JOIN pg_namespace n ON n.nspname = tc.table_schema JOIN pg_class c ON c.relname = tc.table_name AND c.relnamespace = n.oid
		  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnotnull AND tc.constraint_name LIKE '%\_' || a.attnum || '\_not\_null'
		  WHERE tc.constraint_type = 'CHECK' AND tc.table_name = 'orders_v1'`, []string{"7|7"}},
		{`SELECT conname, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint`,
			[]string{"products_v2_pkey|PRIMARY KEY (product_id)|PRIMARY KEY (product_id)"}},
		{`SELECT pg_get_indexdef(indexrelid) FROM pg_index`,
			[]string{"CREATE UNIQUE INDEX products_v2_pkey ON catalog.products_v2 USING btree (product_id)"}},
		// psql's \d asks for column 0, the whole definition; pgjdbc's
		// getIndexInfo for each key column's name. PostgreSQL prints
		// nothing for a column that is not a key column, NULL for NULL.
		{`SELECT pg_get_indexdef(indexrelid, 0, true) = pg_get_indexdef(indexrelid), pg_get_indexdef(indexrelid, 1, false),
		    pg_get_indexdef(indexrelid, NULL, false), quote_literal(pg_get_indexdef(indexrelid, 65537, false)),
		    quote_literal(pg_get_indexdef(indexrelid, 2, false)), quote_literal(pg_get_indexdef(indexrelid, -1, false)),
		    pg_get_indexdef(12345, 1, false) FROM pg_index`,
			[]string{"t|product_id|NULL|''|''|''|NULL"}},
		// Metabase's table list (its Postgres driver's describe query).
		{`SELECT n.nspname AS schema, c.relname AS name, stat.n_live_tup AS estimated_row_count, stat.idx_scan
		  FROM pg_catalog.pg_class c INNER JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid
		  LEFT JOIN pg_catalog.pg_description d ON c.oid = d.objoid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass
		  LEFT JOIN pg_stat_user_tables stat ON n.nspname = stat.schemaname AND c.relname = stat.relname
		  WHERE n.nspname !~ '^information_schema|catalog_history|pg_' AND c.relkind IN ('r', 'p', 'v', 'f', 'm') ORDER BY 1, 2`,
			[]string{"catalog|products_v1|0|NULL", "catalog|products_v2|0|0", "marketing|cross_sell_v1|NULL|NULL", "sales|customers_v1|0|NULL", "sales|orders_v1|0|NULL"}},
		// Metabase's field sync reads each column's comment through a
		// relation name built per row and cast to regclass.
		{`SELECT c.table_name, c.column_name, pk.column_name IS NOT NULL AS pk,
		    col_description(cast(cast(format('%I.%I', cast(c.table_schema AS text), cast(c.table_name AS text)) AS regclass) AS oid), c.ordinal_position) IS NOT NULL AS commented,
		    (column_default IS NULL) AND (is_nullable = 'NO') AND NOT (is_identity <> 'NO') AS required
		  FROM information_schema.columns AS c LEFT JOIN (SELECT tc.table_schema, tc.table_name, kc.column_name
		    FROM information_schema.table_constraints AS tc JOIN information_schema.key_column_usage AS kc
		    ON tc.constraint_name = kc.constraint_name AND tc.table_schema = kc.table_schema AND tc.table_name = kc.table_name
		    WHERE tc.constraint_type = 'PRIMARY KEY') AS pk
		  ON c.table_schema = pk.table_schema AND c.table_name = pk.table_name AND c.column_name = pk.column_name
		  WHERE c.table_schema = 'catalog' AND c.table_name = 'products_v2' ORDER BY c.ordinal_position`,
			[]string{"products_v2|product_id|t|t|t", "products_v2|name|f|t|t", "products_v2|category|f|t|t", "products_v2|brand|f|t|f", "products_v2|price|f|t|t"}},
		{`SELECT n, n::regclass = (SELECT oid FROM pg_class WHERE relname = 'orders_v1'), n::regclass = 1259
		  FROM (VALUES (1, 'sales.orders_v1'), (2, '"sales"."orders_v1"'), (3, 'pg_class'), (4, 'pg_catalog.PG_CLASS'), (5, NULL)) v(k, n) ORDER BY k`,
			[]string{"sales.orders_v1|t|f", `"sales"."orders_v1"|t|f`, "pg_class|f|t", "pg_catalog.PG_CLASS|f|t", "NULL|NULL|NULL"}},
		// psql's \du: users and roles with what they are members of, from
		// the mesh's users' roles and roles' inherits, and meshql, the
		// owner of every object, which cannot log in.
		{`SELECT r.rolname, r.rolcanlogin, r.rolvaliduntil, ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m
		    JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid) WHERE m.member = r.oid ORDER BY 1) AS memberof
		  FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_' ORDER BY 1`,
			[]string{"admin|t|NULL|{analyst,marketing,sales}", "analyst|t|NULL|{}", "marketing|t|NULL|{}", "meshql|f|NULL|{}", "sales|f|NULL|{}", "sales_eu|t|NULL|{sales}"}},
		// psql's \dp: read grants as pg_class.relacl, row filters as
		// restrictive pg_policy rows over the roles they apply to
		// (customers_v1 filters sales by region).
		{`SELECT c.relname, c.relrowsecurity, pg_catalog.array_to_string(c.relacl, ','),
		    pg_catalog.array_to_string(ARRAY(SELECT polname || CASE WHEN NOT polpermissive THEN ' (RESTRICTIVE)' ELSE '' END
		      || CASE WHEN polcmd != '*' THEN ' (' || polcmd::pg_catalog.text || '):' ELSE ':' END
		      || CASE WHEN polqual IS NOT NULL THEN ' (u): ' || pg_catalog.pg_get_expr(polqual, polrelid) ELSE '' END
		      || CASE WHEN polroles <> '{0}' THEN ' to: ' || pg_catalog.array_to_string(ARRAY(SELECT rolname FROM pg_catalog.pg_roles WHERE oid = ANY (polroles) ORDER BY 1), ', ') ELSE '' END
		      FROM pg_catalog.pg_policy pol WHERE polrelid = c.oid), ';') AS policies
		  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' ORDER BY 1`,
			[]string{"customers_v1|t|analyst=r/meshql,marketing=r/meshql,sales=r/meshql|row_filter_1 (RESTRICTIVE) (r): (u): region = current_user_attr('region') to: sales",
				"orders_v1|f|analyst=r/meshql,marketing=r/meshql,sales=r/meshql|"}},
		{`SELECT relname, heap_blks_read, idx_blks_hit FROM pg_statio_all_tables WHERE schemaname = 'catalog' ORDER BY 1`,
			[]string{"products_v1|0|NULL", "products_v2|0|0"}},
	}
	for _, tc := range cases {
		got := rows(t, e, "admin", tc.sql)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.sql, got, tc.want)
		}
	}
}
