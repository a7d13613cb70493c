package ops

import (
	"bytes"
	"cmp"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// rowCmp compares rows i and j of one column in the requested order
// (direction and NULL placement included): negative if row i sorts first.
type rowCmp func(i, j int) int

// keyTypeOK reports whether values of dt can be sorted, grouped and
// joined on (see the package doc for the list).
func keyTypeOK(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.NULL, arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL128, arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME32, arrow.TIME64,
		arrow.DURATION, arrow.INTERVAL_MONTH_DAY_NANO, arrow.FIXED_SIZE_BINARY,
		arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return true
	case arrow.LIST, arrow.LARGE_LIST:
		return keyTypeOK(dt.(arrow.ListLikeType).Elem())
	case arrow.STRUCT:
		return isVarNumeric(dt)
	}
	return false
}

// sqlKeyOK is keyTypeOK for a SQL type: json (and arrays of it) has no
// equality or ordering in PostgreSQL, though its Arrow form is text;
// nor has jsonpath.
func sqlKeyOK(t sqltypes.Type) bool {
	return !hasKind(t, sqltypes.JSON) && !hasKind(t, sqltypes.JSONPath) && !hasKind(t, sqltypes.Record) && !hasKind(t, sqltypes.Void) && keyTypeOK(t.Arrow())
}

// errRecordKey is 0A000 for record values as sort or group keys: meshql
// holds them as text, which does not order or compare as PostgreSQL's
// records do field by field. nil for other types.
func errRecordKey(t sqltypes.Type) error {
	if hasKind(t, sqltypes.Record) {
		return sqltypes.New(sqltypes.CodeFeatureNotSupported, "ordering, grouping or comparing record values is not supported").
			WithHint("Use the record's fields: t.col rather than t, (json_each(j)).key.")
	}
	return nil
}

// hasKind reports whether t is of kind k or an array of it.
func hasKind(t sqltypes.Type, k sqltypes.Kind) bool { return t.HasKind(k) }

func errKeyType(what string, dt arrow.DataType) error {
	return errUnsupported("%s on values of Arrow type %s is not supported", what, dt)
}

// newRowCmp builds the comparator of one sort key over arr. NULLs sort
// first or last as nullsFirst says, independently of desc.
func newRowCmp(arr arrow.Array, desc, nullsFirst bool) (rowCmp, error) {
	v := validityOf(arr)
	nf := 1
	if nullsFirst {
		nf = -1
	}
	switch arr.DataType().ID() {
	case arrow.NULL:
		return func(i, j int) int { return 0 }, nil
	case arrow.INT8:
		return cmpInts(fixedVals[int8](arr), v, desc, nf), nil
	case arrow.INT16:
		return cmpInts(fixedVals[int16](arr), v, desc, nf), nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return cmpInts(fixedVals[int32](arr), v, desc, nf), nil
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION:
		return cmpInts(fixedVals[int64](arr), v, desc, nf), nil
	case arrow.UINT8:
		return cmpInts(fixedVals[uint8](arr), v, desc, nf), nil
	case arrow.UINT16:
		return cmpInts(fixedVals[uint16](arr), v, desc, nf), nil
	case arrow.UINT32:
		return cmpInts(fixedVals[uint32](arr), v, desc, nf), nil
	case arrow.UINT64:
		return cmpInts(fixedVals[uint64](arr), v, desc, nf), nil
	case arrow.FLOAT32:
		return cmpFloats(fixedVals[float32](arr), v, desc, nf), nil
	case arrow.FLOAT64:
		return cmpFloats(fixedVals[float64](arr), v, desc, nf), nil
	case arrow.DECIMAL128:
		d := fixedVals[decimal128.Num](arr)
		return wrapCmp(func(i, j int) int { return d[i].Cmp(d[j]) }, v, desc, nf), nil
	case arrow.INTERVAL_MONTH_DAY_NANO:
		d := fixedVals[arrow.MonthDayNanoInterval](arr)
		return wrapCmp(func(i, j int) int { return intervalCmp(d[i], d[j]) }, v, desc, nf), nil
	case arrow.BOOL:
		bits, off := boolBits(arr)
		return wrapCmp(func(i, j int) int {
			return cmp.Compare(bitVal(bits, off+i), bitVal(bits, off+j))
		}, v, desc, nf), nil
	case arrow.FIXED_SIZE_BINARY:
		w := arr.DataType().(*arrow.FixedSizeBinaryType).ByteWidth
		d := arr.Data()
		data := d.Buffers()[1].Bytes()[d.Offset()*w:]
		return wrapCmp(func(i, j int) int {
			return bytes.Compare(data[i*w:(i+1)*w], data[j*w:(j+1)*w])
		}, v, desc, nf), nil
	case arrow.STRING, arrow.BINARY:
		return cmpBytes(offsetsOf[int32](arr), dataBytes(arr), v, desc, nf), nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return cmpBytes(offsetsOf[int64](arr), dataBytes(arr), v, desc, nf), nil
	case arrow.LIST, arrow.LARGE_LIST, arrow.STRUCT:
		if keyTypeOK(arr.DataType()) {
			e, err := keyEncoding(arr)
			if err != nil {
				return nil, err
			}
			return cmpBytes(e.offs, e.buf, v, desc, nf), nil
		}
	}
	return nil, errKeyType("ordering", arr.DataType())
}

