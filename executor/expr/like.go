package expr

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// likePattern is a compiled LIKE pattern: literal segments separated by %,
// where a segment may contain _ (any one character). Matching is greedy
// leftmost per segment, which is exact for patterns whose only
// variable-length wildcard is %.
type likePattern struct {
	segs       []likeSeg
	anchorHead bool // pattern does not start with %
	anchorTail bool // pattern does not end with %
	fold       bool // ILIKE: compare lower-cased text
	// fast paths when no segment has _
	kind  likeKind
	plain []byte
	// endsInEscape: the pattern ends with an escape character. It never
	// matches, and it is an error (22025) once matching reaches that
	// escape with text left, which is when reached matches the text.
	endsInEscape bool
	reached      *likePattern
}

type likeSeg struct {
	lit    []byte // literal bytes with wildcard positions marked in any
	any    []bool // any[i]: lit[i] is a placeholder for _ (one character)
	hasAny bool
}

type likeKind uint8

const (
	likeGeneral  likeKind = iota
	likeEqual             // no wildcard
	likePrefix            // abc%
	likeSuffix            // %abc
	likeContains          // %abc%
	likeAll               // %
)

// compileLike parses pattern with backslash as the escape character.
func compileLike(pattern string, fold bool) (*likePattern, error) {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	p := &likePattern{fold: fold}
	cur := likeSeg{}
	var segs []likeSeg
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch c {
		case '\\':
			if i+1 >= len(pattern) {
				reached, err := compileLike(pattern[:i]+"_%", false)
				if err != nil {
					return nil, err
				}
				return &likePattern{fold: fold, endsInEscape: true, reached: reached}, nil
			}
			i++
			cur.lit = append(cur.lit, pattern[i])
			cur.any = append(cur.any, false)
		case '%':
			segs = append(segs, cur)
			cur = likeSeg{}
		case '_':
			cur.lit = append(cur.lit, '_')
			cur.any = append(cur.any, true)
			cur.hasAny = true
		default:
			cur.lit = append(cur.lit, c)
			cur.any = append(cur.any, false)
		}
	}
	segs = append(segs, cur)
	p.anchorHead = true
	p.anchorTail = true
	if len(segs) > 1 {
		if len(segs[0].lit) == 0 {
			p.anchorHead = false
		}
		if len(segs[len(segs)-1].lit) == 0 {
			p.anchorTail = false
		}
	}
	// drop empty segments (from %%); keep the anchoring flags
	for _, s := range segs {
		if len(s.lit) > 0 {
			p.segs = append(p.segs, s)
		}
	}
	hasAny := false
	for _, s := range p.segs {
		hasAny = hasAny || s.hasAny
	}
	switch {
	case len(segs) == 1 && !hasAny:
		p.kind, p.plain = likeEqual, segs[0].lit
	case len(p.segs) == 0:
		p.kind = likeAll
	case hasAny || len(p.segs) > 1:
		p.kind = likeGeneral
	case p.anchorHead:
		p.kind, p.plain = likePrefix, p.segs[0].lit
	case p.anchorTail:
		p.kind, p.plain = likeSuffix, p.segs[0].lit
	default:
		p.kind, p.plain = likeContains, p.segs[0].lit
	}
	return p, nil
}

// matchErr is match, and 22025 for a pattern ending in an escape that
// matching reaches.
func (p *likePattern) matchErr(s []byte, scratch *[]byte) (bool, error) {
	if !p.endsInEscape {
		return p.match(s, scratch), nil
	}
	if p.fold {
		s = lowerInto(s, scratch)
	}
	if p.reached.match(s, nil) {
		return false, sqltypes.New(sqltypes.CodeInvalidEscapeSequence, "LIKE pattern must not end with escape character")
	}
	return false, nil
}

// match reports whether s matches. s is lower-cased first for ILIKE
// (scratch avoids allocating for ASCII text).
func (p *likePattern) match(s []byte, scratch *[]byte) bool {
	if p.fold {
		s = lowerInto(s, scratch)
	}
	switch p.kind {
	case likeAll:
		return true
	case likeEqual:
		return bytes.Equal(s, p.plain)
	case likePrefix:
		return bytes.HasPrefix(s, p.plain)
	case likeSuffix:
		return bytes.HasSuffix(s, p.plain)
	case likeContains:
		return bytes.Contains(s, p.plain)
	}
	return p.matchGeneral(s)
}

