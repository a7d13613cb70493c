package expr

import (
	"context"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/pgregex"
	"github.com/meshql/meshql/sqltypes"
)

// The regexp_* functions: regexp_replace(s, p, r [, flags]),
// regexp_match(s, p [, flags]) → text[], regexp_like(s, p [, flags]),
// regexp_count(s, p [, start [, flags]]) and regexp_split_to_array(s, p
// [, flags]). Flags: i c n m s g (g only for regexp_replace). A constant
// pattern with constant flags is compiled when the call is built.

var textListType = sqltypes.ListOf(sqltypes.TypeText)

// reCall describes where a regexp function finds its pattern and flags.
type reCall struct {
	pat, flags int // argument indexes; flags -1 = none
}

// seedCache precompiles constant pattern/flags into a cache that each
// Eval copies.
func seedCache(args []Expr, rc reCall) (reCache, error) {
	var c reCache
	pv, ok := IsLiteral(args[rc.pat])
	if !ok || pv == nil {
		return c, nil
	}
	flags := ""
	if rc.flags >= 0 {
		fv, ok := IsLiteral(args[rc.flags])
		if !ok || fv == nil {
			return c, nil
		}
		flags = fv.(string)
	}
	_, _, err := c.get(pv.(string), flags)
	return c, err
}

// rowFlags reads the flags argument of row i ("" without one).
func rowFlags(v []strView, rc reCall, i int) string {
	if rc.flags < 0 {
		return ""
	}
	return v[rc.flags].str(i)
}

// textViews returns views of the text-typed inputs.
func textViews(in []arrow.Array) []strView {
	views := make([]strView, len(in))
	for i, a := range in {
		if id := a.DataType().ID(); id == arrow.STRING || id == arrow.BINARY {
			views[i] = viewOf(a)
		}
	}
	return views
}

func buildRegexpFunc(name string, args []Expr) (Expr, error) {
	if name == "regexp_replace" && len(args) >= 4 && args[3].Type().IsInteger() {
		return buildRegexpReplaceExt(name, args)
	}
	min, max := 2, 3
	switch name {
	case "regexp_replace":
		min, max = 3, 4
	case "regexp_count":
		max = 4
	}
	if err := wantArgs(name, args, min, max); err != nil {
		return nil, err
	}
	rc := reCall{pat: 1, flags: -1}
	if len(args) == max {
		rc.flags = max - 1
	}
	a := make([]Expr, len(args))
	for i, x := range args {
		want := sqltypes.TypeText
		if name == "regexp_count" && i == 2 {
			want = sqltypes.TypeInt4
		}
		c := coerceTo(x, want)
		if !implicitArg(x.Type(), want) || c.Type().Kind != want.Kind && !(c.Type().IsString() && want.IsString()) {
			return nil, functionError(name, args)
		}
		a[i] = c
	}
	seed, err := seedCache(a, rc)
	if err != nil {
		return nil, err
	}
	if name == "regexp_match" && seed.ok && seed.o.global {
		return nil, errMatchGlobal()
	}
	call := &callExpr{name: name, args: a}
	switch name {
	case "regexp_replace":
		call.t = sqltypes.TypeText
		call.kc = func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			c, v := seed, textViews(in)
			var parts []replPart
			return boundedStrAhead(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte, ahead func(int64) error) ([]byte, bool, error) {
				re, o, err := c.get(v[1].str(i), rowFlags(v, rc, i))
				if err != nil {
					return nil, false, err
				}
				lim := 1
				if o.global {
					lim = -1
				}
				locs, err := re.FindAllContext(ctx, v[0].str(i), 0, lim)
				if err != nil {
					return nil, false, err
				}
				return replaceMatches(dst, v[0].bytes(i), locs, v[2].bytes(i), &parts, ahead)
			})
		}
	case "regexp_like":
		call.t = sqltypes.TypeBool
		call.k = func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			c, v := seed, textViews(in)
			return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
				re, o, err := c.get(v[1].str(i), rowFlags(v, rc, i))
				if err == nil && o.global {
					err = errNoGlobal(name)
				}
				if err != nil {
					return false, false, err
				}
				m, err := re.MatchString(v[0].str(i))
				return m, false, err
			})
		}
	case "regexp_count":
		call.t = sqltypes.TypeInt4
		call.kc = func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			c, v := seed, textViews(in)
			var starts []int32
			if len(in) > 2 {
				starts = values[int32](in[2])
			}
			return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
				// PostgreSQL's order: start, then the flags.
				if starts != nil && starts[i] <= 0 {
					return 0, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"start\": %d", starts[i])
				}
				re, o, err := c.get(v[1].str(i), rowFlags(v, rc, i))
				if err == nil && o.global {
					err = errNoGlobal(name)
				}
				if err != nil {
					return 0, false, err
				}
				s, from := v[0].str(i), 0
				if starts != nil {
					from = len(s) - len(skipChars(s, int(starts[i])-1))
				}
				locs, err := re.FindAllContext(ctx, s, from, -1)
				return int32(len(locs)), false, err
			})
		}
	case "regexp_match", "regexp_split_to_array":
		call.t = textListType
		split := name == "regexp_split_to_array"
		call.kc = func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			c, v := seed, textViews(in)
			return textListRows(env.Mem, n, in, func(i int, dst []textElem) ([]textElem, bool, error) {
				re, o, err := c.get(v[1].str(i), rowFlags(v, rc, i))
				if err != nil {
					return nil, false, err
				}
				if o.global {
					if split {
						return nil, false, errNoGlobal(name)
					}
					return nil, false, errMatchGlobal()
				}
				if split {
					dst, err := splitRegexp(ctx, re, v[0].str(i), dst)
					return dst, false, err
				}
				return matchGroups(re, v[0].str(i), dst)
			})
		}
	}
	return call, nil
}

