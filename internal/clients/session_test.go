package clients

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// checkTxSettings changes settings inside transaction blocks, with SET,
// SET LOCAL, RESET and set_config, and compares what each SHOW prints
// with PostgreSQL, and the ParameterStatus each server last sent.
func checkTxSettings(t *testing.T, f *fixture) {
	scripts := []string{
		`BEGIN; SET application_name = 'in_tx'; SHOW application_name; ROLLBACK; SHOW application_name`,
		`BEGIN; SELECT set_config('statement_timeout', '7s', false); COMMIT; SHOW statement_timeout; ` +
			`BEGIN; SELECT set_config('statement_timeout', '9s', false); SHOW statement_timeout; ROLLBACK; SHOW statement_timeout; RESET statement_timeout`,
		`BEGIN; SET LOCAL DateStyle = 'US'; SET LOCAL extra_float_digits = 2; SHOW DateStyle; SHOW extra_float_digits; COMMIT; SHOW DateStyle; SHOW extra_float_digits`,
		`BEGIN; SET LOCAL TimeZone = 'Europe/Paris'; SET TimeZone = 'Asia/Tokyo'; SET LOCAL TimeZone = 'America/New_York'; SHOW TimeZone; COMMIT; SHOW TimeZone; RESET TimeZone`,
		`BEGIN; SET TimeZone = 'Asia/Tokyo'; SET LOCAL TimeZone = 'Europe/Paris'; COMMIT; SHOW TimeZone; RESET TimeZone`,
		`BEGIN; SET application_name = 'a'; SELECT set_config('application_name', 'b', true); SHOW application_name; ROLLBACK; SHOW application_name`,
		// Statements before BEGIN in one simple query belong to its block
		// in PostgreSQL (an implicit transaction): the first block commits
		// the value the second one resets.
		`BEGIN; SET application_name = 'kept'; COMMIT; BEGIN; RESET application_name; SHOW application_name; ROLLBACK; SHOW application_name; RESET application_name`,
		`BEGIN; SET application_name = 'sp'; SAVEPOINT s; SELECT 1; ROLLBACK TO SAVEPOINT s; COMMIT; SHOW application_name; RESET application_name`,
	}
	compareSimple(t, f, scripts)
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	for _, sql := range []string{`SET application_name = 'before'`, `BEGIN; SET application_name = 'rolled_back'; ROLLBACK`} {
		for _, conn := range []*pgx.Conn{pg, mq} {
			if _, err := simpleText(t.Context(), conn, sql); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
	}
	if got, want := mq.PgConn().ParameterStatus("application_name"), pg.PgConn().ParameterStatus("application_name"); got != want {
		t.Errorf("after ROLLBACK: meshql reports application_name = %q, postgres %q", got, want)
	}
}

// checkCurrentSetting compares current_setting's two forms with
// PostgreSQL: missing_ok gives NULL for an unknown setting, and without it
// the error is 42704.
func checkCurrentSetting(t *testing.T, f *fixture) {
	compareSimple(t, f, []string{
		`SELECT current_setting('application_name', true), current_setting('no_such.setting', true), current_setting('TimeZone', false)`,
		`SELECT current_setting('no_such_setting', true) IS NULL, current_setting(NULL, true), current_setting('DateStyle', NULL)`,
	})
	compareErrors(t, f, []pgxQuery{
		{sql: `SELECT current_setting('no_such_setting')`},
		{sql: `SELECT current_setting('no_such_setting', false)`},
		{sql: `SELECT current_setting($1, $2)`, params: [][]byte{[]byte("no_such_setting"), []byte("f")}, oids: []uint32{0, 0}},
	})
	compareQueries(t, f, []pgxQuery{
		{sql: `SELECT current_setting($1, $2)`, params: [][]byte{[]byte("no_such_setting"), []byte("t")}, oids: []uint32{0, 0}},
		{sql: `SELECT current_setting($1, $2)`, params: [][]byte{[]byte("DateStyle"), []byte("t")}, oids: []uint32{0, 0}},
	})
}

// checkRegclassParams binds relation names to $1::regclass, as pgjdbc and
// SQLAlchemy do, in the forms PostgreSQL accepts (qualified, quoted, upper
// case folded), with the parameter's type inferred or declared text or
// varchar; a name that is no relation is 42P01 on both.
func checkRegclassParams(t *testing.T, f *fixture) {
	const oidText = 25
	var qs []pgxQuery
	for _, name := range []string{"sales.orders_v1", `"sales"."orders_v1"`, "SALES.Orders_V1", "catalog.products_v2"} {
		for _, oid := range []uint32{0, oidText, oidVarchar} {
			qs = append(qs,
				pgxQuery{sql: "SELECT relname FROM pg_catalog.pg_class WHERE oid = $1::regclass", params: [][]byte{[]byte(name)}, oids: []uint32{oid}},
				pgxQuery{sql: "SELECT attname, attnum FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
					params: [][]byte{[]byte(name)}, oids: []uint32{oid}})
		}
	}
	qs = append(qs,
		pgxQuery{sql: "SELECT $1::regclass IS NULL", params: [][]byte{nil}, oids: []uint32{0}},
		pgxQuery{sql: "SELECT pg_total_relation_size($1) > 0", params: [][]byte{[]byte("sales.orders_v1")}, oids: []uint32{0}},
	)
	compareQueries(t, f, qs)
	compareErrors(t, f, []pgxQuery{
		{sql: "SELECT relname FROM pg_catalog.pg_class WHERE oid = $1::regclass", params: [][]byte{[]byte("sales.no_such_product")}, oids: []uint32{0}},
		{sql: "SELECT relname FROM pg_catalog.pg_class WHERE oid = $1::regclass", params: [][]byte{[]byte(`"SALES".orders_v1`)}, oids: []uint32{oidText}},
	})
}

// checkRegclassOutput: a result column cast to regclass is of type
// regclass (2205); in text it prints the relation's name as regclassout
// does (unqualified when the search path finds it, "-" for 0), in binary
// the id as a 4-byte oid (regclasssend; compared on catalogs whose ids
// both servers share).
func checkRegclassOutput(t *testing.T, f *fixture) {
	const oidText = 25
	compareQueries(t, f, []pgxQuery{
		{sql: "SELECT 'sales.orders_v1'::regclass, 'pg_class'::regclass, 0::regclass, NULL::regclass, CAST('catalog.products_v2' AS pg_catalog.regclass) AS r"},
		{sql: "SELECT c.oid::regclass, c.relname FROM pg_catalog.pg_class c WHERE c.relname IN ('orders_v1', 'customers_v1') ORDER BY c.relname"},
		{sql: "SELECT $1::regclass", params: [][]byte{[]byte("sales.orders_v1")}, oids: []uint32{0}},
		{sql: "SELECT $1::text::regclass", params: [][]byte{[]byte("SALES.Orders_V1")}, oids: []uint32{oidText}},
	})
	compareOn(t, f, "regclass column types", func(conn *pgx.Conn) ([]string, error) {
		res := conn.PgConn().ExecParams(t.Context(), "SELECT 'pg_class'::regclass AS a, 'pg_class'::regclass::text AS b", nil, nil, nil, nil).Read()
		var out []string
		for _, fd := range res.FieldDescriptions {
			out = append(out, fmt.Sprint(fd.Name, fd.DataTypeOID, fd.DataTypeSize))
		}
		return out, res.Err
	})
	compareBinaryRow(t, f, "regclass in binary", "SELECT 'pg_class'::regclass, 'pg_catalog.pg_type'::regclass, 0::regclass, NULL::regclass")
	compareOn(t, f, "regclass under search_path", func(conn *pgx.Conn) ([]string, error) {
		if _, err := conn.Exec(t.Context(), "SET search_path = sales"); err != nil {
			return nil, err
		}
		return execText(t.Context(), conn, pgxQuery{sql: "SELECT 'sales.orders_v1'::regclass, 'catalog.products_v2'::regclass, 'sales.orders_v1'::regclass::text"})
	})
}

// checkOidRegWire: oid and the reg* types are described with their own
// type ids (oid 26, regtype 2206, …; pg_catalog's oid columns too) and
// sent in binary as 4-byte unsigned ids, in text as their output
// functions print them; oid and regclass parameters are read in text (a
// name for a regclass) and in binary (the id), as PostgreSQL does.
func checkOidRegWire(t *testing.T, f *fixture) {
	const regclassOID, oidOID = 2205, 26
	compareOn(t, f, "oid and reg* column types", func(conn *pgx.Conn) ([]string, error) {
		res := conn.PgConn().ExecParams(t.Context(), `SELECT '4294967295'::oid AS o, 'int4'::regtype AS t, 'pg_catalog'::regnamespace AS n,
			'now'::regproc AS p, 'lower(text)'::regprocedure AS pp, c.oid, c.relnamespace, c.oid::regclass AS r
			FROM pg_catalog.pg_class c WHERE c.oid = 1259`, nil, nil, nil, nil).Read()
		var out []string
		for _, fd := range res.FieldDescriptions {
			out = append(out, fmt.Sprint(fd.Name, fd.DataTypeOID, fd.DataTypeSize))
		}
		return append(out, textRows(res.Rows)...), res.Err
	})
	compareBinaryRow(t, f, "oid and reg* in binary", "SELECT '4294967295'::oid, 'int4'::regtype, 'pg_catalog'::regnamespace, 'lower(text)'::regprocedure, 1259::oid::regclass, '-1'::oid")
	be := func(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }
	compareQueries(t, f, []pgxQuery{
		{sql: "SELECT $1::regclass", params: [][]byte{[]byte("pg_class")}, oids: []uint32{regclassOID}},
		{sql: "SELECT $1::regclass", params: [][]byte{be(1259)}, oids: []uint32{regclassOID}, formats: []int16{1}},
		{sql: "SELECT relname FROM pg_catalog.pg_class WHERE oid = $1", params: [][]byte{[]byte("1259")}, oids: []uint32{oidOID}},
		{sql: "SELECT relname FROM pg_catalog.pg_class WHERE oid = $1", params: [][]byte{be(1259)}, oids: []uint32{oidOID}, formats: []int16{1}},
		{sql: "SELECT $1::oid", params: [][]byte{be(4294967295)}, oids: []uint32{oidOID}, formats: []int16{1}},
		{sql: "SELECT $1::oid", params: [][]byte{[]byte("-1")}, oids: []uint32{0}},
	})
}

// checkNameWire: name columns (literals, pg_catalog's identifiers) are
// described as type 19 of size 64, name[] as 1003, concatenation as text;
// a name's binary form is its bytes; a text parameter of type name is cut
// to 63 bytes, a binary one that long is 42622, as in PostgreSQL.
func checkNameWire(t *testing.T, f *fixture) {
	const nameOID = 19
	compareOn(t, f, "name column types", func(conn *pgx.Conn) ([]string, error) {
		res := conn.PgConn().ExecParams(t.Context(), `SELECT 'abc'::name AS n, c.relname, s.nspname, c.relname || '.x' AS t,
			ARRAY['a'::name] AS a, repeat('é', 40)::name AS long
			FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace WHERE c.oid = 1259`, nil, nil, nil, nil).Read()
		var out []string
		for _, fd := range res.FieldDescriptions {
			out = append(out, fmt.Sprint(fd.Name, " ", fd.DataTypeOID, " ", fd.DataTypeSize))
		}
		return append(out, textRows(res.Rows)...), res.Err
	})
	compareBinaryRow(t, f, "name in binary", "SELECT 'abc'::name, ''::name, ARRAY['a', 'bc']::name[], relname FROM pg_catalog.pg_class WHERE oid = 1259")
	long := strings.Repeat("n", 70)
	compareQueries(t, f, []pgxQuery{
		{sql: "SELECT $1::name", params: [][]byte{[]byte(long)}, oids: []uint32{nameOID}},
		{sql: "SELECT $1::name", params: [][]byte{[]byte("abc")}, oids: []uint32{nameOID}, formats: []int16{1}},
		{sql: "SELECT relname FROM pg_catalog.pg_class WHERE relname = $1", params: [][]byte{[]byte("pg_class")}, oids: []uint32{nameOID}, formats: []int16{1}},
		{sql: "SELECT relname FROM pg_catalog.pg_class WHERE relname = $1", params: [][]byte{[]byte("pg_class")}, oids: []uint32{0}},
	})
	compareErrors(t, f, []pgxQuery{
		{sql: "SELECT $1::name", params: [][]byte{[]byte(long)}, oids: []uint32{nameOID}, formats: []int16{1}},
	})
}

// compareErrors runs each query on PostgreSQL and on meshql: both must
// fail with the same SQLSTATE.
func compareErrors(t *testing.T, f *fixture, queries []pgxQuery) {
	t.Helper()
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	code := func(conn *pgx.Conn, q pgxQuery) string {
		_, err := execText(t.Context(), conn, q)
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return pe.Code
		}
		if err != nil {
			return err.Error()
		}
		return "success"
	}
	for _, q := range queries {
		want := code(pg, q)
		if len(want) != 5 {
			t.Fatalf("%s %q on postgres: %s, want an error", q.sql, q.params, want)
		}
		if got := code(mq, q); got != want {
			t.Errorf("%s %q: meshql gives %s, postgres %s", q.sql, q.params, got, want)
		}
	}
}

