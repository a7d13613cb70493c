package expr

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// PostgreSQL's bytea variants of the string functions: btrim, ltrim and
// rtrim (bytea, bytea), position(bytea, bytea), overlay(bytea placing
// bytea from int [for int]), substring/substr(bytea, int [, int]) and
// md5(bytea). They count and cut bytes, not characters, and return bytea
// (md5 text). Text does not convert to bytea implicitly, so these run only
// when an argument is bytea.

// anyBytea reports whether an argument is bytea: PostgreSQL then resolves
// the call to the bytea variant, an untyped literal beside it read as
// bytea.
func anyBytea(args []Expr) bool {
	return slices.ContainsFunc(args, func(a Expr) bool { return a.Type().Kind == sqltypes.Bytea })
}

// byteaArgs casts args to bytea. An argument typed text stands for an
// untyped literal here (see implicitArg) and reads as bytea input
// ('\x00', 'abc').
func byteaArgs(name string, args []Expr) ([]Expr, error) {
	out := make([]Expr, len(args))
	for i, a := range args {
		t := a.Type()
		if t.Kind != sqltypes.Bytea && t.Kind != sqltypes.Unknown && !t.IsString() {
			return nil, functionError(name, args)
		}
		if out[i] = coerceTo(a, sqltypes.TypeBytea); out[i].Type().Kind != sqltypes.Bytea {
			return nil, functionError(name, args)
		}
	}
	return out, nil
}

// byteaCall is a strict bytea-valued call over bytea arguments.
func byteaCall(name string, args []Expr, row func(i int, dst []byte, v []strView) ([]byte, bool, error)) (Expr, error) {
	a, err := byteaArgs(name, args)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeBytea, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		views := make([]strView, len(in))
		for i, x := range in {
			views[i] = viewOf(x)
		}
		return boundedStr(env, name, arrow.BinaryTypes.Binary, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			return row(i, dst, views)
		})
	}}, nil
}

// buildByteaTrim: btrim/ltrim/rtrim(bytes, set) strip the bytes of set
// (PostgreSQL has no one-argument bytea form).
func buildByteaTrim(name string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, functionError(name, args)
	}
	left, right := name != "rtrim", name != "ltrim"
	return byteaCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
		s, set := v[0].bytes(i), v[1].bytes(i)
		for left && len(s) > 0 && bytes.IndexByte(set, s[0]) >= 0 {
			s = s[1:]
		}
		for right && len(s) > 0 && bytes.IndexByte(set, s[len(s)-1]) >= 0 {
			s = s[:len(s)-1]
		}
		return append(dst, s...), false, nil
	})
}

// buildByteaPosition: position(sub IN bytes), the 1-based byte offset or 0.
func buildByteaPosition(name string, args []Expr) (Expr, error) {
	a, err := byteaArgs(name, args)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		s, sub := viewOf(in[0]), viewOf(in[1])
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			return int32(bytes.Index(s.bytes(i), sub.bytes(i)) + 1), false, nil
		})
	}}, nil
}

// byteaSlice is PostgreSQL's bytea_substring: the bytes from 1-based start
// on, count of them (all when count < 0 and !counted); a negative count
// given by the user is 22011.
func byteaSlice(s []byte, start, count int64, counted bool) ([]byte, error) {
	from := max(start, 1)
	end := int64(len(s)) + 1
	if counted {
		if count < 0 {
			return nil, sqltypes.New("22011", "negative substring length not allowed")
		}
		end = min(end, start+count) // int4 arguments: no overflow in int64
	}
	if end <= from || from > int64(len(s)) {
		return nil, nil
	}
	return s[from-1 : end-1], nil
}

// buildByteaSubstring: substring/substr(bytes, start [, count]).
func buildByteaSubstring(name string, args []Expr) (Expr, error) {
	b, err := byteaArgs(name, args[:1])
	if err != nil {
		return nil, functionError(name, args)
	}
	ints, err := coerceIntArgs(name, args[1:])
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append(b, ints...), t: sqltypes.TypeBytea, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v, start := viewOf(in[0]), values[int64](in[1])
		var count []int64
		if len(in) == 3 {
			count = values[int64](in[2])
		}
		return boundedStr(env, name, arrow.BinaryTypes.Binary, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			c := int64(-1)
			if count != nil {
				c = count[i]
			}
			s, err := byteaSlice(v.bytes(i), start[i], c, count != nil)
			return append(dst, s...), false, err
		})
	}}, nil
}

// buildByteaOverlay: overlay(bytes PLACING repl FROM start [FOR count]),
// as PostgreSQL's byteaoverlay: the bytes before start, repl, and those
// from start+count on (count defaults to repl's length).
func buildByteaOverlay(name string, args []Expr) (Expr, error) {
	b, err := byteaArgs(name, args[:2])
	if err != nil {
		return nil, functionError(name, args)
	}
	ints, err := coerceIntArgs(name, args[2:])
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append(b, ints...), t: sqltypes.TypeBytea, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		src, repl, from := viewOf(in[0]), viewOf(in[1]), values[int64](in[2])
		var length []int64
		if len(in) == 4 {
			length = values[int64](in[3])
		}
		return boundedStr(env, name, arrow.BinaryTypes.Binary, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			s, r, start := src.bytes(i), repl.bytes(i), from[i]
			count := int64(len(r))
			if length != nil {
				count = length[i]
			}
			if start <= 0 {
				return nil, false, sqltypes.New("22011", "negative substring length not allowed")
			}
			if start+count > 1<<31-1 || start+count < -1<<31 {
				return nil, false, errIntegerRange()
			}
			head, _ := byteaSlice(s, 1, start-1, true)
			tail, _ := byteaSlice(s, start+count, -1, false)
			dst = append(dst, head...)
			dst = append(dst, r...)
			return append(dst, tail...), false, nil
		})
	}}, nil
}

// buildByteaMD5: md5(bytea), the hex digest as text.
func buildByteaMD5(name string, args []Expr) (Expr, error) {
	a, err := byteaArgs(name, args)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			sum := md5.Sum(v.bytes(i))
			return hex.AppendEncode(dst, sum[:]), false, nil
		})
	}}, nil
}
