package clients

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// analystQueries are what analyst tools send besides the queries of
// python_test.go and dbeaver_test.go, each quoted from the tool's source
// (repository and path in the comment above it): DBeaver's table
// navigator, Metabase's sync, fingerprinting and query builder, Grafana's
// PostgreSQL data source (its query editor's metadata and its macros as
// they expand) and pgAdmin's dashboard. They run through
// compareToolQueries: PostgreSQL's answer, given the descriptors' comments
// and primary keys, unless the answer is the server's own.
var analystQueries = []toolQuery{
	// dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/
	// dbeaver/ext/postgresql/model/PostgreDataSource.java (determineDefaultObjects)
	// and PostgreTableReal.java (TriggerCache, RuleCache, the row count of
	// a table's statistics), the table's id concatenated into the text.
	{tool: "dbeaver", name: "default objects", sql: "SELECT current_database(), current_schema(),session_user", own: true},
	{tool: "dbeaver", name: "search path", sql: "SHOW search_path"},
	{tool: "dbeaver", name: "triggers", sql: "SELECT x.oid,x.*,p.pronamespace as func_schema_id,d.description\nFROM pg_catalog.pg_trigger x\n" +
		"LEFT OUTER JOIN pg_catalog.pg_proc p ON p.oid=x.tgfoid \nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=x.oid AND d.objsubid=0 \n" +
		"WHERE x.tgrelid={oid:sales.orders_v1} AND NOT x.tgisinternal"},
	{tool: "dbeaver", name: "rules", sql: "SELECT r.oid,r.*, pg_get_ruledef(r.oid) AS definition\nFROM pg_rewrite r\n" +
		"WHERE r.ev_class={oid:sales.orders_v1} AND r.rulename <> '_RETURN'::name"},
	{tool: "dbeaver", name: "row count", sql: "SELECT COUNT(*) FROM sales.orders_v1"},
	// PostgreTableBase.getPermissions and PostgreRole.getPrivileges: a
	// table's grants, a role's on tables and routines (for a database and
	// a role neither server has: the columns of SELECT * are compared).
	{tool: "dbeaver", name: "table permissions", sql: "SELECT * FROM information_schema.table_privileges WHERE table_catalog=$1 AND table_schema=$2 AND table_name=$3",
		params: []string{"nope", "sales", "orders_v1"}, varchar: true},
	{tool: "dbeaver", name: "role table privileges", sql: "SELECT * FROM information_schema.table_privileges WHERE table_catalog=$1 AND grantee=$2",
		params: []string{"nope", "nobody"}, varchar: true},
	{tool: "dbeaver", name: "role routine privileges", sql: "SELECT * FROM information_schema.routine_privileges WHERE specific_catalog=$1 AND grantee=$2",
		params: []string{"nope", "nobody"}, varchar: true},

	// pgjdbc's TypeInfoCache.getPGType, as DBeaver's connection sends it
	// (datafusion-contrib/datafusion-postgres issue 135, DBeaver 25.1's
	// log): whether a type's schema is on the path, pg_catalog implicitly.
	{tool: "dbeaver", name: "TypeInfoCache.getPGType", sql: "SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = $1",
		params: []string{"1007"}, varchar: true},

	// Metabase's connection set-up, as its log in
	// datafusion-contrib/datafusion-postgres issue 158 shows it.
	{tool: "metabase", name: "extra_float_digits", sql: "SET extra_float_digits = 2"},
	{tool: "metabase", name: "read uncommitted", sql: "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"},
	{tool: "metabase", name: "isolation level", sql: "SHOW TRANSACTION ISOLATION LEVEL"},
	// metabase/metabase src/metabase/driver/postgres.clj: the time zone,
	// the enum types, get-tables-sql, describe-fields-sql, describe-fks-sql,
	// describe-indexes-sql and current-user-table-privileges, as HoneySQL 2
	// renders them for pgjdbc (identifiers quoted, values as parameters).
	{tool: "metabase", name: "db-default-timezone", sql: "show timezone;"},
	{tool: "metabase", name: "enum-types", sql: "SELECT nspname, typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e)"},
	{tool: "metabase", name: "get-tables-sql", sql: metabaseTables, params: []string{"0", "^pg_", "information_schema", "sales"}, varchar: true,
		// PostgreSQL counts its copy's rows; meshql keeps no statistics.
		skip: []string{"estimated_row_count"}},
	{tool: "metabase", name: "describe-fields-sql", sql: metabaseFields, params: []string{"sales", "sales"}, varchar: true},
	{tool: "metabase", name: "describe-fks-sql", sql: metabaseFKs, params: []string{"sales"}, varchar: true},
	{tool: "metabase", name: "describe-indexes-sql", sql: metabaseIndexes, params: []string{"catalog", "1"}, varchar: true},
	// The superuser PostgreSQL's copy is loaded by may write too; a
	// meshql user reads.
	{tool: "metabase", name: "current-user-table-privileges", sql: metabasePrivileges, skip: []string{"update", "insert", "delete"},
		keep: func(r map[string]string) bool { return r["schema"] == "sales" || r["schema"] == "catalog" }},
	// src/metabase/driver/common/table_rows_sample.clj: the fingerprint's
	// sample, its text columns cut to 1234 characters by an expression;
	// then a field's distinct values and count, a median, and the
	// query builder's month, week (Sunday start) and day-of-week buckets.
	{tool: "metabase", name: "table-rows-sample", sql: `SELECT "sales"."customers_v1"."customer_id" AS "customer_id", SUBSTRING("sales"."customers_v1"."name", 1, 1234) AS "substring12345", ` +
		`SUBSTRING("sales"."customers_v1"."country", 1, 1234) AS "substring12346", "sales"."customers_v1"."signup_date" AS "signup_date" FROM "sales"."customers_v1" LIMIT 10000`},
	{tool: "metabase", name: "field distinct count", sql: `SELECT COUNT(DISTINCT "sales"."orders_v1"."status") AS "count" FROM "sales"."orders_v1"`},
	{tool: "metabase", name: "field values", sql: `SELECT "sales"."orders_v1"."status" AS "status" FROM "sales"."orders_v1" GROUP BY "sales"."orders_v1"."status" ORDER BY "sales"."orders_v1"."status" ASC LIMIT 1000`},
	{tool: "metabase", name: "median", sql: `SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "sales"."orders_v1"."amount") AS "median" FROM "sales"."orders_v1"`},
	{tool: "metabase", name: "month bucket", sql: `SELECT CAST(DATE_TRUNC('month', "sales"."orders_v1"."order_date") AS date) AS "order_date", COUNT(*) AS "count" FROM "sales"."orders_v1" ` +
		`GROUP BY CAST(DATE_TRUNC('month', "sales"."orders_v1"."order_date") AS date) ORDER BY CAST(DATE_TRUNC('month', "sales"."orders_v1"."order_date") AS date) ASC`},
	{tool: "metabase", name: "week bucket", sql: `SELECT CAST((CAST(DATE_TRUNC('week', CAST(("sales"."orders_v1"."order_date" + INTERVAL '1 day') AS timestamp)) AS timestamp) + INTERVAL '-1 day') AS date) AS "order_date", ` +
		`COUNT(*) AS "count" FROM "sales"."orders_v1" GROUP BY 1 ORDER BY 1 ASC`},
	{tool: "metabase", name: "day-of-week", sql: `SELECT ((CAST(extract(dow from CAST("sales"."orders_v1"."order_date" AS timestamp)) AS integer) + 1) % 7) + 1 AS "order_date", COUNT(*) AS "count" ` +
		`FROM "sales"."orders_v1" GROUP BY 1 ORDER BY 1 ASC`},

	// grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/
	// postgresMetaQuery.ts: the server's version, TimescaleDB's, the tables
	// of the search path.
	{tool: "grafana", name: "getVersion", sql: "SELECT current_setting('server_version_num')::int/100 as version", own: true, match: regexp.MustCompile(`^1[2-9]\d\d$`)},
	{tool: "grafana", name: "getTimescaleDBVersion", sql: "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"},
	{tool: "grafana", name: "search path", sql: "SET search_path = sales"},
	{tool: "grafana", name: "showTables", sql: `select quote_ident(table_name) as "table" from information_schema.tables
    where quote_ident(table_schema) not in ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
      and ` + grafanaSearchPath},
	{tool: "grafana", name: "reset search path", sql: "RESET search_path"},
	// pkg/tsdb/grafana-postgresql-datasource/macros.go: a panel's query
	// after $__timeFilter (BETWEEN two RFC 3339 instants), $__timeGroupAlias
	// (floor(extract(epoch …)/seconds)*seconds AS "time"), $__timeEpoch and
	// $__unixEpochFilter, over a date column.
	{tool: "grafana", name: "$__timeGroupAlias 1d", sql: `SELECT floor(extract(epoch from order_date)/86400)*86400 AS "time", count(*) AS orders FROM sales.orders_v1 ` +
		`WHERE order_date BETWEEN '2025-03-01T00:00:00Z' AND '2025-03-31T23:59:59.999Z' GROUP BY 1 ORDER BY 1`},
	{tool: "grafana", name: "$__timeGroupAlias 1w by metric", sql: `SELECT floor(extract(epoch from order_date)/604800)*604800 AS "time", status AS metric, sum(quantity) AS quantity FROM sales.orders_v1 ` +
		`WHERE order_date BETWEEN '2025-01-01T00:00:00Z' AND '2025-06-30T23:59:59Z' GROUP BY 1, 2 ORDER BY 1, 2`},
	{tool: "grafana", name: "$__timeEpoch", sql: `SELECT extract(epoch from order_date) as "time", sum(amount) AS amount FROM sales.orders_v1 ` +
		`WHERE extract(epoch from order_date) >= 1735689600 AND extract(epoch from order_date) <= 1738367999 GROUP BY 1 ORDER BY 1`},
	{tool: "grafana", name: "$__timeFrom date_trunc", sql: `SELECT date_trunc('day', order_date) AS "time", avg(amount) AS avg_amount FROM sales.orders_v1 ` +
		`WHERE order_date >= '2025-05-01T00:00:00Z' AND order_date < '2025-05-08T00:00:00Z' GROUP BY 1 ORDER BY 1`},

	// Power BI's PostgreSQL connector (Microsoft.Mashup's
	// PostgreSQLEnvironment: LoadServerMetadata, LoadSchemas, LoadTables,
	// LoadColumns, LoadIndexes, LoadForeignKeysParent and Child,
	// LoadResourceInformation, as decompiled copies in public repositories
	// and datafusion-contrib/datafusion-postgres issue 218's log quote
	// them), its strings inlined, and the type-loading query of the Npgsql
	// 4.0 it ships (npgsql/npgsql src/Npgsql/PostgresDatabaseInfo.cs,
	// GenerateTypesQuery; the order made total).
	{tool: "powerbi", name: "character set", sql: "select character_set_name from INFORMATION_SCHEMA.character_sets"},
	{tool: "powerbi", name: "schemas", sql: "select SCHEMA_NAME from INFORMATION_SCHEMA.SCHEMATA order by SCHEMA_NAME",
		keep: func(r map[string]string) bool {
			return !slices.Contains([]string{"marketing", "mesh", "public", "pg_toast"}, r["schema_name"])
		}},
	{tool: "powerbi", name: "tables", sql: "select TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE\r\nfrom INFORMATION_SCHEMA.tables\r\nwhere TABLE_SCHEMA not in ('information_schema', 'pg_catalog')\r\norder by TABLE_SCHEMA, TABLE_NAME",
		keep: func(r map[string]string) bool { return r["table_schema"] != "marketing" && r["table_schema"] != "mesh" }},
	{tool: "powerbi", name: "columns", sql: "select COLUMN_NAME, ORDINAL_POSITION, IS_NULLABLE, case when (data_type like '%unsigned%') then DATA_TYPE || ' unsigned' else DATA_TYPE end as DATA_TYPE\r\n" +
		"from INFORMATION_SCHEMA.columns\r\nwhere TABLE_SCHEMA = 'sales' and TABLE_NAME = 'orders_v1'\r\norder by TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"},
	{tool: "powerbi", name: "indexes", sql: "select i.CONSTRAINT_SCHEMA || '_' || i.CONSTRAINT_NAME as INDEX_NAME, ii.COLUMN_NAME, ii.ORDINAL_POSITION, case when i.CONSTRAINT_TYPE = 'PRIMARY KEY' then 'Y' else 'N' end as PRIMARY_KEY\r\n" +
		"from INFORMATION_SCHEMA.table_constraints i inner join INFORMATION_SCHEMA.key_column_usage ii on i.CONSTRAINT_SCHEMA = ii.CONSTRAINT_SCHEMA and i.CONSTRAINT_NAME = ii.CONSTRAINT_NAME and i.TABLE_SCHEMA = ii.TABLE_SCHEMA and i.TABLE_NAME = ii.TABLE_NAME\r\n" +
		"where i.TABLE_SCHEMA = 'catalog' and i.TABLE_NAME = 'products_v2'\r\nand i.CONSTRAINT_TYPE in ('PRIMARY KEY', 'UNIQUE')\r\n" +
		"order by i.CONSTRAINT_SCHEMA || '_' || i.CONSTRAINT_NAME, ii.TABLE_SCHEMA, ii.TABLE_NAME, ii.ORDINAL_POSITION"},
	{tool: "powerbi", name: "foreign keys (parent)", sql: powerBIForeignKeys("pkcol.COLUMN_NAME as PK_COLUMN_NAME,\r\n    fkcol.TABLE_SCHEMA AS FK_TABLE_SCHEMA,\r\n    fkcol.TABLE_NAME AS FK_TABLE_NAME,\r\n",
		"fkcol.TABLE_NAME || '_' || 'customers_v1'", "pkcol")},
	{tool: "powerbi", name: "foreign keys (child)", sql: powerBIForeignKeys("pkcol.TABLE_SCHEMA AS PK_TABLE_SCHEMA,\r\n    pkcol.TABLE_NAME AS PK_TABLE_NAME,\r\n    pkcol.COLUMN_NAME as PK_COLUMN_NAME,\r\n",
		"'orders_v1' || '_' || pkcol.TABLE_NAME", "fkcol")},
	{tool: "powerbi", name: "resource information", sql: "\r\nSELECT PG_TOTAL_RELATION_SIZE(C.OID) AS TOTAL_BYTES\r\nFROM PG_CLASS C JOIN PG_NAMESPACE N\r\n    ON (N.OID = C.RELNAMESPACE)\r\nWHERE N.NSPNAME = 'sales' AND C.RELNAME = 'orders_v1'",
		own: true, match: regexp.MustCompile(`^[1-9][0-9]*$`)},
	// The types of pg_catalog (the row types of tables have ids of each
	// server's own).
	{tool: "powerbi", name: "Npgsql 4.0 types", sql: npgsql4Types, subset: true, keep: func(r map[string]string) bool { return r["nspname"] == "pg_catalog" }},

	// pgcli's completion metadata (its log in datafusion-contrib/
	// datafusion-postgres issue 147): the schemas of the path, the tables.
	{tool: "pgcli", name: "search path", sql: "SET search_path = sales"},
	{tool: "pgcli", name: "schemas of the path", sql: "\n                SELECT * FROM unnest(current_schemas(true))"},
	{tool: "pgcli", name: "tables", sql: "\n                SELECT  n.nspname schema_name,\n                        c.relname table_name\n                FROM    pg_catalog.pg_class c\n" +
		"                        LEFT JOIN pg_catalog.pg_namespace n\n                            ON n.oid = c.relnamespace\n                WHERE   c.relkind = ANY($1)\n                ORDER BY 1,2;",
		params: []string{"{r,p,f}"}, keep: func(r map[string]string) bool { return r["schema_name"] == "sales" || r["schema_name"] == "catalog" }},
	{tool: "pgcli", name: "reset search path", sql: "RESET search_path"},

	// pgadmin-org/pgadmin4 web/pgadmin/dashboard/templates/dashboard/sql/
	// default/: dashboard_stats.sql (rendered for every chart, as
	// yugabyte/taqo sql/system-catalog/queries/pgadmin_q029.sql captured
	// it), activity.sql, config.sql, locks.sql and prepared.sql.
	{tool: "pgadmin", name: "dashboard_stats", sql: pgAdminDashboardStats, own: true},
	// pgAdmin's connection and object browser, as yugabyte/taqo
	// sql/system-catalog/queries/pgadmin_q000.sql, _q001, _q004, _q005,
	// _q006, _q026 and _q013 captured them: recovery, replication, casts,
	// event triggers, the catalogs and schemas nodes, collations.
	{tool: "pgadmin", name: "recovery", sql: "SELECT CASE WHEN usesuper\n\t       THEN pg_catalog.pg_is_in_recovery()\n\t       ELSE FALSE\n\t       END as inrecovery,\n" +
		"\t       CASE WHEN usesuper AND pg_catalog.pg_is_in_recovery()\n\t       THEN pg_is_wal_replay_paused()\n\t       ELSE FALSE\n\t       END as isreplaypaused\n" +
		"\tFROM pg_catalog.pg_user WHERE usename=current_user\n"},
	{tool: "pgadmin", name: "replication type", sql: "SELECT CASE\n\t    WHEN (SELECT count(extname) FROM pg_catalog.pg_extension WHERE extname='bdr') > 0\n\t    THEN 'pgd'\n" +
		"\t    WHEN (SELECT COUNT(*) FROM pg_stat_replication) > 0\n\t    THEN 'log'\n\t    ELSE NULL\n\tEND as type;\n"},
	{tool: "pgadmin", name: "casts", sql: "    SELECT\n\t        ca.oid,\n\t        pg_catalog.concat(pg_catalog.format_type(st.oid,NULL),'->',pg_catalog.format_type(tt.oid,tt.typtypmod)) as name,\n" +
		"\t        des.description\n\t    FROM pg_catalog.pg_cast ca\n\t    JOIN pg_catalog.pg_type st ON st.oid=castsource\n\t    JOIN pg_catalog.pg_namespace ns ON ns.oid=st.typnamespace\n" +
		"\t    JOIN pg_catalog.pg_type tt ON tt.oid=casttarget\n\t    JOIN pg_catalog.pg_namespace nt ON nt.oid=tt.typnamespace\n\t    LEFT JOIN pg_catalog.pg_proc pr ON pr.oid=castfunc\n" +
		"\t    LEFT JOIN pg_catalog.pg_namespace np ON np.oid=pr.pronamespace\n" +
		"\t    LEFT OUTER JOIN pg_catalog.pg_description des ON (des.objoid=ca.oid AND des.objsubid=0 AND des.classoid='pg_cast'::regclass)\n" +
		"\t                                WHERE\n\t                ca.oid > 16383::OID\n\t            ORDER BY st.typname, tt.typname\n"},
	{tool: "pgadmin", name: "event triggers", sql: "SELECT e.oid, e.evtname AS name,\n\t    pg_catalog.obj_description(e.oid, 'pg_event_trigger') AS comment\n" +
		"\tFROM pg_catalog.pg_event_trigger e\n\tORDER BY e.evtname\n"},
	// pgAdmin tells the catalogs by a relation of theirs in pg_class
	// (pg_class, information_schema.tables); a superuser may create in
	// pg_catalog, a meshql user nowhere.
	{tool: "pgadmin", name: "catalogs", skip: []string{"oid", "can_create"}, sql: "SELECT\n\t    nsp.oid,\n\tCASE nsp.nspname\n\t    WHEN 'pg_catalog' THEN 'PostgreSQL Catalog (pg_catalog)'\n" +
		"\t    WHEN 'pgagent' THEN 'pgAgent Job Scheduler (pgagent)'\n\t    WHEN 'information_schema' THEN 'ANSI (information_schema)'\n\t    ELSE nsp.nspname\n\t    END AS name,\n" +
		"\t    pg_catalog.has_schema_privilege(nsp.oid, 'CREATE') as can_create,\n\t    pg_catalog.has_schema_privilege(nsp.oid, 'USAGE') as has_usage,\n\t    des.description\n" +
		"\tFROM\n\t    pg_catalog.pg_namespace nsp\n\t    LEFT OUTER JOIN pg_catalog.pg_description des ON\n\t        (des.objoid=nsp.oid AND des.classoid='pg_namespace'::regclass)\n" +
		"\tWHERE\n\t        (\n\t(nsp.nspname = 'pg_catalog' AND EXISTS\n\t        (SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'pg_class' AND\n\t            relnamespace = nsp.oid LIMIT 1)) OR\n" +
		"\t    (nsp.nspname = 'pgagent' AND EXISTS\n\t        (SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'pga_job' AND\n\t            relnamespace = nsp.oid LIMIT 1)) OR\n" +
		"\t    (nsp.nspname = 'information_schema' AND EXISTS\n\t        (SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'tables' AND\n\t            relnamespace = nsp.oid LIMIT 1))\n\t    )\n\tORDER BY 2;\n"},
	// _q026: the schemas node, the catalogs left out.
	{tool: "pgadmin", name: "schemas", skip: []string{"oid", "can_create", "description"},
		keep: func(r map[string]string) bool {
			return !slices.Contains([]string{"marketing", "mesh", "public"}, r["name"])
		},
		sql: "SELECT\n\t    nsp.oid,\n\t    nsp.nspname as name,\n\t    pg_catalog.has_schema_privilege(nsp.oid, 'CREATE') as can_create,\n" +
			"\t    pg_catalog.has_schema_privilege(nsp.oid, 'USAGE') as has_usage,\n\t    des.description\n\tFROM\n\t    pg_catalog.pg_namespace nsp\n" +
			"\t    LEFT OUTER JOIN pg_catalog.pg_description des ON\n\t        (des.objoid=nsp.oid AND des.classoid='pg_namespace'::regclass)\n\tWHERE\n" +
			"\t             nspname NOT LIKE E'pg\\\\_%' AND\n\t            NOT (\n\t(nsp.nspname = 'pg_catalog' AND EXISTS\n" +
			"\t        (SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'pg_class' AND\n\t            relnamespace = nsp.oid LIMIT 1)) OR\n" +
			"\t    (nsp.nspname = 'pgagent' AND EXISTS\n\t        (SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'pga_job' AND\n\t            relnamespace = nsp.oid LIMIT 1)) OR\n" +
			"\t    (nsp.nspname = 'information_schema' AND EXISTS\n\t        (SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'tables' AND\n\t            relnamespace = nsp.oid LIMIT 1))\n\t    )\n\tORDER BY nspname;\n"},
	{tool: "pgadmin", name: "collations", sql: "SELECT c.oid, c.collname AS name, des.description\n\tFROM pg_catalog.pg_collation c\n" +
		"\t    LEFT OUTER JOIN pg_catalog.pg_description des ON (des.objoid=c.oid AND des.classoid='pg_collation'::regclass)\n" +
		"\tWHERE c.collnamespace = 'pg_catalog'::regnamespace\n\tORDER BY c.collname, c.oid;\n", own: true},
	{tool: "pgadmin", name: "activity", sql: pgAdminActivity, own: true},
	{tool: "pgadmin", name: "config", sql: "/*pga4dash*/\nSELECT\n    name,\n    category,\n    setting,\n    unit,\n    short_desc\nFROM\n    pg_catalog.pg_show_all_settings()\nORDER BY\n    category\n", own: true},
	{tool: "pgadmin", name: "locks", sql: pgAdminLocks, own: true},
	{tool: "pgadmin", name: "prepared", sql: "/*pga4dash*/\nSELECT\n    gid,\n    database,\n    owner,\n    transaction,\n    pg_catalog.to_char(prepared, 'YYYY-MM-DD HH24:MI:SS TZ') AS prepared\n" +
		"FROM\n    pg_catalog.pg_prepared_xacts\nORDER BY\n    gid, database, owner\n"},
}

