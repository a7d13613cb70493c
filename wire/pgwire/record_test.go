package pgwire

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/sqltypes"
)

// TestRecordEncoding sends json_each's records (held as composite text)
// in both formats; pgx decodes the binary form independently.
func TestRecordEncoding(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	values := []string{`(a,1)`, `("b c","""x,y""")`, `(b,)`, `(c,"")`, `(d,"back\\slash")`}
	b.AppendValues(values, nil)
	arr := b.NewStringArray()
	defer arr.Release()
	b.Release()
	enc, err := newEncoder(sqltypes.TypeRecord, arr, encEnv{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a", "1"}, {"b c", `"x,y"`}, {"b", nil}, {"c", ""}, {"d", `back\slash`}}
	m := pgtype.NewMap()
	for i, v := range values {
		if got := string(enc.text(nil, i)); got != v {
			t.Errorf("row %d text: got %s, want %s", i, got, v)
		}
		dt, _ := m.TypeForOID(sqltypes.OIDRecord)
		got, err := dt.Codec.DecodeValue(m, sqltypes.OIDRecord, pgtype.BinaryFormatCode, enc.binary(nil, i))
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("row %d binary: got %#v, want %#v", i, got, want[i])
		}
	}
}

// TestTypedRecordEncoding sends records whose fields' types are known as
// record_send does: each field with its type's OID and send bytes (pgx
// decodes them to typed values), `()` as ROW() or ROW(NULL) by the
// shape, and a field whose text does not read as its type as text.
func TestTypedRecordEncoding(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	values := []string{`(1,"a b",2.50,"(7,2024-02-29)","{1,NULL}",)`, `(x,,,,,)`}
	b.AppendValues(values, nil)
	arr := b.NewStringArray()
	defer arr.Release()
	b.Release()
	nested := sqltypes.RecordOf([]sqltypes.Type{sqltypes.TypeInt8, sqltypes.TypeDate}, 0)
	rt := sqltypes.RecordOf([]sqltypes.Type{sqltypes.TypeInt4, sqltypes.TypeText, sqltypes.NumericType(5, 2), nested,
		sqltypes.ListOf(sqltypes.TypeInt4), sqltypes.TypeUnknown}, 0)
	enc, err := newEncoder(rt, arr, encEnv{})
	if err != nil {
		t.Fatal(err)
	}
	m := pgtype.NewMap()
	dt, _ := m.TypeForOID(sqltypes.OIDRecord)
	decode := func(raw []byte) []any {
		t.Helper()
		got, err := dt.Codec.DecodeValue(m, sqltypes.OIDRecord, pgtype.BinaryFormatCode, raw)
		if err != nil {
			t.Fatal(err)
		}
		return got.([]any)
	}
	got := decode(enc.binary(nil, 0))
	amount, _ := got[2].(pgtype.Numeric).Value()
	got[2] = amount
	want := []any{int32(1), "a b", "2.50", []any{int64(7), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}, []any{int32(1), nil}, nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("typed record: got %#v, want %#v", got, want)
	}
	// 705 is unknown, an untyped literal's type inside a row.
	if oid := binary.BigEndian.Uint32(enc.binary(nil, 0)[len(enc.binary(nil, 0))-8:]); oid != sqltypes.OIDUnknown {
		t.Errorf("last field's OID %d, want 705", oid)
	}
	if got := decode(enc.binary(nil, 1)); !reflect.DeepEqual(got, []any{"x", nil, nil, nil, nil, nil}) {
		t.Errorf("a field that is no int4: got %#v", got)
	}
	for _, tc := range []struct {
		fields int
		want   []byte
	}{{0, []byte{0, 0, 0, 0}}, {1, []byte{0, 0, 0, 1, 0, 0, 0, 23, 0xff, 0xff, 0xff, 0xff}}} {
		fields := make([]sqltypes.Type, tc.fields)
		for i := range fields {
			fields[i] = sqltypes.TypeInt4
		}
		row := sqltypes.RecordOf(fields, 0).Row
		if got := appendRecordBinary(nil, "()", row, encEnv{}); !bytes.Equal(got, tc.want) {
			t.Errorf("() of %d fields: % x, want % x", tc.fields, got, tc.want)
		}
	}
}