func (p *likePattern) matchGeneral(s []byte) bool {
	segs := p.segs
	pos := 0
	for k, seg := range segs {
		first, last := k == 0, k == len(segs)-1
		switch {
		case first && p.anchorHead:
			n, ok := seg.matchAt(s, 0)
			if !ok {
				return false
			}
			pos = n
			if last && p.anchorTail {
				return pos == len(s)
			}
		case last && p.anchorTail && !seg.hasAny:
			return len(s)-pos >= len(seg.lit) && bytes.HasSuffix(s, seg.lit)
		case last && p.anchorTail:
			// the last segment must end exactly at the end of s
			for start := len(s); start >= pos; start-- {
				if start < len(s) && !utf8.RuneStart(s[start]) {
					continue
				}
				if n, ok := seg.matchAt(s, start); ok && n == len(s) {
					return true
				}
			}
			return false
		case !seg.hasAny:
			k := bytes.Index(s[pos:], seg.lit)
			if k < 0 {
				return false
			}
			pos += k + len(seg.lit)
		default:
			found := false
			for start := pos; start <= len(s); start++ {
				if start < len(s) && !utf8.RuneStart(s[start]) {
					continue
				}
				if n, ok := seg.matchAt(s, start); ok {
					pos, found = n, true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// matchAt matches the segment at s[start:], returning the end offset.
func (seg *likeSeg) matchAt(s []byte, start int) (int, bool) {
	i := start
	for k, c := range seg.lit {
		if seg.any[k] {
			if i >= len(s) {
				return 0, false
			}
			_, size := utf8.DecodeRune(s[i:])
			i += size
			continue
		}
		if i >= len(s) || s[i] != c {
			return 0, false
		}
		i++
	}
	return i, true
}

// lowerInto lower-cases s, reusing scratch; ASCII-only text is folded
// byte by byte.
func lowerInto(s []byte, scratch *[]byte) []byte {
	buf := (*scratch)[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			buf = append(buf[:0], bytes.ToLower(s)...)
			*scratch = buf
			return buf
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	*scratch = buf
	return buf
}

// likeExpr is e [NOT] [I]LIKE pattern.
type likeExpr struct {
	e, pattern Expr
	negated    bool
	fold       bool
	compiled   *likePattern // constant pattern, compiled once
	nullPat    bool         // constant NULL pattern
}

// Like returns e LIKE pattern (ILIKE when caseInsensitive, NOT when
// negated). Both are text; backslash escapes % and _. A constant pattern
// is compiled once (prefix, suffix and substring patterns use bytes
// search); a pattern ending in a lone backslash is 22025.
func Like(e, pattern Expr, negated, caseInsensitive bool) (Expr, error) {
	if e.Type().Kind == sqltypes.Unknown {
		e = coerceTo(e, sqltypes.TypeText)
	}
	if k := pattern.Type().Kind; k == sqltypes.Unknown || k == sqltypes.Bpchar {
		pattern = coerceTo(pattern, sqltypes.TypeText)
	}
	// A bpchar subject is matched blank-padded, as PostgreSQL's bpchar
	// operators do.
	if !(e.Type().IsString() || e.Type().Kind == sqltypes.Bpchar) || !pattern.Type().IsString() {
		op := "~~"
		if caseInsensitive {
			op = "~~*"
		}
		return nil, operatorError(op, e.Type(), pattern.Type())
	}
	l := &likeExpr{e: e, pattern: pattern, negated: negated, fold: caseInsensitive}
	if v, ok := IsLiteral(pattern); ok {
		if v == nil {
			l.nullPat = true
		} else {
			p, err := compileLike(v.(string), caseInsensitive)
			if err != nil {
				return nil, err
			}
			if !p.endsInEscape { // which the row path reports
				l.compiled = p
			}
		}
	}
	return l, nil
}

func (e *likeExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *likeExpr) children() []Expr    { return []Expr{e.e, e.pattern} }
func (e *likeExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.e, c.pattern = ch[0], ch[1]
	return &c
}

func (e *likeExpr) String() string {
	op := "LIKE"
	if e.fold {
		op = "ILIKE"
	}
	if e.negated {
		op = "NOT " + op
	}
	return fmt.Sprintf("(%s %s %s)", e.e, op, e.pattern)
}

func (e *likeExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
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
		var scratch []byte
		p := e.compiled
		rowsCmp(n, out, func(i int) bool { return p.match(v.bytes(i), &scratch) != e.negated })
		return boolArray(n, vals, andValidity(env.Mem, n, a)), nil
	}
	args, err := evalArgs(ctx, env, b, e.e, e.pattern)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	v, pv := viewOf(args[0]), viewOf(args[1])
	var last string
	var p *likePattern
	var scratch []byte
	return boolRows(env.Mem, n, args, func(i int) (bool, bool, error) {
		if ps := pv.str(i); p == nil || ps != last {
			np, err := compileLike(ps, e.fold)
			if err != nil {
				return false, false, err
			}
			p, last = np, strings.Clone(ps)
		}
		m, err := p.matchErr(v.bytes(i), &scratch)
		return m != e.negated, false, err
	})
}
