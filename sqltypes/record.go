package sqltypes

// RowType is the shape of a record value: the types of its fields, in
// order, and the pg_type id of its composite type (0 for an anonymous
// record, OID 2249). A table's whole-row value has the table's row type,
// as in PostgreSQL; ROW(a, b) is anonymous.
type RowType struct {
	Fields []Type
	OID    uint32
}

// RecordOf returns the record type of a row with fields of the given
// types, of composite type oid (0: anonymous).
func RecordOf(fields []Type, oid uint32) Type {
	return Type{Kind: Record, Row: &RowType{Fields: fields, OID: oid}}
}

// CommonRecord is the type one column of records a and b has (a set
// operation's, a CASE's): a when both have one shape, else a record
// whose fields are unknown, as rows of different shapes share no field
// types. A composite type survives only where both sides have it.
func CommonRecord(a, b Type) Type {
	if sameRow(a.Row, b.Row) {
		return a
	}
	if a.Row != nil && b.Row != nil && sameFields(a.Row.Fields, b.Row.Fields) {
		return RecordOf(a.Row.Fields, 0)
	}
	return TypeRecord
}

func sameRow(a, b *RowType) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.OID == b.OID && sameFields(a.Fields, b.Fields)
}

func sameFields(a, b []Type) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) || a[i].Kind == Record && !sameRow(a[i].Row, b[i].Row) {
			return false
		}
	}
	return true
}
