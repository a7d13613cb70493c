package clients

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// toolQuery is one statement a Python tool or a BI connector sends on
// connect, when it reflects a table or when it runs a user's query:
// SQLAlchemy 2.0's PostgreSQL dialect (its reflection queries as the Core
// compiles them, with psycopg2's client-side parameters or psycopg 3's
// server-side ones and RENDER_CASTS), psycopg 3's TypeInfo, pandas,
// Apache Superset's SQL Lab and Tableau's PostgreSQL dialect.
type toolQuery struct {
	tool, name string
	// sql may hold {oid:schema.table}: the relation's id on each server.
	sql string
	// params, when set, go in one extended-protocol execution with
	// undeclared types, as psycopg 3 sends them; without, the statement
	// is a simple query, as psycopg2 sends its interpolated text.
	params []string
	// varchar: the parameters are declared as pgjdbc declares them,
	// numbers int8 (setLong) and the others varchar (setString), as
	// Metabase sends them.
	varchar bool
	// skip lists columns whose values differ by nature (ids); the other
	// columns must be PostgreSQL's, rows in any order.
	skip []string
	// keep, when set, compares only the rows it accepts, on both servers:
	// the objects both have (PostgreSQL's copy has a schema public and the
	// information_schema domains; meshql has its schema mesh and products
	// defined by SQL).
	keep func(row map[string]string) bool
	// own: the result is the server's own (its version, its pid, its
	// database, its plan); it must only succeed on meshql, and match
	// when set.
	own   bool
	match *regexp.Regexp
	// subset: meshql's rows must all be among PostgreSQL's (catalogs of
	// which meshql has fewer objects: its types).
	subset bool
}

const (
	// relkindsAll is pg_catalog.RELKINDS_ALL_TABLE_LIKE as SQLAlchemy
	// renders it for psycopg2.
	relkindsAll = "ARRAY['r', 'p', 'f', 'v', 'm']"
	fromClassNs = "FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace \n"
)

