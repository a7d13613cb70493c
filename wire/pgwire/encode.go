package pgwire

import (
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// colEncoder writes one Arrow column in PostgreSQL's wire formats. It is
// built once per column per batch (newEncoder) and then called per row with
// no interface conversion or allocation per value. Callers check isNull
// first; text and binary must not be called for a NULL row.
type colEncoder interface {
	isNull(i int) bool
	// text appends the output function's text (what psql shows).
	text(buf []byte, i int) []byte
	// binary appends the type's send function's bytes.
	binary(buf []byte, i int) []byte
}

// encEnv is the session state that changes how values render.
type encEnv struct {
	loc   *time.Location     // TimeZone for timestamptz text; nil means UTC
	style sqltypes.DateStyle // DateStyle and IntervalStyle
	cs    *clientCharset     // client_encoding; nil: text goes as it is
}

// input is what text parameters read from the session.
func (e encEnv) input() sqltypes.InputContext {
	return sqltypes.InputContext{Loc: e.loc, Order: e.style.Order, Interval: e.style.Interval}
}

// newEncoder returns the encoder for arr, whose values have SQL type t. The
// Arrow type must belong to t's family (any integer array for int2/4/8, any
// string array for text, …); binary widths follow t, so an int64 column
// reported as int4 is sent as 4 bytes. A mismatch is an XX000 error: the
// engine promised one type and produced another.
func newEncoder(t sqltypes.Type, arr arrow.Array, env encEnv) (colEncoder, error) {
	e, err := newPlainEncoder(t, arr, env)
	if err != nil || env.cs == nil {
		return e, err
	}
	if _, dict := arr.(*array.Dictionary); dict {
		return e, nil // its values' encoder converts
	}
	switch t.Kind {
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Bpchar, sqltypes.Name, sqltypes.JSON, sqltypes.Unknown:
		return recodeEnc{e, env.cs, 0}, nil
	case sqltypes.JSONB, sqltypes.JSONPath:
		return recodeEnc{e, env.cs, 1}, nil // after the version byte
	case sqltypes.Record:
		return recodeEnc{e, env.cs, -1}, nil // its binary fields convert themselves
	}
	return e, nil
}

// recodeEnc converts the text a text-like encoder writes to the client's
// encoding, in its text form and, past binSkip bytes, in its binary form
// (binSkip -1: the binary form is left as it is).
type recodeEnc struct {
	colEncoder
	cs      *clientCharset
	binSkip int
}

func (e recodeEnc) text(buf []byte, i int) []byte {
	at := len(buf)
	return e.cs.recodeTail(e.colEncoder.text(buf, i), at)
}

func (e recodeEnc) binary(buf []byte, i int) []byte {
	at := len(buf)
	buf = e.colEncoder.binary(buf, i)
	if e.binSkip < 0 || len(buf) < at+e.binSkip {
		return buf
	}
	return e.cs.recodeTail(buf, at+e.binSkip)
}

func newPlainEncoder(t sqltypes.Type, arr arrow.Array, env encEnv) (colEncoder, error) {
	nb := nulls{arr: arr, has: arr.NullN() > 0}
	mismatch := func() (colEncoder, error) {
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: result column of type %s holds Arrow %s", t, arr.DataType()).
			WithHint("This is a bug in meshql; please report it with the query.")
	}
	switch a := arr.(type) {
	case *array.Null:
		return nullEnc{}, nil
	case *array.Dictionary:
		vals, err := newEncoder(t, a.Dictionary(), env)
		if err != nil {
			return nil, err
		}
		return &dictEnc{nulls: nb, d: a, vals: vals}, nil
	}
	switch t.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		width := int(t.Size())
		switch a := arr.(type) {
		case *array.Int8:
			return intEnc[int8]{nb, a.Values(), width}, nil
		case *array.Int16:
			return intEnc[int16]{nb, a.Values(), width}, nil
		case *array.Int32:
			return intEnc[int32]{nb, a.Values(), width}, nil
		case *array.Int64:
			return intEnc[int64]{nb, a.Values(), width}, nil
		case *array.Uint8:
			return intEnc[uint8]{nb, a.Values(), width}, nil
		case *array.Uint16:
			return intEnc[uint16]{nb, a.Values(), width}, nil
		case *array.Uint32:
			return intEnc[uint32]{nb, a.Values(), width}, nil
		}
	case sqltypes.Oid, sqltypes.RegClass, sqltypes.RegType, sqltypes.RegProc, sqltypes.RegProcedure, sqltypes.RegNamespace, sqltypes.RegRole:
		// oidout's unsigned decimal (a reg* column whose names the
		// engine does not give prints its ids); oidsend's 4 bytes.
		if a, ok := arr.(*array.Uint32); ok {
			return intEnc[uint32]{nb, a.Values(), 4}, nil
		}
	case sqltypes.Float4, sqltypes.Float8:
		bits := 64
		if t.Kind == sqltypes.Float4 {
			bits = 32
		}
		switch a := arr.(type) {
		case *array.Float32:
			return floatEnc[float32]{nb, a.Values(), bits}, nil
		case *array.Float64:
			return floatEnc[float64]{nb, a.Values(), bits}, nil
		}
	case sqltypes.Numeric:
		switch a := arr.(type) {
		case *array.Decimal128:
			return decEnc{nb, a.Values(), a.DataType().(*arrow.Decimal128Type).Scale}, nil
		case *array.Decimal64:
			return smallDecEnc[decimal.Decimal64]{nb, a.Values(), a.DataType().(*arrow.Decimal64Type).Scale}, nil
		case *array.Decimal32:
			return smallDecEnc[decimal.Decimal32]{nb, a.Values(), a.DataType().(*arrow.Decimal32Type).Scale}, nil
		case *array.Struct:
			if t.VarScale {
				return varDecEnc{nb, a}, nil
			}
		}
	case sqltypes.Bool:
		if a, ok := arr.(*array.Boolean); ok {
			return boolEnc{nb, a}, nil
		}
	case sqltypes.JSONB, sqltypes.JSONPath:
		// jsonpath's binary form is jsonb's: a version byte (1), the text.
		if a, ok := arr.(*array.String); ok {
			return jsonbEnc{strEnc{nb, a}}, nil
		}
	case sqltypes.Int4Range, sqltypes.Int8Range, sqltypes.NumRange, sqltypes.DateRange, sqltypes.TsRange, sqltypes.TstzRange:
		if a, ok := arr.(*array.String); ok {
			return newRangeEncoder(nb, t, a, env), nil
		}
	case sqltypes.Record:
		if a, ok := arr.(*array.String); ok {
			return recordEnc{strEnc{nb, a}, t.Row, env}, nil
		}
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Bpchar, sqltypes.Name, sqltypes.JSON, sqltypes.Unknown, sqltypes.Void:
		// name's binary form (namesend) is its text, as text's is; void_send
		// sends no bytes, void_out an empty string: the values are empty strings.
		switch a := arr.(type) {
		case *array.String:
			return strEnc{nb, a}, nil
		case array.StringLike:
			return strLikeEnc{nb, a}, nil
		}
	case sqltypes.Char:
		if a, ok := arr.(*array.String); ok {
			return charEnc{strEnc{nb, a}}, nil
		}
	case sqltypes.Inet, sqltypes.Cidr:
		if a, ok := arr.(*array.Binary); ok {
			return inetEnc{nb, a, t.Kind == sqltypes.Cidr}, nil
		}
	case sqltypes.Macaddr:
		if a, ok := arr.(*array.Binary); ok {
			return macaddrEnc{nb, a}, nil
		}
	case sqltypes.Bytea, sqltypes.UUID:
		a, ok := arr.(interface{ Value(int) []byte })
		if !ok {
			break
		}
		if t.Kind == sqltypes.UUID {
			if fsb, ok := arr.DataType().(*arrow.FixedSizeBinaryType); ok && fsb.ByteWidth == 16 {
				return uuidEnc{nb, a}, nil
			}
			break
		}
		return byteaEnc{nb, a}, nil
	case sqltypes.Date:
		switch a := arr.(type) {
		case *array.Date32:
			return dateEnc[arrow.Date32]{nb, a.Values(), 1, env.style}, nil
		case *array.Date64:
			return dateEnc[arrow.Date64]{nb, a.Values(), 86_400_000, env.style}, nil
		}
	case sqltypes.Timestamp, sqltypes.TimestampTZ:
		if a, ok := arr.(*array.Timestamp); ok {
			unit := a.DataType().(*arrow.TimestampType).Unit
			return tsEnc{nb, a.Values(), unit, t.Kind == sqltypes.TimestampTZ, env.loc, env.style}, nil
		}
	case sqltypes.Time:
		if a, ok := arr.(*array.Time64); ok && a.DataType().(*arrow.Time64Type).Unit == arrow.Microsecond {
			return timeEnc{nb, a.Values()}, nil
		}
	case sqltypes.Interval:
		if a, ok := arr.(*array.MonthDayNanoInterval); ok {
			return intervalEnc{nb, a.MonthDayNanoIntervalValues(), env.style.Interval}, nil
		}
	case sqltypes.List:
		if a, ok := arr.(array.ListLike); ok && t.Elem != nil {
			return newListEncoder(nb, t, a, env)
		}
	}
	return mismatch()
}

