package clients

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// OIDs pgjdbc declares in Parse for setLong and setString (stringtype
// varchar, its default).
const (
	oidInt8    = 20
	oidVarchar = 1043
)

// dbeaverQuery is one catalog query DBeaver (its PostgreSQL plugin:
// PostgreDatabase, PostgreSchema, PostgreTableBase, PostgreDataType) sends
// through pgjdbc when it connects and when a schema or a table is expanded
// in its navigator. Arguments are pgjdbc's: "$sales" is the id of schema
// sales, "$orders" of table sales.orders_v1, "$db" the database name, as
// each server has them.
type dbeaverQuery struct {
	name string
	sql  string
	args []string
	// compare lists the columns whose values must be equal on meshql and
	// on PostgreSQL (rows sorted; keep only those whose first compared
	// column is in only, when set). Without them the query must only
	// succeed on meshql, for catalogs whose contents differ by nature
	// (roles, settings, the server's own functions and extensions).
	compare []string
	only    []string
	// subset: meshql's rows must all be among PostgreSQL's (meshql has
	// fewer types than PostgreSQL).
	subset bool
	// empty: without compare, the query may answer no rows on meshql
	// (what it lists, meshql has none of).
	empty bool
}

var dbeaverQueries = []dbeaverQuery{
	{name: "search path", sql: "SELECT reset_val FROM pg_settings WHERE name = 'search_path'"},
	{name: "current schema", sql: "SELECT current_schema(),session_user"},
	{name: "database", sql: "SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname=$1", args: []string{"$db"},
		compare: []string{"datistemplate", "datallowconn"}},
	{name: "schemas", sql: "SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n\n" +
		"LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass\n ORDER BY nspname",
		compare: []string{"nspname", "description"}, only: []string{"pg_catalog", "information_schema"}},
	{name: "tables", sql: "SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key \n" +
		"FROM pg_catalog.pg_class c\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass\n" +
		"WHERE c.relnamespace=$1 AND c.relkind not in ('i','I','c')", args: []string{"$sales"},
		compare: []string{"relname", "relkind", "relnatts", "relhasindex", "relispartition", "relpersistence", "partition_expr", "partition_key"}},
	{name: "table by name", sql: "SELECT c.oid,c.*,d.description FROM pg_catalog.pg_class c\n" +
		"LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass\n" +
		"WHERE c.relnamespace=$1 AND c.relkind not in ('i','I','c') AND relname=$2", args: []string{"$sales", "orders_v1"},
		compare: []string{"relname", "relkind", "relnatts"}},
	{name: "columns", sql: "SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid\n" +
		"FROM pg_catalog.pg_attribute a\nINNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)\n" +
		"LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)\n" +
		"LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)\n" +
		"LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid\n" +
		"WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.relnamespace=$1 AND a.attnum > 0 ORDER BY a.attnum", args: []string{"$sales"},
		compare: []string{"relname", "attnum", "attname", "atttypid", "atttypmod", "attnotnull", "attlen", "attndims", "def_value", "objid"}},
	{name: "type", sql: "SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name FROM pg_catalog.pg_type t\n" +
		"LEFT OUTER JOIN pg_class c ON c.oid=t.typrelid\nLEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid\nWHERE t.oid=$1 ", args: []string{"25"},
		compare: []string{"typname", "typlen", "typtype", "typcategory", "typelem", "typarray", "relkind", "base_type_name"}},
	{name: "types", sql: "SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description\n" +
		"FROM pg_catalog.pg_type t\nLEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem\nLEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid\n" +
		"LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid\nWHERE t.typname IS NOT NULL\n" +
		"AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C')",
		compare: []string{"typname", "oid", "typlen", "typtype", "typcategory", "typelem", "typarray", "base_type_name"}, subset: true},
	{name: "roles", sql: "SELECT a.oid,a.* FROM pg_catalog.pg_roles a \nORDER BY a.rolname"},
	{name: "access methods", sql: "SELECT am.oid,am.* FROM pg_catalog.pg_am am \nORDER BY am.oid"},
	{name: "encodings", sql: "SELECT c.contoencoding as encid,pg_catalog.pg_encoding_to_char(c.contoencoding) as encname\n" +
		"FROM pg_catalog.pg_conversion c\nGROUP BY c.contoencoding\nORDER BY 2\n", empty: true},
	{name: "collations", sql: "SELECT c.oid,c.* FROM pg_catalog.pg_collation c \nORDER BY c.oid", compare: []string{"collname", "oid"}, only: []string{"default", "C"}},
	{name: "languages", sql: "SELECT l.oid,l.* FROM pg_catalog.pg_language l \nORDER BY l.oid", compare: []string{"lanname", "oid"}, only: []string{"internal", "c", "sql"}},
	{name: "tablespaces", sql: "SELECT t.oid,t.*,pg_tablespace_location(t.oid) loc\nFROM pg_catalog.pg_tablespace t \nORDER BY t.oid",
		compare: []string{"spcname", "oid", "loc"}, only: []string{"pg_default"}},
	{name: "available extensions", sql: "SELECT name,default_version,installed_version,comment FROM pg_catalog.pg_available_extensions ORDER BY name", empty: true},
	{name: "extensions", sql: "SELECT \n e.oid,\n cfg.tbls,\n  n.nspname as schema_name,\n e.* \nFROM \n pg_catalog.pg_extension e \n join pg_namespace n on n.oid =e.extnamespace\n" +
		" left join  (\n         select\n            ARRAY_AGG(ns.nspname || '.' ||  cls.relname) tbls, oid_ext\n          from\n            (\n            select\n" +
		"                unnest(e1.extconfig) oid , e1.oid oid_ext\n            from\n                pg_catalog.pg_extension e1 ) c \n" +
		"                join    pg_class cls on cls.oid = c.oid \n                join pg_namespace ns on ns.oid = cls.relnamespace\n" +
		"            group by oid_ext        \n         ) cfg on cfg.oid_ext = e.oid\nORDER BY e.oid", empty: true},
	{name: "constraints", sql: "SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description\nFROM pg_catalog.pg_constraint c\n" +
		"INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid\nLEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid\n" +
		"LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass\n" +
		"WHERE t.relnamespace=$1\nORDER BY c.oid", args: []string{"$sales"}, compare: []string{"conname", "contype", "tabrelname"}},
	{name: "indexes", sql: "SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,c.reltablespace,tc.relname as tabrelname,dsc.description," +
		"pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr," +
		"pg_catalog.pg_relation_size(i.indexrelid) as index_rel_size,pg_catalog.pg_stat_get_numscans(i.indexrelid) as index_num_scans\n" +
		"FROM pg_catalog.pg_index i\nINNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid\nINNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid\n" +
		"LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid\nWHERE  c.relnamespace=$1 ORDER BY tabrelname, c.relname",
		args: []string{"$sales"}, compare: []string{"relname", "tabrelname", "indisprimary", "indisunique"}},
	{name: "procedures", sql: "SELECT p.oid,p.*,d.description\nFROM pg_catalog.pg_proc p\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=p.oid\n" +
		"WHERE p.pronamespace=$1\nORDER BY p.proname", args: []string{"$sales"}, compare: []string{"proname"}},
	{name: "inheritance", sql: "SELECT i.*,c.relnamespace FROM pg_catalog.pg_inherits i,pg_catalog.pg_class c WHERE i.inhparent=$1 AND c.oid=i.inhrelid",
		args: []string{"$orders"}, compare: []string{"inhrelid"}},
	{name: "settings", sql: "SELECT * FROM pg_catalog.pg_settings"},
	{name: "table sizes", sql: "SELECT pg_catalog.pg_total_relation_size($1) AS total_rel_size, pg_catalog.pg_relation_size($1) AS rel_size",
		args: []string{"$orders"}},
	{name: "relation statistics", sql: "select c.oid,pg_catalog.pg_total_relation_size(c.oid) as total_rel_size,pg_catalog.pg_relation_size(c.oid) as rel_size\n" +
		"FROM pg_class c\nWHERE c.relnamespace=$1", args: []string{"$sales"}},
	{name: "keywords", sql: "select string_agg(word, ',') from pg_catalog.pg_get_keywords()"},
	{name: "database size", sql: "SELECT pg_catalog.pg_database_size(db.oid) FROM pg_catalog.pg_database db WHERE db.datname=$1", args: []string{"$db"}},
}