// checkSetLocalOutsideBlock sends SET LOCAL (a value, and DEFAULT)
// outside a transaction block,
// on its own: PostgreSQL changes nothing and warns (25P01); meshql must
// do the same.
func checkSetLocalOutsideBlock(t *testing.T, f *fixture) {
	run := func(tg target) []string {
		cfg, err := pgx.ParseConfig(pgxURI(tg))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { out = append(out, n.Severity+" "+n.Code+" "+n.Message) }
		conn, err := pgx.ConnectConfig(t.Context(), cfg)
		if err != nil {
			t.Fatalf("connect to %s: %v", tg.name, err)
		}
		defer conn.Close(t.Context())
		for _, sql := range []string{`SET LOCAL application_name = 'local'`, `SET LOCAL application_name TO DEFAULT`, `SHOW application_name`} {
			rows, err := simpleText(t.Context(), conn, sql)
			if err != nil {
				t.Fatalf("%s on %s: %v", sql, tg.name, err)
			}
			for _, r := range rows {
				out = append(out, r...)
			}
		}
		return out
	}
	if got, want := run(f.meshql), run(f.postgres); !slices.Equal(got, want) {
		t.Errorf("SET LOCAL outside a block:\nmeshql   %q\npostgres %q", got, want)
	}
}

