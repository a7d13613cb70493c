package sqltypes

import "testing"

// TestCommonRecord: one column of records keeps their shape only when
// every side has it, so no row is sent with another row's field types.
func TestCommonRecord(t *testing.T) {
	ints := RecordOf([]Type{TypeInt4, TypeText}, 0)
	table := RecordOf([]Type{TypeInt4, TypeText}, 4711)
	nested := func(inner Type) Type { return RecordOf([]Type{TypeInt4, inner}, 0) }
	for _, tc := range []struct {
		name     string
		a, b     Type
		fields   []Type // nil: unknown shape
		oid      uint32
		unshaped bool
	}{
		{name: "same shape", a: ints, b: RecordOf([]Type{TypeInt4, TypeText}, 0), fields: ints.Row.Fields, oid: OIDRecord},
		{name: "same table", a: table, b: table, fields: table.Row.Fields, oid: 4711},
		{name: "table and anonymous", a: table, b: ints, fields: ints.Row.Fields, oid: OIDRecord},
		{name: "other field type", a: ints, b: RecordOf([]Type{TypeInt8, TypeText}, 0), unshaped: true, oid: OIDRecord},
		{name: "other field count", a: ints, b: RecordOf([]Type{TypeInt4}, 0), unshaped: true, oid: OIDRecord},
		{name: "unknown shape", a: ints, b: TypeRecord, unshaped: true, oid: OIDRecord},
		{name: "nested shapes differ", a: nested(ints), b: nested(RecordOf([]Type{TypeText}, 0)), unshaped: true, oid: OIDRecord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CommonRecord(tc.a, tc.b)
			if got.OID() != tc.oid {
				t.Errorf("OID %d, want %d", got.OID(), tc.oid)
			}
			if tc.unshaped != (got.Row == nil) {
				t.Fatalf("shape %+v", got.Row)
			}
			if !tc.unshaped && !sameFields(got.Row.Fields, tc.fields) {
				t.Errorf("fields %v, want %v", got.Row.Fields, tc.fields)
			}
		})
	}
}