func bitVal(bits []byte, i int) int {
	if bits != nil && bitutil.BitIsSet(bits, i) {
		return 1
	}
	return 0
}

// nullOrder orders two rows of which at least one is NULL; nf is -1 when
// NULLs sort first and 1 when they sort last.
func nullOrder(vi, vj bool, nf int) int {
	switch {
	case vi == vj:
		return 0
	case !vi:
		return nf
	}
	return -nf
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func cmpInts[T integer](d []T, v validity, desc bool, nf int) rowCmp {
	switch {
	case v.Bits == nil && !desc:
		return func(i, j int) int { return cmp.Compare(d[i], d[j]) }
	case v.Bits == nil:
		return func(i, j int) int { return cmp.Compare(d[j], d[i]) }
	case !desc:
		return func(i, j int) int {
			if vi, vj := v.OK(i), v.OK(j); vi && vj {
				return cmp.Compare(d[i], d[j])
			} else {
				return nullOrder(vi, vj, nf)
			}
		}
	}
	return func(i, j int) int {
		if vi, vj := v.OK(i), v.OK(j); vi && vj {
			return cmp.Compare(d[j], d[i])
		} else {
			return nullOrder(vi, vj, nf)
		}
	}
}

// floatCmp orders floats as PostgreSQL does: NaN is greater than every
// other value and equal to itself; -0 equals 0.
func floatCmp[T float32 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	}
	return -1
}

func cmpFloats[T float32 | float64](d []T, v validity, desc bool, nf int) rowCmp {
	switch {
	case v.Bits == nil && !desc:
		return func(i, j int) int { return floatCmp(d[i], d[j]) }
	case v.Bits == nil:
		return func(i, j int) int { return floatCmp(d[j], d[i]) }
	}
	return wrapCmp(func(i, j int) int { return floatCmp(d[i], d[j]) }, v, desc, nf)
}

func cmpBytes[O int32 | int64](offs []O, data []byte, v validity, desc bool, nf int) rowCmp {
	c := func(i, j int) int {
		return bytes.Compare(data[offs[i]:offs[i+1]], data[offs[j]:offs[j+1]])
	}
	if v.Bits == nil && !desc {
		return c
	}
	return wrapCmp(c, v, desc, nf)
}

// wrapCmp adds NULL handling and direction to an ascending comparator of
// non-NULL values.
func wrapCmp(c rowCmp, v validity, desc bool, nf int) rowCmp {
	sign := 1
	if desc {
		sign = -1
	}
	if v.Bits == nil {
		return func(i, j int) int { return sign * c(i, j) }
	}
	return func(i, j int) int {
		if vi, vj := v.OK(i), v.OK(j); vi && vj {
			return sign * c(i, j)
		} else {
			return nullOrder(vi, vj, nf)
		}
	}
}

// intervalSpan is PostgreSQL's interval_cmp_value: the interval in
// nanoseconds with a month counted as 30 days and a day as 24 hours.
func intervalSpan(v arrow.MonthDayNanoInterval) decimal128.Num {
	days := int64(v.Months)*30 + int64(v.Days)
	return decimal128.FromI64(days).Mul(decimal128.FromI64(86400e9)).Add(decimal128.FromI64(v.Nanoseconds))
}

func intervalCmp(a, b arrow.MonthDayNanoInterval) int {
	if a == b {
		return 0
	}
	return intervalSpan(a).Cmp(intervalSpan(b))
}

// normFloat64 maps every NaN to one NaN and -0 to 0, so that equal values
// (in PostgreSQL's sense) have equal bits.
func normFloat64(f float64) uint64 {
	if f != f {
		return 0x7ff8000000000001
	}
	if f == 0 {
		return 0
	}
	return math.Float64bits(f)
}

func normFloat32(f float32) uint32 {
	if f != f {
		return 0x7fc00001
	}
	if f == 0 {
		return 0
	}
	return math.Float32bits(f)
}
