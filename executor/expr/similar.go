package expr

import (
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/pgregex"
	"strings"
	"unicode/utf8"

	"github.com/meshql/meshql/sqltypes"
)

// SimilarTo returns e SIMILAR TO pattern (NOT SIMILAR TO when negated).
// The SQL regular expression is translated as PostgreSQL's
// similar_to_escape does: % is .*, _ is ., ( ) group without capturing,
// | * + ? {m,n} and bracket expressions keep their regex meaning, other
// regex metacharacters are literal, backslash escapes the next character,
// and the whole pattern must match the whole string. A NULL pattern gives
// NULL; an invalid one is 2201B. ESCAPE clauses other than the default
// backslash are not supported (the binder rejects them).
func SimilarTo(e, pattern Expr, negated bool) (Expr, error) {
	return newRegexExpr("~", e, pattern, false, negated, true)
}

// similarToRegexp translates a SIMILAR TO pattern (escape character
// backslash) into a Go regexp.
func similarToRegexp(p string) (string, error) { return similarRegexp(p, `\`) }

// similarRegexp translates a SQL regular expression with escape character
// esc ("" for none) into a Go regexp, as PostgreSQL's similar_to_escape:
// the pattern must match the whole string, and up to two esc+'"'
// separators split it into part1, part2 and part3, part2 being the
// (only) capturing group that substring(... SIMILAR ...) returns. SQL
// wants part1 to match as little and part2 as much as possible:
// PostgreSQL writes ^(?:part1){1,1}?(part2){1,1}(?:part3)$ for its
// regex engine's greediness rules; under Go's leftmost-first rules the
// same comes from making part1's quantifiers lazy. An escape character
// at the very end is dropped, as in PostgreSQL; a third separator is
// 2200C.
func similarRegexp(p, esc string) (string, error) {
	var escRune rune = -1
	if esc != "" {
		escRune, _ = utf8.DecodeRuneInString(esc)
	}
	var sb strings.Builder
	sb.WriteString("^(?:")
	inClass, afterEsc := false, false
	quotes := 0
	// lazy makes the quantifier just written non-greedy in part1.
	lazy := func() {
		if quotes == 0 {
			sb.WriteByte('?')
		}
	}
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		if afterEsc {
			afterEsc = false
			if r == '"' && !inClass {
				switch quotes {
				case 0:
					sb.WriteString(")(")
				case 1:
					sb.WriteString(")(?:")
				default:
					return "", sqltypes.New("2200C", "SQL regular expression may not contain more than two escape-double-quote separators")
				}
				quotes++
				continue
			}
			sb.WriteString(regexp.QuoteMeta(string(r)))
			continue
		}
		if r == escRune {
			afterEsc = true
			continue
		}
		if inClass {
			switch r {
			case ']':
				inClass = false
				sb.WriteByte(']')
			case '\\':
				sb.WriteString(`\\`)
			default:
				sb.WriteRune(r)
			}
			continue
		}
		switch r {
		case '%':
			sb.WriteString(".*")
			lazy()
		case '_':
			sb.WriteByte('.')
		case '(':
			sb.WriteString("(?:")
		case '*', '+', '?':
			sb.WriteRune(r)
			lazy()
		case '}':
			sb.WriteByte('}')
			lazy()
		case ')', '|', '{', ',':
			sb.WriteRune(r)
		case '[':
			inClass = true
			sb.WriteByte('[')
			if strings.HasPrefix(p[i:], "^") {
				sb.WriteByte('^')
				i++
			}
			if strings.HasPrefix(p[i:], "]") {
				sb.WriteString(`\]`)
				i++
			}
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString(")$")
	return sb.String(), nil
}

// compileSimilar compiles a SIMILAR TO pattern.
func compileSimilar(p string) (*regexp.Regexp, error) {
	t, err := similarToRegexp(p)
	if err != nil {
		return nil, err
	}
	return compileGo(t)
}

// buildSubstringSimilar is substring(s SIMILAR p ESCAPE e), also spelled
// substring(s FROM p FOR e): the part of s matching the part of p between
// its two e+'"' separators (the whole match without them) when all of p
// matches all of s, else NULL. An escape of more than one character is
// 22025.
func buildSubstringSimilar(name string, args []Expr) (Expr, error) {
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	type key struct{ pat, esc string }
	compile := func(k key) (*regexp.Regexp, error) {
		if utf8.RuneCountInString(k.esc) > 1 {
			return nil, sqltypes.New(sqltypes.CodeInvalidEscapeSequence, "invalid escape string").
				WithHint("Escape string must be empty or one character.")
		}
		t, err := similarRegexp(k.pat, k.esc)
		if err != nil {
			return nil, err
		}
		return compileGo(t)
	}
	var seed *regexp.Regexp
	var seedKey key
	pv, okP := IsLiteral(a[1])
	ev, okE := IsLiteral(a[2])
	if okP && okE && pv != nil && ev != nil {
		seedKey = key{pv.(string), ev.(string)}
		if seed, err = compile(seedKey); err != nil {
			return nil, err
		}
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := textViews(in)
		re, last := seed, seedKey
		return mapRowsStr(env.Mem, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			if k := (key{v[1].str(i), v[2].str(i)}); re == nil || k != last {
				var err error
				if re, err = compile(key{strings.Clone(k.pat), strings.Clone(k.esc)}); err != nil {
					return nil, false, err
				}
				last = key{strings.Clone(k.pat), strings.Clone(k.esc)}
			}
			return appendFirstGroup(dst, pgregex.WrapGo(re), v[0].bytes(i))
		})
	}}, nil
}
