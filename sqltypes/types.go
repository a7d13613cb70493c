package sqltypes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is a SQL type family. Its zero value, Unknown, is the type of an
// untyped NULL or of a string literal whose type is decided by context, as
// in PostgreSQL.
type Kind uint8

const (
	Unknown Kind = iota
	Bool
	Int2
	Int4
	Int8
	Float4
	Float8
	Numeric
	Text
	Varchar
	Bytea
	Date
	Timestamp
	TimestampTZ
	Interval
	UUID
	JSON
	List
	// JSONB is json normalized on input (see NormalizeJSONB): it has
	// equality, containment and existence; json keeps its text.
	JSONB
	// Time is time of day without time zone, in microseconds since
	// midnight (24:00:00 included, as in PostgreSQL).
	Time
	// Bpchar is character(n), blank-padded: values are stored padded to
	// Precision characters (0: bpchar without a length keeps its value as
	// given). It is not IsString: comparisons ignore trailing blanks, and
	// text functions see the value through a cast to text, which strips
	// them, as in PostgreSQL.
	Bpchar
	// Record is a row value, as `SELECT json_each(j)` or `ROW(a, b)`
	// returns: held as PostgreSQL's composite text output, `(key,"a
	// value")`, its fields' types in Type.Row when known. It has no
	// comparison, ordering or casts in meshql.
	Record
	// JSONPath is an SQL/JSON path, held as PostgreSQL's normalized text
	// of it (executor/jsonpath parses and prints it); it casts to and
	// from text only.
	JSONPath
	// The built-in range types, held as their canonical text (range.go).
	Int4Range
	Int8Range
	NumRange
	DateRange
	TsRange
	TstzRange
	// Inet is an IPv4 or IPv6 host address with an optional prefix
	// length; Cidr a network (no bits right of the prefix). Both are held
	// in the order-preserving binary form of AppendInet, so byte-wise
	// comparison is PostgreSQL's network order; cidr casts to inet
	// without a change of bytes.
	Inet
	Cidr
	// Macaddr is a MAC address, held as its six bytes (which order as
	// PostgreSQL's macaddr_cmp orders them).
	Macaddr
	// Char is PostgreSQL's one-byte "char" (OID 18; not character(1)),
	// held as its text: one ASCII byte, or "" for the zero byte. Bytes
	// above 127, which PostgreSQL prints as \ooo, are refused (0A000),
	// so byte-wise string order is PostgreSQL's unsigned order.
	Char
	// Oid is PostgreSQL's object identifier, an unsigned 32-bit integer
	// held as Arrow uint32 (so it orders unsigned); the reg* kinds are
	// the same ids printed as the objects' names (oid.go).
	Oid
	RegClass
	RegType
	RegProc
	RegProcedure
	RegNamespace
	RegRole
	// Name is PostgreSQL's name (OID 19), the type of identifiers in the
	// catalogs: text of at most 63 bytes (NameDataLen-1; longer input is
	// cut at a character boundary), ordered byte-wise (its collation is
	// C). It is not IsString: text functions see it through its implicit
	// cast to text, and their results are text, as in PostgreSQL.
	Name
	// Void is PostgreSQL's void pseudo-type (OID 2278), the result of
	// functions called for their effect (pg_sleep): held as an empty
	// string, which is what void_out prints. It has no operators.
	Void
)

// MaxNumericPrecision is the widest numeric meshql computes exactly: the
// precision of Arrow's decimal128.
const MaxNumericPrecision = 38

// Type is a SQL type. Numeric carries precision and scale (Precision 0 means
// "numeric" without a declared precision; its values still have Scale
// fractional digits, because a column of Arrow decimals has one scale).
// Varchar and Bpchar carry their length in Precision (0 = unlimited). List
// carries its element type.
type Type struct {
	Kind      Kind
	Precision int32
	Scale     int32
	Elem      *Type
	// VarScale marks an unconstrained numeric whose values each carry
	// their own display scale, as PostgreSQL's do (see VarNumericArrow);
	// Scale is then the nominal scale used where one fixed scale is
	// needed (Flight SQL's decimal128 column, casts to a fixed scale).
	VarScale bool
	// Row is a record's shape (Kind Record only): its fields' types and
	// its composite type, nil when unknown. Equal ignores it: a record
	// is one type, whatever its fields, as PostgreSQL's record is.
	Row *RowType
}

