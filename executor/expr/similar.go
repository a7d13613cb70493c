package expr

import (
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
// backslash) into an ARE.
func similarToRegexp(p string) (string, error) { return similarRegexp(p, `\`) }

// similarRegexp translates a SQL regular expression with escape character
// esc ("" for none) into an ARE exactly as PostgreSQL's
// similar_to_escape does, so that its regex engine's rules (pgregex)
// decide what matches: the pattern must match the whole string, and up
// to two esc+'"' separators split it into part1, part2 and part3, giving
// ^(?:part1){1,1}?(part2){1,1}(?:part3)$ where part2 is the group that
// substring(... SIMILAR ...) returns. An escaped character is passed on
// escaped (so \d is a digit class); a third separator is 2200C.
func similarRegexp(p, esc string) (string, error) {
	var escRune rune = -1
	if esc != "" {
		escRune, _ = utf8.DecodeRuneInString(esc)
	}
	var sb strings.Builder
	sb.WriteString("^(?:")
	inClass, afterEsc := false, false
	quotes := 0
	for _, r := range p {
		switch {
		case afterEsc:
			afterEsc = false
			if r == '"' && !inClass {
				switch quotes {
				case 0:
					sb.WriteString("){1,1}?(")
				case 1:
					sb.WriteString("){1,1}(?:")
				default:
					return "", sqltypes.New("2200C", "SQL regular expression may not contain more than two escape-double-quote separators")
				}
				quotes++
				continue
			}
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r == escRune:
			afterEsc = true
		case inClass:
			if r == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
			inClass = r != ']'
		case r == '[':
			inClass = true
			sb.WriteByte('[')
		case r == '%':
			sb.WriteString(".*")
		case r == '_':
			sb.WriteByte('.')
		case r == '(':
			sb.WriteString("(?:")
		case r == '\\' || r == '.' || r == '^' || r == '$':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteString(")$")
	return sb.String(), nil
}

// compileSimilar compiles a SIMILAR TO pattern.
func compileSimilar(p string) (*pgregex.Regexp, error) {
	t, err := similarToRegexp(p)
	if err != nil {
		return nil, err
	}
	return pgregex.Compile(t, pgregex.Options{})
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
	compile := func(k key) (*pgregex.Regexp, error) {
		if utf8.RuneCountInString(k.esc) > 1 {
			return nil, sqltypes.New(sqltypes.CodeInvalidEscapeSequence, "invalid escape string").
				WithHint("Escape string must be empty or one character.")
		}
		t, err := similarRegexp(k.pat, k.esc)
		if err != nil {
			return nil, err
		}
		return pgregex.Compile(t, pgregex.Options{})
	}
	var seed *pgregex.Regexp
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
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			if k := (key{v[1].str(i), v[2].str(i)}); re == nil || k != last {
				var err error
				if re, err = compile(key{strings.Clone(k.pat), strings.Clone(k.esc)}); err != nil {
					return nil, false, err
				}
				last = key{strings.Clone(k.pat), strings.Clone(k.esc)}
			}
			return appendFirstGroup(dst, re, v[0].str(i))
		})
	}}, nil
}
