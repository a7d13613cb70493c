package expr

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// PostgreSQL's regular expressions (ARE) run on Go's RE2 engine. The
// translation keeps PostgreSQL's defaults: "." matches a newline and ^ $
// anchor at the ends of the string (flag n / m makes them line-based), \y
// \Y \A \Z become \b \B \A \z, \uXXXX becomes \x{XXXX}, ***= makes the
// rest literal.
//
// Gaps (RE2 cannot express them): back-references \1 in a pattern and
// the word anchors \m \M are 0A000; lookahead/lookbehind constraints fail
// to compile (2201B); the expanded syntax flag x is 0A000. Where several
// alternatives match at the same start, RE2 follows Perl (leftmost-first)
// rather than ARE's longest-match rules for the whole pattern.

// reOpts are the parsed regexp flags of the *regexp_* functions.
type reOpts struct {
	ci, newline, global bool
}

// parseReFlags parses a flags string; an unknown flag is 22023.
func parseReFlags(flags string) (reOpts, error) {
	var o reOpts
	for _, c := range flags {
		switch c {
		case 'i':
			o.ci = true
		case 'c':
			o.ci = false
		case 'n', 'm':
			o.newline = true
		case 's':
			o.newline = false
		case 'g':
			o.global = true
		case 'x':
			return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "regular expression option \"x\" is not supported")
		default:
			return o, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid regular expression option: \"%c\"", c)
		}
	}
	return o, nil
}

// translateARE rewrites a PostgreSQL ARE for Go's regexp package.
func translateARE(p string) (string, error) {
	if rest, ok := strings.CutPrefix(p, "***="); ok {
		return regexp.QuoteMeta(rest), nil
	}
	p = strings.TrimPrefix(p, "***:")
	var sb strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			d := p[i]
			switch {
			case inClass:
				sb.WriteByte('\\')
				sb.WriteByte(d)
			case d >= '1' && d <= '9':
				return "", sqltypes.New(sqltypes.CodeFeatureNotSupported, "regular expression back-references (\\%c) are not supported", d)
			case d == 'm' || d == 'M':
				return "", sqltypes.New(sqltypes.CodeFeatureNotSupported, "regular expression word anchors (\\%c) are not supported", d)
			case d == 'y':
				sb.WriteString(`\b`)
			case d == 'Y':
				sb.WriteString(`\B`)
			case d == 'Z':
				sb.WriteString(`\z`)
			case d == 'u' && i+4 < len(p):
				sb.WriteString(`\x{` + p[i+1:i+5] + `}`)
				i += 4
			default:
				sb.WriteByte('\\')
				sb.WriteByte(d)
			}
		case c == '[' && !inClass:
			inClass = true
			sb.WriteByte(c)
			// a ] right after [ or [^ is a literal
			if i+1 < len(p) && p[i+1] == '^' {
				sb.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				sb.WriteString(`\]`)
				i++
			}
		case c == '[' && inClass && i+1 < len(p) && (p[i+1] == ':' || p[i+1] == '.' || p[i+1] == '='):
			// [:alpha:] inside a class: copy through to the closing :]
			end := strings.Index(p[i+2:], string(p[i+1])+"]")
			if end < 0 {
				sb.WriteString(p[i:])
				i = len(p)
				continue
			}
			sb.WriteString(p[i : i+2+end+2])
			i += 1 + end + 2
		case c == ']' && inClass:
			inClass = false
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), nil
}

// compileARE compiles pattern with the given options; a pattern Go cannot
// parse is 2201B as in PostgreSQL.
func compileARE(pattern string, o reOpts) (*regexp.Regexp, error) {
	t, err := translateARE(pattern)
	if err != nil {
		return nil, err
	}
	return compileGo(t, o)
}

// compileGo compiles an already translated Go pattern.
func compileGo(t string, o reOpts) (*regexp.Regexp, error) {
	prefix := "(?s)"
	if o.newline {
		prefix = "(?m)"
	}
	if o.ci {
		prefix += "(?i)"
	}
	re, err := regexp.Compile(prefix + t)
	if err != nil {
		msg := err.Error()
		var e *syntax.Error
		if errors.As(err, &e) {
			msg = fmt.Sprintf("%s: %s", e.Code, e.Expr)
		}
		return nil, sqltypes.New("2201B", "invalid regular expression: %s", msg)
	}
	return re, nil
}

// reCache compiles row patterns, reusing the last one; one per Eval call.
type reCache struct {
	pat, flags string
	re         *regexp.Regexp
	o          reOpts
	ok         bool
	compile    func(p string, o reOpts) (*regexp.Regexp, error)
}