var toolQueries = []toolQuery{
	// SQLAlchemy's PGDialect.initialize and the psycopg2 dialect's connect.
	{tool: "sqlalchemy", name: "server version", sql: "select pg_catalog.version()", own: true,
		match: regexp.MustCompile(`^PostgreSQL (\d+)\.?(\d+)?`)},
	{tool: "sqlalchemy", name: "default schema", sql: "select current_schema()", own: true},
	{tool: "sqlalchemy", name: "standard_conforming_strings", sql: "show standard_conforming_strings"},
	{tool: "sqlalchemy", name: "isolation level", sql: "show transaction isolation level"},
	{tool: "sqlalchemy", name: "set isolation level", sql: "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"},
	{tool: "sqlalchemy", name: "hstore oids", sql: "SELECT t.oid, typarray\nFROM pg_type t JOIN pg_namespace ns\n    ON typnamespace = ns.oid\nWHERE typname = 'hstore';\n"},
	// Inspector (SQLAlchemy 2.0, psycopg2).
	{tool: "sqlalchemy", name: "get_schema_names", sql: "SELECT pg_catalog.pg_namespace.nspname \nFROM pg_catalog.pg_namespace \n" +
		"WHERE pg_catalog.pg_namespace.nspname NOT LIKE 'pg_%' ORDER BY pg_catalog.pg_namespace.nspname",
		keep: func(r map[string]string) bool {
			return slices.Contains([]string{"catalog", "information_schema", "sales"}, r["nspname"])
		}},
	{tool: "sqlalchemy", name: "has_schema", sql: "SELECT pg_catalog.pg_namespace.nspname \nFROM pg_catalog.pg_namespace \nWHERE pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "get_table_names", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p']) AND pg_catalog.pg_class.relpersistence != 't' AND pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "get_view_names", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['v']) AND pg_catalog.pg_class.relpersistence != 't' AND pg_catalog.pg_namespace.nspname = 'catalog'"},
	{tool: "sqlalchemy", name: "get_foreign_table_names", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['f']) AND pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "get_sequence_names", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['S']) AND pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "has_table", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relname = 'orders_v1' AND pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "has_sequence", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relkind = 'S' AND pg_catalog.pg_class.relname = 'orders_seq' AND pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "has_type", sql: "SELECT pg_catalog.pg_type.typname \nFROM pg_catalog.pg_type JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_type.typnamespace \n" +
		"WHERE pg_catalog.pg_type.typname = 'mood' AND pg_catalog.pg_type_is_visible(pg_catalog.pg_type.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog'"},
	{tool: "sqlalchemy", name: "get_table_oid", sql: "SELECT pg_catalog.pg_class.oid \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relname = 'orders_v1' AND pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_namespace.nspname = 'sales'",
		skip: []string{"oid"}},
	{tool: "sqlalchemy", name: "get_view_definition", sql: "SELECT pg_catalog.pg_get_viewdef(pg_catalog.pg_class.oid) AS pg_get_viewdef_1 \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relname = 'orders_v1' AND pg_catalog.pg_class.relkind = ANY (ARRAY['v', 'm']) AND pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "get_multi_columns", sql: columnsQuery("'sales'", "")},
	{tool: "sqlalchemy", name: "get_columns", sql: columnsQuery("'catalog'", " AND pg_catalog.pg_class.relname IN ('products_v2')")},
	{tool: "sqlalchemy", name: "_load_domains", sql: domainsQuery, keep: func(r map[string]string) bool { return r["schema"] != "information_schema" }},
	{tool: "sqlalchemy", name: "_load_enums", sql: "SELECT pg_catalog.pg_type.typname AS name, pg_catalog.pg_type_is_visible(pg_catalog.pg_type.oid) AS visible, pg_catalog.pg_namespace.nspname AS schema, lbl_agg.labels AS labels \n" +
		"FROM pg_catalog.pg_type JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_type.typnamespace LEFT OUTER JOIN (SELECT pg_catalog.pg_enum.enumtypid AS enumtypid, array_agg(CAST(pg_catalog.pg_enum.enumlabel AS TEXT) ORDER BY pg_catalog.pg_enum.enumsortorder) AS labels \n" +
		"FROM pg_catalog.pg_enum GROUP BY pg_catalog.pg_enum.enumtypid) AS lbl_agg ON pg_catalog.pg_type.oid = lbl_agg.enumtypid \n" +
		"WHERE pg_catalog.pg_type.typtype = 'e' ORDER BY pg_catalog.pg_namespace.nspname, pg_catalog.pg_type.typname"},
	{tool: "sqlalchemy", name: "_get_table_oids", sql: "SELECT pg_catalog.pg_class.oid, pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_namespace.nspname = 'catalog'", skip: []string{"oid"}},
	{tool: "sqlalchemy", name: "get_pk_constraint", sql: constraintQuery("p"), skip: []string{"conrelid"}},
	{tool: "sqlalchemy", name: "get_unique_constraints", sql: constraintQuery("u"), skip: []string{"conrelid"}},
	{tool: "sqlalchemy", name: "get_foreign_keys", sql: "SELECT pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname, CASE WHEN (pg_catalog.pg_constraint.oid IS NOT NULL) THEN pg_catalog.pg_get_constraintdef(pg_catalog.pg_constraint.oid, true) END AS anon_1, nsp_ref.nspname, pg_catalog.pg_description.description \n" +
		"FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_class.oid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_constraint.contype = 'f' LEFT OUTER JOIN pg_catalog.pg_class AS cls_ref ON cls_ref.oid = pg_catalog.pg_constraint.confrelid LEFT OUTER JOIN pg_catalog.pg_namespace AS nsp_ref ON cls_ref.relnamespace = nsp_ref.oid LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace \n" +
		"WHERE pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_namespace.nspname = 'catalog' AND pg_catalog.pg_class.relname IN ('products_v2') ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname"},
	{tool: "sqlalchemy", name: "get_indexes", sql: indexQuery, skip: []string{"indrelid"}},
	{tool: "sqlalchemy", name: "get_table_comment", sql: "SELECT pg_catalog.pg_class.relname, pg_catalog.pg_description.description \n" +
		"FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_class.oid = pg_catalog.pg_description.objoid AND pg_catalog.pg_description.objsubid = 0 JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace \n" +
		"WHERE pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_namespace.nspname = 'sales'"},
	{tool: "sqlalchemy", name: "get_check_constraints", sql: "SELECT pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname, CASE WHEN (pg_catalog.pg_constraint.oid IS NOT NULL) THEN pg_catalog.pg_get_constraintdef(pg_catalog.pg_constraint.oid, true) END AS anon_1, pg_catalog.pg_description.description \n" +
		"FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_class.oid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_constraint.contype = 'c' LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace \n" +
		"WHERE pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_namespace.nspname = 'sales' ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname"},
	// The same dialect over psycopg 3: server-side parameters, each cast
	// (RENDER_CASTS).
	{tool: "sqlalchemy+psycopg", name: "get_table_names", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[$1::VARCHAR, $2::VARCHAR]) AND pg_catalog.pg_class.relpersistence != $3::VARCHAR AND pg_catalog.pg_namespace.nspname = $4::VARCHAR",
		params: []string{"r", "p", "t", "catalog"}},
	{tool: "sqlalchemy+psycopg", name: "has_table", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relname = $1::VARCHAR AND pg_catalog.pg_class.relkind = ANY (ARRAY[$2::VARCHAR, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR, $6::VARCHAR]) AND pg_catalog.pg_namespace.nspname = $7::VARCHAR",
		params: []string{"customers_v1", "r", "p", "f", "v", "m", "sales"}},
	{tool: "sqlalchemy+psycopg", name: "get_table_comment", sql: "SELECT pg_catalog.pg_class.relname, pg_catalog.pg_description.description \n" +
		"FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_class.oid = pg_catalog.pg_description.objoid AND pg_catalog.pg_description.objsubid = $1::INTEGER JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace \n" +
		"WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[$2::VARCHAR, $3::VARCHAR]) AND pg_catalog.pg_namespace.nspname = $4::VARCHAR AND pg_catalog.pg_class.relname IN ($5::VARCHAR, $6::VARCHAR)",
		params: []string{"0", "r", "p", "catalog", "products_v1", "products_v2"}},
	{tool: "sqlalchemy+psycopg", name: "get_columns", sql: columnsQueryPsycopg, params: []string{"0", "always", "start", "increment", "minvalue", "maxvalue", "cache", "cycle", "a", "",
		"r", "p", "f", "v", "m", "sales", "orders_v1"}},
	{tool: "sqlalchemy+psycopg", name: "get_indexes", sql: indexQueryPsycopg, params: []string{"0", "1", "true", "0", "1", "p", "u", "x"}, skip: []string{"indrelid"}},
	// psycopg 3's TypeInfo.fetch and its subclasses (SQLAlchemy's psycopg
	// dialect fetches hstore's on every connect).
	{tool: "psycopg", name: "TypeInfo numeric", sql: typeInfoQuery, params: []string{"numeric"}},
	{tool: "psycopg", name: "TypeInfo timestamptz[]", sql: typeInfoQuery, params: []string{"timestamptz[]"}},
	{tool: "psycopg", name: "TypeInfo hstore", sql: typeInfoQuery, params: []string{"hstore"}},
	{tool: "psycopg", name: "TypeInfo by regtype", sql: strings.Replace(typeInfoQuery, "to_regtype($1)", "$1::regtype", 1), params: []string{"uuid"}},
	{tool: "psycopg", name: "RangeInfo", sql: "SELECT t.typname AS name, t.oid AS oid, t.typarray AS array_oid,\n    t.oid::regtype::text AS regtype,\n    r.rngsubtype AS subtype_oid\n" +
		"FROM pg_type t\nJOIN pg_range r ON t.oid = r.rngtypid\nWHERE t.oid = to_regtype($1)\n", params: []string{"daterange"}},
	{tool: "psycopg", name: "EnumInfo", sql: "SELECT name, oid, array_oid, array_agg(label) AS labels\nFROM (\n    SELECT\n        t.typname AS name, t.oid AS oid, t.typarray AS array_oid,\n        e.enumlabel AS label\n" +
		"    FROM pg_type t\n    LEFT JOIN  pg_enum e\n    ON e.enumtypid = t.oid\n    WHERE t.oid = to_regtype($1)\n    ORDER BY e.enumsortorder\n) x\nGROUP BY name, oid, array_oid\n", params: []string{"mood"}},
	{tool: "psycopg", name: "to_reg*", sql: "SELECT to_regclass('sales.orders_v1') = 'sales.orders_v1'::regclass, to_regclass('sales.nope'), to_regclass('nope.orders_v1'), " +
		"to_regnamespace('sales') IS NOT NULL, to_regnamespace('nope'), to_regrole('nope'), to_regtype(NULL)"},
	// pandas.read_sql first asks whether its argument names a table.
	{tool: "pandas", name: "read_sql has_table", sql: "SELECT pg_catalog.pg_class.relname \n" + fromClassNs +
		"WHERE pg_catalog.pg_class.relname = 'SELECT status, count(*) FROM sales.orders_v1 GROUP BY status' AND pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog'"},
	{tool: "pandas", name: "read_sql", sql: "SELECT status, count(*) AS n, sum(amount) AS amount FROM sales.orders_v1 GROUP BY status"},
	// Apache Superset: databases, cancel id, cost estimate, SQL Lab's
	// limit (added, or wrapping the query), the table preview.
	{tool: "superset", name: "get_catalog_names", sql: "\nSELECT datname FROM pg_database\nWHERE datistemplate = false;\n            ", own: true, match: regexp.MustCompile(`^mesh$`)},
	{tool: "superset", name: "get_cancel_query_id", sql: "SELECT pg_backend_pid()", own: true, match: regexp.MustCompile(`^[1-9][0-9]*$`)},
	{tool: "superset", name: "cancel of no session", sql: "SELECT pg_cancel_backend(2147483647)"},
	{tool: "superset", name: "estimate_statement_cost", sql: "EXPLAIN SELECT status, count(*) FROM sales.orders_v1 GROUP BY status", own: true},
	{tool: "superset", name: "apply_limit", sql: "SELECT customer_id, count(*) AS lines FROM sales.orders_v1 GROUP BY customer_id ORDER BY lines DESC, customer_id\nLIMIT 1001"},
	{tool: "superset", name: "apply_limit wrapped", sql: "SELECT * \nFROM (SELECT status, sum(quantity) AS units FROM sales.orders_v1 GROUP BY status) AS inner_qry \n LIMIT 1001"},
	{tool: "superset", name: "select_star", sql: "SELECT count(*) FROM (SELECT order_id, customer_id, product_id, order_date, quantity, amount, status \nFROM sales.orders_v1\n LIMIT 100) AS preview"},
	// Tableau's PostgreSQL dialect (its connector SDK's dialect.tdd):
	// quoted aliases, CAST(EXTRACT …), DATE_TRUNC, STRPOS for CONTAINS,
	// its WEEK formula, TO_CHAR for DATENAME, a Custom SQL probe.
	{tool: "tableau", name: "YEAR and SUM", sql: "SELECT CAST(EXTRACT(YEAR FROM \"orders_v1\".\"order_date\") AS INTEGER) AS \"yr:order_date:ok\",\n  SUM(\"orders_v1\".\"amount\") AS \"sum:amount:ok\"\n" +
		"FROM \"sales\".\"orders_v1\" \"orders_v1\"\nGROUP BY 1"},
	{tool: "tableau", name: "DATETRUNC, CONTAINS, COUNTD", sql: "SELECT \"orders_v1\".\"status\" AS \"status\",\n  CAST(DATE_TRUNC('MONTH', CAST(\"orders_v1\".\"order_date\" AS DATE)) AS DATE) AS \"tmn:order_date:ok\",\n" +
		"  COUNT(DISTINCT \"orders_v1\".\"customer_id\") AS \"ctd:customer_id:ok\"\nFROM \"sales\".\"orders_v1\" \"orders_v1\"\n" +
		"WHERE (STRPOS(CAST(LOWER(CAST(\"orders_v1\".\"status\" AS TEXT)) AS TEXT),CAST('ed' AS TEXT)) > 0)\nGROUP BY 1,\n  2"},
	{tool: "tableau", name: "WEEK", sql: "SELECT CAST(FLOOR((7 + EXTRACT(DOY FROM \"orders_v1\".\"order_date\") - 1 + EXTRACT(DOW FROM DATE_TRUNC('YEAR', \"orders_v1\".\"order_date\"))) / 7) AS INTEGER) AS \"wk:order_date:ok\",\n" +
		"  COUNT(1) AS \"cnt:Number of Records:ok\"\nFROM \"sales\".\"orders_v1\" \"orders_v1\"\nGROUP BY 1"},
	{tool: "tableau", name: "DATENAME", sql: "SELECT TO_CHAR(\"orders_v1\".\"order_date\", 'FMMonth') AS \"mn:order_date:nk\",\n  TO_CHAR(\"orders_v1\".\"order_date\", 'FMDay') AS \"dn:order_date:nk\"\n" +
		"FROM \"sales\".\"orders_v1\" \"orders_v1\"\nGROUP BY 1,\n  2"},
	{tool: "tableau", name: "Custom SQL probe", sql: "SELECT *\nFROM (\n  SELECT customer_id, sum(amount) AS total FROM sales.orders_v1 GROUP BY customer_id\n) \"Custom SQL Query\"\nLIMIT 0"},
	// Superset's prequery, then an unqualified query of SQL Lab's schema.
	{tool: "superset", name: "get_prequeries", sql: "set search_path = \"catalog\""},
	{tool: "superset", name: "query in schema", sql: "SELECT category, count(*) AS products FROM products_v2 GROUP BY category"},
}

