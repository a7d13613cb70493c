package jsonpath

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshql/meshql/sqltypes"
)

// tokKind is a lexical token of jsonpath text.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // an unquoted word: a key, or a keyword where the grammar wants one
	tString         // "…" with escapes decoded
	tNumber         // a numeric literal, normalized
	tVar            // $name or $"name"
	tPunct          // operators and punctuation, text in s
)

type token struct {
	kind tokKind
	s    string // decoded text
	raw  string // the input text, for error messages
}

// lexer splits jsonpath text into tokens as PostgreSQL's jsonpath_scan.l
// does: keywords are words whose meaning the parser decides by position.
type lexer struct {
	src string
	pos int
}

// specials are the characters that end an unquoted word.
const specials = "?%$.[]{}()|&!=<>@#,*:-+/\\\" \t\n\r\f"

func syntaxErr(near string) error {
	if near == "" {
		return sqltypes.New(sqltypes.CodeSyntaxError, "syntax error at end of jsonpath input")
	}
	return sqltypes.New(sqltypes.CodeSyntaxError, "syntax error at or near \"%s\" of jsonpath input", near)
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\n\r\f", l.src[l.pos]) >= 0 {
		l.pos++
	}
	if l.pos >= len(l.src) {
		return token{kind: tEOF}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case c == '"':
		s, err := l.quoted()
		return token{kind: tString, s: s, raw: l.src[start:l.pos]}, err
	case c == '$':
		l.pos++
		if l.pos < len(l.src) && l.src[l.pos] == '"' {
			s, err := l.quoted()
			return token{kind: tVar, s: s, raw: l.src[start:l.pos]}, err
		}
		if w, err := l.word(); err != nil || w != "" {
			return token{kind: tVar, s: w, raw: l.src[start:l.pos]}, err
		}
		return token{kind: tPunct, s: "$", raw: "$"}, nil
	case c >= '0' && c <= '9' || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		return l.number()
	case strings.IndexByte(specials, c) >= 0 && c != '\\':
		for _, op := range []string{"**", "==", "!=", "<>", "<=", ">=", "&&", "||"} {
			if strings.HasPrefix(l.src[l.pos:], op) {
				l.pos += 2
				if op == "<>" {
					op = "!="
				}
				return token{kind: tPunct, s: op, raw: l.src[start:l.pos]}, nil
			}
		}
		l.pos++
		return token{kind: tPunct, s: string(c), raw: string(c)}, nil
	}
	w, err := l.word()
	return token{kind: tIdent, s: w, raw: l.src[start:l.pos]}, err
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// word reads an unquoted word (backslash escapes allowed, as in keys).
func (l *lexer) word() (string, error) {
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\\' {
			if err := l.escape(&b); err != nil {
				return "", err
			}
			continue
		}
		if strings.IndexByte(specials, c) >= 0 {
			break
		}
		b.WriteByte(c)
		l.pos++
	}
	return b.String(), nil
}

// quoted reads a "…" string at l.pos.
func (l *lexer) quoted() (string, error) {
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", sqltypes.New(sqltypes.CodeSyntaxError, "unexpected end of quoted string at end of jsonpath input")
		}
		switch c := l.src[l.pos]; c {
		case '"':
			l.pos++
			return b.String(), nil
		case '\\':
			if err := l.escape(&b); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// escape decodes the backslash escape at l.pos.
func (l *lexer) escape(b *strings.Builder) error {
	start := l.pos
	l.pos++
	if l.pos >= len(l.src) {
		return sqltypes.New(sqltypes.CodeSyntaxError, "unexpected end after backslash at end of jsonpath input")
	}
	c := l.src[l.pos]
	l.pos++
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'v':
		b.WriteByte('\v')
	case 'x':
		v, ok := l.hex(2, 2)
		if !ok {
			return sqltypes.New(sqltypes.CodeSyntaxError, "invalid hexadecimal character sequence at or near \"%s\" of jsonpath input", l.src[start:min(l.pos+2, len(l.src))])
		}
		b.WriteRune(rune(v))
	case 'u':
		return l.unicode(b, start)
	default:
		// Any other character stands for itself (\" \\ \/ \' …).
		r, n := utf8.DecodeRuneInString(l.src[l.pos-1:])
		b.WriteRune(r)
		l.pos += n - 1
	}
	return nil
}

