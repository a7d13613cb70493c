package clients

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgxChecks are checks that need no client script, mostly only pgx,
// against meshql and PostgreSQL holding the same data (TestClients runs them
// on its fixture).
var pgxChecks = []struct {
	name string
	run  func(t *testing.T, f *fixture)
}{
	{"numeric-params", checkNumericParams},
	{"jsonb", checkJSONB},
	{"jsonpath", checkJSONPath},
	{"ranges", checkRanges},
	{"inet", checkInet},
	{"time", checkTime},
	{"infinity", checkInfinity},
	{"multidim-arrays", checkMultidimArrays},
	{"column-names", checkColumnNames},
	{"bpchar", checkBpchar},
	{"catalog-wire-types", checkCatalogWireTypes},
	{"client-probes", checkClientProbes},
	{"parameter-status", checkParameterStatus},
	{"npgsql-types", checkNpgsqlTypes},
	{"analyst-tools", checkAnalystTools},
	{"keywords", checkKeywords},
	{"psql-describe", checkPsqlDescribe},
	{"psql-meta-commands", checkPsqlMetaCommands},
	{"psql-functions", checkPsqlFunctions},
	{"psql-interactive", checkPsqlInteractive},
	{"descriptions", checkDescriptions},
	{"expandarray", checkExpandArray},
	{"tx-settings", checkTxSettings},
	{"sql-prepare", checkSQLPrepare},
	{"failed-transaction", checkFailedTransaction},
	{"set-local", checkSetLocalOutsideBlock},
	{"current-setting", checkCurrentSetting},
	{"regclass-params", checkRegclassParams},
	{"regclass-output", checkRegclassOutput},
	{"oid-reg-wire", checkOidRegWire},
	{"name-wire", checkNameWire},
	{"dbeaver", checkDBeaver},
	{"python-tools", checkPythonTools},
	{"superset-cancel", checkSupersetCancel},
	{"pgjdbc-catalog", checkPgJDBCCatalog},
	{"datagrip", checkDataGripCatalog},
	{"column-origins", checkColumnOrigins},
	{"catalog-columns", checkCatalogColumns},
	{"records", checkRecords},
}

// pgxURI is tg as a pgx connection string.
func pgxURI(tg target) string {
	return fmt.Sprintf("postgres://%s:%s@%s:%s/%s?sslmode=%s", tg.user, tg.pw, tg.host, tg.port, tg.db, tg.sslmode)
}