// typeInfoQuery is psycopg 3's TypeInfo._get_info_query (PostgreSQL
// 9.4 and later).
const typeInfoQuery = "SELECT\n    typname AS name, oid, typarray AS array_oid,\n    oid::regtype::text AS regtype, typdelim AS delimiter\n" +
	"FROM pg_type t\nWHERE t.oid = to_regtype($1)\nORDER BY t.oid\n"

// columnsQuery is SQLAlchemy 2.0's _columns_query for schema (a SQL
// literal), with filter narrowing it to some tables.
func columnsQuery(schema, filter string) string {
	return "SELECT pg_catalog.pg_attribute.attname AS name, pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type, " +
		"(SELECT pg_catalog.pg_get_expr(pg_catalog.pg_attrdef.adbin, pg_catalog.pg_attrdef.adrelid) AS pg_get_expr_1 \nFROM pg_catalog.pg_attrdef \n" +
		"WHERE pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attrdef.adnum = pg_catalog.pg_attribute.attnum AND pg_catalog.pg_attribute.atthasdef) AS \"default\", " +
		"pg_catalog.pg_attribute.attnotnull AS not_null, pg_catalog.pg_class.relname AS table_name, pg_catalog.pg_description.description AS comment, pg_catalog.pg_attribute.attgenerated AS generated, " +
		"(SELECT json_build_object('always', pg_catalog.pg_attribute.attidentity = 'a', 'start', pg_catalog.pg_sequence.seqstart, 'increment', pg_catalog.pg_sequence.seqincrement, 'minvalue', pg_catalog.pg_sequence.seqmin, 'maxvalue', pg_catalog.pg_sequence.seqmax, 'cache', pg_catalog.pg_sequence.seqcache, 'cycle', pg_catalog.pg_sequence.seqcycle) AS json_build_object_1 \n" +
		"FROM pg_catalog.pg_sequence \nWHERE pg_catalog.pg_attribute.attidentity != '' AND pg_catalog.pg_sequence.seqrelid = CAST(CAST(pg_catalog.pg_get_serial_sequence(CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) AS identity_options \n" +
		"FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attribute.attnum > 0 AND NOT pg_catalog.pg_attribute.attisdropped " +
		"LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_description.objsubid = pg_catalog.pg_attribute.attnum JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace \n" +
		"WHERE pg_catalog.pg_class.relkind = ANY (" + relkindsAll + ") AND pg_catalog.pg_namespace.nspname = " + schema + filter + " ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum"
}