// checkFailedTransaction runs statements one by one on one connection, in
// and out of transaction blocks that fail, and compares with PostgreSQL
// what each returns (rows or SQLSTATE) and the transaction status byte of
// the ReadyForQuery after it: a failed block refuses all but COMMIT and
// ROLLBACK with 25P02 and reports 'E', and COMMIT of it answers ROLLBACK.
func checkFailedTransaction(t *testing.T, f *fixture) {
	steps := []string{
		"BEGIN", "SELECT 1/0", "SELECT 1", "SHOW application_name", "COMMIT", "SELECT 2",
		"BEGIN", "SELECT * FROM no_such_table", "ROLLBACK", "SELECT 3",
		"BEGIN", "SAVEPOINT s", "SELECT 1/0", "ROLLBACK TO SAVEPOINT s", "COMMIT",
		"BEGIN", "SELECT 4", "COMMIT", "SELECT 1/0", "SELECT 5",
		"SELECT 6; SELECT 1/0; SELECT 7", "SELECT 8",
	}
	compareOn(t, f, "failed transaction blocks", func(conn *pgx.Conn) ([]string, error) {
		var out []string
		for _, sql := range steps {
			results, err := conn.PgConn().Exec(t.Context(), sql).ReadAll()
			var got string
			if err != nil {
				var pe *pgconn.PgError
				if !errors.As(err, &pe) {
					return nil, err
				}
				got = "ERROR " + pe.Code
			} else {
				for _, r := range results {
					got += r.CommandTag.String() + fmt.Sprint(textRows(r.Rows)) + ";"
				}
			}
			out = append(out, fmt.Sprintf("%s -> %s [%c]", sql, got, conn.PgConn().TxStatus()))
		}
		return out, nil
	})
}