// errNoGlobal is the error of a function that finds one match (or
// counts them all) for the g flag.
func errNoGlobal(name string) error {
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "%s() does not support the \"global\" option", name)
}

func errMatchGlobal() error {
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "regexp_match() does not support the \"global\" option").
		WithHint("Use the regexp_matches function instead.")
}

// skipChars drops the first k characters of s.
func skipChars(s string, k int) string {
	for ; k > 0 && len(s) > 0; k-- {
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
	}
	return s
}

// replPart is a piece of regexp_replace's replacement text: literal
// bytes, or (group >= 0) the text a match's group captured (\1 to \9;
// \& for the whole match).
type replPart struct {
	lit   []byte
	group int
}

// parseReplacement appends to parts the pieces of repl as PostgreSQL
// reads it: \1-\9 and \& stand for groups, \\ for a backslash, and a
// backslash before anything else is itself.
func parseReplacement(parts []replPart, repl []byte) []replPart {
	start := 0
	for k := 0; k < len(repl); k++ {
		if repl[k] != '\\' || k+1 >= len(repl) {
			continue
		}
		g := -1
		switch d := repl[k+1]; {
		case d >= '1' && d <= '9':
			g = int(d - '0')
		case d == '&':
			g = 0
		case d == '\\':
			parts = append(parts, replPart{lit: repl[start : k+1], group: -1})
			start = k + 2
			k++
			continue
		default:
			continue
		}
		parts = append(parts, replPart{lit: repl[start:k], group: -1}, replPart{group: g})
		start = k + 2
		k++
	}
	return append(parts, replPart{lit: repl[start:], group: -1})
}

// groupText is the text group g of match m captured in src (nil when it
// captured nothing or the pattern has no such group).
func groupText(src []byte, m []int, g int) []byte {
	if 2*g+1 < len(m) && m[2*g] >= 0 {
		return src[m[2*g]:m[2*g+1]]
	}
	return nil
}

// replacedLen is the length of appendReplace's result.
func replacedLen(src []byte, locs [][]int, parts []replPart) int64 {
	n := int64(len(src))
	for _, m := range locs {
		n -= int64(m[1] - m[0])
		for _, p := range parts {
			if p.group < 0 {
				n += int64(len(p.lit))
			} else {
				n += int64(len(groupText(src, m, p.group)))
			}
		}
	}
	return n
}

// replaceMatches appends src with each match of locs replaced by repl,
// once ahead has held its length to the limits; parts is scratch space
// for repl's pieces.
func replaceMatches(dst, src []byte, locs [][]int, repl []byte, parts *[]replPart, ahead func(int64) error) ([]byte, bool, error) {
	*parts = parseReplacement((*parts)[:0], repl)
	if err := ahead(replacedLen(src, locs, *parts)); err != nil {
		return nil, false, err
	}
	return appendReplace(dst, src, locs, *parts), false, nil
}