// columnsQueryPsycopg is _columns_query as SQLAlchemy renders it for
// psycopg 3: every literal a parameter, cast to its bind type.
var columnsQueryPsycopg = func() string {
	q := columnsQuery("$16::VARCHAR", " AND pg_catalog.pg_class.relname IN ($17::VARCHAR)")
	q = strings.Replace(q, "attnum > 0", "attnum > $1::INTEGER", 1)
	for i, key := range []string{"always", "start", "increment", "minvalue", "maxvalue", "cache", "cycle"} {
		q = strings.Replace(q, "'"+key+"'", fmt.Sprintf("$%d::VARCHAR", i+2), 1)
	}
	q = strings.Replace(q, "attidentity = 'a'", "attidentity = $9::VARCHAR", 1)
	q = strings.Replace(q, "attidentity != ''", "attidentity != $10::VARCHAR", 1)
	return strings.Replace(q, relkindsAll, "ARRAY[$11::VARCHAR, $12::VARCHAR, $13::VARCHAR, $14::VARCHAR, $15::VARCHAR]", 1)
}()

// indexQueryPsycopg is _index_query as SQLAlchemy renders it for psycopg
// 3, the table ids inlined as the expanding IN renders them.
var indexQueryPsycopg = strings.NewReplacer(
	"idx.attnum = 0) THEN", "idx.attnum = $1::INTEGER) THEN",
	"idx.ord + 1, true)", "idx.ord + $2::INTEGER, $3::BOOLEAN)",
	"idx.attnum = 0 AS is_expr", "idx.attnum = $4::INTEGER AS is_expr",
	"generate_subscripts(pg_catalog.pg_index.indkey, 1)", "generate_subscripts(pg_catalog.pg_index.indkey, $5::INTEGER)",
	"ANY (ARRAY['p', 'u', 'x'])", "ANY (ARRAY[$6::VARCHAR, $7::VARCHAR, $8::VARCHAR])",
).Replace(indexQuery)