// dbeaverResult is a query's rows, each a column name → text value
// ("NULL" for NULL) map; the first of several columns of one name wins,
// as in a JDBC ResultSet.
type dbeaverResult []map[string]string

// runDBeaver runs q on conn as pgjdbc does: one prepared statement with
// declared parameter types, arguments and results in text.
func runDBeaver(t *testing.T, conn *pgx.Conn, tg target, q dbeaverQuery) (dbeaverResult, error) {
	params := make([][]byte, len(q.args))
	oids := make([]uint32, len(q.args))
	for i, a := range q.args {
		oids[i] = oidVarchar
		switch a {
		case "$sales":
			a = scalar(t, conn, "SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'sales'")
		case "$orders":
			a = scalar(t, conn, "SELECT 'sales.orders_v1'::regclass::oid")
		case "$db":
			a = tg.db
		case "$customers":
			a = scalar(t, conn, "SELECT 'sales.customers_v1'::regclass::oid")
		}
		if _, err := strconv.ParseInt(a, 10, 64); err == nil {
			oids[i] = oidInt8
		}
		params[i] = []byte(a)
	}
	res := conn.PgConn().ExecParams(t.Context(), q.sql, params, oids, nil, nil).Read()
	if res.Err != nil {
		return nil, res.Err
	}
	return resultMaps(res), nil
}

