package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// regexp_matches(s, p [, flags]) is PostgreSQL's set-returning function:
// one text[] per match — its parenthesized groups, or the whole match
// when the pattern has none — all matches with flag g, else the first.
// Here it is the scalar that computes each row's set as a text[][] whose
// rows the planner's Unnest emits one by one without flattening them.

// buildRegexpMatches: regexp_matches(text, text [, text]) → list of text[].
func buildRegexpMatches(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	rc := reCall{pat: 1, flags: -1}
	if len(a) == 3 {
		rc.flags = 2
	}
	seed, err := seedCache(a, rc)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.ListOf(textListType), kc: func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		c, v := seed, textViews(in)
		return matchListRows(env.Mem, n, in, func(i int, dst [][]int) ([][]int, error) {
			re, o, err := c.get(v[1].str(i), rowFlags(v, rc, i))
			if err != nil {
				return nil, err
			}
			lim := 1
			if o.global {
				lim = -1
			}
			ms, err := re.FindAllContext(ctx, v[0].str(i), 0, lim)
			return append(dst, ms...), err
		}, func(i int) string { return v[0].str(i) })
	}}, nil
}

// matchListRows builds the text[][] of regexp_matches: get returns row
// i's matches as submatch indexes into str(i). Rows where an input is
// NULL are NULL (no rows once unnested).
func matchListRows(mem memory.Allocator, n int, ins []arrow.Array, get func(i int, dst [][]int) ([][]int, error), str func(i int) string) (arrow.Array, error) {
	lb := array.NewListBuilder(mem, arrow.ListOf(arrow.BinaryTypes.String))
	defer lb.Release()
	mb := lb.ValueBuilder().(*array.ListBuilder)
	vb := mb.ValueBuilder().(*array.StringBuilder)
	var scratch [][]int
	for i := 0; i < n; i++ {
		if anyNullAt(ins, i) {
			lb.AppendNull()
			continue
		}
		ms, err := get(i, scratch[:0])
		if err != nil {
			return nil, err
		}
		scratch = ms
		s := str(i)
		lb.Append(true)
		for _, m := range ms {
			mb.Append(true)
			if len(m) == 2 {
				vb.Append(s[m[0]:m[1]])
				continue
			}
			for g := 1; 2*g < len(m); g++ {
				if m[2*g] < 0 {
					vb.AppendNull()
				} else {
					vb.Append(s[m[2*g]:m[2*g+1]])
				}
			}
		}
	}
	return lb.NewArray(), nil
}

func anyNullAt(ins []arrow.Array, i int) bool {
	for _, a := range ins {
		if a.IsNull(i) {
			return true
		}
	}
	return false
}