// constraintQuery is SQLAlchemy 2.0's _constraint_query for primary keys
// ("p") or unique constraints ("u", the PostgreSQL 15 form joining
// pg_index for NULLS NOT DISTINCT) of the tables of catalog and sales.
func constraintQuery(contype string) string {
	const oids = "({oid:catalog.products_v1}, {oid:catalog.products_v2}, {oid:sales.customers_v1}, {oid:sales.orders_v1})"
	extra, join := "NULL AS extra", ""
	if contype == "u" {
		extra, join = "bool_and(pg_catalog.pg_index.indnullsnotdistinct) AS indnullsnotdistinct", " JOIN pg_catalog.pg_index ON attr.conindid = pg_catalog.pg_index.indexrelid"
	}
	return "SELECT attr.conrelid, array_agg(CAST(attr.attname AS TEXT) ORDER BY attr.ord) AS cols, attr.conname, min(attr.description) AS description, " + extra + " \n" +
		"FROM (SELECT con.conrelid AS conrelid, con.conname AS conname, con.conindid AS conindid, con.description AS description, con.ord AS ord, pg_catalog.pg_attribute.attname AS attname \n" +
		"FROM pg_catalog.pg_attribute JOIN (SELECT pg_catalog.pg_constraint.conrelid AS conrelid, pg_catalog.pg_constraint.conname AS conname, pg_catalog.pg_constraint.conindid AS conindid, unnest(pg_catalog.pg_constraint.conkey) AS attnum, generate_subscripts(pg_catalog.pg_constraint.conkey, 1) AS ord, pg_catalog.pg_description.description AS description \n" +
		"FROM pg_catalog.pg_constraint LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid \n" +
		"WHERE pg_catalog.pg_constraint.contype = '" + contype + "' AND pg_catalog.pg_constraint.conrelid IN " + oids + ") AS con ON pg_catalog.pg_attribute.attnum = con.attnum AND pg_catalog.pg_attribute.attrelid = con.conrelid \n" +
		"WHERE con.conrelid IN " + oids + ") AS attr" + join + " GROUP BY attr.conrelid, attr.conname ORDER BY attr.conrelid, attr.conname"
}

