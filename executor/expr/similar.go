package expr

import (
	"regexp"
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

// similarToRegexp translates a SIMILAR TO pattern into a Go regexp.
func similarToRegexp(p string) (string, error) {
	var sb strings.Builder
	sb.WriteString("^(?:")
	inClass := false
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		if inClass {
			switch r {
			case ']':
				inClass = false
				sb.WriteByte(']')
			case '\\':
				if i < len(p) {
					r2, s2 := utf8.DecodeRuneInString(p[i:])
					i += s2
					sb.WriteString(regexp.QuoteMeta(string(r2)))
				}
			default:
				sb.WriteRune(r)
			}
			continue
		}
		switch r {
		case '\\':
			if i >= len(p) {
				return "", sqltypes.New(sqltypes.CodeInvalidEscapeSequence, "invalid escape string").
					WithHint("Escape string must be empty or one character.")
			}
			r2, s2 := utf8.DecodeRuneInString(p[i:])
			i += s2
			sb.WriteString(regexp.QuoteMeta(string(r2)))
		case '%':
			sb.WriteString(".*")
		case '_':
			sb.WriteByte('.')
		case '(':
			sb.WriteString("(?:")
		case ')', '|', '*', '+', '?', '{', '}', ',':
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
	return compileGo(t, reOpts{})
}