// nulls is the validity check every encoder shares.
type nulls struct {
	arr arrow.Array
	has bool
}

func (n nulls) isNull(i int) bool { return n.has && n.arr.IsNull(i) }

type nullEnc struct{}

func (nullEnc) isNull(int) bool                 { return true }
func (nullEnc) text(buf []byte, _ int) []byte   { return buf }
func (nullEnc) binary(buf []byte, _ int) []byte { return buf }

type intEnc[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32] struct {
	nulls
	v     []T
	width int
}

func (e intEnc[T]) text(buf []byte, i int) []byte { return appendInt(buf, int64(e.v[i])) }

func (e intEnc[T]) binary(buf []byte, i int) []byte {
	switch e.width {
	case 2:
		return binary.BigEndian.AppendUint16(buf, uint16(e.v[i]))
	case 4:
		return binary.BigEndian.AppendUint32(buf, uint32(e.v[i]))
	}
	return binary.BigEndian.AppendUint64(buf, uint64(e.v[i]))
}

type floatEnc[T float32 | float64] struct {
	nulls
	v    []T
	bits int
}

func (e floatEnc[T]) text(buf []byte, i int) []byte {
	return sqltypes.AppendFloat(buf, float64(e.v[i]), e.bits)
}

func (e floatEnc[T]) binary(buf []byte, i int) []byte {
	if e.bits == 32 {
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(e.v[i])))
	}
	return binary.BigEndian.AppendUint64(buf, math.Float64bits(float64(e.v[i])))
}

