package pgwire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	wire "github.com/jeroenrinzema/psql-wire"

	"github.com/meshql/meshql/sqltypes"
)

// decodeParams turns Bind values into datums of the statement's parameter
// types (targets). oids is the ParameterDescription the client saw: a
// binary value is in the wire format of oids[i], which may differ from the
// target (a client-declared int4 for an int8 parameter); it is decoded as
// that type and converted through its text form. Text values are parsed as
// the target directly. Unknown targets receive strings. Errors are
// *sqltypes.Error: 08P01 for a wrong parameter count, 22P03 for malformed
// binary values, the input functions' codes (22P02, 22003, 22007, 22008)
// for bad text.
func decodeParams(params []wire.Parameter, oids []uint32, targets []sqltypes.Type, in sqltypes.InputContext) ([]sqltypes.Datum, error) {
	if len(params) != len(oids) {
		return nil, sqltypes.New(CodeProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(oids))
	}
	out := make([]sqltypes.Datum, len(targets))
	for i, target := range targets {
		raw := params[i].Value()
		if raw == nil {
			continue
		}
		if v, ok := ownScaleNumeric(raw, params[i].Format(), oids[i], target); ok {
			out[i] = v
			continue
		}
		var err error
		if params[i].Format() == wire.BinaryFormat {
			out[i], err = decodeBinaryParam(raw, oids[i], target, in, i+1)
		} else {
			out[i], err = parseText(string(raw), target, in)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ownScaleNumeric decodes a numeric value for a parameter of numeric type
// without a modifier into a sqltypes.Decimal that keeps the value's own
// scale, as PostgreSQL does. ok is false when the value is not a plain
// numeric (other OIDs, bad input, out of range): the ordinary decoding then
// applies and reports any error.
func ownScaleNumeric(raw []byte, format wire.FormatCode, oid uint32, target sqltypes.Type) (sqltypes.Decimal, bool) {
	if target.Kind != sqltypes.Numeric || target.Precision != 0 {
		return sqltypes.Decimal{}, false
	}
	s := string(raw)
	if format == wire.BinaryFormat {
		if oid != sqltypes.OIDNumeric {
			return sqltypes.Decimal{}, false
		}
		var err error
		if s, err = sqltypes.NumericBinaryText(raw); err != nil {
			return sqltypes.Decimal{}, false
		}
	}
	scale, ok := numericTextScale(s)
	if !ok || scale > sqltypes.MaxNumericPrecision {
		return sqltypes.Decimal{}, false
	}
	n, err := sqltypes.ParseDecimal(s, 0, scale)
	if err != nil {
		return sqltypes.Decimal{}, false
	}
	return sqltypes.Decimal{Num: n, Scale: scale}, true
}

// numericTextScale is the display scale numeric_in gives s: its fraction
// digits less its exponent, at least 0.
func numericTextScale(s string) (int32, bool) {
	s = strings.TrimSpace(s)
	if !plainNumber(s) {
		return 0, false
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	scale := 0
	if _, frac, ok := strings.Cut(mant, "."); ok {
		scale = len(frac)
	}
	if hasExp {
		e, err := strconv.Atoi(exp)
		if err != nil || e > 1000 || e < -1000 {
			return 0, false
		}
		scale -= e
	}
	return int32(max(scale, 0)), true
}

func decodeBinaryParam(raw []byte, oid uint32, target sqltypes.Type, in sqltypes.InputContext, n int) (sqltypes.Datum, error) {
	src, ok := sqltypes.FromOID(oid)
	if !ok {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "binary format is not supported for parameter $%d of type OID %d", n, oid)
	}
	if src.Kind == sqltypes.Unknown {
		src = target
	}
	if src.Kind == sqltypes.List && target.Kind == sqltypes.List && src.Elem != nil && target.Elem != nil && src.Elem.Kind == target.Elem.Kind {
		v, err := decodeBinaryArray(raw, target, in)
		if sqltypes.Code(err) == sqltypes.CodeFeatureNotSupported {
			return nil, err
		}
		if err != nil {
			return nil, sqltypes.New(sqltypes.CodeInvalidBinaryRepr, "incorrect binary data format in bind parameter %d", n).WithDetail("%s", err.Error())
		}
		return v, nil
	}
	v, text, err := decodeBinary(raw, src)
	var se *sqltypes.Error
	if errors.As(err, &se) && se.Code != sqltypes.CodeInternal {
		// The type's receive function's own error (inet_recv's 22P03,
		// range_recv's 22000), as PostgreSQL reports it.
		return nil, err
	}
	if err != nil {
		return nil, sqltypes.New(sqltypes.CodeInvalidBinaryRepr, "incorrect binary data format in bind parameter %d", n).WithDetail("%s", err.Error())
	}
	if text == "" && src.Kind != sqltypes.Numeric && sameKind(src, target) {
		return v, nil
	}
	if target.Kind == sqltypes.Unknown {
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	if text == "" {
		text = sqltypes.FormatValue(src, v)
	}
	return parseText(text, target, in)
}

func sameKind(a, b sqltypes.Type) bool {
	if a.Kind == sqltypes.List || b.Kind == sqltypes.List {
		return false
	}
	str := func(t sqltypes.Type) bool {
		return t.IsString() || t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.JSON
	}
	return a.Kind == b.Kind || str(a) && (str(b) || b.Kind == sqltypes.Unknown)
}

type binaryFormatError string

func (e binaryFormatError) Error() string { return string(e) }

// decodeBinary decodes a value in t's send format. Numerics come back as
// exact decimal text (their scale is the target's business).
func decodeBinary(raw []byte, t sqltypes.Type) (v sqltypes.Datum, text string, err error) {
	need := func(n int) error {
		if len(raw) != n {
			return binaryFormatError("expected " + strconv.Itoa(n) + " bytes, got " + strconv.Itoa(len(raw)))
		}
		return nil
	}
	switch t.Kind {
	case sqltypes.Bool:
		if err := need(1); err != nil {
			return nil, "", err
		}
		return raw[0] != 0, "", nil
	case sqltypes.Int2:
		if err := need(2); err != nil {
			return nil, "", err
		}
		return int16(binary.BigEndian.Uint16(raw)), "", nil
	case sqltypes.Int4:
		if err := need(4); err != nil {
			return nil, "", err
		}
		return int32(binary.BigEndian.Uint32(raw)), "", nil
	case sqltypes.Int8:
		if err := need(8); err != nil {
			return nil, "", err
		}
		return int64(binary.BigEndian.Uint64(raw)), "", nil
	case sqltypes.Oid, sqltypes.RegClass, sqltypes.RegType, sqltypes.RegProc, sqltypes.RegProcedure, sqltypes.RegNamespace, sqltypes.RegRole:
		if err := need(4); err != nil {
			return nil, "", err
		}
		return binary.BigEndian.Uint32(raw), "", nil
	case sqltypes.Float4:
		if err := need(4); err != nil {
			return nil, "", err
		}
		return math.Float32frombits(binary.BigEndian.Uint32(raw)), "", nil
	case sqltypes.Float8:
		if err := need(8); err != nil {
			return nil, "", err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(raw)), "", nil
	case sqltypes.Numeric:
		s, err := sqltypes.NumericBinaryText(raw)
		return nil, s, err
	case sqltypes.Text, sqltypes.Varchar, sqltypes.JSON, sqltypes.Unknown:
		return string(raw), "", nil
	case sqltypes.Bpchar:
		return sqltypes.PadChars(string(raw), int(t.Precision)), "", nil
	case sqltypes.Name:
		// namerecv refuses a name that does not fit; namein cuts it.
		if len(raw) >= sqltypes.NameDataLen {
			return nil, "", sqltypes.NameTooLong()
		}
		return string(raw), "", nil
	case sqltypes.Char:
		if err := need(1); err != nil {
			return nil, "", err
		}
		v, err := sqltypes.CharOfByte(int64(raw[0]))
		return v, "", err
	case sqltypes.JSONB, sqltypes.JSONPath:
		// a version byte, then the text, which the target's input parses
		if len(raw) < 2 || raw[0] != 1 {
			return nil, "", binaryFormatError("unsupported " + t.String() + " version number or empty value")
		}
		return nil, string(raw[1:]), nil
	case sqltypes.Int4Range, sqltypes.Int8Range, sqltypes.NumRange, sqltypes.DateRange, sqltypes.TsRange, sqltypes.TstzRange:
		r, err := sqltypes.DecodeRangeBinary(raw, t)
		if err != nil {
			return nil, "", err
		}
		return sqltypes.FormatRange(t, r), "", nil
	case sqltypes.Bytea:
		return append([]byte{}, raw...), "", nil
	case sqltypes.Inet, sqltypes.Cidr:
		ip, err := sqltypes.ParseInetRecv(raw, t.Kind == sqltypes.Cidr)
		if err != nil {
			return nil, "", err
		}
		return sqltypes.EncodeInet(ip), "", nil
	case sqltypes.Macaddr:
		if err := need(6); err != nil {
			return nil, "", err
		}
		return append([]byte{}, raw...), "", nil
	case sqltypes.UUID:
		if err := need(16); err != nil {
			return nil, "", err
		}
		return [16]byte(raw), "", nil
	case sqltypes.Date:
		if err := need(4); err != nil {
			return nil, "", err
		}
		d, err := sqltypes.DateFromPG(int32(binary.BigEndian.Uint32(raw)))
		if err != nil {
			return nil, "", err
		}
		return d, "", nil
	case sqltypes.Timestamp, sqltypes.TimestampTZ:
		if err := need(8); err != nil {
			return nil, "", err
		}
		ts, err := sqltypes.TimestampFromPG(int64(binary.BigEndian.Uint64(raw)))
		if err != nil {
			return nil, "", err
		}
		return ts, "", nil
	case sqltypes.Time:
		if err := need(8); err != nil {
			return nil, "", err
		}
		us := int64(binary.BigEndian.Uint64(raw))
		if us < 0 || us > sqltypes.MicrosPerDay {
			return nil, "", binaryFormatError("time out of range")
		}
		return arrow.Time64(us), "", nil
	case sqltypes.Interval:
		if err := need(16); err != nil {
			return nil, "", err
		}
		return arrow.MonthDayNanoInterval{
			Nanoseconds: int64(binary.BigEndian.Uint64(raw)) * 1000,
			Days:        int32(binary.BigEndian.Uint32(raw[8:])),
			Months:      int32(binary.BigEndian.Uint32(raw[12:])),
		}, "", nil
	}
	return nil, "", binaryFormatError("binary format of " + t.String() + " parameters is not supported")
}

// checkUTF8 is PostgreSQL's check of a text parameter (at Bind) against
// the client encoding (UTF8, which is also the server's): a NUL byte or an invalid
// sequence is 22021, naming the bytes of the character as PostgreSQL
// does (as many as the lead byte announces).
func checkUTF8(b []byte) error {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != 0 && (r != utf8.RuneError || size > 1) {
			i += size
			continue
		}
		n := 1
		switch c := b[i]; {
		case c&0xe0 == 0xc0:
			n = 2
		case c&0xf0 == 0xe0:
			n = 3
		case c&0xf8 == 0xf0:
			n = 4
		}
		var hex []string
		for _, c := range b[i:min(i+n, len(b))] {
			hex = append(hex, fmt.Sprintf("0x%02x", c))
		}
		return sqltypes.New(sqltypes.CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", strings.Join(hex, " "))
	}
	return nil
}
