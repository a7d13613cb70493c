package sqltypes

// Go representations of single SQL values ("datums"), used wherever one
// value travels outside an Arrow array: literals in plans, pushed-down
// filter operands, statistics, bound parameters.
//
//	Unknown           nil (NULL)
//	Bool              bool
//	Int2/Int4/Int8    int16 / int32 / int64
//	Float4/Float8     float32 / float64
//	Numeric           decimal128.Num, scaled by the Type's Scale
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
