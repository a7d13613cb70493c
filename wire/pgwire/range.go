package pgwire

import (
	"encoding/binary"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// Range values on the wire. Text is the canonical text the engine holds,
// re-rendered when the session shows dates or time zones differently
// than it is held (DateStyle, TimeZone). Binary is PostgreSQL's
// range_send: a flags byte, then each finite bound as a 4-byte length
// and the subtype's send format.

type rangeEnc struct {
	strEnc
	t       sqltypes.Type
	loc     *time.Location
	style   sqltypes.DateStyle
	restyle bool // held text differs from what the session shows
}

func newRangeEncoder(nb nulls, t sqltypes.Type, a *array.String, env encEnv) rangeEnc {
	return rangeEnc{strEnc: strEnc{nb, a}, t: t, loc: env.loc, style: env.style, restyle: sqltypes.RangeShowsSession(t, env.loc, env.style)}
}

func (e rangeEnc) text(buf []byte, i int) []byte {
	if !e.restyle {
		return e.strEnc.text(buf, i)
	}
	r, err := sqltypes.ReadRange(e.t, e.a.Value(i))
	if err != nil {
		return e.strEnc.text(buf, i) // not text meshql wrote: cannot happen
	}
	return sqltypes.AppendRangeStyle(buf, e.t, r, e.loc, e.style)
}

func (e rangeEnc) binary(buf []byte, i int) []byte {
	r, err := sqltypes.ReadRange(e.t, e.a.Value(i))
	if err != nil {
		return append(buf, sqltypes.RangeFlagEmpty)
	}
	return appendRangeBinary(buf, r)
}

// appendRangeBinary appends range_send's bytes of r.
func appendRangeBinary(buf []byte, r sqltypes.Range) []byte {
	if r.Empty {
		return append(buf, sqltypes.RangeFlagEmpty)
	}
	var flags byte
	if r.LowerInc {
		flags |= sqltypes.RangeFlagLBInc
	}
	if r.UpperInc {
		flags |= sqltypes.RangeFlagUBInc
	}
	if r.Lower == nil {
		flags |= sqltypes.RangeFlagLBInf
	}
	if r.Upper == nil {
		flags |= sqltypes.RangeFlagUBInf
	}
	buf = append(buf, flags)
	for _, v := range []sqltypes.Datum{r.Lower, r.Upper} {
		if v == nil {
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		buf = appendRangeElemBinary(buf, v)
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf
}

func appendRangeElemBinary(buf []byte, v sqltypes.Datum) []byte {
	switch x := v.(type) {
	case int32:
		return binary.BigEndian.AppendUint32(buf, uint32(x))
	case int64:
		return binary.BigEndian.AppendUint64(buf, uint64(x))
	case sqltypes.Decimal:
		return appendNumericBinary(buf, x.Num, x.Scale)
	case arrow.Date32:
		return binary.BigEndian.AppendUint32(buf, uint32(sqltypes.DateToPG(int64(x))))
	case arrow.Timestamp:
		return binary.BigEndian.AppendUint64(buf, uint64(sqltypes.TimestampToPG(int64(x))))
	}
	return buf
}