// Convenience values for the scalar types without modifiers.
var (
	TypeUnknown     = Type{Kind: Unknown}
	TypeBool        = Type{Kind: Bool}
	TypeInt2        = Type{Kind: Int2}
	TypeInt4        = Type{Kind: Int4}
	TypeInt8        = Type{Kind: Int8}
	TypeFloat4      = Type{Kind: Float4}
	TypeFloat8      = Type{Kind: Float8}
	TypeText        = Type{Kind: Text}
	TypeBytea       = Type{Kind: Bytea}
	TypeDate        = Type{Kind: Date}
	TypeTimestamp   = Type{Kind: Timestamp}
	TypeTimestampTZ = Type{Kind: TimestampTZ}
	TypeInterval    = Type{Kind: Interval}
	TypeUUID        = Type{Kind: UUID}
	TypeJSON        = Type{Kind: JSON}
	TypeJSONB       = Type{Kind: JSONB}
	TypeTime        = Type{Kind: Time}
	TypeRecord      = Type{Kind: Record}
	TypeJSONPath    = Type{Kind: JSONPath}
	TypeInet        = Type{Kind: Inet}
	TypeCidr        = Type{Kind: Cidr}
	TypeMacaddr     = Type{Kind: Macaddr}
	TypeChar        = Type{Kind: Char}
	TypeOid         = Type{Kind: Oid}
	TypeName        = Type{Kind: Name}
	TypeVoid        = Type{Kind: Void}
)

// BpcharType returns character(n); n == 0 is bpchar without a length.
func BpcharType(n int32) Type { return Type{Kind: Bpchar, Precision: n} }

// NumericType returns numeric(p,s); p == 0 means unconstrained precision.
func NumericType(p, s int32) Type { return Type{Kind: Numeric, Precision: p, Scale: s} }

// ListOf returns the array type with elements of t.
func ListOf(t Type) Type { e := t; return Type{Kind: List, Elem: &e} }

// NumericRank orders the numeric kinds for implicit widening (int2 <
// int4 < int8 < numeric < float4 < float8); 0 for other kinds. The binder
// and the kernels widen operands by it, so they agree on the rules.
func (k Kind) NumericRank() int {
	switch k {
	case Int2:
		return 1
	case Int4:
		return 2
	case Int8:
		return 3
	case Numeric:
		return 4
	case Float4:
		return 5
	case Float8:
		return 6
	}
	return 0
}

// IsNumeric reports whether t is an integer, float or numeric type.
func (t Type) IsNumeric() bool {
	switch t.Kind {
	case Int2, Int4, Int8, Float4, Float8, Numeric:
		return true
	}
	return false
}

// IsInteger reports whether t is int2, int4 or int8.
func (t Type) IsInteger() bool { return t.Kind == Int2 || t.Kind == Int4 || t.Kind == Int8 }

