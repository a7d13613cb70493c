package sqltypes

import (
	"strings"
	"unicode/utf8"
)

// MaxIdentifierLength is PostgreSQL's NAMEDATALEN-1: longer names are cut
// to it.
const MaxIdentifierLength = 63

// SplitQualifiedName splits a possibly qualified name ("sales.orders_v1")
// into its identifiers as PostgreSQL reads the text of a regclass, regproc,
// regnamespace or regrole (stringToQualifiedNameList over
// SplitIdentifierString): blanks around a name are skipped; an unquoted
// name runs to the next '.' or blank and folds A-Z to lower case (so
// "orders_v1()" or "1abc" are names, found or not); a double-quoted name
// keeps its case and dots ("" is a quote, and "" alone an empty name); each
// is cut to 63 bytes on a character boundary. Anything else is 42602
// "invalid name syntax": blank text, an empty unquoted name ("sales.",
// ".x", "a..b"), an unclosed quote, text after a name ("a b").
//
// parse_ident reads a stricter grammar (an unquoted name must look like an
// identifier, and it cuts nothing), which is why it has its own parser.
func SplitQualifiedName(s string) ([]string, error) {
	invalid := New(CodeInvalidName, "invalid name syntax")
	p := skipBlanks(s, 0)
	if p == len(s) {
		return nil, invalid
	}
	var names []string
	for {
		var name []byte
		if s[p] == '"' {
			var ok bool
			if name, p, ok = QuotedIdentifier(s, p); !ok {
				return nil, invalid
			}
		} else {
			start := p
			for p < len(s) && s[p] != '.' && !isBlank(s[p]) {
				p++
			}
			if p == start {
				return nil, invalid
			}
			name = []byte(s[start:p])
			for i, c := range name {
				if c >= 'A' && c <= 'Z' {
					name[i] = c + 'a' - 'A'
				}
			}
		}
		names = append(names, TruncateIdentifier(string(name)))
		p = skipBlanks(s, p)
		switch {
		case p == len(s):
			return names, nil
		case s[p] == '.':
			p = skipBlanks(s, p+1)
		default:
			return nil, invalid
		}
		if p == len(s) {
			return nil, invalid // a name must follow the dot
		}
	}
}

// QuotedIdentifier reads the double-quoted name that starts at s[p] (a
// '"'): its text with each "" made one quote, and the position after its
// closing quote. ok is false when the quote is not closed.
func QuotedIdentifier(s string, p int) (name []byte, next int, ok bool) {
	p++
	for {
		end := strings.IndexByte(s[p:], '"')
		if end < 0 {
			return nil, 0, false
		}
		name = append(name, s[p:p+end]...)
		p += end + 1
		if p >= len(s) || s[p] != '"' {
			return name, p, true
		}
		name = append(name, '"')
		p++
	}
}

// TruncateIdentifier cuts a name to MaxIdentifierLength bytes without
// splitting a UTF-8 character, as PostgreSQL's truncate_identifier.
func TruncateIdentifier(s string) string {
	if len(s) <= MaxIdentifierLength {
		return s
	}
	n := MaxIdentifierLength
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// isBlank is PostgreSQL's scanner_isspace.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func skipBlanks(s string, p int) int {
	for p < len(s) && isBlank(s[p]) {
		p++
	}
	return p
}
