package postgres

import (
	"encoding/binary"
	"math"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/sqltypes"
)

// decoder says how a column's binary values become Arrow values.
type decoder uint8

const (
	decRaw decoder = iota // text, varchar, bpchar, name, json and ::text casts: the bytes
	decBool
	decInt2
	decInt4
	decInt8
	decOID // uint32 → int8
	decFloat4
	decFloat8
	decNumeric
	decBytea
	decDate
	decTimestamp // timestamp and timestamptz: int64 µs since 2000-01-01
	decTime      // time: int64 µs since midnight
	decInterval
	decUUID
	decRange // range_send's format, held as the canonical text (sqltypes/range.go)
	decInet  // inet and cidr: inet_send's form into sqltypes.AppendInet's
)

const (
	oidName  = 19
	oidJSONB = 3802
)

// column is one remote column and how meshql reads it.
type column struct {
	name     string
	oid      uint32 // the type the remote SELECT delivers (25 for ::text casts)
	typ      sqltypes.Type
	dec      decoder
	cast     string // appended to the column in the SELECT list
	pushable bool   // filters on it are deparsed
}

// newColumn maps a remote column's type OID and modifier.
func newColumn(name string, oid uint32, typmod int32, numericScale int32) column {
	c := column{name: name, oid: oid, pushable: true}
	switch oid {
	case sqltypes.OIDBool:
		c.typ, c.dec = sqltypes.TypeBool, decBool
	case sqltypes.OIDInt2:
		c.typ, c.dec = sqltypes.TypeInt2, decInt2
	case sqltypes.OIDInt4:
		c.typ, c.dec = sqltypes.TypeInt4, decInt4
	case sqltypes.OIDInt8:
		c.typ, c.dec = sqltypes.TypeInt8, decInt8
	case sqltypes.OIDOid:
		c.typ, c.dec = sqltypes.TypeInt8, decOID
	case sqltypes.OIDFloat4:
		c.typ, c.dec = sqltypes.TypeFloat4, decFloat4
	case sqltypes.OIDFloat8:
		c.typ, c.dec = sqltypes.TypeFloat8, decFloat8
	case sqltypes.OIDNumeric:
		p, s := int32(sqltypes.MaxNumericPrecision), numericScale
		if typmod >= 4 {
			p, s = ((typmod-4)>>16)&0xffff, (typmod-4)&0x7ff
			if s >= 1024 { // PostgreSQL 15 allows negative scales
				s -= 2048
			}
			if s < 0 || s > p || p > sqltypes.MaxNumericPrecision {
				p, s = sqltypes.MaxNumericPrecision, max(0, min(s, sqltypes.MaxNumericPrecision))
			}
		}
		c.typ, c.dec = sqltypes.NumericType(p, s), decNumeric
	case sqltypes.OIDText, oidName:
		c.typ, c.dec = sqltypes.TypeText, decRaw
	case sqltypes.OIDVarchar:
		c.typ, c.dec = sqltypes.Type{Kind: sqltypes.Varchar}, decRaw
		if typmod >= 4 {
			c.typ.Precision = typmod - 4
		}
	case sqltypes.OIDBpchar:
		// Read as PostgreSQL's bpchar::text, without trailing blanks: the
		// value a text or varchar declaration means; a char(n)
		// declaration pads it again. Filters stay local (bpchar's
		// comparisons ignore trailing blanks, text's do not).
		c.typ, c.dec, c.pushable, c.cast, c.oid = sqltypes.TypeText, decRaw, false, "::text", sqltypes.OIDText
	case sqltypes.OIDJSON:
		c.typ, c.dec, c.pushable = sqltypes.TypeJSON, decRaw, false
	case oidJSONB:
		c.typ, c.dec, c.pushable, c.cast, c.oid = sqltypes.TypeJSONB, decRaw, false, "::text", sqltypes.OIDText
	case sqltypes.OIDBytea:
		c.typ, c.dec = sqltypes.TypeBytea, decBytea
	case sqltypes.OIDDate:
		c.typ, c.dec = sqltypes.TypeDate, decDate
	case sqltypes.OIDTimestamp:
		c.typ, c.dec = sqltypes.TypeTimestamp, decTimestamp
	case sqltypes.OIDTimestampTZ:
		c.typ, c.dec = sqltypes.TypeTimestampTZ, decTimestamp
	case sqltypes.OIDTime:
		c.typ, c.dec = sqltypes.TypeTime, decTime
	case sqltypes.OIDInterval:
		c.typ, c.dec = sqltypes.TypeInterval, decInterval
	case sqltypes.OIDUUID:
		c.typ, c.dec = sqltypes.TypeUUID, decUUID
	case sqltypes.OIDInt4Range, sqltypes.OIDInt8Range, sqltypes.OIDNumRange, sqltypes.OIDDateRange, sqltypes.OIDTsRange, sqltypes.OIDTstzRange:
		// Read in binary (text would follow the remote DateStyle and
		// TimeZone). Filters stay local: the pushdown vocabulary has no
		// range operators, and range order is not text order.
		c.typ, _ = sqltypes.FromOID(oid)
		c.dec, c.pushable = decRange, false
	case sqltypes.OIDInet:
		c.typ, c.dec = sqltypes.TypeInet, decInet
	case sqltypes.OIDCidr:
		c.typ, c.dec = sqltypes.TypeCidr, decInet
	case sqltypes.OIDMacaddr:
		c.typ, c.dec = sqltypes.TypeMacaddr, decBytea // macaddr_send: the six bytes
	default: // arrays, money, macaddr8, ...: read their text form
		c.typ, c.dec, c.pushable, c.cast, c.oid = sqltypes.TypeText, decRaw, false, "::text", sqltypes.OIDText
	}
	return c
}