// powerBIForeignKeys is Power BI's foreign-key query: selecting cols
// first, naming each key by its constraint schema, name (tables) and
// constraint, for the table of side (pkcol: the keys referencing
// sales.customers_v1; fkcol: those of sales.orders_v1).
func powerBIForeignKeys(cols, name, side string) string {
	table := "customers_v1"
	if side == "fkcol" {
		table = "orders_v1"
	}
	return "select\r\n    " + cols + "    fkcol.COLUMN_NAME as FK_COLUMN_NAME,\r\n" +
		"    fkcol.ORDINAL_POSITION as ORDINAL,\r\n    fkcon.CONSTRAINT_SCHEMA || '_' || " + name + " || '_' || fkcon.CONSTRAINT_NAME as FK_NAME\r\nfrom\r\n" +
		"    (select distinct constraint_catalog, constraint_schema, unique_constraint_schema, constraint_name, unique_constraint_name\r\n        from INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS) fkcon\r\n" +
		"        inner join\r\n    INFORMATION_SCHEMA.KEY_COLUMN_USAGE fkcol\r\n        on fkcon.CONSTRAINT_SCHEMA = fkcol.CONSTRAINT_SCHEMA\r\n        and fkcon.CONSTRAINT_NAME = fkcol.CONSTRAINT_NAME\r\n" +
		"        inner join\r\n    INFORMATION_SCHEMA.KEY_COLUMN_USAGE pkcol\r\n        on fkcon.UNIQUE_CONSTRAINT_SCHEMA = pkcol.CONSTRAINT_SCHEMA\r\n        and fkcon.UNIQUE_CONSTRAINT_NAME = pkcol.CONSTRAINT_NAME\r\n" +
		"where " + side + ".TABLE_SCHEMA = 'sales' and " + side + ".TABLE_NAME = '" + table + "'\r\n        and pkcol.ORDINAL_POSITION = fkcol.ORDINAL_POSITION\r\norder by FK_NAME, fkcol.ORDINAL_POSITION"
}

