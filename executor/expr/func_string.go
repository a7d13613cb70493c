package expr

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// String functions. Lengths and positions count characters (UTF-8), as in
// a PostgreSQL UTF8 database; case mapping is Unicode simple case mapping.

// strKernel builds a text result row by row from text arguments.
func strKernel(name string, row func(i int, dst []byte, v []strView) ([]byte, bool, error)) fnKernel {
	return func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		views := make([]strView, len(in))
		for i, a := range in {
			if a.DataType().ID() == arrow.STRING || a.DataType().ID() == arrow.BINARY {
				views[i] = viewOf(a)
			}
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			return row(i, dst, views)
		})
	}
}

// textCall coerces args to text and returns a text-valued call.
func textCall(name string, args []Expr, row func(i int, dst []byte, v []strView) ([]byte, bool, error)) (Expr, error) {
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: strKernel(name, row)}, nil
}

func appendUpper(dst, s []byte, upper bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			if upper {
				return append(dst, bytes.ToUpper(s[i:])...)
			}
			return append(dst, bytes.ToLower(s[i:])...)
		}
		if upper && c >= 'a' && c <= 'z' {
			c -= 32
		} else if !upper && c >= 'A' && c <= 'Z' {
			c += 32
		}
		dst = append(dst, c)
	}
	return dst
}

func buildTextUnary(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	if (name == "lower" || name == "upper") && args[0].Type().IsRange() {
		return buildRangeFunc(name, args)
	}
	if name == "md5" && args[0].Type().Kind == sqltypes.Bytea {
		return buildByteaMD5(name, args)
	}
	if !implicitText(args[0].Type()) {
		return nil, functionError(name, args)
	}
	switch name {
	case "lower", "upper":
		up := name == "upper"
		return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
			return appendUpper(dst, v[0].bytes(i), up), false, nil
		})
	case "initcap":
		return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
			word := false
			for _, r := range v[0].str(i) {
				if word {
					r = unicode.ToLower(r)
				} else {
					r = unicode.ToUpper(r)
				}
				word = unicode.IsLetter(r) || unicode.IsDigit(r)
				dst = utf8.AppendRune(dst, r)
			}
			return dst, false, nil
		})
	case "reverse":
		return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
			s := v[0].bytes(i)
			for len(s) > 0 {
				r, size := utf8.DecodeLastRune(s)
				if r == utf8.RuneError && size <= 1 {
					dst = append(dst, s[len(s)-1])
					size = 1
				} else {
					dst = append(dst, s[len(s)-size:]...)
				}
				s = s[:len(s)-size]
			}
			return dst, false, nil
		})
	case "md5":
		return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
			sum := md5.Sum(v[0].bytes(i))
			return hex.AppendEncode(dst, sum[:]), false, nil
		})
	}
	// ascii
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			r, _ := utf8.DecodeRune(v.bytes(i))
			if len(v.bytes(i)) == 0 {
				r = 0
			}
			return int32(r), false, nil
		})
	}}, nil
}

func buildLength(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	t := args[0].Type()
	bytea := t.Kind == sqltypes.Bytea
	if !implicitText(t) && !bytea {
		return nil, functionError(name, args)
	}
	if !bytea && !(t.Kind == sqltypes.Bpchar && name == "octet_length") {
		// bpchar's octet_length counts its padding; its length does not.
		args = []Expr{coerceTo(args[0], sqltypes.TypeText)}
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		chars := !bytea && name != "octet_length" && name != "bit_length"
		// A batch whose text is all ASCII (one pass over its bytes) has
		// as many characters as bytes in every value.
		if chars && isASCII(v.data[v.offs[0]:v.offs[n]]) {
			chars = false
		}
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			l := v.offs[i+1] - v.offs[i]
			switch {
			case chars:
				return int32(utf8.RuneCount(v.bytes(i))), false, nil
			case name == "bit_length":
				return 8 * l, false, nil
			}
			return l, false, nil
		})
	}}, nil
}