// HasKind reports whether t is of kind k or an array (of arrays) of it.
func (t Type) HasKind(k Kind) bool {
	for e := &t; e != nil; e = e.Elem {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// IsString reports whether t is text or varchar.
func (t Type) IsString() bool { return t.Kind == Text || t.Kind == Varchar }

// IsJSON reports whether t is json or jsonb.
func (t Type) IsJSON() bool { return t.Kind == JSON || t.Kind == JSONB }

// IsTemporal reports whether t is date, timestamp or timestamptz.
func (t Type) IsTemporal() bool {
	return t.Kind == Date || t.Kind == Timestamp || t.Kind == TimestampTZ
}

// Equal reports whether two types are identical, modifiers included.
func (t Type) Equal(o Type) bool {
	if t.Kind != o.Kind || t.Precision != o.Precision || t.Scale != o.Scale || t.VarScale != o.VarScale {
		return false
	}
	if t.Kind == List {
		return t.Elem.Equal(*o.Elem)
	}
	return true
}

// String returns the type as PostgreSQL's format_type prints it.
func (t Type) String() string {
	switch t.Kind {
	case Unknown:
		return "unknown"
	case Bool:
		return "boolean"
	case Int2:
		return "smallint"
	case Int4:
		return "integer"
	case Int8:
		return "bigint"
	case Float4:
		return "real"
	case Float8:
		return "double precision"
	case Numeric:
		if t.Precision > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
		}
		return "numeric"
	case Text:
		return "text"
	case Varchar:
		if t.Precision > 0 {
			return fmt.Sprintf("character varying(%d)", t.Precision)
		}
		return "character varying"
	case Bpchar:
		if t.Precision > 0 {
			return fmt.Sprintf("character(%d)", t.Precision)
		}
		return "bpchar"
	case Bytea:
		return "bytea"
	case Date:
		return "date"
	case Timestamp:
		return "timestamp without time zone"
	case TimestampTZ:
		return "timestamp with time zone"
	case Time:
		return "time without time zone"
	case Interval:
		return "interval"
	case UUID:
		return "uuid"
	case JSON:
		return "json"
	case JSONB:
		return "jsonb"
	case Record:
		return "record"
	case JSONPath:
		return "jsonpath"
	case Int4Range, Int8Range, NumRange, DateRange, TsRange, TstzRange:
		return rangeNames[t.Kind]
	case Inet:
		return "inet"
	case Cidr:
		return "cidr"
	case Macaddr:
		return "macaddr"
	case Char:
		return `"char"`
	case Name:
		return "name"
	case Oid, RegClass, RegType, RegProc, RegProcedure, RegNamespace, RegRole:
		return oidKindNames[t.Kind]
	case Void:
		return "void"
	case List:
		return t.Leaf().String() + "[]" // one array type, whatever the dimensions
	}
	return fmt.Sprintf("kind(%d)", t.Kind)
}

// RegTypeOID returns the pg_type id of t's type as pg_typeof reports it:
// OID's, except that an untyped literal or NULL is unknown (705), which
// result columns report as text.
func (t Type) RegTypeOID() uint32 {
	if t.Kind == Unknown {
		return OIDUnknown
	}
	return t.OID()
}

// RegTypeName returns the name of t's type without modifiers, as
// PostgreSQL's regtype output (and so pg_typeof) prints it: "numeric",
// "character varying", "character", "integer[]".
func (t Type) RegTypeName() string {
	switch t.Kind {
	case List:
		return t.Leaf().RegTypeName() + "[]"
	case Bpchar:
		return "character"
	}
	return Type{Kind: t.Kind}.String()
}

// Arrow returns the Arrow type that holds values of t inside meshql.
func (t Type) Arrow() arrow.DataType {
	switch t.Kind {
	case Unknown:
		return arrow.Null
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int2:
		return arrow.PrimitiveTypes.Int16
	case Int4:
		return arrow.PrimitiveTypes.Int32
	case Int8:
		return arrow.PrimitiveTypes.Int64
	case Oid, RegClass, RegType, RegProc, RegProcedure, RegNamespace, RegRole:
		return arrow.PrimitiveTypes.Uint32
	case Float4:
		return arrow.PrimitiveTypes.Float32
	case Float8:
		return arrow.PrimitiveTypes.Float64
	case Numeric:
		if t.VarScale {
			return VarNumericArrow(t.Scale)
		}
		p := t.Precision
		if p <= 0 {
			p = MaxNumericPrecision
		}
		return &arrow.Decimal128Type{Precision: p, Scale: t.Scale}
	case Text, Varchar, Bpchar, Char, Name, JSON, JSONB, Record, JSONPath,
		Int4Range, Int8Range, NumRange, DateRange, TsRange, TstzRange, Void:
		return arrow.BinaryTypes.String
	case Bytea, Inet, Cidr, Macaddr:
		return arrow.BinaryTypes.Binary
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case TimestampTZ:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case Time:
		return arrow.FixedWidthTypes.Time64us
	case Interval:
		return arrow.FixedWidthTypes.MonthDayNanoInterval
	case UUID:
		return &arrow.FixedSizeBinaryType{ByteWidth: 16}
	case List:
		return arrow.ListOf(t.Elem.Arrow())
	}
	return arrow.Null
}

// FromArrow returns the SQL type meshql uses for values of an Arrow type,
// for sources (Parquet files) whose schema arrives as Arrow.
func FromArrow(dt arrow.DataType) (Type, error) {
	switch d := dt.(type) {
	case *arrow.NullType:
		return TypeUnknown, nil
	case *arrow.BooleanType:
		return TypeBool, nil
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Uint8Type:
		return TypeInt2, nil
	case *arrow.Int32Type, *arrow.Uint16Type:
		return TypeInt4, nil
	case *arrow.Int64Type, *arrow.Uint32Type:
		return TypeInt8, nil
	case *arrow.Uint64Type:
		return NumericType(20, 0), nil // PostgreSQL has no unsigned 64-bit integer
	case *arrow.Float16Type, *arrow.Float32Type:
		return TypeFloat4, nil
	case *arrow.Float64Type:
		return TypeFloat8, nil
	case *arrow.Decimal128Type:
		return NumericType(d.Precision, d.Scale), nil
	case *arrow.StructType:
		if s, ok := VarNumericNominal(d); ok {
			return VarNumericType(s), nil
		}
	case *arrow.Decimal64Type:
		return NumericType(d.Precision, d.Scale), nil
	case *arrow.Decimal32Type:
		return NumericType(d.Precision, d.Scale), nil
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return TypeText, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType:
		return TypeBytea, nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return TypeDate, nil
	case *arrow.TimestampType:
		if d.TimeZone != "" {
			return TypeTimestampTZ, nil
		}
		return TypeTimestamp, nil
	case *arrow.Time32Type, *arrow.Time64Type:
		return TypeTime, nil
	case *arrow.MonthDayNanoIntervalType:
		return TypeInterval, nil
	case *arrow.FixedSizeBinaryType:
		if d.ByteWidth == 16 {
			return TypeUUID, nil
		}
		return TypeBytea, nil
	case *arrow.DictionaryType:
		return FromArrow(d.ValueType)
	case *arrow.ListType:
		e, err := FromArrow(d.Elem())
		if err != nil {
			return Type{}, err
		}
		return ListOf(e), nil
	case *arrow.LargeListType:
		e, err := FromArrow(d.Elem())
		if err != nil {
			return Type{}, err
		}
		return ListOf(e), nil
	}
	return Type{}, New(CodeFeatureNotSupported, "Arrow type %s is not supported", dt)
}

// Postgres type OIDs (pg_type.oid) for the types meshql serves.
const (
	OIDBool        uint32 = 16
	OIDBytea       uint32 = 17
	OIDInt8        uint32 = 20
	OIDInt2        uint32 = 21
	OIDInt4        uint32 = 23
	OIDText        uint32 = 25
	OIDOid         uint32 = 26
	OIDRegclass    uint32 = 2205
	OIDJSON        uint32 = 114
	OIDJSONB       uint32 = 3802
	OIDFloat4      uint32 = 700
	OIDFloat8      uint32 = 701
	OIDUnknown     uint32 = 705
	OIDBpchar      uint32 = 1042
	OIDVarchar     uint32 = 1043
	OIDDate        uint32 = 1082
	OIDTimestamp   uint32 = 1114
	OIDTimestampTZ uint32 = 1184
	OIDTime        uint32 = 1083
	OIDInterval    uint32 = 1186
	OIDNumeric     uint32 = 1700
	OIDUUID        uint32 = 2950
	OIDRecord      uint32 = 2249
	OIDJSONPath    uint32 = 4072
	OIDInt4Range   uint32 = 3904
	OIDNumRange    uint32 = 3906
	OIDTsRange     uint32 = 3908
	OIDTstzRange   uint32 = 3910
	OIDDateRange   uint32 = 3912
	OIDInt8Range   uint32 = 3926
	OIDInet        uint32 = 869
	OIDCidr        uint32 = 650
	OIDMacaddr     uint32 = 829
	OIDChar        uint32 = 18
	OIDName        uint32 = 19
	OIDVoid        uint32 = 2278
)

var rangeOIDs = map[Kind]uint32{
	Int4Range: OIDInt4Range, Int8Range: OIDInt8Range, NumRange: OIDNumRange,
	DateRange: OIDDateRange, TsRange: OIDTsRange, TstzRange: OIDTstzRange,
}

var rangeNames = map[Kind]string{
	Int4Range: "int4range", Int8Range: "int8range", NumRange: "numrange",
	DateRange: "daterange", TsRange: "tsrange", TstzRange: "tstzrange",
}

var arrayOIDs = map[Kind]uint32{
	Bool: 1000, Bytea: 1001, Int2: 1005, Int4: 1007, Text: 1009, Varchar: 1015, Bpchar: 1014,
	Int8: 1016, Float4: 1021, Float8: 1022, Date: 1182, Timestamp: 1115,
	TimestampTZ: 1185, Time: 1183, Interval: 1187, Numeric: 1231, UUID: 2951, JSON: 199, JSONB: 3807,
	JSONPath: 4073, Int4Range: 3905, Int8Range: 3927, NumRange: 3907, DateRange: 3913,
	TsRange: 3909, TstzRange: 3911,
	Inet: 1041, Cidr: 651, Macaddr: 1040, Char: 1002, Name: 1003,
	Oid: 1028, RegClass: 2210, RegType: 2211, RegProc: 1008, RegProcedure: 2207, RegNamespace: 4090, RegRole: 4097,
}

// OID returns the Postgres type OID of t.
func (t Type) OID() uint32 {
	switch t.Kind {
	case Unknown:
		return OIDText // an untyped NULL column is reported as text, like PostgreSQL
	case Bool:
		return OIDBool
	case Int2:
		return OIDInt2
	case Int4:
		return OIDInt4
	case Int8:
		return OIDInt8
	case Float4:
		return OIDFloat4
	case Float8:
		return OIDFloat8
	case Numeric:
		return OIDNumeric
	case Text:
		return OIDText
	case Varchar:
		return OIDVarchar
	case Bpchar:
		return OIDBpchar
	case Bytea:
		return OIDBytea
	case Date:
		return OIDDate
	case Timestamp:
		return OIDTimestamp
	case TimestampTZ:
		return OIDTimestampTZ
	case Time:
		return OIDTime
	case Interval:
		return OIDInterval
	case UUID:
		return OIDUUID
	case JSON:
		return OIDJSON
	case JSONB:
		return OIDJSONB
	case Record:
		if t.Row != nil && t.Row.OID != 0 {
			return t.Row.OID
		}
		return OIDRecord
	case JSONPath:
		return OIDJSONPath
	case Int4Range, Int8Range, NumRange, DateRange, TsRange, TstzRange:
		return rangeOIDs[t.Kind]
	case Inet:
		return OIDInet
	case Cidr:
		return OIDCidr
	case Macaddr:
		return OIDMacaddr
	case Char:
		return OIDChar
	case Name:
		return OIDName
	case Void:
		return OIDVoid
	case Oid, RegClass, RegType, RegProc, RegProcedure, RegNamespace, RegRole:
		return oidKindOIDs[t.Kind]
	case List:
		if oid, ok := arrayOIDs[t.Leaf().Kind]; ok {
			return oid
		}
		return arrayOIDs[Text]
	}
	return OIDText
}

// TypeModifier returns the atttypmod Postgres reports for t, or -1.
func (t Type) TypeModifier() int32 {
	switch t.Kind {
	case Numeric:
		if t.Precision > 0 {
			return ((t.Precision << 16) | t.Scale) + 4
		}
	case Varchar, Bpchar:
		if t.Precision > 0 {
			return t.Precision + 4
		}
	}
	return -1
}

// Size returns pg_type.typlen for t: the fixed width, or -1 for varlena.
func (t Type) Size() int16 {
	switch t.Kind {
	case Bool, Char:
		return 1
	case Int2:
		return 2
	case Int4, Float4, Date, Oid, RegClass, RegType, RegProc, RegProcedure, RegNamespace, RegRole, Void:
		return 4
	case Int8, Float8, Timestamp, TimestampTZ, Time:
		return 8
	case Interval, UUID:
		return 16
	case Macaddr:
		return 6
	case Name:
		return NameDataLen
	}
	return -1
}

// FromOID returns the type for a Postgres OID (parameter types sent by
// clients); ok is false for OIDs meshql does not know.
func FromOID(oid uint32) (Type, bool) {
	switch oid {
	case OIDBool:
		return TypeBool, true
	case OIDBytea:
		return TypeBytea, true
	case OIDInt8:
		return TypeInt8, true
	case OIDInt2:
		return TypeInt2, true
	case OIDInt4:
		return TypeInt4, true
	case OIDText:
		return TypeText, true
	case OIDJSON:
		return TypeJSON, true
	case OIDJSONB:
		return TypeJSONB, true
	case OIDJSONPath:
		return TypeJSONPath, true
	case OIDFloat4:
		return TypeFloat4, true
	case OIDFloat8:
		return TypeFloat8, true
	case OIDVarchar:
		return Type{Kind: Varchar}, true
	case OIDBpchar:
		return Type{Kind: Bpchar}, true
	case OIDDate:
		return TypeDate, true
	case OIDTimestamp:
		return TypeTimestamp, true
	case OIDTimestampTZ:
		return TypeTimestampTZ, true
	case OIDTime:
		return TypeTime, true
	case OIDInterval:
		return TypeInterval, true
	case OIDNumeric:
		return NumericType(0, 0), true
	case OIDUUID:
		return TypeUUID, true
	case OIDInet:
		return TypeInet, true
	case OIDCidr:
		return TypeCidr, true
	case OIDMacaddr:
		return TypeMacaddr, true
	case OIDChar:
		return TypeChar, true
	case OIDName:
		return TypeName, true
	case OIDVoid:
		return TypeVoid, true
	case 0, OIDUnknown:
		return TypeUnknown, true
	}
	for k, r := range oidKindOIDs {
		if r == oid {
			return Type{Kind: k}, true
		}
	}
	for k, r := range rangeOIDs {
		if r == oid {
			return Type{Kind: k}, true
		}
	}
	for k, a := range arrayOIDs {
		if a == oid {
			return ListOf(Type{Kind: k}), true
		}
	}
	return Type{}, false
}

// typeNames maps the spellings PostgreSQL accepts (in SQL and in mesh
// descriptors) to kinds. pg_query reports internal names (int4, bpchar…);
// users write standard ones (integer, character varying…); both are here.
var typeNames = map[string]Kind{
	"bool": Bool, "boolean": Bool,
	"int2": Int2, "smallint": Int2,
	"int4": Int4, "int": Int4, "integer": Int4,
	"int8": Int8, "bigint": Int8,
	"float4": Float4, "real": Float4,
	"float8": Float8, "double precision": Float8, "float": Float8, "double": Float8,
	"numeric": Numeric, "decimal": Numeric,
	"text": Text, "string": Text,
	"name":   Name,
	"bpchar": Bpchar, "char": Bpchar, "character": Bpchar,
	"varchar": Varchar, "character varying": Varchar,
	"bytea":     Bytea,
	"date":      Date,
	"timestamp": Timestamp, "timestamp without time zone": Timestamp,
	"timestamptz": TimestampTZ, "timestamp with time zone": TimestampTZ,
	"interval": Interval,
	"time":     Time, "time without time zone": Time,
	"uuid": UUID,
	"json": JSON, "jsonb": JSONB, "jsonpath": JSONPath,
	"int4range": Int4Range, "int8range": Int8Range, "numrange": NumRange,
	"daterange": DateRange, "tsrange": TsRange, "tstzrange": TstzRange,
	"inet": Inet, "cidr": Cidr, "macaddr": Macaddr,
	"oid": Oid, "regclass": RegClass, "regtype": RegType, "regproc": RegProc, "regprocedure": RegProcedure,
	"regnamespace": RegNamespace, "regrole": RegRole,
	"void": Void,
}

// LookupType resolves a type name without modifiers (as pg_query's
// TypeName gives it) and its integer modifiers. ok is false if the name is
// not a type meshql supports.
func LookupType(name string, mods []int32) (Type, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	k, ok := typeNames[name]
	if !ok {
		return Type{}, false
	}
	t := Type{Kind: k}
	switch k {
	case Numeric:
		if len(mods) >= 1 {
			t.Precision = mods[0]
		}
		if len(mods) >= 2 {
			t.Scale = mods[1]
		}
	case Varchar:
		if len(mods) >= 1 {
			t.Precision = mods[0]
		}
	case Bpchar:
		switch {
		case len(mods) >= 1:
			t.Precision = mods[0]
		case name != "bpchar":
			t.Precision = 1 // char without a length is char(1); bpchar has none
		}
	}
	return t, true
}

// ParseType parses a type as written in a mesh descriptor or a cast:
// "bigint", "numeric(12,2)", "varchar(80)", "text[]", "double precision".
func ParseType(s string) (Type, error) {
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasSuffix(s, "[]") {
		e, err := ParseType(s[:len(s)-2])
		if err != nil {
			return Type{}, err
		}
		return ListOf(e), nil
	}
	var mods []int32
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return Type{}, New(CodeSyntaxError, "invalid type %q: unbalanced parentheses", orig)
		}
		for _, m := range strings.Split(s[i+1:len(s)-1], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(m))
			if err != nil {
				return Type{}, New(CodeSyntaxError, "invalid type modifier in %q", orig)
			}
			mods = append(mods, int32(n))
		}
		s = strings.TrimSpace(s[:i])
	}
	t, ok := LookupType(s, mods)
	if !ok {
		return Type{}, New(CodeUndefinedObject, "type %q does not exist", orig)
	}
	if (t.Kind == Bpchar || t.Kind == Varchar) && len(mods) > 0 && t.Precision < 1 {
		return Type{}, New(CodeInvalidParameterValue, "length for type %s must be at least 1", s)
	}
	if t.Kind == Numeric && (t.Precision < 0 || t.Precision > MaxNumericPrecision || t.Scale < 0 || t.Scale > t.Precision && t.Precision > 0) {
		return Type{}, New(CodeInvalidParameterValue, "NUMERIC precision %d and scale %d are out of range (precision 1..%d, scale 0..precision)", t.Precision, t.Scale, MaxNumericPrecision)
	}
	return t, nil
}