type decEnc struct {
	nulls
	v     []decimal.Decimal128
	scale int32
}

func (e decEnc) text(buf []byte, i int) []byte { return appendNumericText(buf, e.v[i], e.scale) }
func (e decEnc) binary(buf []byte, i int) []byte {
	return appendNumericBinary(buf, e.v[i], e.scale)
}

// varDecEnc encodes a variable-scale numeric: each value with its own
// display scale, as PostgreSQL sends it (the binary format's dscale).
type varDecEnc struct {
	nulls
	a *array.Struct
}

func (e varDecEnc) text(buf []byte, i int) []byte {
	n, s := expr.VarNumericAt(e.a, i)
	return appendNumericText(buf, n, s)
}

func (e varDecEnc) binary(buf []byte, i int) []byte {
	n, s := expr.VarNumericAt(e.a, i)
	return appendNumericBinary(buf, n, s)
}

type smallDecEnc[T decimal.Decimal32 | decimal.Decimal64] struct {
	nulls
	v     []T
	scale int32
}

func (e smallDecEnc[T]) text(buf []byte, i int) []byte {
	return appendNumericText(buf, decimal128.FromI64(int64(e.v[i])), e.scale)
}

func (e smallDecEnc[T]) binary(buf []byte, i int) []byte {
	return appendNumericBinary(buf, decimal128.FromI64(int64(e.v[i])), e.scale)
}

type boolEnc struct {
	nulls
	a *array.Boolean
}