func (c *column) selectExpr() string { return pgx.Identifier{c.name}.Sanitize() + c.cast }

// fixedLen is the binary length of fixed-width decoders, or 0.
func (c *column) fixedLen() int {
	switch c.dec {
	case decBool:
		return 1
	case decInt2:
		return 2
	case decInt4, decOID, decFloat4, decDate:
		return 4
	case decInt8, decFloat8, decTimestamp, decTime:
		return 8
	case decInterval, decUUID:
		return 16
	}
	return 0
}

// appendValue decodes one binary value (nil = NULL) into b, which has
// the Arrow type of c.typ. m scans numerics.
func (c *column) appendValue(b array.Builder, raw []byte, m *pgtype.Map) error {
	if raw == nil {
		b.AppendNull()
		return nil
	}
	if n := c.fixedLen(); n > 0 && len(raw) != n {
		return sqltypes.New(sqltypes.CodeFDWError, "postgres source: column %s: %d-byte value where %d bytes were expected", c.name, len(raw), n)
	}
	be := binary.BigEndian
	switch c.dec {
	case decRaw:
		b.(*array.StringBuilder).BinaryBuilder.Append(raw)
	case decBytea:
		b.(*array.BinaryBuilder).Append(raw)
	case decBool:
		b.(*array.BooleanBuilder).Append(raw[0] != 0)
	case decInt2:
		b.(*array.Int16Builder).Append(int16(be.Uint16(raw)))
	case decInt4:
		b.(*array.Int32Builder).Append(int32(be.Uint32(raw)))
	case decInt8:
		b.(*array.Int64Builder).Append(int64(be.Uint64(raw)))
	case decOID:
		b.(*array.Int64Builder).Append(int64(be.Uint32(raw)))
	case decFloat4:
		b.(*array.Float32Builder).Append(math.Float32frombits(be.Uint32(raw)))
	case decFloat8:
		b.(*array.Float64Builder).Append(math.Float64frombits(be.Uint64(raw)))
	case decDate:
		d, err := sqltypes.DateFromPG(int32(be.Uint32(raw)))
		if err != nil {
			return sqltypes.Wrap(err, sqltypes.CodeFDWError, "postgres source: column %s: %v", c.name, err)
		}
		b.(*array.Date32Builder).Append(d)
	case decTimestamp:
		us, err := sqltypes.TimestampFromPG(int64(be.Uint64(raw)))
		if err != nil {
			return sqltypes.Wrap(err, sqltypes.CodeFDWError, "postgres source: column %s: %v", c.name, err)
		}
		b.(*array.TimestampBuilder).Append(us)
	case decTime:
		b.(*array.Time64Builder).Append(arrow.Time64(be.Uint64(raw)))
	case decInterval:
		us, days, months := int64(be.Uint64(raw)), int32(be.Uint32(raw[8:])), int32(be.Uint32(raw[12:]))
		b.(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Months: months, Days: days, Nanoseconds: us * 1000})
	case decUUID:
		b.(*array.FixedSizeBinaryBuilder).Append(raw)
	case decRange:
		r, err := sqltypes.DecodeRangeBinary(raw, c.typ)
		if err != nil {
			return sqltypes.Wrap(err, sqltypes.CodeFDWError, "postgres source: column %s: %v", c.name, err)
		}
		b.(*array.StringBuilder).Append(sqltypes.FormatRange(c.typ, r))
	case decInet:
		// max(cidr) is max(inet): the value's own cidr flag is ignored,
		// as PostgreSQL's inet_recv ignores it.
		ip, err := sqltypes.ParseInetRecv(raw, false)
		if err != nil {
			return sqltypes.Wrap(err, sqltypes.CodeFDWError, "postgres source: column %s: %v", c.name, err)
		}
		b.(*array.BinaryBuilder).Append(sqltypes.EncodeInet(ip))
	case decNumeric:
		v, err := c.numeric(raw, m)
		if err != nil {
			return err
		}
		b.(*array.Decimal128Builder).Append(v)
	}
	return nil
}

