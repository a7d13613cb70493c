package engine

import (
	"strings"
	"testing"
)

// xmin is a system column of pg_catalog's tables: named, it answers; *,
// t.* and a whole-row value leave it out, as PostgreSQL does (the column
// lists below are PostgreSQL 15's for pg_tablespace).
func TestXminIsASystemColumn(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct{ sql, want string }{
		{`SELECT string_agg(k, ',') FROM (SELECT json_object_keys(row_to_json(t)) AS k FROM pg_tablespace t WHERE spcname = 'pg_default') s`,
			"oid,spcname,spcowner,spcacl,spcoptions"},
		{`SELECT string_agg(k, ',') FROM (SELECT json_object_keys(row_to_json(s)) AS k FROM (SELECT t.* FROM pg_tablespace t WHERE spcname = 'pg_default') s) k`,
			"oid,spcname,spcowner,spcacl,spcoptions"},
		{`SELECT count(*) FROM (SELECT * FROM pg_namespace) n WHERE nspname = 'sales'`, "1"},
		// DataGrip's state numbers: every row's xmin is the current
		// transaction's id, and no row has aged.
		{`SELECT N.xmin = txid_current(), age(N.xmin) FROM pg_catalog.pg_namespace N WHERE nspname = 'sales'`, "t|0"},
	}
	for _, c := range cases {
		if got := strings.Join(rows(t, e, "admin", c.sql), "\n"); got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.sql, got, c.want)
		}
	}
}

// pg_tables, pg_views and pg_indexes list what pg_class does: the
// relations of pg_catalog and the products the session reads, split into
// tables and views (SQL-defined products), and their primary keys'
// indexes.
func TestRelationViews(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct{ user, sql, want string }{
		{"admin", `SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY 1) FROM pg_tables WHERE schemaname <> 'pg_catalog'`,
			"catalog.products_v1,catalog.products_v2,sales.customers_v1,sales.orders_v1"},
		{"admin", `SELECT schemaname || '.' || viewname, definition LIKE '%FROM%' FROM pg_views WHERE schemaname <> 'pg_catalog'`, "marketing.cross_sell_v1|t"},
		{"sales_eu", `SELECT count(*) FROM pg_views WHERE schemaname <> 'pg_catalog'`, "0"},
		// The catalogs, as in PostgreSQL, by their kind in pg_class.
		{"sales_eu", `SELECT count(*) FILTER (WHERE tablename = 'pg_class'), count(*) FILTER (WHERE tablename = 'pg_tables') FROM pg_tables`, "1|0"},
		{"sales_eu", `SELECT count(*), count(definition) FROM pg_views WHERE viewname = 'pg_stat_activity'`, "1|0"},
		{"admin", `SELECT indexname, indexdef FROM pg_indexes`,
			"products_v2_pkey|CREATE UNIQUE INDEX products_v2_pkey ON catalog.products_v2 USING btree (product_id)"},
	}
	for _, c := range cases {
		if got := strings.Join(rows(t, e, c.user, c.sql), "\n"); got != c.want {
			t.Errorf("%s as %s:\ngot  %q\nwant %q", c.sql, c.user, got, c.want)
		}
	}
}

// Each system table is defined once: lookupSystem takes the first of a
// name, so a second definition (two changes adding the same catalog)
// would be dead code with other columns.
func TestSystemTablesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, st := range systemTables() {
		name := st.schema + "." + st.name
		if seen[name] {
			t.Errorf("system table %s is defined twice", name)
		}
		seen[name] = true
	}
}