// npgsql4Types is Npgsql 4.0's type-loading query (with ranges, without
// table composites), its ORDER BY ord made total by the oid.
const npgsql4Types = `
/*** Load all supported types ***/
SELECT ns.nspname, a.typname, a.oid, a.typrelid, a.typbasetype,
CASE WHEN pg_proc.proname='array_recv' THEN 'a' ELSE a.typtype END AS type,
CASE
  WHEN pg_proc.proname='array_recv' THEN a.typelem
  WHEN a.typtype='r' THEN rngsubtype
  ELSE 0
END AS elemoid,
CASE
  WHEN pg_proc.proname IN ('array_recv','oidvectorrecv') THEN 3    /* Arrays last */
  WHEN a.typtype='r' THEN 2                                        /* Ranges before */
  WHEN a.typtype='d' THEN 1                                        /* Domains before */
  ELSE 0                                                           /* Base types first */
END AS ord
FROM pg_type AS a
JOIN pg_namespace AS ns ON (ns.oid = a.typnamespace)
JOIN pg_proc ON pg_proc.oid = a.typreceive
LEFT OUTER JOIN pg_class AS cls ON (cls.oid = a.typrelid)
LEFT OUTER JOIN pg_type AS b ON (b.oid = a.typelem)
LEFT OUTER JOIN pg_class AS elemcls ON (elemcls.oid = b.typrelid)
LEFT OUTER JOIN pg_range ON (pg_range.rngtypid = a.oid) 
WHERE
  a.typtype IN ('b', 'r', 'e', 'd') OR         /* Base, range, enum, domain */
  (a.typtype = 'c' AND cls.relkind='c') OR /* User-defined free-standing composites (not table composites) by default */
  (pg_proc.proname='array_recv' AND (
    b.typtype IN ('b', 'r', 'e', 'd') OR       /* Array of base, range, enum, domain */
    (b.typtype = 'p' AND b.typname IN ('record', 'void')) OR /* Arrays of special supported pseudo-types */
    (b.typtype = 'c' AND elemcls.relkind='c')  /* Array of user-defined free-standing composites (not table composites) */
  )) OR
  (a.typtype = 'p' AND a.typname IN ('record', 'void'))  /* Some special supported pseudo-types */
ORDER BY ord, a.oid`

