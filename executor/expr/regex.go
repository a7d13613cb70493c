package expr

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/pgregex"
	"github.com/meshql/meshql/sqltypes"
)

// PostgreSQL's regular expressions run on Go's RE2 engine through
// executor/pgregex, whose documentation lists what differs.

// reOpts are the parsed regexp flags of the *regexp_* functions.
type reOpts struct {
	pg     pgregex.Options
	global bool
}

// parseReFlags parses a flags string; an unknown flag is 22023.
func parseReFlags(flags string) (reOpts, error) {
	var o reOpts
	for _, c := range flags {
		if c == 'g' {
			o.global = true
			continue
		}
		ok, err := o.pg.SetFlag(c)
		if err != nil {
			return o, err
		}
		if !ok {
			return o, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid regular expression option: \"%c\"", c)
		}
	}
	return o, nil
}

// compileARE compiles pattern with the given options; a pattern Go cannot
// parse is 2201B as in PostgreSQL.
func compileARE(pattern string, o reOpts) (*pgregex.Regexp, error) {
	return pgregex.Compile(pattern, o.pg)
}

// reCache compiles row patterns, reusing the last one; one per Eval call.
type reCache struct {
	pat, flags string
	re         *pgregex.Regexp
	o          reOpts
	ok         bool
	compile    func(p string, o reOpts) (*pgregex.Regexp, error)
}

// get returns the compiled pattern and its options.
func (c *reCache) get(pat, flags string) (*pgregex.Regexp, reOpts, error) {
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
	similar    bool            // pattern is SQL SIMILAR TO syntax
	compiled   *pgregex.Regexp // constant pattern
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
		re, err := r.compile(v.(string), reOpts{pg: pgregex.Options{CaseInsensitive: ci}})
		if err != nil {
			return nil, err
		}
		r.compiled = re
	}
	return r, nil
}

func (e *regexExpr) compile(p string, o reOpts) (*pgregex.Regexp, error) {
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
		var merr error
		rowsCmp(n, out, func(i int) bool {
			if merr != nil {
				return false // the batch fails: match no more rows
			}
			m, err := re.MatchString(v.str(i))
			if err != nil && merr == nil {
				merr = err
			}
			return m != e.negated
		})
		if merr != nil {
			vals.Release()
			return nil, merr
		}
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
		m, err := re.MatchString(v.str(i))
		return m != e.negated, false, err
	})
}