// checkSQLPrepare runs SQL-level PREPARE, EXECUTE and DEALLOCATE statement
// by statement on one connection per server, over the simple protocol and
// (EXECUTE) the extended one, and compares each result or SQLSTATE with
// PostgreSQL's: argument casts, typmods dropped from declared parameter
// types, inferred types, counts, names, DISCARD ALL.
func checkSQLPrepare(t *testing.T, f *fixture) {
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	outcome := func(conn *pgx.Conn, sql string, extended bool) string {
		var res any
		var err error
		if extended {
			res, err = execText(t.Context(), conn, pgxQuery{sql: sql})
		} else {
			res, err = simpleText(t.Context(), conn, sql)
		}
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return "ERROR " + pe.Code
		}
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%q", res)
	}
	for _, step := range []struct {
		sql      string
		extended bool
	}{
		{sql: `PREPARE big(int) AS SELECT count(*) FROM sales.orders_v1 WHERE quantity > $1`},
		{sql: `EXECUTE big(5)`},
		{sql: `EXECUTE big('3')`},
		{sql: `EXECUTE big(2 + 1)`, extended: true},
		{sql: `EXECUTE big`},
		{sql: `EXECUTE big(1, 2)`},
		{sql: `EXECUTE big('x')`},
		{sql: `PREPARE big AS SELECT 1`},
		{sql: `PREPARE typed(numeric(10,2), text, date[]) AS SELECT $1, $2, $3`},
		{sql: `EXECUTE typed(1.555, 'x', ARRAY['2024-01-01']::date[])`},
		{sql: `EXECUTE typed(NULL, NULL, NULL)`, extended: true},
		{sql: `PREPARE inferred AS SELECT $1::int + 1, pg_typeof($1), $2 || 'x'`},
		{sql: `EXECUTE inferred(41, 'a')`},
		{sql: `PREPARE byid(bigint) AS SELECT order_id, customer_id, amount, status FROM sales.orders_v1 WHERE order_id = $1`},
		{sql: `EXECUTE byid(7)`, extended: true},
		{sql: `EXECUTE nosuch`},
		{sql: `PREPARE broken AS SELECT nosuch`},
		{sql: `DEALLOCATE big`},
		{sql: `EXECUTE big(1)`},
		{sql: `DEALLOCATE PREPARE typed`},
		{sql: `EXECUTE typed(1, 'a', NULL)`},
		{sql: `DISCARD ALL`},
		{sql: `EXECUTE inferred(1, 'b')`},
		{sql: `PREPARE again AS SELECT 2`},
		{sql: `DEALLOCATE ALL`},
		{sql: `EXECUTE again`},
	} {
		if got, want := outcome(mq, step.sql, step.extended), outcome(pg, step.sql, step.extended); got != want {
			t.Errorf("%s:\nmeshql   %s\npostgres %s", step.sql, got, want)
		}
	}
}
