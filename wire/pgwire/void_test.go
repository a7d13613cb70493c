package pgwire

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// A void value (pg_sleep's) goes out as PostgreSQL sends it: type 2278 of
// size 4, an empty value in text and binary (void_out, void_send) that is
// not NULL, so psql prints an empty cell; NULL stays NULL.
func TestVoidResult(t *testing.T) {
	fb := newFakeBackend(t)
	cols := []engine.Column{{Name: "pg_sleep", Type: sqltypes.TypeVoid}}
	fb.defs["void"] = fakeDef{cols: cols, run: func(_ context.Context, fb *fakeBackend, _ *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		return []arrow.RecordBatch{batchOf(fb.mem, cols, [][]sqltypes.Datum{{""}, {nil}})}, nil
	}}
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	for _, mode := range allModes {
		rows, err := conn.Query(context.Background(), "void", mode)
		if err != nil {
			t.Fatal(err)
		}
		var raw [][]byte
		for rows.Next() {
			raw = append(raw, rows.RawValues()[0])
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		fd := rows.FieldDescriptions()[0]
		if fd.DataTypeOID != 2278 || fd.DataTypeSize != 4 {
			t.Errorf("%s: field description %+v, want void's", mode, fd)
		}
		if len(raw) != 2 || raw[0] == nil || len(raw[0]) != 0 || raw[1] != nil {
			t.Errorf("%s: values %q, want an empty value and NULL", mode, raw)
		}
		rows.Close()
	}
}