// FieldTypeKey is the Arrow field metadata key under which a source
// names the SQL type of a column whose Arrow type alone does not tell it
// (inet, cidr and macaddr are binary columns, as bytea is; ranges are
// text).
const FieldTypeKey = "meshql.sql_type"

// Field returns an Arrow field for a column of type t, with FieldTypeKey
// set where t's Arrow type does not identify it.
func (t Type) Field(name string) arrow.Field {
	f := arrow.Field{Name: name, Type: t.Arrow(), Nullable: true}
	if t.HasKind(Inet) || t.HasKind(Cidr) || t.HasKind(Macaddr) || t.Leaf().IsRange() || t.Leaf().IsOID() || t.HasKind(Name) || t.Kind == Void {
		f.Metadata = arrow.NewMetadata([]string{FieldTypeKey}, []string{t.String()})
	}
	return f
}

// FieldType returns the SQL type of a source's column: the one its
// FieldTypeKey metadata names, else FromArrow of its Arrow type. Values
// of a source that does not produce the metadata itself (Parquet files,
// Flight SQL streams) are checked as read: see TaggedType.
func FieldType(f arrow.Field) (Type, error) {
	if name, ok := f.Metadata.GetValue(FieldTypeKey); ok {
		if t, err := ParseType(name); err == nil && arrow.TypeEqual(t.Arrow(), f.Type) {
			return t, nil
		}
	}
	return FromArrow(f.Type)
}
