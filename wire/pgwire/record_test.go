package pgwire

import (
	"reflect"
	"testing"

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