// charOffset returns the byte offset of character k (0-based, clamped).
func charOffset(s []byte, k int64) int {
	if k <= 0 {
		return 0
	}
	off := 0
	for ; k > 0 && off < len(s); k-- {
		if s[off] < utf8.RuneSelf {
			off++
			continue
		}
		_, size := utf8.DecodeRune(s[off:])
		off += size
	}
	return off
}

func buildSubstring(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	if args[0].Type().Kind == sqltypes.Bytea {
		return buildByteaSubstring(name, args)
	}
	if !implicitText(args[0].Type()) {
		return nil, functionError(name, args)
	}
	ints, err := coerceIntArgs(name, args[1:])
	if err != nil {
		return nil, err
	}
	t, _ := coerceArgs(name, args[:1], sqltypes.TypeText)
	return &callExpr{name: name, args: append(t, ints...), t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		start := values[int64](in[1])
		var count []int64
		if len(in) == 3 {
			count = values[int64](in[2])
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			s := v.bytes(i)
			from := start[i] - 1 // 0-based, may be negative
			to := int64(1) << 62
			if count != nil {
				if count[i] < 0 {
					return nil, false, sqltypes.New("22011", "negative substring length not allowed")
				}
				if from > 0 && count[i] > to-from {
					to = 1 << 62
				} else {
					to = from + count[i]
				}
			}
			if to <= 0 || to <= from {
				return dst, false, nil
			}
			b := charOffset(s, from)
			e := b + charOffset(s[b:], to-max(from, 0))
			return append(dst, s[b:e]...), false, nil
		})
	}}, nil
}

// charIndex returns the 1-based character position of sub in s, or 0.
func charIndex(s, sub []byte) int32 {
	k := bytes.Index(s, sub)
	if k < 0 {
		return 0
	}
	return int32(utf8.RuneCount(s[:k])) + 1
}

func buildStrpos(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if name == "position" && anyBytea(args) {
		return buildByteaPosition(name, args)
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		s, sub := viewOf(in[0]), viewOf(in[1])
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			return charIndex(s.bytes(i), sub.bytes(i)), false, nil
		})
	}}, nil
}

func buildStartsWith(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		s, p := viewOf(in[0]), viewOf(in[1])
		return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
			return bytes.HasPrefix(s.bytes(i), p.bytes(i)), false, nil
		})
	}}, nil
}

// trimSet reports whether r is one of the characters of set.
func inSetRunes(set []byte, r rune) bool {
	if r < utf8.RuneSelf {
		return bytes.IndexByte(set, byte(r)) >= 0
	}
	return bytes.ContainsRune(set, r)
}

func buildTrim(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 2); err != nil {
		return nil, err
	}
	if anyBytea(args) {
		return buildByteaTrim(name, args)
	}
	left, right := name != "rtrim", name != "ltrim"
	return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
		s := v[0].bytes(i)
		set := []byte(" ")
		if len(v) == 2 {
			set = v[1].bytes(i)
		}
		for left && len(s) > 0 {
			r, size := utf8.DecodeRune(s)
			if !inSetRunes(set, r) {
				break
			}
			s = s[size:]
		}
		for right && len(s) > 0 {
			r, size := utf8.DecodeLastRune(s)
			if !inSetRunes(set, r) {
				break
			}
			s = s[:len(s)-size]
		}
		return append(dst, s...), false, nil
	})
}

func buildReplace(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := textViews(in)
		return boundedStrAhead(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte, ahead func(int64) error) ([]byte, bool, error) {
			s, from, to := v[0].bytes(i), v[1].bytes(i), v[2].bytes(i)
			if len(from) == 0 {
				return append(dst, s...), false, nil
			}
			// The result's length is known from the count of matches:
			// replace('a…', 'a', 'aaaa') is checked before it is built.
			if len(to) > len(from) {
				if err := ahead(int64(len(s)) + int64(bytes.Count(s, from))*int64(len(to)-len(from))); err != nil {
					return nil, false, err
				}
			}
			for {
				k := bytes.Index(s, from)
				if k < 0 {
					return append(dst, s...), false, nil
				}
				dst = append(dst, s[:k]...)
				dst = append(dst, to...)
				s = s[k+len(from):]
			}
		})
	}}, nil
}

// isASCII reports whether b holds only ASCII bytes, eight at a time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
