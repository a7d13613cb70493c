package expr

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// oidCastKernel casts to and from oid and the reg* types, as PostgreSQL
// 15's pg_cast does: between oid and each reg* type, and from int4 to any
// of them, without a change of bits (-1 is 4294967295); from int8 with
// i8tooid's range check (22003 "OID out of range"); to int4 (the bits:
// 4294967295 is -1) and int8 (the unsigned value); oid to and from text
// as oidout and oidin. A reg* type to another reg* type has no cast, nor
// has a reg* type from text here: the binder looks names up (regtext.go).
func oidCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case from.IsOID() && (to.Kind == from.Kind || to.Kind == sqltypes.Oid || from.Kind == sqltypes.Oid && to.IsOID()):
		return retypeKernel(to.Arrow()), true
	case from.Kind == sqltypes.Int4 && to.IsOID():
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := values[int32](a)
			return mapRows(mem, arrow.PrimitiveTypes.Uint32, a.Len(), []arrow.Array{a}, func(i int) (uint32, bool, error) {
				return uint32(v[i]), false, nil
			})
		}, true
	case from.Kind == sqltypes.Int8 && to.IsOID():
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := values[int64](a)
			return mapRows(mem, arrow.PrimitiveTypes.Uint32, a.Len(), []arrow.Array{a}, func(i int) (uint32, bool, error) {
				o, err := sqltypes.OIDOfInt64(v[i])
				return o, false, err
			})
		}, true
	case from.IsOID() && to.Kind == sqltypes.Int4:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := values[uint32](a)
			return mapRows(mem, arrow.PrimitiveTypes.Int32, a.Len(), []arrow.Array{a}, func(i int) (int32, bool, error) {
				return int32(v[i]), false, nil
			})
		}, true
	case from.IsOID() && to.Kind == sqltypes.Int8:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := values[uint32](a)
			return mapRows(mem, arrow.PrimitiveTypes.Int64, a.Len(), []arrow.Array{a}, func(i int) (int64, bool, error) {
				return int64(v[i]), false, nil
			})
		}, true
	case from.Kind == sqltypes.Oid && to.IsString():
		k := castKernel(func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := values[uint32](a)
			return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				return strconv.AppendUint(dst, uint64(v[i]), 10), false, nil
			})
		})
		if to.Kind == sqltypes.Varchar && to.Precision > 0 {
			return chain(k, truncateKernel(int(to.Precision))), true
		}
		return k, true
	case from.IsString() && to.Kind == sqltypes.Oid:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, arrow.PrimitiveTypes.Uint32, a, sqltypes.ParseOID)
		}, true
	}
	return nil, false
}
