package expr

import (
	"bytes"
	"context"
	"slices"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// maxStringResult bounds generated strings (repeat, lpad) like
// PostgreSQL's 1 GB field limit.
const maxStringResult = 1 << 30

func errTooLong() error {
	return sqltypes.New(sqltypes.CodeProgramLimitExceeded, "requested length too large")
}

// newConcat is the || operator: text || text, where a non-text operand
// is converted to text (anynonarray || text), and bytea || bytea. NULL if
// either side is NULL.
func newConcat(l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	if lt.Kind == sqltypes.Bytea && rt.Kind == sqltypes.Bytea {
		return &callExpr{name: "||", args: []Expr{l, r}, t: sqltypes.TypeBytea, k: concatKernel(arrow.BinaryTypes.Binary)}, nil
	}
	if !(implicitText(lt) || implicitText(rt)) || lt.Kind == sqltypes.List || rt.Kind == sqltypes.List {
		return nil, operatorError("||", lt, rt)
	}
	var err error
	if l, err = Cast(l, sqltypes.TypeText); err != nil {
		return nil, operatorError("||", lt, rt)
	}
	if r, err = Cast(r, sqltypes.TypeText); err != nil {
		return nil, operatorError("||", lt, rt)
	}
	return &concatOp{callExpr{name: "||", args: []Expr{l, r}, t: sqltypes.TypeText, k: concatKernel(arrow.BinaryTypes.String)}}, nil
}

// concatOp prints as an infix operator.
type concatOp struct{ callExpr }

func (e *concatOp) String() string {
	return "(" + e.args[0].String() + " || " + e.args[1].String() + ")"
}
func (e *concatOp) withChildren(ch []Expr) Expr {
	c := *e
	c.args = ch
	return &c
}

func concatKernel(dt arrow.DataType) fnKernel {
	return func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		a, b := viewOf(in[0]), viewOf(in[1])
		return boundedStr(env, "||", dt, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			x, y := a.bytes(i), b.bytes(i)
			if len(x)+len(y) > maxStringResult {
				return nil, false, errTooLong()
			}
			return append(append(dst, x...), y...), false, nil
		})
	}
}

// buildConcat: concat(any...) ignores NULLs and is never NULL;
// concat_ws(sep, any...) is NULL only when sep is.
func buildConcat(name string, args []Expr) (Expr, error) {
	ws := name == "concat_ws"
	if len(args) == 0 || ws && (len(args) < 2 || !implicitArg(args[0].Type(), sqltypes.TypeText)) {
		// concat_ws(text, VARIADIC "any"): only its separator is typed.
		return nil, functionError(name, args)
	}
	// concat renders values with their output functions (bool is t/f,
	// unlike a cast to text).
	a, err := outputStrings(name, args)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		views := make([]strView, len(in))
		for i, x := range in {
			if x.DataType().ID() == arrow.STRING {
				views[i] = viewOf(x)
			}
		}
		var sepIn []arrow.Array
		if ws {
			sepIn = in[:1]
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, sepIn, func(i int, dst []byte) ([]byte, bool, error) {
			first := true
			start := 0
			if ws {
				start = 1
			}
			for k := start; k < len(in); k++ {
				if in[k].IsNull(i) {
					continue
				}
				if ws && !first {
					dst = append(dst, views[0].bytes(i)...)
				}
				first = false
				dst = append(dst, views[k].bytes(i)...)
				if len(dst) > maxStringResult {
					return nil, false, errTooLong()
				}
			}
			return dst, false, nil
		})
	}}, nil
}

// buildTextInt: left(s, n), right(s, n), repeat(s, n).
func buildTextInt(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	s, err := coerceArgs(name, args[:1], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	k, err := coerceIntArgs(name, args[1:])
	if err != nil {
		return nil, err
	}
	if name == "repeat" {
		return &callExpr{name: name, args: append(s, k...), t: sqltypes.TypeText, kc: repeatKernel}, nil
	}
	return &callExpr{name: name, args: append(s, k...), t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v, cnt := viewOf(in[0]), values[int64](in[1])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			b, c := v.bytes(i), cnt[i]
			if name == "left" {
				if c < 0 {
					c += int64(utf8.RuneCount(b))
				}
				return append(dst, b[:charOffset(b, c)]...), false, nil
			}
			chars := int64(utf8.RuneCount(b))
			if c < 0 {
				c += chars
			}
			if c > chars {
				c = chars
			}
			if c < 0 {
				c = 0
			}
			return append(dst, b[charOffset(b, chars-c):]...), false, nil
		})
	}}, nil
}

// repeatKernel is repeat(s, n) under genLimit: each value is checked
// and reserved before it is built.
func repeatKernel(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
	g := newGenLimit(ctx, env, "repeat")
	defer g.release()
	v, cnt := viewOf(in[0]), values[int64](in[1])
	return boundedStr(env, "repeat", arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
		b, c := v.bytes(i), cnt[i]
		if c <= 0 || len(b) == 0 {
			return dst, false, nil
		}
		if c > maxStringResult || int64(len(b))*c > maxStringResult {
			return nil, false, errTooLong()
		}
		if err := g.need(int64(len(b)) * c); err != nil {
			return nil, false, err
		}
		return appendRepeated(g, dst, b, int(c))
	})
}