// indexQuery is SQLAlchemy 2.0's _index_query (PostgreSQL 15 form) for
// the tables of catalog and sales.
const indexQuery = "SELECT pg_catalog.pg_index.indrelid, cls_idx.relname AS relname_index, pg_catalog.pg_index.indisunique, pg_catalog.pg_constraint.conrelid IS NOT NULL AS has_constraint, pg_catalog.pg_index.indoption, cls_idx.reloptions, pg_catalog.pg_am.amname, " +
	"CASE WHEN (pg_catalog.pg_index.indpred IS NOT NULL) THEN pg_catalog.pg_get_expr(pg_catalog.pg_index.indpred, pg_catalog.pg_index.indrelid) END AS filter_definition, pg_catalog.pg_index.indnkeyatts, pg_catalog.pg_index.indnullsnotdistinct, idx_cols.elements, idx_cols.elements_is_expr \n" +
	"FROM pg_catalog.pg_index JOIN pg_catalog.pg_class AS cls_idx ON pg_catalog.pg_index.indexrelid = cls_idx.oid JOIN pg_catalog.pg_am ON cls_idx.relam = pg_catalog.pg_am.oid LEFT OUTER JOIN (SELECT idx_attr.indexrelid AS indexrelid, min(idx_attr.indrelid) AS min_1, array_agg(idx_attr.element ORDER BY idx_attr.ord) AS elements, array_agg(idx_attr.is_expr ORDER BY idx_attr.ord) AS elements_is_expr \n" +
	"FROM (SELECT idx.indexrelid AS indexrelid, idx.indrelid AS indrelid, idx.ord AS ord, CASE WHEN (idx.attnum = 0) THEN pg_catalog.pg_get_indexdef(idx.indexrelid, idx.ord + 1, true) ELSE CAST(pg_catalog.pg_attribute.attname AS TEXT) END AS element, idx.attnum = 0 AS is_expr \n" +
	"FROM (SELECT pg_catalog.pg_index.indexrelid AS indexrelid, pg_catalog.pg_index.indrelid AS indrelid, unnest(pg_catalog.pg_index.indkey) AS attnum, generate_subscripts(pg_catalog.pg_index.indkey, 1) AS ord \n" +
	"FROM pg_catalog.pg_index \nWHERE NOT pg_catalog.pg_index.indisprimary AND pg_catalog.pg_index.indrelid IN ({oid:catalog.products_v2}, {oid:sales.orders_v1})) AS idx LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_attribute.attnum = idx.attnum AND pg_catalog.pg_attribute.attrelid = idx.indrelid \n" +
	"WHERE idx.indrelid IN ({oid:catalog.products_v2}, {oid:sales.orders_v1})) AS idx_attr GROUP BY idx_attr.indexrelid) AS idx_cols ON pg_catalog.pg_index.indexrelid = idx_cols.indexrelid " +
	"LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_index.indrelid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_index.indexrelid = pg_catalog.pg_constraint.conindid AND pg_catalog.pg_constraint.contype = ANY (ARRAY['p', 'u', 'x']) \n" +
	"WHERE pg_catalog.pg_index.indrelid IN ({oid:catalog.products_v2}, {oid:sales.orders_v1}) AND NOT pg_catalog.pg_index.indisprimary ORDER BY pg_catalog.pg_index.indrelid, cls_idx.relname"