// appendReplace appends src with each match of locs replaced by parts.
func appendReplace(dst, src []byte, locs [][]int, parts []replPart) []byte {
	prev := 0
	for _, m := range locs {
		dst = append(dst, src[prev:m[0]]...)
		for _, p := range parts {
			if p.group < 0 {
				dst = append(dst, p.lit...)
			} else {
				dst = append(dst, groupText(src, m, p.group)...)
			}
		}
		prev = m[1]
	}
	return append(dst, src[prev:]...)
}

// matchGroups appends regexp_match's result for s; it returns null=true
// when there is no match.
func matchGroups(re *pgregex.Regexp, s string, dst []textElem) ([]textElem, bool, error) {
	m, err := re.FindStringSubmatchIndex(s)
	if m == nil {
		return dst, true, err
	}
	if len(m) == 2 {
		return append(dst, textElem{s: s[m[0]:m[1]]}), false, nil
	}
	for g := 1; 2*g < len(m); g++ {
		if m[2*g] < 0 {
			dst = append(dst, textElem{null: true})
			continue
		}
		dst = append(dst, textElem{s: s[m[2*g]:m[2*g+1]]})
	}
	return dst, false, nil
}

// splitRegexp appends the pieces of s between matches, ignoring empty
// matches at the start or end of s or right after the previous match, as
// PostgreSQL does.
func splitRegexp(ctx context.Context, re *pgregex.Regexp, s string, dst []textElem) ([]textElem, error) {
	locs, err := re.FindAllContext(ctx, s, 0, -1)
	if err != nil {
		return nil, err
	}
	prevEnd, piece := 0, 0
	for _, m := range locs {
		if m[0] < len(s) && m[1] > prevEnd {
			dst = append(dst, textElem{s: s[piece:m[0]]})
			piece = m[1]
		}
		prevEnd = m[1]
	}
	return append(dst, textElem{s: s[piece:]}), nil
}

// textElem is one element of a text[] result (null: SQL NULL).
type textElem struct {
	s    string
	null bool
}

// textListRows builds a text[] array: get appends row i's elements to
// dst or returns null=true. Rows where an input is NULL are NULL. Element
// strings may alias input buffers; they are copied here.
func textListRows(mem memory.Allocator, n int, ins []arrow.Array, get func(i int, dst []textElem) ([]textElem, bool, error)) (arrow.Array, error) {
	lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.StringBuilder)
	var scratch []textElem
	for i := 0; i < n; i++ {
		valid := true
		for _, a := range ins {
			if a.IsNull(i) {
				valid = false
				break
			}
		}
		if !valid {
			lb.AppendNull()
			continue
		}
		els, null, err := get(i, scratch[:0])
		if err != nil {
			return nil, err
		}
		scratch = els
		if null {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, e := range els {
			if e.null {
				vb.AppendNull()
			} else {
				vb.Append(e.s)
			}
		}
	}
	return lb.NewArray(), nil
}

// buildSubstringAny is substring(s FROM pattern) — the regular-expression
// form, chosen when the second argument is text: the first parenthesized
// group's match (the whole match without groups), NULL when nothing
// matches. Other signatures are the positional substring.
func buildSubstringAny(name string, args []Expr) (Expr, error) {
	if len(args) == 3 && args[1].Type().IsString() && args[2].Type().IsString() {
		return buildSubstringSimilar(name, args)
	}
	if len(args) != 2 || !args[1].Type().IsString() {
		return buildSubstring(name, args)
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	rc := reCall{pat: 1, flags: -1}
	seed, err := seedCache(a, rc)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		c, v := seed, textViews(in)
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			re, _, err := c.get(v[1].str(i), "")
			if err != nil {
				return nil, false, err
			}
			return appendFirstGroup(dst, re, v[0].str(i))
		})
	}}, nil
}

// appendFirstGroup appends the text of re's first parenthesized group in
// src (the whole match when re has no group); null=true when re does not
// match or the group took no part in the match. src may be a view of an
// Arrow buffer (strView.str): nothing keeps it.
func appendFirstGroup(dst []byte, re *pgregex.Regexp, src string) ([]byte, bool, error) {
	m, err := re.FindStringSubmatchIndex(src)
	if err != nil {
		return nil, false, err
	}
	g := 0
	if len(m) > 2 {
		g = 1
	}
	if m == nil || m[2*g] < 0 {
		return nil, true, nil
	}
	return append(dst, src[m[2*g]:m[2*g+1]]...), false, nil
}
