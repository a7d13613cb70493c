// Package pgregex runs PostgreSQL's regular expressions (ARE) on Go's
// regexp package (RE2): the ~ operators and regexp_* functions of
// executor/expr and the like_regex predicate of executor/jsonpath.
package pgregex

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

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

// Translate rewrites a PostgreSQL ARE for Go's regexp package; with
// newlineStop a bracket expression that starts with ^ does not match a
// newline either (ARE's newline-sensitive matching).
func Translate(p string, newlineStop bool) (string, error) {
	if rest, ok := strings.CutPrefix(p, "***="); ok {
		return regexp.QuoteMeta(rest), nil
	}
	p = strings.TrimPrefix(p, "***:")
	var sb strings.Builder
	inClass, negated := false, false
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
			negated = i+1 < len(p) && p[i+1] == '^'
			if negated {
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
			if negated && newlineStop {
				sb.WriteString(`\n`)
			}
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), nil
}

// Options are ARE's compile flags.
type Options struct {
	CaseInsensitive bool
	// NewlineStop: "." and [^…] do not match a newline (REG_NLSTOP).
	NewlineStop bool
	// NewlineAnchor: ^ and $ also match after and before a newline
	// (REG_NLANCH).
	NewlineAnchor bool
	// Quote: the whole pattern is a literal string (REG_QUOTE).
	Quote bool
}

// Compile compiles an ARE with the given options; a pattern Go cannot
// parse is 2201B as in PostgreSQL.
func Compile(pattern string, o Options) (*regexp.Regexp, error) {
	if o.Quote {
		return CompileGo(regexp.QuoteMeta(pattern), o)
	}
	t, err := Translate(pattern, o.NewlineStop)
	if err != nil {
		return nil, err
	}
	return CompileGo(t, o)
}

// CompileGo compiles an already translated Go pattern.
func CompileGo(t string, o Options) (*regexp.Regexp, error) {
	prefix := "(?"
	if !o.NewlineStop {
		prefix += "s"
	}
	if o.NewlineAnchor {
		prefix += "m"
	}
	if o.CaseInsensitive {
		prefix += "i"
	}
	if prefix == "(?" {
		prefix = ""
	} else {
		prefix += ")"
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