// domainsQuery is SQLAlchemy 2.0's _domain_query for every schema.
const domainsQuery = "SELECT pg_catalog.pg_type.typname AS name, pg_catalog.format_type(pg_catalog.pg_type.typbasetype, pg_catalog.pg_type.typtypmod) AS attype, NOT pg_catalog.pg_type.typnotnull AS nullable, pg_catalog.pg_type.typdefault AS \"default\", " +
	"pg_catalog.pg_type_is_visible(pg_catalog.pg_type.oid) AS visible, pg_catalog.pg_namespace.nspname AS schema, domain_constraints.condefs, domain_constraints.connames, pg_catalog.pg_collation.collname \n" +
	"FROM pg_catalog.pg_type JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_type.typnamespace LEFT OUTER JOIN pg_catalog.pg_collation ON pg_catalog.pg_type.typcollation = pg_catalog.pg_collation.oid " +
	"LEFT OUTER JOIN (SELECT pg_catalog.pg_constraint.contypid AS contypid, array_agg(pg_catalog.pg_get_constraintdef(pg_catalog.pg_constraint.oid, true)) AS condefs, array_agg(CAST(pg_catalog.pg_constraint.conname AS TEXT)) AS connames \n" +
	"FROM pg_catalog.pg_constraint \nWHERE pg_catalog.pg_constraint.contypid != 0 GROUP BY pg_catalog.pg_constraint.contypid) AS domain_constraints ON pg_catalog.pg_type.oid = domain_constraints.contypid \n" +
	"WHERE pg_catalog.pg_type.typtype = 'd' ORDER BY pg_catalog.pg_namespace.nspname, pg_catalog.pg_type.typname"

var oidPlaceholder = regexp.MustCompile(`\{oid:([a-z_]+\.[a-z0-9_]+)\}`)

// runTool runs q on conn: its columns and its rows as column → text maps
// ("NULL" for NULL).
func runTool(ctx context.Context, conn *pgx.Conn, q toolQuery) ([]string, dbeaverResult, error) {
	sql := q.sql
	var lookupErr error
	sql = oidPlaceholder.ReplaceAllStringFunc(sql, func(m string) string {
		var oid uint32
		if err := conn.QueryRow(ctx, "SELECT $1::regclass::oid", oidPlaceholder.FindStringSubmatch(m)[1]).Scan(&oid); err != nil {
			lookupErr = err
		}
		return fmt.Sprint(oid)
	})
	if lookupErr != nil {
		return nil, nil, lookupErr
	}
	var rr *pgconn.ResultReader
	if q.params != nil {
		params := make([][]byte, len(q.params))
		for i, p := range q.params {
			params[i] = []byte(p)
		}
		var oids []uint32
		if q.varchar {
			oids = make([]uint32, len(params))
			for i, p := range q.params {
				oids[i] = oidVarchar
				if _, err := strconv.ParseInt(p, 10, 64); err == nil {
					oids[i] = oidInt8 // setLong
				}
			}
		}
		rr = conn.PgConn().ExecParams(ctx, sql, params, oids, nil, nil)
	} else {
		mrr := conn.PgConn().Exec(ctx, sql)
		defer mrr.Close()
		if !mrr.NextResult() {
			return nil, nil, mrr.Close()
		}
		rr = mrr.ResultReader()
	}
	// The columns as described, also for no rows (pgconn's Result
	// keeps them only with rows).
	var cols []string
	for _, fd := range rr.FieldDescriptions() {
		cols = append(cols, fd.Name)
	}
	res := rr.Read()
	if res.Err != nil {
		return nil, nil, res.Err
	}
	return cols, resultMaps(res), nil
}

// checkPythonTools runs toolQueries on meshql and on PostgreSQL, the
// latter given what meshql takes from the descriptors (descriptions as
// comments, primary keys), in a transaction rolled back at the end.
// Every query must succeed on meshql without a "catalog query not
// answered" warning and, but for the server's own facts, give
// PostgreSQL's rows.
func checkPythonTools(t *testing.T, f *fixture) {
	compareToolQueries(t, f, toolQueries)
}