func (l *lexer) unicode(b *strings.Builder, start int) error {
	bad := func() error {
		return sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode escape sequence at or near \"%s\" of jsonpath input", l.src[start:min(l.pos+1, len(l.src))])
	}
	var v int
	if l.pos < len(l.src) && l.src[l.pos] == '{' {
		l.pos++
		n, ok := l.hex(1, 6)
		if !ok || l.pos >= len(l.src) || l.src[l.pos] != '}' {
			return bad()
		}
		l.pos++
		v = n
	} else {
		n, ok := l.hex(4, 4)
		if !ok {
			return bad()
		}
		v = n
		if v >= 0xD800 && v <= 0xDBFF && strings.HasPrefix(l.src[l.pos:], "\\u") {
			save := l.pos
			l.pos += 2
			lo, ok := l.hex(4, 4)
			if ok && lo >= 0xDC00 && lo <= 0xDFFF {
				v = 0x10000 + (v-0xD800)<<10 + (lo - 0xDC00)
			} else {
				l.pos = save
			}
		}
	}
	if v == 0 {
		return sqltypes.New("22P05", "unsupported Unicode escape sequence").WithDetail("\\u0000 cannot be converted to text.")
	}
	if v >= 0xD800 && v <= 0xDFFF || v > utf8.MaxRune {
		return sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode surrogate pair at or near \"%s\" of jsonpath input", l.src[start:l.pos])
	}
	b.WriteRune(rune(v))
	return nil
}

// hex reads between lo and hi hex digits.
func (l *lexer) hex(lo, hi int) (int, bool) {
	end := l.pos
	for end < len(l.src) && end-l.pos < hi && strings.IndexByte("0123456789abcdefABCDEF", l.src[end]) >= 0 {
		end++
	}
	if end-l.pos < lo {
		return 0, false
	}
	v, _ := strconv.ParseInt(l.src[l.pos:end], 16, 32)
	l.pos = end
	return int(v), true
}

// number reads a numeric literal: an integer (no leading zeros), a
// decimal (1., 1.5, .5) and an exponent. A word character straight after
// it is PostgreSQL's "trailing junk" error (1.type() is not 1 .type()).
func (l *lexer) number() (token, error) {
	start := l.pos
	digits := func() int {
		s := l.pos
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		return l.pos - s
	}
	intLen := digits()
	if l.pos < len(l.src) && l.src[l.pos] == '.' && (l.pos+1 >= len(l.src) || l.src[l.pos+1] != '.') {
		// "1.5.a" is (1.5)."a"; "1." then a digit or nothing is a decimal.
		if l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]) || intLen > 0 {
			l.pos++
			digits()
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		save := l.pos
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if digits() == 0 {
			l.pos = save
		}
	}
	raw := l.src[start:l.pos]
	junk := l.pos < len(l.src) && (strings.IndexByte(specials, l.src[l.pos]) < 0 || l.src[l.pos] == '\\')
	if !junk && intLen > 1 && raw[0] == '0' {
		junk = true // 00, 01: PostgreSQL reads no leading zeros
	}
	if junk {
		end := min(l.pos+1, len(l.src))
		return token{}, sqltypes.New(sqltypes.CodeSyntaxError, "trailing junk after numeric literal at or near \"%s\" of jsonpath input", l.src[start:end])
	}
	n, err := normalizeNumber(raw)
	return token{kind: tNumber, s: n, raw: raw}, err
}

// normalizeNumber gives a numeric literal numeric's output form, as
// PostgreSQL stores a jsonpath number (1e3 is 1000, .5 is 0.5).
func normalizeNumber(raw string) (string, error) {
	s := raw
	if s[0] == '.' {
		s = "0" + s
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && (i+1 == len(s) || !isDigit(s[i+1])) {
		s = s[:i] + s[i+1:] // "1." and "1.e3"
	}
	v, err := sqltypes.ParseJSONB(s)
	if err != nil || v.Kind != sqltypes.JSONBNumber {
		return "", syntaxErr(raw)
	}
	return v.Scalar, nil
}