// get returns the compiled pattern and its options.
func (c *reCache) get(pat, flags string) (*regexp.Regexp, reOpts, error) {
	if c.ok && pat == c.pat && flags == c.flags {
		return c.re, c.o, nil
	}
	o, err := parseReFlags(flags)
	if err != nil {
		return nil, o, err
	}
	comp := c.compile
	if comp == nil {
		comp = compileARE
	}
	re, err := comp(pat, o)
	if err != nil {
		return nil, o, err
	}
	c.pat, c.flags, c.re, c.o, c.ok = strings.Clone(pat), strings.Clone(flags), re, o, true
	return re, o, nil
}

// regexExpr is e ~ pattern and its variants !~ ~* !~*, and SIMILAR TO.
type regexExpr struct {
	e, pattern Expr
	ci         bool
	negated    bool
	similar    bool           // pattern is SQL SIMILAR TO syntax
	compiled   *regexp.Regexp // constant pattern
	nullPat    bool
}

// RegexMatch returns e ~ pattern (~* when caseInsensitive, !~ / !~* when
// negated). Both operands are text; the pattern is a PostgreSQL ARE (see
// the translation notes above). A constant pattern is compiled once; an
// invalid one is 2201B.
func RegexMatch(e, pattern Expr, caseInsensitive, negated bool) (Expr, error) {
	op := map[[2]bool]string{{false, false}: "~", {true, false}: "~*", {false, true}: "!~", {true, true}: "!~*"}[[2]bool{caseInsensitive, negated}]
	return newRegexExpr(op, e, pattern, caseInsensitive, negated, false)
}

func newRegexExpr(op string, e, pattern Expr, ci, negated, similar bool) (Expr, error) {
	if e.Type().Kind == sqltypes.Unknown {
		e = coerceTo(e, sqltypes.TypeText)
	}
	if k := pattern.Type().Kind; k == sqltypes.Unknown || k == sqltypes.Bpchar {
		pattern = coerceTo(pattern, sqltypes.TypeText)
	}
	// A bpchar subject is matched blank-padded, as PostgreSQL's bpchar
	// operators do.
	if !(e.Type().IsString() || e.Type().Kind == sqltypes.Bpchar) || !pattern.Type().IsString() {
		return nil, operatorError(op, e.Type(), pattern.Type())
	}
	r := &regexExpr{e: e, pattern: pattern, ci: ci, negated: negated, similar: similar}
	if v, ok := IsLiteral(pattern); ok {
		if v == nil {
			r.nullPat = true
			return r, nil
		}
		re, err := r.compile(v.(string), reOpts{ci: ci})
		if err != nil {
			return nil, err
		}
		r.compiled = re
	}
	return r, nil
}

func (e *regexExpr) compile(p string, o reOpts) (*regexp.Regexp, error) {
	if e.similar {
		return compileSimilar(p)
	}
	return compileARE(p, o)
}

func (e *regexExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *regexExpr) children() []Expr    { return []Expr{e.e, e.pattern} }
func (e *regexExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.e, c.pattern = ch[0], ch[1]
	return &c
}

func (e *regexExpr) String() string {
	op := "~"
	switch {
	case e.similar:
		op = "SIMILAR TO"
		if e.negated {
			op = "NOT SIMILAR TO"
		}
		return fmt.Sprintf("(%s %s %s)", e.e, op, e.pattern)
	case e.ci:
		op = "~*"
	}
	if e.negated {
		op = "!" + op
	}
	return fmt.Sprintf("(%s %s %s)", e.e, op, e.pattern)
}

func (e *regexExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := int(b.NumRows())
	if e.nullPat {
		return nullArray(env.Mem, sqltypes.TypeBool, n), nil
	}
	if e.compiled != nil {
		a, err := e.e.Eval(ctx, env, b)
		if err != nil {
			return nil, err
		}
		defer a.Release()
		v := viewOf(a)
		vals, out := allocBitmap(env.Mem, n)
		re := e.compiled
		rowsCmp(n, out, func(i int) bool { return re.Match(v.bytes(i)) != e.negated })
		return boolArray(n, vals, andValidity(env.Mem, n, a)), nil
	}
	args, err := evalArgs(ctx, env, b, e.e, e.pattern)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	v, pv := viewOf(args[0]), viewOf(args[1])
	cache := reCache{compile: e.compile}
	flags := ""
	if e.ci {
		flags = "i"
	}
	return boolRows(env.Mem, n, args, func(i int) (bool, bool, error) {
		re, _, err := cache.get(pv.str(i), flags)
		if err != nil {
			return false, false, err
		}
		return re.Match(v.bytes(i)) != e.negated, false, nil
	})
}
