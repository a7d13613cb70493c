package expr

import (
	"context"

	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildRegexpPosition is PostgreSQL 15's regexp_substr(s, p [, start [, n
// [, flags [, subexpr]]]]) → text (NULL without an n-th match) and
// regexp_instr(s, p [, start [, n [, endoption [, flags [, subexpr]]]]])
// → integer (the 1-based character position of the n-th match, or of the
// character after it with endoption 1; 0 without a match).
func buildRegexpPosition(name string, args []Expr) (Expr, error) {
	instr := name == "regexp_instr"
	maxArgs := 6
	if instr {
		maxArgs = 7
	}
	if err := wantArgs(name, args, 2, maxArgs); err != nil {
		return nil, err
	}
	flagsAt := 4
	if instr {
		flagsAt = 5
	}
	a := make([]Expr, len(args))
	for i, x := range args {
		want := sqltypes.TypeInt4
		if i < 2 || i == flagsAt {
			want = sqltypes.TypeText
		}
		c := coerceTo(x, want)
		if !implicitArg(x.Type(), want) || c.Type().Kind != want.Kind && !(c.Type().IsString() && want.IsString()) {
			return nil, functionError(name, args)
		}
		a[i] = c
	}
	rc := reCall{pat: 1, flags: -1}
	if len(a) > flagsAt {
		rc.flags = flagsAt
	}
	seed, err := seedCache(a, rc)
	if err != nil {
		return nil, err
	}
	rt := sqltypes.TypeText
	if instr {
		rt = sqltypes.TypeInt4
	}
	// intArg reads integer argument k of row i, or def when absent.
	intArg := func(in []arrow.Array, k, i int, def int32) int32 {
		if k >= len(in) {
			return def
		}
		return values[int32](in[k])[i]
	}
	return &callExpr{name: name, args: a, t: rt, kc: func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		c, v := seed, textViews(in)
		// match finds row i's match: its byte bounds in s, the bytes skipped
		// before start, and ok=false when there is none.
		match := func(i int) (s string, lo, hi, skipped int, ok bool, err error) {
			// PostgreSQL's order: start, n, endoption, the flags (no g),
			// subexpr.
			start, nth := intArg(in, 2, i, 1), intArg(in, 3, i, 1)
			sub := intArg(in, flagsAt+1, i, 0)
			switch {
			case start <= 0:
				return "", 0, 0, 0, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"start\": %d", start)
			case nth <= 0:
				return "", 0, 0, 0, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"n\": %d", nth)
			}
			if instr {
				if e := intArg(in, 4, i, 0); e != 0 && e != 1 {
					return "", 0, 0, 0, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"endoption\": %d", e)
				}
			}
			re, o, err := c.get(v[1].str(i), rowFlags(v, rc, i))
			if err == nil && o.global {
				err = errNoGlobal(name)
			}
			if err != nil {
				return "", 0, 0, 0, false, err
			}
			if sub < 0 {
				return "", 0, 0, 0, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"subexpr\": %d", sub)
			}
			s = v[0].str(i)
			locs, err := re.FindAllContext(ctx, s, len(s)-len(skipChars(s, int(start)-1)), int(nth))
			if err != nil || len(locs) < int(nth) {
				return s, 0, 0, 0, false, err
			}
			m := locs[nth-1]
			if len(m) == 2 && sub == 1 {
				// As in PostgreSQL, a pattern without parenthesized
				// subexpressions has the whole match as its first.
				sub = 0
			}
			if 2*int(sub)+1 >= len(m) || m[2*sub] < 0 {
				return s, 0, 0, 0, false, nil
			}
			return s, m[2*sub], m[2*sub+1], 0, true, nil
		}
		if !instr {
			return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
				s, lo, hi, _, ok, err := match(i)
				if err != nil || !ok {
					return dst, true, err
				}
				return append(dst, s[lo:hi]...), false, nil
			})
		}
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			s, lo, hi, skipped, ok, err := match(i)
			if err != nil || !ok {
				return 0, false, err
			}
			at := lo
			if intArg(in, 4, i, 0) == 1 {
				at = hi
			}
			full := v[0].str(i)
			return int32(utf8.RuneCountInString(full[:skipped])+utf8.RuneCountInString(s[:at])) + 1, false, nil
		})
	}}, nil
}