var bigTen = big.NewInt(10)

// numeric rescales a binary numeric to the column's scale, rounding half
// away from zero; 22003 when it does not fit the precision.
func (c *column) numeric(raw []byte, m *pgtype.Map) (decimal128.Num, error) {
	var n pgtype.Numeric
	if err := m.Scan(pgtype.NumericOID, pgtype.BinaryFormatCode, raw, &n); err != nil {
		return decimal128.Num{}, sqltypes.Wrap(err, sqltypes.CodeFDWError, "postgres source: column %s: %v", c.name, err)
	}
	switch {
	case n.NaN:
		return sqltypes.NumericNaN, nil
	case n.InfinityModifier == pgtype.Infinity:
		return sqltypes.NumericPosInf, nil
	case n.InfinityModifier == pgtype.NegativeInfinity:
		return sqltypes.NumericNegInf, nil
	case n.Int == nil:
		return decimal128.Num{}, sqltypes.New(sqltypes.CodeFDWError, "postgres source: column %s: numeric without digits", c.name)
	}
	v := new(big.Int).Set(n.Int)
	shift := int64(n.Exp) + int64(c.typ.Scale)
	switch {
	case shift > 0:
		v.Mul(v, new(big.Int).Exp(bigTen, big.NewInt(shift), nil))
	case shift < 0:
		div := new(big.Int).Exp(bigTen, big.NewInt(-shift), nil)
		q, r := new(big.Int).QuoRem(v, div, new(big.Int))
		if r.Abs(r).Lsh(r, 1).Cmp(div) >= 0 {
			if v.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		v = q
	}
	limit := new(big.Int).Exp(bigTen, big.NewInt(int64(c.typ.Arrow().(*arrow.Decimal128Type).Precision)), nil)
	if new(big.Int).Abs(v).Cmp(limit) >= 0 {
		return decimal128.Num{}, sqltypes.New(sqltypes.CodeNumericOutOfRange, "numeric field overflow").
			WithDetail("A value of column %s does not fit %s.", c.name, c.typ)
	}
	return decimal128.FromBigInt(v), nil
}
