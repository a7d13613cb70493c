package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildRegexpReplaceExt is PostgreSQL 15's regexp_replace(s, p, r, start
// [, n [, flags]]): the search begins at character start (>= 1); n > 0
// replaces only the n-th match from there (n defaults to 1), n = 0 every
// match. The g flag is then ignored, as in PostgreSQL.
func buildRegexpReplaceExt(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 4, 6); err != nil {
		return nil, err
	}
	a := make([]Expr, len(args))
	for i, x := range args {
		want := sqltypes.TypeText
		if i == 3 || i == 4 {
			want = sqltypes.TypeInt4
		}
		c := coerceTo(x, want)
		if !implicitArg(x.Type(), want) || c.Type().Kind != want.Kind && !(c.Type().IsString() && want.IsString()) {
			return nil, functionError(name, args)
		}
		a[i] = c
	}
	rc := reCall{pat: 1, flags: -1}
	if len(a) == 6 {
		rc.flags = 5
	}
	seed, err := seedCache(a, rc)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, kc: func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		c, v := seed, textViews(in)
		starts := values[int32](in[3])
		var nth []int32
		if len(in) > 4 {
			nth = values[int32](in[4])
		}
		var parts []replPart
		return boundedStrAhead(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte, ahead func(int64) error) ([]byte, bool, error) {
			if starts[i] <= 0 {
				return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"start\": %d", starts[i])
			}
			want := int32(1)
			if nth != nil {
				if want = nth[i]; want < 0 {
					return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"n\": %d", want)
				}
			}
			re, _, err := c.get(v[1].str(i), rowFlags(v, rc, i))
			if err != nil {
				return nil, false, err
			}
			s := v[0].str(i)
			locs, err := re.FindAllContext(ctx, s, len(s)-len(skipChars(s, int(starts[i])-1)), -1)
			if err != nil {
				return nil, false, err
			}
			if want > 0 {
				if int(want) > len(locs) {
					locs = nil
				} else {
					locs = locs[want-1 : want]
				}
			}
			return replaceMatches(dst, v[0].bytes(i), locs, v[2].bytes(i), &parts, ahead)
		})
	}}, nil
}