// grafanaSearchPath is buildSchemaConstraint of postgresMetaQuery.ts.
const grafanaSearchPath = `
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )`

const metabaseTables = `SELECT "n"."nspname" AS "schema", "c"."relname" AS "name", CASE "c"."relkind" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' ` +
	`WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS "type", "d"."description" AS "description", "stat"."n_live_tup" AS "estimated_row_count" ` +
	`FROM "pg_catalog"."pg_class" AS "c" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "c"."relnamespace" = "n"."oid" ` +
	`LEFT JOIN "pg_catalog"."pg_description" AS "d" ON ("c"."oid" = "d"."objoid") AND ("d"."objsubid" = $1) AND ("d"."classoid" = 'pg_class'::regclass) ` +
	`LEFT JOIN "pg_stat_user_tables" AS "stat" ON ("n"."nspname" = "stat"."schemaname") AND ("c"."relname" = "stat"."relname") ` +
	`WHERE ("c"."relnamespace" = "n"."oid") AND ("n"."nspname" !~ $2) AND ("n"."nspname" <> $3) AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND ("n"."nspname" IN ($4)) ` +
	`ORDER BY "type" ASC, "schema" ASC, "name" ASC`

const metabaseFields = `SELECT "c"."column_name" AS "name", CASE WHEN "c"."udt_schema" IN ('public', 'pg_catalog') THEN FORMAT('%s', "c"."udt_name") ` +
	`ELSE FORMAT('"%s"."%s"', "c"."udt_schema", "c"."udt_name") END AS "database-type", "c"."ordinal_position" - 1 AS "database-position", ` +
	`"c"."table_schema" AS "table-schema", "c"."table_name" AS "table-name", "pk"."column_name" IS NOT NULL AS "pk?", ` +
	`COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST("c"."table_schema" AS TEXT), CAST("c"."table_name" AS TEXT)) AS REGCLASS) AS OID), "c"."ordinal_position") AS "field-comment", ` +
	`(("column_default" IS NULL) OR (LOWER("column_default") = 'null')) AND ("is_nullable" = 'NO') AND NOT ((("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%')) OR ("is_identity" <> 'NO')) AS "database-required", ` +
	`(("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%')) OR ("is_identity" <> 'NO') AS "database-is-auto-increment" ` +
	`FROM "information_schema"."columns" AS "c" LEFT JOIN (SELECT "tc"."table_schema", "tc"."table_name", "kc"."column_name" FROM "information_schema"."table_constraints" AS "tc" ` +
	`INNER JOIN "information_schema"."key_column_usage" AS "kc" ON ("tc"."constraint_name" = "kc"."constraint_name") AND ("tc"."table_schema" = "kc"."table_schema") AND ("tc"."table_name" = "kc"."table_name") ` +
	`WHERE "tc"."constraint_type" = 'PRIMARY KEY') AS "pk" ON ("c"."table_schema" = "pk"."table_schema") AND ("c"."table_name" = "pk"."table_name") AND ("c"."column_name" = "pk"."column_name") ` +
	`WHERE c.table_schema !~ '^information_schema|catalog_history|pg_' AND ("c"."table_schema" IN ($1)) ` +
	`UNION ALL SELECT "pa"."attname" AS "name", CASE WHEN "ptn"."nspname" IN ('public', 'pg_catalog') THEN FORMAT('%s', "pt"."typname") ELSE FORMAT('"%s"."%s"', "ptn"."nspname", "pt"."typname") END AS "database-type", ` +
	`"pa"."attnum" - 1 AS "database-position", "pn"."nspname" AS "table-schema", "pc"."relname" AS "table-name", FALSE AS "pk?", NULL AS "field-comment", FALSE AS "database-required", FALSE AS "database-is-auto-increment" ` +
	`FROM "pg_catalog"."pg_class" AS "pc" INNER JOIN "pg_catalog"."pg_namespace" AS "pn" ON "pn"."oid" = "pc"."relnamespace" INNER JOIN "pg_catalog"."pg_attribute" AS "pa" ON "pa"."attrelid" = "pc"."oid" ` +
	`INNER JOIN "pg_catalog"."pg_type" AS "pt" ON "pt"."oid" = "pa"."atttypid" INNER JOIN "pg_catalog"."pg_namespace" AS "ptn" ON "ptn"."oid" = "pt"."typnamespace" ` +
	`WHERE ("pc"."relkind" = 'm') AND ("pa"."attnum" >= 1) AND ("pn"."nspname" IN ($2)) ORDER BY "table-schema" ASC, "table-name" ASC, "database-position" ASC`

