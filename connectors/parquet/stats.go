package parquet

import (
	"math"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// colInfo is what the table knows about one top-level Arrow field.
type colInfo struct {
	name    string
	typ     sqltypes.Type
	typeOK  bool // typ is valid (sqltypes.FromArrow succeeded)
	flat    bool // the field is one Parquet leaf (not nested): statistics apply
	minMax  bool // min/max statistics of this Arrow type can be decoded
	tsExact bool // for timestamps: unit is microseconds, so bounds are exact
}

// minMaxSupported reports whether min/max statistics of a column of Arrow
// type dt can be turned into datums.
func minMaxSupported(dt arrow.DataType) (ok, exact bool) {
	switch d := dt.(type) {
	case *arrow.BooleanType, *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Float32Type, *arrow.Float64Type,
		*arrow.Date32Type, *arrow.Decimal128Type, *arrow.StringType, *arrow.LargeStringType,
		*arrow.BinaryType, *arrow.LargeBinaryType:
		return true, true
	case *arrow.TimestampType:
		return true, d.Unit == arrow.Microsecond
	case *arrow.DictionaryType:
		return minMaxSupported(d.ValueType)
	}
	return false, false
}

// columnRange turns one column chunk's statistics (st may be nil) into a
// ColumnRange over rows rows. Unknown parts stay unknown: min/max nil,
// null count -1 (0 for a column that cannot hold nulls).
func columnRange(c *colInfo, dt arrow.DataType, nullable bool, st metadata.TypedStatistics, rows int64) connectors.ColumnRange {
	r := connectors.ColumnRange{Type: c.typ, NullCount: -1, Rows: rows}
	if !nullable {
		r.NullCount = 0
	}
	if st == nil {
		return r
	}
	if st.HasNullCount() {
		r.NullCount = st.NullCount()
	}
	if c.minMax && st.HasMinMax() {
		r.Min, r.Max = decodeMinMax(c.typ, dt, st)
		if r.Min == nil || r.Max == nil {
			r.Min, r.Max = nil, nil
		}
	}
	return r
}

// decodeMinMax returns the statistics' bounds as datums of t, or nils
// when the physical statistics do not fit the Arrow type.
func decodeMinMax(t sqltypes.Type, dt arrow.DataType, st metadata.TypedStatistics) (lo, hi any) {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch s := st.(type) {
	case *metadata.BooleanStatistics:
		if dt.ID() == arrow.BOOL {
			return s.Min(), s.Max()
		}
	case *metadata.Int32Statistics:
		return int32Datum(dt, s.Min()), int32Datum(dt, s.Max())
	case *metadata.Int64Statistics:
		switch d := dt.(type) {
		case *arrow.Int64Type:
			return s.Min(), s.Max()
		case *arrow.Decimal128Type:
			return decimal128.FromI64(s.Min()), decimal128.FromI64(s.Max())
		case *arrow.TimestampType:
			return timestampBounds(d.Unit, s.Min(), s.Max())
		}
	case *metadata.Float32Statistics:
		if dt.ID() == arrow.FLOAT32 && !isNaN32(s.Min()) && !isNaN32(s.Max()) {
			return s.Min(), s.Max()
		}
	case *metadata.Float64Statistics:
		if dt.ID() == arrow.FLOAT64 && !math.IsNaN(s.Min()) && !math.IsNaN(s.Max()) {
			return s.Min(), s.Max()
		}
	case *metadata.ByteArrayStatistics:
		return bytesDatum(t, dt, s.Min()), bytesDatum(t, dt, s.Max())
	case *metadata.FixedLenByteArrayStatistics:
		if dt.ID() == arrow.DECIMAL128 {
			return decimalFromBigEndian(s.Min()), decimalFromBigEndian(s.Max())
		}
	}
	return nil, nil
}

func isNaN32(f float32) bool { return f != f }

func int32Datum(dt arrow.DataType, v int32) any {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16:
		return int16(v)
	case arrow.INT32:
		return v
	case arrow.UINT8:
		return int16(uint32(v))
	case arrow.UINT16:
		return int32(uint32(v))
	case arrow.UINT32:
		return int64(uint32(v))
	case arrow.DATE32:
		return arrow.Date32(v)
	case arrow.DECIMAL128:
		return decimal128.FromI64(int64(v))
	}
	return nil
}

func bytesDatum(t sqltypes.Type, dt arrow.DataType, b []byte) any {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		if t.IsString() {
			return string(b)
		}
	case arrow.BINARY, arrow.LARGE_BINARY:
		return append([]byte{}, b...)
	case arrow.DECIMAL128:
		return decimalFromBigEndian(b)
	}
	return nil
}

// decimalFromBigEndian decodes a big-endian two's-complement unscaled
// value, as Parquet stores decimals in byte arrays; nil if it does not fit
// 128 bits.
func decimalFromBigEndian(b []byte) any {
	if len(b) == 0 || len(b) > 16 {
		return nil
	}
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return decimal128.FromBigInt(v)
}

// timestampBounds converts bounds in unit to microseconds, widening them
// (floor for the minimum, ceiling for the maximum) so that they still
// bound every value after the planner's cast to timestamp(us).
func timestampBounds(unit arrow.TimeUnit, lo, hi int64) (any, any) {
	switch unit {
	case arrow.Microsecond:
		return arrow.Timestamp(lo), arrow.Timestamp(hi)
	case arrow.Nanosecond:
		return arrow.Timestamp(floorDiv(lo, 1000)), arrow.Timestamp(-floorDiv(-hi, 1000))
	case arrow.Millisecond, arrow.Second:
		m := int64(1000)
		if unit == arrow.Second {
			m = 1_000_000
		}
		if lo < math.MinInt64/m || hi > math.MaxInt64/m {
			return nil, nil
		}
		return arrow.Timestamp(lo * m), arrow.Timestamp(hi * m)
	}
	return nil, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// statsAcc aggregates row-group ranges into table-wide column statistics.
type statsAcc struct {
	lo, hi   any
	boundsOK bool  // every row group holding values had bounds
	nulls    int64 // -1 once some row group's null count is unknown
}

func newStatsAcc() statsAcc { return statsAcc{boundsOK: true} }

func (a *statsAcc) add(r connectors.ColumnRange) {
	if a.nulls >= 0 {
		if r.NullCount < 0 {
			a.nulls = -1
		} else {
			a.nulls += r.NullCount
		}
	}
	if r.NullCount >= 0 && r.Rows >= 0 && r.NullCount >= r.Rows {
		return // no values, nothing to bound
	}
	if !a.boundsOK {
		return
	}
	if r.Min == nil || r.Max == nil {
		a.boundsOK, a.lo, a.hi = false, nil, nil
		return
	}
	if a.lo == nil {
		a.lo, a.hi = r.Min, r.Max
		return
	}
	c1, ok1 := connectors.CompareDatums(r.Type, r.Min, r.Type, a.lo)
	c2, ok2 := connectors.CompareDatums(r.Type, r.Max, r.Type, a.hi)
	if !ok1 || !ok2 {
		a.boundsOK, a.lo, a.hi = false, nil, nil
		return
	}
	if c1 < 0 {
		a.lo = r.Min
	}
	if c2 > 0 {
		a.hi = r.Max
	}
}

// result returns the aggregated statistics; bounds only when exact is
// true (the column's statistics are its values, not widened bounds).
func (a *statsAcc) result(exact bool) connectors.ColumnStats {
	cs := connectors.ColumnStats{NullCount: a.nulls, Distinct: -1}
	if exact && a.boundsOK {
		cs.Min, cs.Max = a.lo, a.hi
	}
	return cs
}