func resultMaps(res *pgconn.Result) dbeaverResult {
	out := make(dbeaverResult, len(res.Rows))
	for i, row := range res.Rows {
		m := map[string]string{}
		for j, v := range row {
			name := res.FieldDescriptions[j].Name
			if _, dup := m[name]; dup {
				continue
			}
			m[name] = "NULL"
			if v != nil {
				m[name] = string(v)
			}
		}
		out[i] = m
	}
	return out
}

// scalar is the one value sql returns.
func scalar(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	var v string
	if err := conn.QueryRow(t.Context(), sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// project renders the rows as the compared columns joined by "|", sorted;
// with only, just the rows whose first column is listed there.
func (r dbeaverResult) project(cols, only []string) ([]string, error) {
	var out []string
	for _, row := range r {
		cells := make([]string, len(cols))
		for i, c := range cols {
			v, ok := row[c]
			if !ok {
				return nil, fmt.Errorf("no column %q", c)
			}
			cells[i] = v
		}
		if only != nil && !slices.Contains(only, cells[0]) {
			continue
		}
		out = append(out, strings.Join(cells, "|"))
	}
	slices.Sort(out)
	return out, nil
}

// checkDBeaver runs DBeaver's catalog queries: each must succeed on
// meshql without a "catalog query not answered" warning, and where the
// catalog's contents are the mesh's (schemas, tables, columns, types) give
// what PostgreSQL gives for the same tables. Descriptions, which the
// PostgreSQL copy lacks, are checked against the descriptors, and sizes
// against the products' files.
func checkDBeaver(t *testing.T, f *fixture) {
	checkDBeaverMesh(t, f, runCatalogQueries(t, f, "DBeaver", dbeaverQueries))
}

// runCatalogQueries runs a client's catalog queries on meshql and, those
// with columns to compare, on PostgreSQL; it returns meshql's results by
// query name.
func runCatalogQueries(t *testing.T, f *fixture, client string, queries []dbeaverQuery) map[string]dbeaverResult {
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	logStart := len(f.log.String())
	results := map[string]dbeaverResult{}
	for _, q := range queries {
		got, err := runDBeaver(t, mq, f.meshql, q)
		if err != nil {
			t.Errorf("%s's %s query on meshql: %v\n%s", client, q.name, err, q.sql)
			continue
		}
		results[q.name] = got
		if q.compare == nil {
			// Rows whose values differ by nature: there must be some.
			if len(got) == 0 && !q.empty {
				t.Errorf("%s's %s query: no rows on meshql", client, q.name)
			}
			continue
		}
		all, err := runDBeaver(t, pg, f.postgres, q)
		if err != nil {
			t.Fatalf("%s's %s query on postgres: %v", client, q.name, err)
		}
		g, err := got.project(q.compare, q.only)
		if err != nil {
			t.Errorf("%s's %s query on meshql: %v", client, q.name, err)
			continue
		}
		w, err := all.project(q.compare, q.only)
		if err != nil {
			t.Fatalf("%s's %s query on postgres: %v", client, q.name, err)
		}
		switch {
		case q.subset:
			for _, r := range g {
				if !slices.Contains(w, r) {
					t.Errorf("%s's %s query: meshql's row %q is not PostgreSQL's", client, q.name, r)
				}
			}
			if len(g) == 0 {
				t.Errorf("%s's %s query: no rows on meshql", client, q.name)
			}
		case !slices.Equal(g, w):
			t.Errorf("%s's %s query (%s):\nmeshql   %q\npostgres %q", client, q.name, strings.Join(q.compare, ", "), g, w)
		}
	}
	if log := f.log.String()[logStart:]; strings.Contains(log, "catalog query not answered") {
		t.Errorf("meshql logged unanswered catalog queries:\n%s", log)
	}
	return results
}

// checkDBeaverMesh checks what DBeaver's navigator shows of the mesh
// itself, which only meshql has: every domain as a schema, the products
// of sales with their descriptions and their columns', and the sizes of
// their files.
func checkDBeaverMesh(t *testing.T, f *fixture, results map[string]dbeaverResult) {
	schemas, _ := results["schemas"].project([]string{"nspname", "description"}, nil)
	for _, d := range f.mesh.Domains {
		want := d.Name + "|" + d.Description
		if d.Description == "" {
			want = d.Name + "|NULL"
		}
		if !slices.Contains(schemas, want) {
			t.Errorf("DBeaver's schema list lacks domain %q: %q", want, schemas)
		}
	}
	var wantTables, wantCols []string
	for _, p := range f.mesh.Products {
		if p.Domain != "sales" {
			continue
		}
		wantTables = append(wantTables, p.TableName()+"|"+strings.Join(strings.Fields(p.Description), " "))
		for _, c := range p.Columns {
			wantCols = append(wantCols, p.TableName()+"|"+c.Name+"|"+c.Description)
		}
	}
	slices.Sort(wantTables)
	slices.Sort(wantCols)
	tables, _ := results["tables"].project([]string{"relname", "description"}, nil)
	for i, tb := range tables {
		name, desc, _ := strings.Cut(tb, "|")
		tables[i] = name + "|" + strings.Join(strings.Fields(desc), " ")
	}
	if !slices.Equal(tables, wantTables) {
		t.Errorf("DBeaver's tables of sales:\ngot  %q\nwant %q", tables, wantTables)
	}
	if cols, _ := results["columns"].project([]string{"relname", "attname", "description"}, nil); !slices.Equal(cols, wantCols) {
		t.Errorf("DBeaver's columns of sales:\ngot  %q\nwant %q", cols, wantCols)
	}
	// The statistics DBeaver shows for each table of sales: its files'
	// size, per row of pg_class.
	var wantStats []string
	for _, p := range f.mesh.Products {
		if p.Domain == "sales" {
			n := strconv.FormatInt(filesSize(t, filepath.Join(p.Source.BaseDir, p.Source.Path)), 10)
			wantStats = append(wantStats, n+"|"+n)
		}
	}
	slices.Sort(wantStats)
	if stats, _ := results["relation statistics"].project([]string{"total_rel_size", "rel_size"}, nil); !slices.Equal(stats, wantStats) {
		t.Errorf("DBeaver's relation statistics of sales: got %q, want the files' sizes %q", stats, wantStats)
	}
	orders, ok := f.mesh.Lookup("sales", "orders_v1")
	if !ok {
		t.Fatal("demo mesh has no sales.orders_v1")
	}
	want := strconv.FormatInt(filesSize(t, filepath.Join(orders.Source.BaseDir, orders.Source.Path)), 10)
	if sizes, _ := results["table sizes"].project([]string{"total_rel_size", "rel_size"}, nil); !slices.Equal(sizes, []string{want + "|" + want}) {
		t.Errorf("sizes of sales.orders_v1: got %q, want its files' %s bytes", sizes, want)
	}
	// A product defined by SQL has no files of its own: its size is
	// unknown (NULL), and pg_indexes_size too.
	for _, p := range f.mesh.Products {
		if p.Source.Connector != "sql" {
			continue
		}
		q := fmt.Sprintf("SELECT (pg_total_relation_size('%[1]s') IS NULL AND pg_table_size('%[1]s') IS NULL AND pg_indexes_size('%[1]s') IS NULL)::text", p.QualifiedName())
		if got := scalar(t, connectTarget(t, f.meshql), q); got != "true" {
			t.Errorf("%s: sizes of a derived product are not NULL", q)
		}
	}
}

// filesSize is the total size of the files a glob matches.
func filesSize(t *testing.T, glob string) int64 {
	t.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no files match %s: %v", glob, err)
	}
	var n int64
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		n += st.Size()
	}
	return n
}
