package main

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestRecordValuesOverPgx reads row values as pgx does: it asks for the
// binary format of record columns (its RecordCodec decodes nothing else),
// and gets each field with its NULLs; the simple protocol gets
// record_out's text.
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
		row, p = values[0].([]any), values[1].([]any)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	// meshql holds a record as its text: every field goes as text (OID 25).
	if want := []any{"1", "a b", nil, `(2,"")`}; !reflect.DeepEqual(row, want) {
		t.Errorf("ROW(...) in binary: got %#v, want %#v", row, want)
	}
	if want := []any{"1", "Sirius Essential Tablet V133", "tablets", "Sirius", "325.99"}; !reflect.DeepEqual(p, want) {
		t.Errorf("whole row in binary: got %#v, want %#v", p, want)
	}
	var id, name string
	var missing *string
	if err := conn.QueryRow(t.Context(), `SELECT ROW(7, 'x', NULL)`).Scan(pgtype.CompositeFields{&id, &name, &missing}); err != nil {
		t.Fatal(err)
	}
	if id != "7" || name != "x" || missing != nil {
		t.Errorf("ROW(...) into composite fields: %q %q %v", id, name, missing)
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
