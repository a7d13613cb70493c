package sqltypes

import "github.com/apache/arrow-go/v18/arrow/decimal128"

// Go representations of single SQL values ("datums"), used wherever one
// value travels outside an Arrow array: literals in plans, pushed-down
// filter operands, statistics, bound parameters.
//
//	Unknown           nil (NULL)
//	Bool              bool
//	Int2/Int4/Int8    int16 / int32 / int64
//	Oid, reg*         uint32
//	Float4/Float8     float32 / float64
//	Numeric           decimal128.Num, scaled by the Type's Scale; a bound
//	                  parameter of numeric type without a modifier may be a
//	                  Decimal, which carries the value's own scale
//	Text/Varchar/JSON string
//	Bytea             []byte
//	Date              arrow.Date32 (days since 1970-01-01)
//	Timestamp(TZ)     arrow.Timestamp (microseconds since 1970-01-01 UTC)
//	Interval          arrow.MonthDayNanoInterval
//	UUID              [16]byte
//	List              []any of the element representation
//
// nil is NULL for every type.
type Datum = any

// Decimal is a numeric value with its own scale. The wire decodes a
// parameter of unconstrained numeric type to a Decimal so that the value's
// scale survives ('1.50' stays 1.50, as in PostgreSQL); the engine plans the
// statement for that scale and passes Num on.
type Decimal struct {
	Num   decimal128.Num
	Scale int32
}