const metabaseFKs = `SELECT "fk_ns"."nspname" AS "fk-table-schema", "fk_table"."relname" AS "fk-table-name", "fk_column"."attname" AS "fk-column-name", ` +
	`"pk_ns"."nspname" AS "pk-table-schema", "pk_table"."relname" AS "pk-table-name", "pk_column"."attname" AS "pk-column-name" ` +
	`FROM "pg_constraint" AS "c" INNER JOIN "pg_class" AS "fk_table" ON "c"."conrelid" = "fk_table"."oid" INNER JOIN "pg_namespace" AS "fk_ns" ON "c"."connamespace" = "fk_ns"."oid" ` +
	`INNER JOIN "pg_attribute" AS "fk_column" ON "c"."conrelid" = "fk_column"."attrelid" INNER JOIN "pg_class" AS "pk_table" ON "c"."confrelid" = "pk_table"."oid" ` +
	`INNER JOIN "pg_namespace" AS "pk_ns" ON "pk_table"."relnamespace" = "pk_ns"."oid" INNER JOIN "pg_attribute" AS "pk_column" ON "c"."confrelid" = "pk_column"."attrelid" ` +
	`WHERE (fk_ns.nspname !~ '^information_schema|catalog_history|pg_') AND ("c"."contype" = 'f'::char) AND ("fk_column"."attnum" = ANY(c.conkey)) AND ("pk_column"."attnum" = ANY(c.confkey)) ` +
	`AND ("fk_ns"."nspname" IN ($1)) ORDER BY "fk-table-schema" ASC, "fk-table-name" ASC`

