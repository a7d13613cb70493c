package pgwire

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// recordEnc sends a record, held as its composite text (record_out's,
// which is what the text format sends). Its binary form is record_send's:
// the field count, then each field's type OID, length (-1 for NULL) and
// that type's send bytes. The fields' types come from the column's type
// (sqltypes.RowType): each field's text is read back with its type's
// input function and sent as PostgreSQL sends that type. A record of
// unknown shape, or a field whose text does not read back, goes as text
// (OID 25, its bytes), which every client can decode.
type recordEnc struct {
	strEnc
	row *sqltypes.RowType
	env encEnv
}

func (e recordEnc) binary(buf []byte, i int) []byte {
	return appendRecordBinary(buf, e.a.Value(i), e.row, e.env)
}

// appendRecordBinary appends record_send's bytes of the record whose
// record_out text is text, of shape row (nil: unknown).
func appendRecordBinary(buf []byte, text string, row *sqltypes.RowType, env encEnv) []byte {
	var fields []string
	var nulls []bool
	if row == nil || len(row.Fields) > 0 {
		// `()` is ROW() or ROW(NULL): only the shape tells them apart.
		fields, nulls = splitRecordText(text)
	}
	if row != nil && len(row.Fields) != len(fields) {
		row = nil // not the shape promised: cannot happen; send text
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(fields)))
	for f, v := range fields {
		ft := sqltypes.TypeText
		if row != nil {
			ft = row.Fields[f]
		}
		if nulls[f] {
			buf = binary.BigEndian.AppendUint32(buf, fieldOID(ft))
			buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF)
			continue
		}
		at := len(buf)
		buf = binary.BigEndian.AppendUint32(buf, fieldOID(ft))
		buf = append(buf, 0, 0, 0, 0)
		var ok bool
		if buf, ok = appendFieldBinary(buf, ft, v, env); !ok {
			buf = binary.BigEndian.AppendUint32(buf[:at], sqltypes.OIDText)
			vat := len(buf)
			buf = appendRecoded(append(buf, 0, 0, 0, 0), v, env)
			binary.BigEndian.PutUint32(buf[vat:], uint32(len(buf)-vat-4))
			continue
		}
		binary.BigEndian.PutUint32(buf[at+4:], uint32(len(buf)-at-8))
	}
	return buf
}

// fieldOID is the type OID record_send writes for a field of type t: an
// untyped literal's field stays unknown (705), where a result column of
// it is reported as text.
func fieldOID(t sqltypes.Type) uint32 {
	if t.Kind == sqltypes.Unknown {
		return sqltypes.OIDUnknown
	}
	return t.OID()
}

// appendFieldBinary appends the send bytes of a record field of type t
// whose output text is s; ok is false (buf unchanged) when s does not
// read back as t. Types other than the text-like ones go through a
// one-value Arrow array and the column encoder of their type, so a field
// is sent exactly as a column of its type: this allocates per value,
// which records, rare in results and held as text, can afford.
func appendFieldBinary(buf []byte, t sqltypes.Type, s string, env encEnv) (_ []byte, ok bool) {
	switch t.Kind {
	case sqltypes.Record:
		return appendRecordBinary(buf, s, t.Row, env), true
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Bpchar, sqltypes.Name, sqltypes.JSON, sqltypes.Unknown:
		return appendRecoded(buf, s, env), true
	case sqltypes.JSONB:
		return appendRecoded(append(buf, 1), s, env), true
	case sqltypes.Char:
		return append(buf, byte(sqltypes.CharByte(s))), true
	}
	d, err := parseText(s, t, env.input())
	if err != nil {
		return buf, false
	}
	b := array.NewBuilder(memory.DefaultAllocator, t.Arrow())
	defer b.Release()
	if err := expr.AppendDatum(b, t, d); err != nil {
		return buf, false
	}
	arr := b.NewArray()
	defer arr.Release()
	enc, err := newEncoder(t, arr, env)
	if err != nil || enc.isNull(0) {
		return buf, false
	}
	return enc.binary(buf, 0), true
}

// appendRecoded appends text s in the client's encoding.
func appendRecoded(buf []byte, s string, env encEnv) []byte {
	at := len(buf)
	buf = append(buf, s...)
	if env.cs == nil {
		return buf
	}
	return env.cs.recodeTail(buf, at)
}
