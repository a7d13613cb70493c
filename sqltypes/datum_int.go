package sqltypes

// DatumInt64 returns the value of an integer datum (any Go integer type
// up to 64 bits, as int2/int4/int8 values and untyped literals arrive).
func DatumInt64(v Datum) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}
