package clients

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// checkPgJDBCCatalog runs the catalog queries pgjdbc's DatabaseMetaData,
// TypeInfoCache and ResultSetMetaData send (testdata/pgjdbc_catalog.sql):
// none may fail, and where the answer is the mesh's tables it must be
// PostgreSQL's for the same tables.
func checkPgJDBCCatalog(t *testing.T, f *fixture) {
	runCatalogQueries(t, f, "pgjdbc", readCatalogQueries(t, "pgjdbc_catalog.sql"))
}

// checkDataGripCatalog runs the queries DataGrip sends on connecting
// (testdata/datagrip_catalog.sql), its introspection's start: none may
// fail or go unanswered, or DataGrip shows no schema.
func checkDataGripCatalog(t *testing.T, f *fixture) {
	res := runCatalogQueries(t, f, "DataGrip", readCatalogQueries(t, "datagrip_catalog.sql"))
	// The schemas DataGrip lists are the mesh's domains, each with the
	// xmin it keeps as the schema's state number.
	schemas, _ := res["schemas"].project([]string{"name", "state_number"}, nil)
	for _, d := range f.mesh.Domains {
		if !strings.Contains(strings.Join(schemas, " "), d.Name+"|") {
			t.Errorf("DataGrip's schemas lack domain %s: %q", d.Name, schemas)
		}
	}
}

// readCatalogQueries reads a file of catalog queries, each after a header
// line "-- name: N | compare: a,b | only: x,y | args: v | flags" whose
// flags are "subset" or "empty" (dbeaverQuery's fields).
func readCatalogQueries(t *testing.T, name string) []dbeaverQuery {
	t.Helper()
	data, err := os.ReadFile(script(name))
	if err != nil {
		t.Fatal(err)
	}
	list := func(s string) []string {
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	var out []dbeaverQuery
	for _, block := range strings.Split(string(data), "\n-- name: ")[1:] {
		header, sql, _ := strings.Cut(block, "\n")
		fields := strings.Split(header, "|")
		if len(fields) != 5 {
			t.Fatalf("%s: bad header %q", name, header)
		}
		value := func(i int, key string) string {
			v, ok := strings.CutPrefix(strings.TrimSpace(fields[i]), key+":")
			if !ok {
				t.Fatalf("%s: header %q lacks %s", name, header, key)
			}
			return v
		}
		flags := strings.TrimSpace(fields[4])
		out = append(out, dbeaverQuery{name: strings.TrimSpace(fields[0]), sql: strings.TrimSpace(sql),
			compare: list(value(1, "compare")), only: list(value(2, "only")), args: list(value(3, "args")),
			subset: flags == "subset", empty: flags == "empty"})
	}
	if len(out) == 0 {
		t.Fatalf("%s: no queries", name)
	}
	return out
}

// checkColumnOrigins compares RowDescription's table and column of each
// result column with PostgreSQL's: pgjdbc's ResultSetMetaData reads the
// table name and nullability by them, and DataGrip edits a result's rows
// through them. A plain column of a table (also through a subquery) names
// it; an expression or an aggregate names none.
func checkColumnOrigins(t *testing.T, f *fixture) {
	queries := []string{
		"SELECT * FROM sales.orders_v1 LIMIT 1",
		"SELECT o.amount, o.order_id + 1 AS x, c.name, 'k' AS k FROM sales.orders_v1 o JOIN sales.customers_v1 c USING (customer_id) LIMIT 1",
		"SELECT s.status, s.q FROM (SELECT status, quantity AS q FROM sales.orders_v1 WHERE quantity > 1) s ORDER BY 1 LIMIT 1",
		"SELECT count(*) FROM sales.orders_v1",
	}
	origins := func(tg target, sql string) []string {
		conn := connectTarget(t, tg)
		rows, err := conn.Query(t.Context(), sql)
		if err != nil {
			t.Fatalf("%s on %s: %v", sql, tg.name, err)
		}
		fields := slices.Clone(rows.FieldDescriptions())
		rows.Close()
		if err := rows.Err(); err != nil || len(fields) == 0 {
			t.Fatalf("%s on %s: %v, %d columns", sql, tg.name, err, len(fields))
		}
		var out []string
		for _, fd := range fields {
			name := "-"
			if fd.TableOID != 0 {
				name = scalar(t, conn, fmt.Sprintf("SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %d", fd.TableOID))
			}
			out = append(out, fmt.Sprintf("%s:%s.%d", fd.Name, name, fd.TableAttributeNumber))
		}
		return out
	}
	for _, q := range queries {
		if got, want := origins(f.meshql, q), origins(f.postgres, q); !slices.Equal(got, want) {
			t.Errorf("%s: result columns' origins\nmeshql   %q\npostgres %q", q, got, want)
		}
	}
}

// checkCatalogColumns compares the columns of the catalogs IDEs introspect
// (pgjdbc, DataGrip, admin tools) with PostgreSQL 15's, in order: a query
// naming any of them, or reading them with *, binds as on PostgreSQL.
// Their rows are meshql's (most of these are empty: meshql has no such
// objects).
func checkCatalogColumns(t *testing.T, f *fixture) {
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	for _, table := range []string{"pg_proc", "pg_tablespace", "pg_shdescription", "pg_locks", "pg_timezone_names",
		"pg_timezone_abbrevs", "pg_stat_ssl", "pg_tables", "pg_views", "pg_indexes", "pg_matviews", "pg_sequences", "pg_rewrite",
		"pg_event_trigger", "pg_foreign_data_wrapper", "pg_foreign_server", "pg_user_mappings", "pg_partitioned_table",
		"pg_default_acl", "pg_init_privs", "pg_seclabel", "pg_shseclabel", "pg_transform", "pg_aggregate", "pg_operator", "pg_cast",
		// Those psql's meta-commands read (psql_meta_test.go).
		"pg_opclass", "pg_opfamily", "pg_amop", "pg_amproc", "pg_user_mapping", "pg_db_role_setting", "pg_subscription",
		"pg_ts_config", "pg_ts_config_map", "pg_ts_dict", "pg_ts_parser", "pg_ts_template", "pg_largeobject_metadata",
		"pg_largeobject", "pg_roles", "pg_index", "pg_collation", "pg_publication", "pg_namespace", "pg_stat_activity",
		// Those analyst tools read (analyst_test.go).
		"pg_trigger", "pg_prepared_xacts", "pg_stat_database", "pg_stat_replication"} {
		columns := func(conn *pgx.Conn) []string {
			rows, err := conn.Query(t.Context(), "SELECT * FROM pg_catalog."+table+" LIMIT 0")
			if err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			defer rows.Close()
			var out []string
			for _, fd := range rows.FieldDescriptions() {
				out = append(out, fd.Name)
			}
			if len(out) == 0 {
				t.Fatalf("%s: no columns", table)
			}
			return out
		}
		if got, want := columns(mq), columns(pg); !slices.Equal(got, want) {
			t.Errorf("columns of %s:\nmeshql   %q\npostgres %q", table, got, want)
		}
	}
}