const metabaseIndexes = `SELECT "tmp"."table-schema", "tmp"."table-name", TRIM(BOTH '"' FROM PG_CATALOG.PG_GET_INDEXDEF("tmp"."ci_oid", "tmp"."pos", FALSE)) AS "field-name" ` +
	`FROM (SELECT "n"."nspname" AS "table-schema", "ct"."relname" AS "table-name", "ci"."oid" AS "ci_oid", (INFORMATION_SCHEMA._PG_EXPANDARRAY("i"."indkey")).n AS "pos" ` +
	`FROM "pg_catalog"."pg_class" AS "ct" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "ct"."relnamespace" = "n"."oid" INNER JOIN "pg_catalog"."pg_index" AS "i" ON "ct"."oid" = "i"."indrelid" ` +
	`INNER JOIN "pg_catalog"."pg_class" AS "ci" ON "ci"."oid" = "i"."indexrelid" WHERE (PG_CATALOG.PG_GET_EXPR("i"."indpred", "i"."indrelid") IS NULL) ` +
	`AND n.nspname !~ '^information_schema|catalog_history|pg_' AND ("n"."nspname" IN ($1))) AS "tmp" WHERE "tmp"."pos" = $2`

const metabasePrivileges = "with table_privileges as (\n select\n   NULL as role,\n   t.schemaname as schema,\n   t.objectname as table,\n" +
	"   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'update') as update,\n" +
	"   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'select') as select,\n" +
	"   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'insert') as insert,\n" +
	"   pg_catalog.has_table_privilege(     current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'delete') as delete\n" +
	" from (\n   select schemaname, tablename as objectname from pg_catalog.pg_tables\n   union\n   select schemaname, viewname as objectname from pg_catalog.pg_views\n" +
	"   union\n   select schemaname, matviewname as objectname from pg_catalog.pg_matviews\n ) t\n where t.schemaname !~ '^pg_'\n" +
	"   and t.schemaname <> 'information_schema'\n   and pg_catalog.has_schema_privilege(current_user, t.schemaname, 'usage')\n)\nselect t.*\nfrom table_privileges t"

