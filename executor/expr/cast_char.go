package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// charCastKernel casts to and from "char" (sqltypes.Char, held as its
// one-byte text): from and to text and varchar (text_char keeps the first
// byte, char_text the byte as text), and from and to int4 (i4tochar
// refuses values outside -128..127 with 22003, chartoi4 gives the byte),
// as PostgreSQL 15's casts do. bpchar goes through text (cast_bpchar.go).
func charCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case from.Kind == sqltypes.Char && (to.Kind == sqltypes.Char || to.IsString()):
		return retypeKernel(to.Arrow()), true
	case from.IsString() && to.Kind == sqltypes.Char:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				c, err := sqltypes.ParseChar(v.str(i))
				if err != nil {
					return nil, false, err
				}
				return append(dst, c.(string)...), false, nil
			})
		}, true
	case from.Kind == sqltypes.Int4 && to.Kind == sqltypes.Char:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			get := intGetter(sqltypes.Int4, a)
			return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				n := get(i)
				if n < -128 || n > 127 {
					return nil, false, sqltypes.New(sqltypes.CodeNumericOutOfRange, `"char" out of range`)
				}
				c, err := sqltypes.CharOfByte(n & 0xff)
				if err != nil {
					return nil, false, err
				}
				return append(dst, c.(string)...), false, nil
			})
		}, true
	case from.Kind == sqltypes.Char && to.Kind == sqltypes.Int4:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return mapRows(mem, arrow.PrimitiveTypes.Int32, a.Len(), []arrow.Array{a}, func(i int) (int32, bool, error) {
				return sqltypes.CharByte(v.str(i)), false, nil
			})
		}, true
	}
	return nil, false
}