func connectTarget(t *testing.T, tg target) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pgxURI(tg))
	if err != nil {
		t.Fatalf("connect to %s: %v", tg.name, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgxQuery is one extended-protocol query: parameters in the given formats
// (0 text, 1 binary) with the OIDs declared in Parse (0: inferred).
type pgxQuery struct {
	sql     string
	params  [][]byte
	oids    []uint32
	formats []int16
}

// execText runs q and returns the rows as text, "NULL" for NULL, cells
// joined by "|".
func execText(ctx context.Context, conn *pgx.Conn, q pgxQuery) ([]string, error) {
	res := conn.PgConn().ExecParams(ctx, q.sql, q.params, q.oids, q.formats, []int16{0}).Read()
	if res.Err != nil {
		return nil, res.Err
	}
	return textRows(res.Rows), nil
}

// textRows renders text-format rows: "NULL" for NULL, cells joined by "|".
func textRows(rows [][][]byte) []string {
	out := make([]string, 0, len(rows))
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = "NULL"
			if v != nil {
				cells[i] = string(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

// compareOn runs one query (what names it) on PostgreSQL and on meshql and
// reports a difference in the results, or an error on meshql.
func compareOn[R any](t *testing.T, f *fixture, what string, run func(conn *pgx.Conn) (R, error)) {
	t.Helper()
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	want, err := run(pg)
	if err != nil {
		t.Fatalf("%s on postgres: %v", what, err)
	}
	got, err := run(mq)
	if err != nil {
		t.Errorf("%s on meshql: %v", what, err)
		return
	}
	if g, w := fmt.Sprintf("%q", any(got)), fmt.Sprintf("%q", any(want)); g != w {
		t.Errorf("%s:\nmeshql   %s\npostgres %s", what, g, w)
	}
}

// compareQueries runs each query on PostgreSQL and on meshql and reports
// every difference in the text results.
func compareQueries(t *testing.T, f *fixture, queries []pgxQuery) {
	t.Helper()
	for _, q := range queries {
		compareOn(t, f, fmt.Sprintf("%s %q", q.sql, q.params), func(conn *pgx.Conn) ([]string, error) {
			return execText(t.Context(), conn, q)
		})
	}
}

// numericBinary is numeric_send's format of digits (base-10000 groups,
// most significant first) with the given weight and display scale.
func numericBinary(neg bool, weight, dscale int16, digits ...uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(digits)))
	b = binary.BigEndian.AppendUint16(b, uint16(weight))
	sign := uint16(0)
	if neg {
		sign = 0x4000
	}
	b = binary.BigEndian.AppendUint16(b, sign)
	b = binary.BigEndian.AppendUint16(b, uint16(dscale))
	for _, d := range digits {
		b = binary.BigEndian.AppendUint16(b, d)
	}
	return b
}

// checkNumericParams sends numeric values to parameters of numeric type
// without a modifier, in text and in binary: each value keeps its own
// scale, as in PostgreSQL.
func checkNumericParams(t *testing.T, f *fixture) {
	const oidNumeric = 1700
	var qs []pgxQuery
	for _, v := range []string{"1.50", "7", "-0.001", "12345678901234567890.123", "1.5e3", "2.5E-3", " 42.0 ", "0.0000000000001"} {
		for _, sql := range []string{"SELECT $1::numeric", "SELECT $1::numeric * 2, $1::numeric + 0.5", "SELECT CAST($1 AS numeric) AS n"} {
			qs = append(qs, pgxQuery{sql, [][]byte{[]byte(v)}, []uint32{0}, []int16{0}})
		}
	}
	// Declared numeric, binary: 1.50 (groups 1, 5000; dscale 2) and
	// -123456.7 (12, 3456, 7000; dscale 1).
	for _, raw := range [][]byte{numericBinary(false, 0, 2, 1, 5000), numericBinary(true, 1, 1, 12, 3456, 7000)} {
		qs = append(qs, pgxQuery{"SELECT $1::numeric, $1::numeric * 4 - 1", [][]byte{raw}, []uint32{oidNumeric}, []int16{1}})
	}
	// Two parameters of different scales, run again with other scales and
	// then the first ones (one analysis is cached per combination).
	for _, vs := range [][2]string{{"1.25", "3"}, {"2", "0.125"}, {"1.25", "3"}} {
		qs = append(qs, pgxQuery{"SELECT $1::numeric + $2::numeric, $1::numeric, $2::numeric", [][]byte{[]byte(vs[0]), []byte(vs[1])}, []uint32{0, 0}, []int16{0}})
	}
	compareQueries(t, f, qs)
}

// checkJSONB: jsonb parameters in text and binary (a version byte, then
// the text) are normalized on the way in; results come back the same in
// text and binary, and pgx decodes them into Go values.
func checkJSONB(t *testing.T, f *fixture) {
	const oidJSONB = 3802
	doc := `{"b": [1, 2.50, 1e2], "a": "x\u00e9", "b": {"z": null}}`
	compareQueries(t, f, []pgxQuery{
		{"SELECT $1::jsonb, $1::jsonb -> 'b'", [][]byte{[]byte(doc)}, []uint32{0}, []int16{0}},
		{`SELECT $1::jsonb @> '{"a": "xé"}', $1::jsonb ? 'b'`, [][]byte{[]byte(doc)}, []uint32{oidJSONB}, []int16{0}},
		{"SELECT $1::jsonb, $1::jsonb = $1::jsonb", [][]byte{append([]byte{1}, doc...)}, []uint32{oidJSONB}, []int16{1}},
	})
	const q = `SELECT '{"b":1, "a":[true, "s", 0.50]}'::jsonb AS j, NULL::jsonb, jsonb_build_object('k', 1.0)`
	compareBinaryRow(t, f, "jsonb results in binary", q)
	compareOn(t, f, "jsonb decoded by pgx", func(conn *pgx.Conn) (string, error) {
		var m map[string]any
		err := conn.QueryRow(t.Context(), q).Scan(&m, new(any), new(any))
		return fmt.Sprint(m), err
	})
}

// checkJSONPath: jsonpath parameters in text and binary (a version byte,
// then the text) are parsed and normalized on the way in, and jsonpath
// results (OID 4072) come back the same in text and binary.
func checkJSONPath(t *testing.T, f *fixture) {
	const oidJSONPath = 4072
	doc := []byte(`{"a": [1, 5, {"b": "x"}]}`)
	path := `$.a[*] ? (@ > $min)`
	compareQueries(t, f, []pgxQuery{
		{"SELECT $1::jsonpath, jsonb_path_query_array($2::jsonb, $1::jsonpath, '{\"min\": 2}')", [][]byte{[]byte(path), doc}, []uint32{0, 0}, []int16{0}},
		{"SELECT $1, jsonb_path_exists($2::jsonb, $1, '{\"min\": 9}')", [][]byte{[]byte(path), doc}, []uint32{oidJSONPath, 0}, []int16{0}},
		{"SELECT $1, $2::jsonb @? $1", [][]byte{append([]byte{1}, "strict $.a[2].b"...), append([]byte{1}, doc...)}, []uint32{oidJSONPath, 0}, []int16{1}},
	})
	compareBinaryRow(t, f, "jsonpath results in binary", `SELECT '$.a[*] ? (@.b > 1)'::jsonpath AS p, NULL::jsonpath, jsonb_path_query_first('[1]', '$[last]')`)
}

// checkRanges: range results of every range type (empty, infinite and
// inclusive bounds, numeric scales, infinite dates) come back byte for
// byte as PostgreSQL's range_send writes them, and range parameters in
// text and binary (range_recv's format) are read and canonicalized.
func checkRanges(t *testing.T, f *fixture) {
	const oidInt4Range, oidNumRange, oidDateRange = 3904, 3906, 3912
	compareBinaryRow(t, f, "ranges in binary", `SELECT int4range(1, 10, '[]'), 'empty'::int4range, int8range(NULL, 5), `+
		`numrange(1.50, 'Infinity', '(]'), numrange(-2, NULL, '()'), daterange('2024-01-01', 'infinity', '[]'), `+
		`tsrange('2024-01-01 10:00', '2024-01-02'), tstzrange('2024-01-01 10:00+02', NULL), NULL::daterange`)
	// [1,5] as range_send writes it: flags LB_INC|UB_INC, two int4 bounds.
	int4Bin := []byte{0x06, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5}
	compareQueries(t, f, []pgxQuery{
		{"SELECT $1::int4range, $1::int4range @> 5", [][]byte{[]byte(" ( 1 , 5 ] ")}, []uint32{0}, []int16{0}},
		{"SELECT $1, upper($1)", [][]byte{int4Bin}, []uint32{oidInt4Range}, []int16{1}},
		{"SELECT $1, lower_inc($1)", [][]byte{[]byte("(1.0,2.50]")}, []uint32{oidNumRange}, []int16{0}},
		{"SELECT $1 && daterange('2024-03-01', NULL)", [][]byte{[]byte("[2024-01-01,2024-04-01)")}, []uint32{oidDateRange}, []int16{0}},
	})
}

// checkInet: inet and cidr parameters in text and binary (family,
// bits, cidr flag, length, address), results of both types and their
// arrays byte for byte in binary, and pgx decoding them; macaddr too.
func checkInet(t *testing.T, f *fixture) {
	const oidInet, oidCidr = 869, 650
	v4 := []byte{2, 24, 0, 4, 10, 1, 2, 3}
	v6 := []byte{3, 32, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	compareQueries(t, f, []pgxQuery{
		{"SELECT $1::inet, $1::inet << $2::cidr, host($1::inet)", [][]byte{[]byte("10.1.2.3/24"), []byte("10/8")}, []uint32{0, 0}, []int16{0}},
		{"SELECT $1, $2, $1 << $2, masklen($2)", [][]byte{v4, v6}, []uint32{oidInet, oidCidr}, []int16{1}},
		{"SELECT $1, $1 + 1", [][]byte{[]byte("::ffff:1.2.3.4")}, []uint32{oidInet}, []int16{0}},
		{"SELECT $1::macaddr, trunc($1::macaddr), $2", [][]byte{[]byte("08-00-2B-01-02-03"), {8, 0, 0x2b, 1, 2, 3}}, []uint32{0, 829}, []int16{0, 1}},
		// Both servers are reached over TCP on the loopback address.
		{"SELECT inet_client_addr(), inet_server_addr(), pg_typeof(inet_client_addr()), inet_client_port() > 0, pg_typeof(inet_server_port())", nil, nil, nil},
	})
	for _, q := range []pgxQuery{
		{"SELECT $1::cidr", [][]byte{[]byte("10.1.2.3/8")}, []uint32{0}, []int16{0}},
		{"SELECT $1", [][]byte{v4}, []uint32{oidCidr}, []int16{1}},
	} {
		compareOn(t, f, fmt.Sprintf("%s %q fails", q.sql, q.params), func(conn *pgx.Conn) (string, error) {
			_, err := execText(t.Context(), conn, q)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				return "", fmt.Errorf("want an error, got %v", err)
			}
			return pgErr.Code + " " + pgErr.Message, nil
		})
	}
	const q = "SELECT '10.1.2.3/24'::inet AS a, '10/8'::cidr, '2001:db8::1'::inet, '::/0'::cidr, NULL::inet, ARRAY['1.2.3.4'::inet, NULL], ARRAY['10/8'::cidr], '08:00:2b:01:02:03'::macaddr"
	compareBinaryRow(t, f, "inet and cidr results in binary", q)
	compareOn(t, f, "inet decoded by pgx", func(conn *pgx.Conn) (string, error) {
		var a, b, c, d, e, g, h, m any
		err := conn.QueryRow(t.Context(), q).Scan(&a, &b, &c, &d, &e, &g, &h, &m)
		return fmt.Sprint(a, b, c, d, e, g, h, m), err
	})
}

// compareBinaryRow compares the one row q returns in binary format, byte
// for byte, between meshql and PostgreSQL.
func compareBinaryRow(t *testing.T, f *fixture, what, q string) {
	t.Helper()
	compareOn(t, f, what, func(conn *pgx.Conn) ([][]byte, error) {
		res := conn.PgConn().ExecParams(t.Context(), q, nil, nil, nil, []int16{1}).Read()
		if res.Err != nil || len(res.Rows) != 1 {
			return nil, fmt.Errorf("%d rows, %v", len(res.Rows), res.Err)
		}
		return res.Rows[0], nil
	})
}

// checkTime: time parameters in text and binary (microseconds since
// midnight), results in both formats byte for byte, and pgx decoding them.
func checkTime(t *testing.T, f *fixture) {
	const oidTime = 1083
	us := binary.BigEndian.AppendUint64(nil, uint64(37815250000)) // 10:30:15.25
	compareQueries(t, f, []pgxQuery{
		{"SELECT $1::time, $1::time + interval '14 hours', $1::time - time '08:00'", [][]byte{[]byte("10:30:15.25")}, []uint32{0}, []int16{0}},
		{"SELECT $1, $1 < time '11:00', date '2026-01-15' + $1", [][]byte{[]byte("10:30:15.25 pm")}, []uint32{oidTime}, []int16{0}},
		{"SELECT $1, extract(epoch from $1)", [][]byte{us}, []uint32{oidTime}, []int16{1}},
	})
	const q = "SELECT TIME '10:30:15.25' AS t, NULL::time, TIME '24:00', '2026-01-15 23:59:59.999999'::timestamp::time"
	compareBinaryRow(t, f, "time results in binary", q)
	compareOn(t, f, "time decoded by pgx", func(conn *pgx.Conn) (string, error) {
		var a, b, c, d any
		err := conn.QueryRow(t.Context(), q).Scan(&a, &b, &c, &d)
		return fmt.Sprint(a, b, c, d), err
	})
}

// checkInfinity: ±infinity dates and timestamps as parameters (text, and
// binary as PostgreSQL sends them: the extremes of int32 and int64) and in
// binary results.
func checkInfinity(t *testing.T, f *fixture) {
	const oidDate, oidTimestamp = 1082, 1114
	compareQueries(t, f, []pgxQuery{
		{"SELECT $1::date, $1::date > date '2999-01-01', $2::timestamp", [][]byte{[]byte("infinity"), []byte("-infinity")}, []uint32{0, 0}, []int16{0, 0}},
		{"SELECT $1, $2, $1 + 1, $2 < timestamp '1900-01-01'", [][]byte{binary.BigEndian.AppendUint32(nil, 1<<31-1), binary.BigEndian.AppendUint64(nil, 1<<63)},
			[]uint32{oidDate, oidTimestamp}, []int16{1, 1}},
	})
	const q = "SELECT DATE 'infinity', DATE '-infinity', TIMESTAMP 'infinity', TIMESTAMPTZ '-infinity'"
	compareBinaryRow(t, f, "infinity results in binary", q)
}

// checkColumnNames: the names clients see for unnamed select-list
// entries, which PostgreSQL figures from the expression (FigureColname):
// subqueries, grouping(), subscripts, casts and the SQL value functions.
func checkColumnNames(t *testing.T, f *fixture) {
	const q = "SELECT (SELECT 1 AS x), (SELECT max(price) FROM catalog.products_v2), EXISTS (SELECT 1), ARRAY(SELECT 1), " +
		"(SELECT 1 UNION SELECT 2 ORDER BY 1 LIMIT 1), (SELECT 1)::text, (SELECT 'a' AS q)::text, (ARRAY[1, 2])[1], " +
		"grouping(category), current_role, user, session_user, current_catalog, localtimestamp(1), -min(price), " +
		"category::varchar, 1::int, 'x'::text, TIMESTAMPTZ '2024-01-01 00:00:00+00'::date, CASE WHEN true THEN 1 END::text, " +
		"ARRAY[1]::text, min(price)::int::text, CASE WHEN false THEN 1 ELSE min(price) END, CASE WHEN false THEN 1 ELSE 2 END " +
		"FROM catalog.products_v2 GROUP BY ROLLUP (category) LIMIT 0"
	compareOn(t, f, "column names", func(conn *pgx.Conn) ([]string, error) {
		rows, err := conn.Query(t.Context(), q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var names []string
		for _, fd := range rows.FieldDescriptions() {
			names = append(names, fd.Name)
		}
		return names, rows.Err()
	})
}

// checkMultidimArrays: 2-D and 3-D arrays in binary results byte for byte
// (ndim, has-null flag, element OID, each dimension's length and lower
// bound), the column type OIDs, and pgx decoding them into nested slices.
func checkMultidimArrays(t *testing.T, f *fixture) {
	const q = "SELECT ARRAY[[1, 2, 3], [4, NULL, 6]] AS a, ARRAY[[['a']], [['b c']]], '{{1.5,2},{3,4}}'::float8[], " +
		"ARRAY[ARRAY[]::bigint[]], array_agg(ARRAY[x, x * 10]) FROM generate_series(1, 3) AS g(x)"
	compareBinaryRow(t, f, "multidimensional arrays in binary", q)
	compareOn(t, f, "multidimensional array types", func(conn *pgx.Conn) ([]uint32, error) {
		rows, err := conn.Query(t.Context(), q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var oids []uint32
		for _, fd := range rows.FieldDescriptions() {
			oids = append(oids, fd.DataTypeOID)
		}
		return oids, nil
	})
	compareOn(t, f, "multidimensional arrays decoded by pgx", func(conn *pgx.Conn) (string, error) {
		var a [][]*int32
		var b [][][]string
		if err := conn.QueryRow(t.Context(), "SELECT ARRAY[[1, 2, 3], [4, NULL, 6]], '{{{a}},{{\"b c\"}}}'::text[]").Scan(&a, &b); err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, row := range a {
			for _, v := range row {
				if v == nil {
					sb.WriteString("NULL ")
				} else {
					fmt.Fprintf(&sb, "%d ", *v)
				}
			}
			sb.WriteString("/ ")
		}
		return fmt.Sprint(sb.String(), b), nil
	})
}

// simpleText runs sql through the simple query protocol (several
// statements allowed) and returns the rows of each result as text.
func simpleText(ctx context.Context, conn *pgx.Conn, sql string) ([][]string, error) {
	results, err := conn.PgConn().Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, res := range results {
		out = append(out, textRows(res.Rows))
	}
	return out, nil
}

// compareSimple runs each script on PostgreSQL and on meshql through the
// simple protocol and reports every difference in the results.
func compareSimple(t *testing.T, f *fixture, scripts []string) {
	t.Helper()
	for _, sql := range scripts {
		compareOn(t, f, sql, func(conn *pgx.Conn) ([][]string, error) { return simpleText(t.Context(), conn, sql) })
	}
}

// checkClientProbes runs what BI tools and drivers send besides their
// catalog queries: Metabase's per-table probe, SHOW max_identifier_length,
// set_config (session and transaction-local), and the size functions.
func checkClientProbes(t *testing.T, f *fixture) {
	compareSimple(t, f, []string{
		`SELECT TRUE AS "_" FROM "sales"."orders_v1" WHERE 1 <> 1 LIMIT 0`,
		`SHOW max_identifier_length`,
		`SELECT set_config('application_name', 'probe', false); SHOW application_name; SELECT current_setting('application_name')`,
		`SELECT set_config('search_path', 'sales, public', false), current_setting('search_path'); SHOW search_path`,
		`BEGIN; SELECT set_config('search_path', 'catalog', true); SHOW search_path; COMMIT; SHOW search_path`,
		`SELECT set_config('statement_timeout', '5s', false); SHOW statement_timeout; RESET statement_timeout`,
		`SELECT COALESCE(pg_total_relation_size('sales.orders_v1'), 0) >= 0, COALESCE(pg_total_relation_size('sales.orders_v1'::regclass), 0) >= 0`,
		// Grafana's PostgreSQL data source: a schema's tables, and a
		// table's columns through parse_ident and its search_path list
		// (scalar functions in FROM).
		`SELECT quote_ident(table_name) AS "table" FROM information_schema.tables WHERE quote_ident(table_schema) = 'sales' ORDER BY 1`,
		`SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE ` + grafanaColumnsOf("sales.orders_v1"),
		// Metabase's field sync: information_schema.columns' other
		// columns, and a relation's name per row cast to regclass.
		`SELECT table_name, column_name, is_nullable, data_type, character_maximum_length, character_octet_length, numeric_precision,
		   numeric_precision_radix, numeric_scale, datetime_precision, udt_name, dtd_identifier, is_identity, identity_cycle, is_generated
		 FROM information_schema.columns WHERE table_schema = 'sales' ORDER BY table_name, ordinal_position`,
		`SELECT table_name, pg_total_relation_size(format('%I.%I', table_schema, table_name)) IS NOT NULL,
		   format('%I.%I', table_schema, table_name)::regclass = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' AND c.relname = 'orders_v1')
		 FROM information_schema.tables WHERE table_schema = 'sales' ORDER BY 1`,
		`SET search_path = sales, public; SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE ` + grafanaColumnsOf("orders_v1") + `; RESET search_path`,
	})
}

// grafanaColumnsOf is the condition Grafana's PostgreSQL data source
// selects a table's columns with (postgresMetaQuery.ts, getSchema): a
// qualified name as is, else the table in a schema of the search path.
func grafanaColumnsOf(table string) string {
	inSearchPath := `quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
	  FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1),
	                       array_upper(string_to_array(current_setting('search_path'),','),1)) AS i,
	       string_to_array(current_setting('search_path'),',') s)`
	return fmt.Sprintf(`CASE WHEN array_length(parse_ident('%[1]s'),1) = 2
	  THEN quote_ident(table_schema) = (parse_ident('%[1]s'))[1] AND quote_ident(table_name) = (parse_ident('%[1]s'))[2]
	  ELSE quote_ident(table_name) = '%[1]s' AND %[2]s END ORDER BY 1`, table, inSearchPath)
}

// checkParameterStatus sets each reported setting a client may change
// and checks that the server announces the new value (ParameterStatus), as
// PostgreSQL does.
func checkParameterStatus(t *testing.T, f *fixture) {
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	for _, c := range []struct{ set, name string }{
		{"SET application_name = 'ps-check'", "application_name"},
		{"SET DateStyle = 'iso'", "DateStyle"},
		{"SET TimeZone = 'Europe/Paris'", "TimeZone"},
		{"SET IntervalStyle = 'POSTGRES'", "IntervalStyle"},
		{"SELECT set_config('application_name', 'via-set-config', false)", "application_name"},
		{"RESET TimeZone", "TimeZone"},
	} {
		for _, conn := range []*pgx.Conn{pg, mq} {
			if _, err := simpleText(t.Context(), conn, c.set); err != nil {
				t.Fatalf("%s: %v", c.set, err)
			}
		}
		if got, want := mq.PgConn().ParameterStatus(c.name), pg.PgConn().ParameterStatus(c.name); got != want {
			t.Errorf("after %s: meshql reports %s = %q, postgres %q", c.set, c.name, got, want)
		}
	}
}

// checkNpgsqlTypes runs the batch of Npgsql 8 (Power BI's driver) at its
// first connection (npgsqlBatch): it must succeed; the type-loading query
// must list each type meshql has as PostgreSQL does, arrays as typtype
// 'a' with their element type; the composites' fields and the enums'
// labels must be PostgreSQL's (none). Npgsql picks the query's form from
// the server_version reported at startup: 14 or later, with multiranges.
func checkNpgsqlTypes(t *testing.T, f *fixture) {
	batch := npgsqlBatch(t)
	var rest [][][]string
	run := func(tg target) []string {
		conn := connectTarget(t, tg)
		if m := npgsqlVersion.FindStringSubmatch(conn.PgConn().ParameterStatus("server_version")); m == nil || atoi(m[1]) < 14 {
			t.Errorf("%s: server_version %q is not one Npgsql reads as 14 or later", tg.name, conn.PgConn().ParameterStatus("server_version"))
		}
		res, err := simpleText(t.Context(), conn, batch)
		if err != nil || len(res) != 4 {
			t.Fatalf("Npgsql's batch on %s: %d results, %v", tg.name, len(res), err)
		}
		if len(res[0]) != 1 || !strings.HasPrefix(res[0][0], "PostgreSQL ") {
			t.Errorf("Npgsql's SELECT version() on %s: %q", tg.name, res[0])
		}
		rest = append(rest, res[2:])
		return res[1]
	}
	got, all := run(f.meshql), run(f.postgres)
	names := map[string]bool{}
	for _, n := range []string{"bool", "bytea", "int2", "int4", "int8", "float4", "float8", "numeric", "text", "varchar", "bpchar",
		"date", "timestamp", "timestamptz", "time", "interval", "uuid", "json", "jsonb", "jsonpath",
		"int4range", "int8range", "numrange", "daterange", "tsrange", "tstzrange", "inet", "cidr", "macaddr",
		"char", "name", "int2vector", "regproc", "oid", "xid", "oidvector", "regprocedure", "regclass", "regtype", "regnamespace", "regrole"} {
		names[n], names["_"+n] = true, true
	}
	var want []string
	for _, r := range all {
		if f := strings.Split(r, "|"); f[0] == "pg_catalog" && names[f[2]] {
			want = append(want, r)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) != len(names) || !slices.Equal(got, want) {
		t.Errorf("Npgsql's type query:\nmeshql   %q\npostgres %q", got, want)
	}
	if g, w := fmt.Sprintf("%q", rest[0]), fmt.Sprintf("%q", rest[1]); g != w {
		t.Errorf("Npgsql's composite and enum queries:\nmeshql   %s\npostgres %s", g, w)
	}
}

// checkKeywords compares pg_get_keywords() with PostgreSQL's: meshql's
// parser is PostgreSQL 17's, so words new since the server's version are
// allowed, but every keyword PostgreSQL lists must be there with the same
// category and labels.
func checkKeywords(t *testing.T, f *fixture) {
	const q = "SELECT word, catcode, barelabel, catdesc, baredesc FROM pg_get_keywords() ORDER BY word"
	get := func(tg target) map[string]string {
		res, err := simpleText(t.Context(), connectTarget(t, tg), q)
		if err != nil {
			t.Fatalf("pg_get_keywords on %s: %v", tg.name, err)
		}
		out := map[string]string{}
		for _, r := range res[0] {
			word, rest, _ := strings.Cut(r, "|")
			out[word] = rest
		}
		return out
	}
	got, want := get(f.meshql), get(f.postgres)
	for w, v := range want {
		if got[w] != v {
			t.Errorf("keyword %q: meshql %q, postgres %q", w, got[w], v)
		}
	}
}
