package clients

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// checkRecords: row values in binary byte for byte as PostgreSQL's
// record_send writes them (each field with its own type's OID and send
// bytes, nested records, NULL fields, arrays), in text as record_out, a
// product's whole row typed with the product's row type, and pgx scanning
// the fields into typed Go values.
func checkRecords(t *testing.T, f *fixture) {
	for _, q := range []string{
		`SELECT ROW(1, 'a', 2.5::numeric), ROW(NULL::int, ''), ROW(), ROW(NULL)`,
		`SELECT ROW(1::int2, 2::int8, 1.5::float4, 0.1::float8, true, 'x'::varchar(3), 'y'::char(3)), ROW(1, ROW(2, ROW('a b', NULL::date)))`,
		`SELECT ROW(ARRAY[1, NULL, 3], ARRAY['a', 'b c'], ARRAY[1.50, 2.25]), ROW('{"b": 1, "a": [2]}'::jsonb, '{"b": 1}'::json)`,
		`SELECT ROW(DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.25', TIMESTAMPTZ '2024-01-02 03:04:05+02', TIME '10:30', INTERVAL '1 year 2 days 00:00:03.5')`,
		`SELECT ROW('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '\x01ff'::bytea, '10.1.2.3/24'::inet, 'NaN'::numeric, '-Infinity'::float8, int4range(1, 5))`,
		`SELECT (order_id, amount, order_date), ROW(customer_id, NULL::text) FROM sales.orders_v1 ORDER BY order_id LIMIT 1`,
		`SELECT p FROM catalog.products_v2 p ORDER BY product_id LIMIT 1`,
		`SELECT o, ROW(o.order_id, o) FROM sales.orders_v1 o ORDER BY order_id LIMIT 1`,
		`SELECT json_each('{"a": [1, 2]}'::json), jsonb_each('{"b": null}')`,
	} {
		compareOn(t, f, q+" in binary", func(conn *pgx.Conn) ([][]byte, error) {
			return recordRow(t, conn, q)
		})
		compareQueries(t, f, []pgxQuery{{sql: q}})
	}
	// Fields read back in the session's styles: dates, times and
	// intervals print in them inside a record's text.
	for _, style := range [][2]string{{"SQL, DMY", "postgres_verbose"}, {"Postgres, MDY", "sql_standard"}, {"German", "iso_8601"}} {
		compareOn(t, f, fmt.Sprint("record fields in styles ", style), func(conn *pgx.Conn) ([][]byte, error) {
			if _, err := conn.Exec(t.Context(), "SET DateStyle = '"+style[0]+"'; SET IntervalStyle = '"+style[1]+"'; SET TimeZone = 'America/New_York'"); err != nil {
				return nil, err
			}
			return recordRow(t, conn, `SELECT ROW(DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.25', TIMESTAMPTZ '2024-07-02 03:04:05+02', INTERVAL '-1 year 2 days 00:00:03.5', ARRAY[DATE '2024-03-01'], tstzrange('2024-01-01 10:00+02', NULL))`)
		})
	}
	// A product's whole row is of the product's row type, the pg_type row
	// meshql lists for it, as PostgreSQL's is of the table's, and comes
	// from the product (RowDescription's table, attribute 0).
	compareOn(t, f, "whole-row type", func(conn *pgx.Conn) (string, error) {
		rows, err := conn.Query(t.Context(), `SELECT p, ROW(p.product_id), s FROM catalog.products_v2 p, (SELECT * FROM catalog.products_v2) s LIMIT 1`)
		if err != nil {
			return "", err
		}
		oids, origins := []uint32{}, []string{}
		for _, fd := range rows.FieldDescriptions() {
			oids = append(oids, fd.DataTypeOID)
			origins = append(origins, fmt.Sprint(fd.TableOID != 0, fd.TableAttributeNumber))
		}
		rows.Close()
		var class uint32
		if err := conn.QueryRow(t.Context(), `SELECT 'catalog.products_v2'::regclass::oid`).Scan(&class); err != nil {
			return "", err
		}
		origins[0] = fmt.Sprint(rows.FieldDescriptions()[0].TableOID == class, rows.FieldDescriptions()[0].TableAttributeNumber)
		var rowType, typName string
		if err := conn.QueryRow(t.Context(), `SELECT t.oid, t.typname || ' ' || t.typtype::text || ' ' || c.relname FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
			JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'catalog' AND t.typname = 'products_v2'`).Scan(&rowType, &typName); err != nil {
			return "", err
		}
		return fmt.Sprintf("%v table type %t, %s, origins %v", oids[1:], fmt.Sprint(oids[0]) == rowType, typName, origins), nil
	})
	// pgx scans a record's fields into typed Go values from their binary
	// forms: int32 from int4, time.Time from timestamptz, a nested record.
	compareOn(t, f, "record fields scanned by pgx", func(conn *pgx.Conn) (string, error) {
		var id int32
		var name string
		var amount pgtype.Numeric
		var at time.Time
		var missing *int64
		var nestedID int64
		var tags []string
		err := conn.QueryRow(t.Context(), `SELECT ROW(7, 'x', 2.50::numeric(5,2), TIMESTAMPTZ '2024-01-02 03:04:05Z', NULL::int8, ROW(8::int8), ARRAY['a', 'b'])`).
			Scan(pgtype.CompositeFields{&id, &name, &amount, &at, &missing, pgtype.CompositeFields{&nestedID}, &tags})
		v, _ := amount.Value()
		return fmt.Sprint(id, name, v, at.UTC(), missing, nestedID, tags), err
	})
	argv, why := pythonScript("psycopg_records.py", "psycopg")(t)
	if why != "" {
		missing(t, why)
	}
	got, want := run(t, argv, f.meshql), run(t, argv, f.postgres)
	for _, name := range []string{"=records", "=whole-row"} {
		t.Logf("psycopg %s:\n%s", name, strings.Join(got[name], "\n"))
		if !slices.Equal(got[name], want[name]) || len(got[name]) == 0 {
			t.Errorf("psycopg %s:\nmeshql:\n%s\npostgres:\n%s", name, strings.Join(got[name], "\n"), strings.Join(want[name], "\n"))
		}
	}
	compareOn(t, f, "records decoded by pgx", func(conn *pgx.Conn) (string, error) {
		var a, b any
		err := conn.QueryRow(t.Context(), `SELECT ROW(1, 'a', 2.5::numeric, NULL::bool), (order_id, amount) FROM sales.orders_v1 ORDER BY order_id LIMIT 1`).Scan(&a, &b)
		return fmt.Sprintf("%#v %#v", a, b), err
	})
}

// recordRow is the one row q returns in binary, with the products' row
// type OIDs (each server has its own) zeroed where a nested whole row
// writes them.
func recordRow(t *testing.T, conn *pgx.Conn, q string) ([][]byte, error) {
	var oids []uint32
	rows, err := conn.Query(t.Context(), `SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE (n.nspname, t.typname) IN (('catalog', 'products_v2'), ('sales', 'orders_v1'))`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var oid uint32
		if err := rows.Scan(&oid); err != nil {
			return nil, err
		}
		oids = append(oids, oid)
	}
	if rows.Err() != nil || len(oids) != 2 {
		return nil, fmt.Errorf("row types %v: %v", oids, rows.Err())
	}
	res := conn.PgConn().ExecParams(t.Context(), q, nil, nil, nil, []int16{1}).Read()
	if res.Err != nil || len(res.Rows) != 1 {
		return nil, fmt.Errorf("%d rows, %v", len(res.Rows), res.Err)
	}
	for _, v := range res.Rows[0] {
		for _, oid := range oids {
			copy(v, bytes.ReplaceAll(v, binary.BigEndian.AppendUint32(nil, oid), make([]byte, 4)))
		}
	}
	return res.Rows[0], nil
}