// appendRepeated appends b c times to dst by doubling what it has copied,
// so that a result near the 1 GB limit takes a few dozen copies rather
// than one append per repetition (minutes for repeat('ab', 500000000)).
// Each copy is at most genCheckEvery bytes, with a look at the context
// in between.
func appendRepeated(g *genLimit, dst, b []byte, c int) ([]byte, bool, error) {
	total := len(b) * c
	if total == 0 {
		return dst, false, nil
	}
	start := len(dst)
	dst = slices.Grow(dst, total)
	dst = append(dst, b...)
	// Chunks are whole copies of b, so that what is copied next always
	// starts at a copy's start.
	chunk := max(len(b), genCheckEvery/len(b)*len(b))
	for done := len(b); done < total; done = len(dst) - start {
		if done >= genCheckEvery {
			if err := g.live(); err != nil {
				return nil, false, err
			}
		}
		dst = append(dst, dst[start:start+min(done, total-done, chunk)]...)
	}
	return dst, false, nil
}

// buildPad: lpad/rpad(s, len [, fill]).
func buildPad(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	s, err := coerceArgs(name, args[:1], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	k, err := coerceIntArgs(name, args[1:2])
	if err != nil {
		return nil, err
	}
	all := append(s, k...)
	if len(args) == 3 {
		f, err := coerceArgs(name, args[2:], sqltypes.TypeText)
		if err != nil {
			return nil, err
		}
		all = append(all, f...)
	}
	left := name == "lpad"
	return &callExpr{name: name, args: all, t: sqltypes.TypeText, kc: func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		g := newGenLimit(ctx, env, name)
		defer g.release()
		v, length := viewOf(in[0]), values[int64](in[1])
		var fill strView
		if len(in) == 3 {
			fill = viewOf(in[2])
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			b, want := v.bytes(i), length[i]
			f := []byte(" ")
			if len(in) == 3 {
				f = fill.bytes(i)
			}
			if want <= 0 {
				return dst, false, nil
			}
			if want > (maxStringResult-5)/utf8.UTFMax {
				// PostgreSQL reserves the worst case, 4 bytes a character.
				return nil, false, errTooLong()
			}
			have := int64(utf8.RuneCount(b))
			if have >= want || len(f) == 0 {
				return append(dst, b[:charOffset(b, want)]...), false, nil
			}
			// The fill: whole copies of f, then the first runes of one more.
			need, runes := want-have, int64(utf8.RuneCount(f))
			whole, part := need/runes, f[:charOffset(f, need%runes)]
			size := int64(len(b)) + whole*int64(len(f)) + int64(len(part))
			if size > maxStringResult {
				return nil, false, errTooLong()
			}
			if err := g.need(size); err != nil {
				return nil, false, err
			}
			dst = slices.Grow(dst, int(size))
			if !left {
				dst = append(dst, b...)
			}
			dst, _, err := appendRepeated(g, dst, f, int(whole))
			if err != nil {
				return nil, false, err
			}
			dst = append(dst, part...)
			if left {
				dst = append(dst, b...)
			}
			return dst, false, nil
		})
	}}, nil
}

// buildSplitPart: split_part(s, delim, n), n counting from the end when
// negative; n = 0 is 22023.
func buildSplitPart(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	a, err := coerceTextInts(name, args, 2)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v, d, field := viewOf(in[0]), viewOf(in[1]), values[int32](in[2])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			b, delim, f := v.bytes(i), d.bytes(i), int(field[i])
			if f == 0 {
				return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "field position must not be zero")
			}
			if len(delim) == 0 {
				if f == 1 || f == -1 {
					return append(dst, b...), false, nil
				}
				return dst, false, nil
			}
			parts := bytes.Count(b, delim) + 1
			if f < 0 {
				f += parts + 1
			}
			if f < 1 || f > parts {
				return dst, false, nil
			}
			for ; f > 1; f-- {
				b = b[bytes.Index(b, delim)+len(delim):]
			}
			if k := bytes.Index(b, delim); k >= 0 {
				b = b[:k]
			}
			return append(dst, b...), false, nil
		})
	}}, nil
}

func buildChr(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		c := values[int32](in[0])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			switch r := c[i]; {
			case r == 0:
				return nil, false, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "null character not permitted")
			case r < 0:
				return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "character number must be positive")
			case r > utf8.MaxRune:
				return nil, false, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "requested character too large for encoding: %d", r)
			case !utf8.ValidRune(rune(r)): // a UTF-16 surrogate
				return nil, false, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "requested character not valid for encoding: %d", r)
			default:
				return utf8.AppendRune(dst, rune(r)), false, nil
			}
		})
	}}, nil
}

// buildOverlay: overlay(s PLACING r FROM n [FOR m]) is the first n-1
// characters of s, then r, then s from character n+m on (m defaults to
// the length of r). n < 1 is 22011, as in PostgreSQL.
func buildOverlay(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 4); err != nil {
		return nil, err
	}
	if anyBytea(args[:2]) {
		return buildByteaOverlay(name, args)
	}
	a, err := coerceTextInts(name, args, 2)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		src, repl, from := viewOf(in[0]), viewOf(in[1]), values[int32](in[2])
		var length []int32
		if len(in) == 4 {
			length = values[int32](in[3])
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			b, r, start := src.bytes(i), repl.bytes(i), int64(from[i])
			count := int64(utf8.RuneCount(r))
			if length != nil {
				count = int64(length[i])
			}
			if start < 1 {
				return nil, false, sqltypes.New("22011", "negative substring length not allowed")
			}
			dst = append(dst, b[:charOffset(b, start-1)]...)
			dst = append(dst, r...)
			return append(dst, b[charOffset(b, start+count-1):]...), false, nil
		})
	}}, nil
}