// regEnc writes a column of a reg* type (uint32 ids): its text is the
// object's name as the session sees it (regclassout, regtypeout, …), its
// binary the id as an unsigned 4-byte oid (regclasssend, …).
type regEnc struct {
	nulls
	v    []uint32
	name func(oid uint32) string
}

func (e regEnc) text(buf []byte, i int) []byte { return append(buf, e.name(e.v[i])...) }
func (e regEnc) binary(buf []byte, i int) []byte {
	return binary.BigEndian.AppendUint32(buf, e.v[i])
}

func (e boolEnc) text(buf []byte, i int) []byte {
	if e.a.Value(i) {
		return append(buf, 't')
	}
	return append(buf, 'f')
}

func (e boolEnc) binary(buf []byte, i int) []byte {
	if e.a.Value(i) {
		return append(buf, 1)
	}
	return append(buf, 0)
}

type strEnc struct {
	nulls
	a *array.String
}

func (e strEnc) text(buf []byte, i int) []byte   { return append(buf, e.a.Value(i)...) }
func (e strEnc) binary(buf []byte, i int) []byte { return append(buf, e.a.Value(i)...) }

// charEnc sends "char": charsend's one byte, 0 for the empty value.
type charEnc struct{ strEnc }

func (e charEnc) binary(buf []byte, i int) []byte {
	return append(buf, byte(sqltypes.CharByte(e.a.Value(i))))
}

// jsonbEnc sends jsonb: its binary form is a version byte (1) and the text.
type jsonbEnc struct{ strEnc }

func (e jsonbEnc) binary(buf []byte, i int) []byte { return e.strEnc.binary(append(buf, 1), i) }

type strLikeEnc struct {
	nulls
	a array.StringLike
}

func (e strLikeEnc) text(buf []byte, i int) []byte   { return append(buf, e.a.Value(i)...) }
func (e strLikeEnc) binary(buf []byte, i int) []byte { return append(buf, e.a.Value(i)...) }

type byteaEnc struct {
	nulls
	a interface{ Value(int) []byte }
}

func (e byteaEnc) text(buf []byte, i int) []byte   { return appendByteaText(buf, e.a.Value(i)) }
func (e byteaEnc) binary(buf []byte, i int) []byte { return append(buf, e.a.Value(i)...) }

type uuidEnc struct {
	nulls
	a interface{ Value(int) []byte }
}

func (e uuidEnc) text(buf []byte, i int) []byte   { return appendUUIDText(buf, e.a.Value(i)) }
func (e uuidEnc) binary(buf []byte, i int) []byte { return append(buf, e.a.Value(i)...) }

// inetEnc writes inet and cidr from their internal form
// (sqltypes.AppendInet): the output function's text, and inet_send's
// bytes, whose cidr flag follows the column's type as in PostgreSQL.
type inetEnc struct {
	nulls
	a    *array.Binary
	cidr bool
}

func (e inetEnc) addr(i int) sqltypes.NetAddr {
	ip, _ := sqltypes.DecodeInet(e.a.Value(i)) // meshql builds only valid values
	return ip
}

func (e inetEnc) text(buf []byte, i int) []byte {
	return sqltypes.AppendInetText(buf, e.addr(i), e.cidr)
}

func (e inetEnc) binary(buf []byte, i int) []byte {
	return sqltypes.AppendInetSend(buf, e.addr(i), e.cidr)
}

// macaddrEnc writes macaddr: macaddr_out's text, macaddr_send's six bytes.
type macaddrEnc struct {
	nulls
	a *array.Binary
}

func (e macaddrEnc) text(buf []byte, i int) []byte {
	return sqltypes.AppendMacaddr(buf, e.a.Value(i))
}

func (e macaddrEnc) binary(buf []byte, i int) []byte { return append(buf, e.a.Value(i)...) }

// dateEnc covers date32 (days, per=1) and date64 (ms, per=86.4M).
type dateEnc[T arrow.Date32 | arrow.Date64] struct {
	nulls
	v     []T
	per   int64
	style sqltypes.DateStyle
}

func (e dateEnc[T]) days(i int) int64 {
	if e.per == 1 {
		return int64(e.v[i])
	}
	return floorDiv(int64(e.v[i]), e.per)
}