const pgAdminDashboardStats = "\tSELECT 'session_stats' AS chart_name, pg_catalog.row_to_json(t) AS chart_data\n\tFROM (SELECT\n" +
	"\t   (SELECT count(*) FROM pg_catalog.pg_stat_activity) AS \"Total\",\n" +
	"\t   (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE state = 'active')  AS \"Active\",\n" +
	"\t   (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE state = 'idle')  AS \"Idle\"\n\t) t\n\tUNION ALL\n" +
	"\tSELECT 'tps_stats' AS chart_name, pg_catalog.row_to_json(t) AS chart_data\n\tFROM (SELECT\n" +
	"\t   (SELECT sum(xact_commit) + sum(xact_rollback) FROM pg_catalog.pg_stat_database) AS \"Transactions\",\n" +
	"\t   (SELECT sum(xact_commit) FROM pg_catalog.pg_stat_database) AS \"Commits\",\n" +
	"\t   (SELECT sum(xact_rollback) FROM pg_catalog.pg_stat_database) AS \"Rollbacks\"\n\t) t\n\tUNION ALL\n" +
	"\tSELECT 'ti_stats' AS chart_name, pg_catalog.row_to_json(t) AS chart_data\n\tFROM (SELECT\n" +
	"\t   (SELECT sum(tup_inserted) FROM pg_catalog.pg_stat_database) AS \"Inserts\",\n" +
	"\t   (SELECT sum(tup_updated) FROM pg_catalog.pg_stat_database) AS \"Updates\",\n" +
	"\t   (SELECT sum(tup_deleted) FROM pg_catalog.pg_stat_database) AS \"Deletes\"\n\t) t\n\tUNION ALL\n" +
	"\tSELECT 'to_stats' AS chart_name, pg_catalog.row_to_json(t) AS chart_data\n\tFROM (SELECT\n" +
	"\t   (SELECT sum(tup_fetched) FROM pg_catalog.pg_stat_database) AS \"Fetched\",\n" +
	"\t   (SELECT sum(tup_returned) FROM pg_catalog.pg_stat_database) AS \"Returned\"\n\t) t\n\tUNION ALL\n" +
	"\tSELECT 'bio_stats' AS chart_name, pg_catalog.row_to_json(t) AS chart_data\n\tFROM (SELECT\n" +
	"\t   (SELECT sum(blks_read) FROM pg_catalog.pg_stat_database) AS \"Reads\",\n" +
	"\t   (SELECT sum(blks_hit) FROM pg_catalog.pg_stat_database) AS \"Hits\"\n\t) t\n"

