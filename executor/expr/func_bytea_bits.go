package expr

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// get_bit(bytea, bigint), get_byte(bytea, integer), set_bit(bytea,
// bigint, integer), set_byte(bytea, integer, integer) and
// bit_count(bytea), as PostgreSQL 15's varlena.c: bits are numbered
// from the least significant bit of the first byte; an index outside
// the value is 2202E "index n out of valid range, 0..last"; set_bit's
// new bit must be 0 or 1 (22023), set_byte keeps its new byte's low 8
// bits. meshql has no bit type: PostgreSQL reads an untyped literal
// beside an integer index of get_bit or set_bit as bit, which is 0A000
// here.

func buildByteaBits(name string, args []Expr) (Expr, error) {
	nargs := map[string]int{"get_bit": 2, "get_byte": 2, "set_bit": 3, "set_byte": 3, "bit_count": 1}[name]
	if err := wantArgs(name, args, nargs, nargs); err != nil {
		return nil, err
	}
	if name == "bit_count" && args[0].Type().Kind != sqltypes.Bytea {
		// bit_count(integer) does not exist; an untyped literal is
		// ambiguous between bit and bytea (the binder's 42725).
		return nil, functionError(name, args)
	}
	bitIndex := name == "get_bit" || name == "set_bit"
	if bitIndex && args[0].Type().Kind != sqltypes.Bytea && args[1].Type().Kind != sqltypes.Int8 && implicitText(args[0].Type()) {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s of an untyped literal and an integer index is %s(bit, integer): type bit is not supported", name, name).
			WithHint("Cast the value to bytea for %s(bytea, bigint).", name)
	}
	b, err := byteaArgs(name, args[:1])
	if err != nil {
		return nil, functionError(name, args)
	}
	var ints []Expr
	if len(args) > 1 {
		idx := args[1:2]
		if bitIndex {
			idx, err = coerceArgs(name, idx, sqltypes.TypeInt8)
		} else {
			idx, err = coerceIntArgs(name, idx)
		}
		if err != nil {
			return nil, functionError(name, args)
		}
		ints = idx
	}
	if len(args) > 2 {
		v, err := coerceIntArgs(name, args[2:])
		if err != nil {
			return nil, functionError(name, args)
		}
		ints = append(ints, v...)
	}
	in := append(b, ints...)
	switch name {
	case "bit_count":
		return &callExpr{name: name, args: in, t: sqltypes.TypeInt8, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v := viewOf(in[0])
			return mapRows(env.Mem, arrow.PrimitiveTypes.Int64, n, in, func(i int) (int64, bool, error) {
				var c int64
				for _, x := range v.bytes(i) {
					c += int64(bits.OnesCount8(x))
				}
				return c, false, nil
			})
		}}, nil
	case "get_bit", "get_byte":
		return &callExpr{name: name, args: in, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v, idx := viewOf(in[0]), values[int64](in[1])
			return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
				s := v.bytes(i)
				if bitIndex {
					if err := checkByteaIndex(idx[i], int64(len(s))*8); err != nil {
						return 0, false, err
					}
					return int32(s[idx[i]/8]>>(idx[i]%8)) & 1, false, nil
				}
				if err := checkByteaIndex(idx[i], int64(len(s))); err != nil {
					return 0, false, err
				}
				return int32(s[idx[i]]), false, nil
			})
		}}, nil
	}
	return &callExpr{name: name, args: in, t: sqltypes.TypeBytea, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v, idx, nv := viewOf(in[0]), values[int64](in[1]), values[int64](in[2])
		return boundedStr(env, name, arrow.BinaryTypes.Binary, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			s := v.bytes(i)
			k := idx[i]
			if !bitIndex {
				if err := checkByteaIndex(k, int64(len(s))); err != nil {
					return nil, false, err
				}
				dst = append(dst, s...)
				dst[len(dst)-len(s)+int(k)] = byte(nv[i])
				return dst, false, nil
			}
			if err := checkByteaIndex(k, int64(len(s))*8); err != nil {
				return nil, false, err
			}
			if nv[i] != 0 && nv[i] != 1 {
				return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "new bit must be 0 or 1")
			}
			dst = append(dst, s...)
			at := len(dst) - len(s) + int(k/8)
			dst[at] = dst[at]&^(1<<(k%8)) | byte(nv[i])<<(k%8)
			return dst, false, nil
		})
	}}, nil
}

// checkByteaIndex is PostgreSQL's range check of a bit or byte number
// k among size of them.
func checkByteaIndex(k, size int64) error {
	if k < 0 || k >= size {
		return sqltypes.New(sqltypes.CodeArraySubscriptError, "index %d out of valid range, 0..%d", k, size-1)
	}
	return nil
}