// compareToolQueries runs queries in order on one connection to meshql
// and one to PostgreSQL (a query may set what the next relies on, as
// Superset's search_path), PostgreSQL's given the descriptors' comments
// and primary keys (descriptorDDL) in a transaction rolled back at the
// end.
func compareToolQueries(t *testing.T, f *fixture, queries []toolQuery) {
	ctx := t.Context()
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	if _, err := pg.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	defer pg.Exec(context.Background(), "ROLLBACK") //nolint:errcheck // the connection closes anyway
	for _, stmt := range descriptorDDL(f) {
		if _, err := pg.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	logStart := len(f.log.String())
	for _, q := range queries {
		label := q.tool + " " + q.name
		cols, got, err := runTool(ctx, mq, q)
		if err != nil {
			t.Errorf("%s on meshql: %v\n%s", label, err, q.sql)
			continue
		}
		if q.own {
			if q.match != nil && (len(got) != 1 || !q.match.MatchString(got[0][cols[0]])) {
				t.Errorf("%s on meshql: %v, want one row matching %s", label, got, q.match)
			}
			continue
		}
		wantCols, want, err := runTool(ctx, pg, q)
		if err != nil {
			t.Fatalf("%s on postgres: %v", label, err)
		}
		if !slices.Equal(cols, wantCols) {
			t.Errorf("%s: columns %q, postgres %q", label, cols, wantCols)
			continue
		}
		compared := slices.DeleteFunc(slices.Clone(cols), func(c string) bool { return slices.Contains(q.skip, c) })
		if q.keep != nil {
			drop := func(r map[string]string) bool { return !q.keep(r) }
			got, want = slices.DeleteFunc(got, drop), slices.DeleteFunc(want, drop)
		}
		g, _ := got.project(compared, nil)
		w, _ := want.project(compared, nil)
		if q.subset {
			for _, r := range g {
				if !slices.Contains(w, r) {
					t.Errorf("%s: meshql's row %q is not PostgreSQL's", label, r)
				}
			}
			if len(g) == 0 {
				t.Errorf("%s: no rows on meshql", label)
			}
			continue
		}
		if !slices.Equal(g, w) {
			t.Errorf("%s (%s):\nmeshql   %q\npostgres %q", label, strings.Join(compared, ", "), g, w)
		}
	}
	if log := f.log.String()[logStart:]; strings.Contains(log, "catalog query not answered") {
		t.Errorf("meshql logged unanswered catalog queries:\n%s", log)
	}
}

// descriptorDDL gives PostgreSQL's copy of the mesh what meshql shows from
// the descriptors: the products' and columns' descriptions as comments,
// the primary keys as constraints.
func descriptorDDL(f *fixture) []string {
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var out []string
	for _, p := range f.mesh.Products {
		if p.Source.Connector != "parquet" {
			continue // pgload copies only these
		}
		table := pgx.Identifier{p.Domain, p.TableName()}.Sanitize()
		out = append(out, "COMMENT ON TABLE "+table+" IS "+lit(p.Description))
		var pk []string
		for _, c := range p.Columns {
			if c.Description != "" {
				out = append(out, "COMMENT ON COLUMN "+table+"."+pgx.Identifier{c.Name}.Sanitize()+" IS "+lit(c.Description))
			}
			if slices.Contains(c.Constraints, "primary_key") {
				pk = append(pk, pgx.Identifier{c.Name}.Sanitize())
			}
		}
		if pk != nil {
			out = append(out, "ALTER TABLE "+table+" ADD CONSTRAINT "+pgx.Identifier{p.TableName() + "_pkey"}.Sanitize()+" PRIMARY KEY ("+strings.Join(pk, ", ")+")")
		}
	}
	return out
}

// checkSupersetCancel cancels a running query as Superset's SQL Lab does,
// from a second connection given the first one's pg_backend_pid():
// pg_cancel_backend(pid) fails the query with 57014 and the session goes
// on; Superset's SELECT pg_terminate_backend(pid) FROM pg_stat_activity
// WHERE pid = '…' ends the query and the connection (57P01). Both
// servers must behave alike.
func checkSupersetCancel(t *testing.T, f *fixture) {
	const long = "SELECT count(*) FROM sales.orders_v1 a CROSS JOIN sales.orders_v1 b CROSS JOIN sales.orders_v1 c"
	for _, tg := range []target{f.meshql, f.postgres} {
		for _, signal := range []string{"SELECT pg_cancel_backend(%d)", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid='%d'"} {
			victim, killer := connectTarget(t, tg), connectTarget(t, tg)
			pid := victim.PgConn().PID()
			done := make(chan error, 1)
			go func() {
				_, err := victim.Exec(t.Context(), long)
				done <- err
			}()
			// Wait until the query runs, as Superset's user would.
			deadline := time.Now().Add(10 * time.Second)
			for {
				var n int
				if err := killer.QueryRow(t.Context(), "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", int32(pid)).Scan(&n); err != nil {
					t.Fatalf("%s: %v", tg.name, err)
				}
				if n == 1 || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			// One signal, as PostgreSQL needs: meshql registers a
			// statement once, from its planning to its end, so a signal
			// landing between the two stops it too.
			var ok bool
			if err := killer.QueryRow(t.Context(), fmt.Sprintf(signal, pid)).Scan(&ok); err != nil || !ok {
				t.Errorf("%s: %s: %v, %v", tg.name, signal, ok, err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s: %s did not stop the query", tg.name, signal)
			}
			terminate := strings.Contains(signal, "terminate")
			var pgErr *pgconn.PgError
			switch {
			case !terminate && (!errors.As(err, &pgErr) || pgErr.Code != "57014"):
				t.Errorf("%s: the canceled query ended with %v, want 57014", tg.name, err)
			case terminate && err == nil:
				t.Errorf("%s: the terminated session's query succeeded", tg.name)
			}
			_, after := victim.Exec(t.Context(), "SELECT 1")
			if terminate != (after != nil) {
				t.Errorf("%s: after %s the session's next query gave %v", tg.name, signal, after)
			}
		}
	}
}