const pgAdminActivity = "/*pga4dash*/\nSELECT\n    pid,\n    datname,\n    usename,\n    application_name,\n    client_addr,\n" +
	"    pg_catalog.to_char(backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS backend_start,\n    state,\n    wait_event_type || ': ' || wait_event AS wait_event,\n" +
	"    array_to_string(pg_catalog.pg_blocking_pids(pid), ', ') AS blocking_pids,\n    query,\n" +
	"    pg_catalog.to_char(state_change, 'YYYY-MM-DD HH24:MI:SS TZ') AS state_change,\n    pg_catalog.to_char(query_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS query_start,\n" +
	"    pg_catalog.to_char(xact_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS xact_start,\n    backend_type,\n" +
	"    CASE WHEN state = 'active' THEN ROUND((extract(epoch from now() - query_start) / 60)::numeric, 2) ELSE 0 END AS active_since\n" +
	"FROM\n    pg_catalog.pg_stat_activity\nORDER BY pid\n"

const pgAdminLocks = "/*pga4dash*/\nSELECT\n    pid,\n    locktype,\n    datname,\n    relation::regclass,\n    page,\n    tuple,\n    virtualxid\n    transactionid,\n" +
	"    classid::regclass,\n    objid,\n    objsubid,\n    virtualtransaction,\n    mode,\n    granted,\n    fastpath\nFROM\n    pg_locks l\n" +
	"    LEFT OUTER JOIN pg_database d ON (l.database = d.oid)\nORDER BY\n    pid, locktype\n"

// checkAnalystTools runs analystQueries, then checks what of their
// answers is meshql's own: pgAdmin's dashboard charts every statistic,
// its activity lists the session asking, and Metabase's sync, which keeps
// only the tables a user may read, finds every product of sales.
func checkAnalystTools(t *testing.T, f *fixture) {
	compareToolQueries(t, f, analystQueries)
	mq := connectTarget(t, f.meshql)
	rows, err := simpleText(t.Context(), mq, pgAdminDashboardStats)
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	for _, r := range rows[0] {
		name, _, _ := strings.Cut(r, "|")
		charts = append(charts, name)
	}
	if want := []string{"session_stats", "tps_stats", "ti_stats", "to_stats", "bio_stats"}; !slices.Equal(charts, want) {
		t.Errorf("pgAdmin's dashboard charts: %q, want %q", charts, want)
	}
	pid := strconv.Itoa(int(mq.PgConn().PID()))
	rows, err = simpleText(t.Context(), mq, pgAdminActivity)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows[0] {
		cells := strings.Split(r, "|")
		found = found || (cells[0] == pid && cells[1] == "mesh" && cells[6] == "active" && cells[8] == "")
	}
	if !found {
		t.Errorf("pgAdmin's activity lacks its own active session %s with no blocking pids: %q", pid, rows[0])
	}
	rows, err = simpleText(t.Context(), mq, metabasePrivileges)
	if err != nil {
		t.Fatal(err)
	}
	var readable []string
	for _, r := range rows[0] {
		if c := strings.Split(r, "|"); c[1] == "sales" && c[4] == "t" {
			readable = append(readable, c[2])
		}
	}
	slices.Sort(readable)
	if want := []string{"customers_v1", "orders_v1"}; !slices.Equal(readable, want) {
		t.Errorf("Metabase's readable tables of sales: %q, want %q", readable, want)
	}
}

// npgsqlCompositesQuery and npgsqlEnumsQuery follow the type-loading
// query in the batch Npgsql 8 sends at its first connection
// (npgsql/npgsql src/Npgsql/PostgresDatabaseInfo.cs, LoadBackendTypes:
// version, types, free-standing composites' fields, enum labels).
const (
	npgsqlCompositesQuery = `
-- Load field definitions for (free-standing) composite types
SELECT typ.oid, att.attname, att.atttypid
FROM pg_type AS typ
JOIN pg_namespace AS ns ON (ns.oid = typ.typnamespace)
JOIN pg_class AS cls ON (cls.oid = typ.typrelid)
JOIN pg_attribute AS att ON (att.attrelid = typ.typrelid)
WHERE
  (typ.typtype = 'c' AND cls.relkind='c') AND
  attnum > 0 AND     -- Don't load system attributes
  NOT attisdropped
ORDER BY typ.oid, att.attnum;`
	npgsqlEnumsQuery = `
-- Load enum fields
SELECT pg_type.oid, enumlabel
FROM pg_enum
JOIN pg_type ON pg_type.oid=enumtypid
ORDER BY oid, enumsortorder;`
)

// npgsqlBatch is the batch as Npgsql writes it: one simple query.
func npgsqlBatch(t *testing.T) string {
	types, err := os.ReadFile(script("npgsql_load_types.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return "SELECT version();\n" + string(types) + "\n" + npgsqlCompositesQuery + "\n" + npgsqlEnumsQuery + "\n"
}

// npgsqlVersion is Npgsql's ParseServerVersion of the server_version the
// server reports at startup: its leading digits and dots.
var npgsqlVersion = regexp.MustCompile(`^\s*(\d+)(\.\d+)*`)

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
