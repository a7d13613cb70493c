package main

import (
	"context"
	"encoding/binary"
	"reflect"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestRecordValuesOverPgx reads row values as pgx does: it asks for the
// binary format of record columns (its RecordCodec decodes nothing else),
// and gets each field typed, with its NULLs; a product's whole row is of
// the product's row type, which pgx does not know and reads as text, as
// from PostgreSQL; the simple protocol gets record_out's text.
func TestRecordValuesOverPgx(t *testing.T) {
	s := startServer(t)
	conn, err := pgx.Connect(t.Context(), s.url("analyst"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	const q = `SELECT ROW(1, 'a b', NULL::int, ROW(2, '')), p FROM catalog.products_v2 p ORDER BY product_id LIMIT 1`
	rows, err := conn.Query(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	var row, p []any
	for rows.Next() {
		if rows.FieldDescriptions()[0].Format != pgx.BinaryFormatCode {
			t.Errorf("pgx got a record column in format %d", rows.FieldDescriptions()[0].Format)
		}
		values, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		row = values[0].([]any)
		if rows.FieldDescriptions()[1].Format != pgx.TextFormatCode {
			t.Errorf("pgx got a whole row in format %d", rows.FieldDescriptions()[1].Format)
		}
		p = values[1:]
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	// 'a b' is an untyped literal: unknown (OID 705), which pgx reads as text.
	if want := []any{int32(1), "a b", nil, []any{int32(2), ""}}; !reflect.DeepEqual(row, want) {
		t.Errorf("ROW(...) in binary: got %#v, want %#v", row, want)
	}
	if want := []any{`(1,"Sirius Essential Tablet V133",tablets,Sirius,325.99)`}; !reflect.DeepEqual(p, want) {
		t.Errorf("whole row: got %#v, want %#v", p, want)
	}
	var id int32
	var name string
	var missing *string
	if err := conn.QueryRow(t.Context(), `SELECT ROW(7, 'x', NULL)`).Scan(pgtype.CompositeFields{&id, &name, &missing}); err != nil {
		t.Fatal(err)
	}
	if id != 7 || name != "x" || missing != nil {
		t.Errorf("ROW(...) into composite fields: %d %q %v", id, name, missing)
	}
	var text, ptext string
	if err := conn.QueryRow(t.Context(), q, pgx.QueryExecModeSimpleProtocol).Scan(&text, &ptext); err != nil {
		t.Fatal(err)
	}
	if want := `(1,"a b",,"(2,"""")")`; text != want {
		t.Errorf("ROW(...) in text: got %s, want %s", text, want)
	}
	if want := `(1,"Sirius Essential Tablet V133",tablets,Sirius,325.99)`; ptext != want {
		t.Errorf("whole row in text: got %s, want %s", ptext, want)
	}
}

// TestWholeRowPortalSuspension fetches a product's whole row (of the
// product's own row type, an OID pgx's type map does not know) in binary
// a row at a time, as JDBC's setFetchSize does: the row each suspended
// Execute ends with takes another path through the server than the rest.
func TestWholeRowPortalSuspension(t *testing.T) {
	conn := connectAs(t, startServer(t), "analyst")
	fe := conn.PgConn().Frontend()
	fe.Send(&pgproto3.Parse{Query: "SELECT p FROM catalog.products_v2 p ORDER BY product_id LIMIT 3"})
	fe.Send(&pgproto3.Bind{ResultFormatCodes: []int16{1}})
	for range 3 {
		fe.Send(&pgproto3.Execute{MaxRows: 1})
	}
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			// record_send: 5 fields, the first an int8 (OID 20) product_id.
			v := m.Values[0]
			if len(v) < 20 || binary.BigEndian.Uint32(v) != 5 || binary.BigEndian.Uint32(v[4:]) != 20 {
				t.Fatalf("whole row in binary: %q", v)
			}
			got = append(got, strconv.FormatUint(binary.BigEndian.Uint64(v[12:]), 10))
		case *pgproto3.ErrorResponse:
			t.Fatalf("error %+v", m)
		case *pgproto3.ReadyForQuery:
			if want := []string{"1", "2", "3"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("product ids %v, want %v", got, want)
			}
			return
		}
	}
}

// TestWholeRowMasked: a whole row read in binary carries masked columns
// masked, as the column itself reads, with the field's own type.
func TestWholeRowMasked(t *testing.T) {
	conn := connectAs(t, startServer(t), "analyst")
	res := conn.PgConn().ExecParams(t.Context(), `SELECT o, o.customer_id FROM sales.orders_v1 o ORDER BY order_id LIMIT 1`,
		nil, nil, nil, []int16{1}).Read()
	if res.Err != nil || len(res.Rows) != 1 {
		t.Fatalf("%d rows, %v", len(res.Rows), res.Err)
	}
	rec, masked := res.Rows[0][0], res.Rows[0][1]
	// record_send: the field count, then order_id (int8) and customer_id
	// (int8, masked by hash): OID, length, bytes each.
	if len(rec) < 36 || binary.BigEndian.Uint32(rec[4:]) != 20 || binary.BigEndian.Uint32(rec[20:]) != 20 {
		t.Fatalf("whole row in binary: %q", rec)
	}
	if got := rec[28:36]; string(got) != string(masked) {
		t.Errorf("customer_id in the whole row %x, as a column %x", got, masked)
	}
	// The demo's customer ids are small; their hashes fill 64 bits.
	if id := int64(binary.BigEndian.Uint64(masked)); id > -1e9 && id < 1e9 {
		t.Errorf("customer_id %d is not masked", id)
	}
}