func (e dateEnc[T]) text(buf []byte, i int) []byte {
	return sqltypes.AppendDateStyle(buf, e.days(i), e.style)
}
func (e dateEnc[T]) binary(buf []byte, i int) []byte {
	return binary.BigEndian.AppendUint32(buf, uint32(sqltypes.DateToPG(e.days(i))))
}

type tsEnc struct {
	nulls
	v      []arrow.Timestamp
	unit   arrow.TimeUnit
	withTZ bool
	loc    *time.Location
	style  sqltypes.DateStyle
}

func (e tsEnc) micros(i int) int64 {
	v := int64(e.v[i])
	switch e.unit {
	case arrow.Second:
		return v * 1_000_000
	case arrow.Millisecond:
		return v * 1_000
	case arrow.Nanosecond:
		return floorDiv(v, 1_000)
	}
	return v
}

func (e tsEnc) text(buf []byte, i int) []byte {
	return sqltypes.AppendTimestampStyle(buf, e.micros(i), e.loc, e.withTZ, e.style)
}

func (e tsEnc) binary(buf []byte, i int) []byte {
	return binary.BigEndian.AppendUint64(buf, uint64(sqltypes.TimestampToPG(e.micros(i))))
}

type timeEnc struct {
	nulls
	v []arrow.Time64
}

func (e timeEnc) text(buf []byte, i int) []byte { return sqltypes.AppendTime(buf, int64(e.v[i])) }

func (e timeEnc) binary(buf []byte, i int) []byte {
	return binary.BigEndian.AppendUint64(buf, uint64(e.v[i]))
}

type intervalEnc struct {
	nulls
	v     []arrow.MonthDayNanoInterval
	style sqltypes.IntervalStyle
}

func (e intervalEnc) text(buf []byte, i int) []byte {
	return sqltypes.AppendInterval(buf, e.v[i], e.style)
}

func (e intervalEnc) binary(buf []byte, i int) []byte {
	iv := e.v[i]
	buf = binary.BigEndian.AppendUint64(buf, uint64(iv.Nanoseconds/1000))
	buf = binary.BigEndian.AppendUint32(buf, uint32(iv.Days))
	return binary.BigEndian.AppendUint32(buf, uint32(iv.Months))
}

// dictEnc decodes a dictionary-encoded column through its values' encoder;
// a row is NULL if its index or its dictionary value is.
type dictEnc struct {
	nulls
	d    *array.Dictionary
	vals colEncoder
}

func (e *dictEnc) isNull(i int) bool {
	return e.nulls.isNull(i) || e.vals.isNull(e.d.GetValueIndex(i))
}
func (e *dictEnc) text(buf []byte, i int) []byte { return e.vals.text(buf, e.d.GetValueIndex(i)) }
func (e *dictEnc) binary(buf []byte, i int) []byte {
	return e.vals.binary(buf, e.d.GetValueIndex(i))
}

func appendInt(buf []byte, v int64) []byte {
	if v >= 0 && v < 10 {
		return append(buf, byte('0'+v))
	}
	var tmp [20]byte
	n := len(tmp)
	u := uint64(v)
	if v < 0 {
		u = -u
	}
	for u > 0 {
		n--
		tmp[n] = byte('0' + u%10)
		u /= 10
	}
	if v < 0 {
		buf = append(buf, '-')
	}
	return append(buf, tmp[n:]...)
}

// splitRecordText splits `(a,"b ""c""",)` into its fields; an empty
// unquoted field is NULL.
func splitRecordText(s string) (fields []string, nulls []bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	var cur []byte
	quoted, inQuotes := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuotes && (c == '"' || c == '\\') && i+1 < len(s) && s[i+1] == c:
			cur = append(cur, c)
			i++
		case c == '"':
			inQuotes, quoted = !inQuotes, true
		case c == ',' && !inQuotes:
			fields, nulls = append(fields, string(cur)), append(nulls, !quoted && len(cur) == 0)
			cur, quoted = cur[:0], false
		default:
			cur = append(cur, c)
		}
	}
	return append(fields, string(cur)), append(nulls, !quoted && len(cur) == 0)
}
