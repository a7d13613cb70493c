package sqltypes

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// Binary input of ranges (range_recv's format, which the wire's
// parameters and the postgres connector's scans read): a flags byte, then
// each finite bound as a 4-byte length and the subtype's send format.
// The writer is the wire's (it owns numeric_send).

// range_send's flags (rangetypes.h).
const (
	RangeFlagEmpty = 0x01
	RangeFlagLBInc = 0x02
	RangeFlagUBInc = 0x04
	RangeFlagLBInf = 0x08
	RangeFlagUBInf = 0x10
)

// DecodeRangeBinary reads range_recv's format as a value of the range
// type t, canonicalized as range_recv does.
func DecodeRangeBinary(raw []byte, t Type) (Range, error) {
	if len(raw) < 1 {
		return Range{}, New(CodeInvalidBinaryRepr, "range value too short")
	}
	flags := raw[0]
	raw = raw[1:]
	if flags&RangeFlagEmpty != 0 {
		if len(raw) != 0 {
			return Range{}, New(CodeInvalidBinaryRepr, "extra data after empty range")
		}
		return EmptyRange, nil
	}
	sub := RangeSubtype(t)
	bound := func() (Datum, error) {
		if len(raw) < 4 {
			return nil, New(CodeInvalidBinaryRepr, "range bound length missing")
		}
		n := int(int32(binary.BigEndian.Uint32(raw)))
		if n < 0 || len(raw)-4 < n {
			return nil, New(CodeInvalidBinaryRepr, "range bound longer than the value")
		}
		b := raw[4 : 4+n]
		raw = raw[4+n:]
		if sub.Kind == Numeric {
			s, err := NumericBinaryText(b)
			if err != nil {
				return nil, err
			}
			return ParseVarNumeric(s)
		}
		return decodeRangeElem(b, sub)
	}
	var lo, hi Datum
	var err error
	if flags&RangeFlagLBInf == 0 {
		if lo, err = bound(); err != nil {
			return Range{}, err
		}
	}
	if flags&RangeFlagUBInf == 0 {
		if hi, err = bound(); err != nil {
			return Range{}, err
		}
	}
	if len(raw) != 0 {
		return Range{}, New(CodeInvalidBinaryRepr, "extra data after range bounds")
	}
	return MakeRange(t, lo, hi, flags&RangeFlagLBInc != 0, flags&RangeFlagUBInc != 0)
}

// decodeRangeElem reads one bound in the send format of sub.
func decodeRangeElem(b []byte, sub Type) (Datum, error) {
	want := 8
	if sub.Kind == Int4 || sub.Kind == Date {
		want = 4
	}
	if len(b) != want {
		return nil, New(CodeInvalidBinaryRepr, "range bound of %d bytes, expected %d", len(b), want)
	}
	switch sub.Kind {
	case Int4:
		return int32(binary.BigEndian.Uint32(b)), nil
	case Int8:
		return int64(binary.BigEndian.Uint64(b)), nil
	case Date:
		return DateFromPG(int32(binary.BigEndian.Uint32(b)))
	}
	return TimestampFromPG(int64(binary.BigEndian.Uint64(b)))
}

// NumericBinaryText converts numeric_send's format to exact decimal text
// with dscale fraction digits.
func NumericBinaryText(raw []byte) (string, error) {
	if len(raw) < 8 {
		return "", New(CodeInvalidBinaryRepr, "numeric header too short")
	}
	ndigits := int(binary.BigEndian.Uint16(raw))
	weight := int(int16(binary.BigEndian.Uint16(raw[2:])))
	sign := binary.BigEndian.Uint16(raw[4:])
	dscale := int(binary.BigEndian.Uint16(raw[6:]))
	if len(raw) != 8+2*ndigits || dscale > 0x3fff {
		return "", New(CodeInvalidBinaryRepr, "invalid numeric length")
	}
	if weight > 10 {
		return "", New(CodeInvalidBinaryRepr, "numeric value out of range") // > 44 integer digits; decimal128 holds 38
	}
	switch sign {
	case 0x0000, 0x4000:
	case 0xC000:
		return "NaN", nil
	case 0xD000:
		return "Infinity", nil
	case 0xF000:
		return "-Infinity", nil
	default:
		return "", New(CodeInvalidBinaryRepr, "invalid numeric sign")
	}
	digit := func(i int) int {
		if i < 0 || i >= ndigits {
			return 0
		}
		return int(binary.BigEndian.Uint16(raw[8+2*i:]))
	}
	var b strings.Builder
	if sign == 0x4000 {
		b.WriteByte('-')
	}
	if weight < 0 {
		b.WriteByte('0')
	}
	for w := 0; w <= weight; w++ {
		d := digit(w)
		if d > 9999 {
			return "", New(CodeInvalidBinaryRepr, "invalid numeric digit")
		}
		s := strconv.Itoa(d)
		if w > 0 {
			s = strings.Repeat("0", 4-len(s)) + s
		}
		b.WriteString(s)
	}
	if dscale > 0 {
		b.WriteByte('.')
		frac := make([]byte, 0, dscale+4)
		for i := weight + 1; len(frac) < dscale; i++ {
			d := digit(i)
			frac = append(frac, byte('0'+d/1000), byte('0'+d/100%10), byte('0'+d/10%10), byte('0'+d%10))
		}
		b.Write(frac[:dscale])
	}
	return b.String(), nil
}
