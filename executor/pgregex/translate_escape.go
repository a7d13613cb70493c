package pgregex

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshql/meshql/sqltypes"
)

// escape translates the escape after a backslash; s starts after it. It
// returns how many bytes of s it consumed.
func (t *translator) escape(s string, inClass bool) (int, error) {
	d := s[0]
	hexRun := func(from, max int) (string, int) {
		k := from
		for k < len(s) && k-from < max && strings.IndexByte("0123456789abcdefABCDEF", s[k]) >= 0 {
			k++
		}
		return s[from:k], k
	}
	t.constraint = !inClass && strings.IndexByte("yYmMAZ", d) >= 0
	switch {
	case d >= '1' && d <= '9' && !inClass:
		return t.digits(s)
	case (d == 'm' || d == 'M') && !inClass:
		t.mark(map[byte]string{'m': "wb", 'M': "we"}[d])
		t.out = append(t.out, ')')
	case d == 'y' && !inClass:
		t.out = append(t.out, `\b`...)
	case d == 'Y' && !inClass:
		t.out = append(t.out, `\B`...)
	case d == 'Z' && !inClass:
		t.out = append(t.out, `\z`...)
	case d == 'A' && !inClass:
		t.out = append(t.out, `\A`...)
	case d == 'B':
		t.out = append(t.out, `\\`...)
	case d == 'b':
		t.out = append(t.out, `\x08`...)
	case d == 'e':
		t.out = append(t.out, `\x1b`...)
	case d == '0':
		t.out = append(t.out, `\x00`...)
	case strings.IndexByte("afnrtvdDsSwW", d) >= 0:
		t.out = append(t.out, '\\', d)
	case d == 'c' && len(s) > 1:
		t.out = fmt.Appendf(t.out, `\x{%x}`, s[1]&0x1f)
		return 2, nil
	case d == 'u' || d == 'U' || d == 'x':
		digits, end := hexRun(1, map[byte]int{'u': 4, 'U': 8, 'x': 1 << 20}[d])
		if digits == "" || d != 'x' && len(digits) != map[byte]int{'u': 4, 'U': 8}[d] {
			return 0, invalid("invalid escape \\ sequence")
		}
		v, err := strconv.ParseUint(digits, 16, 32)
		if err != nil || v > utf8.MaxRune {
			return 0, invalid("invalid escape \\ sequence")
		}
		t.out = fmt.Appendf(t.out, `\x{%x}`, v)
		return end, nil
	case isLetter(d) || d >= '0' && d <= '9':
		return 0, invalid("invalid escape \\ sequence")
	default:
		r, w := utf8.DecodeRuneInString(s)
		if r < utf8.RuneSelf {
			t.out = append(t.out, '\\', byte(r))
		} else {
			t.out = utf8.AppendRune(t.out, r)
		}
		return w, nil
	}
	return 1, nil
}

// digits reads \N: a back-reference when N is one digit or names a
// group opened before it, else an octal character code (PostgreSQL's
// rule).
func (t *translator) digits(s string) (int, error) {
	k := 0
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	n, _ := strconv.Atoi(s[:min(k, 4)])
	if k == 1 || n <= t.ncap {
		if n > t.ncap {
			return 0, invalid("invalid backreference number")
		}
		return 0, sqltypes.New(sqltypes.CodeFeatureNotSupported, "regular expression back-references (\\%d) are not supported", n).
			WithHint("Compare the captured text in SQL instead, e.g. with regexp_match and an equality.")
	}
	o := 0
	for o < min(k, 3) && s[o] <= '7' {
		o++
	}
	v, _ := strconv.ParseUint(s[:o], 8, 32)
	if o == 0 {
		return 0, invalid("invalid escape \\ sequence")
	}
	if v > 0xff {
		o--
		v >>= 3
	}
	t.out = fmt.Appendf(t.out, `\x{%x}`, v)
	return o, nil
}

// collatingNames are the POSIX names [.name.] may use besides a single
// character.
var collatingNames = map[string]rune{"space": ' ', "exclamation-mark": '!', "quotation-mark": '"',
	"number-sign": '#', "dollar-sign": '$', "percent-sign": '%', "ampersand": '&', "apostrophe": '\'',
	"left-parenthesis": '(', "right-parenthesis": ')', "asterisk": '*', "plus-sign": '+', "comma": ',',
	"hyphen": '-', "hyphen-minus": '-', "period": '.', "full-stop": '.', "slash": '/', "solidus": '/',
	"colon": ':', "semicolon": ';', "less-than-sign": '<', "equals-sign": '=', "greater-than-sign": '>',
	"question-mark": '?', "commercial-at": '@', "left-square-bracket": '[', "backslash": '\\',
	"reverse-solidus": '\\', "right-square-bracket": ']', "circumflex": '^', "circumflex-accent": '^',
	"underscore": '_', "low-line": '_', "grave-accent": '`', "left-brace": '{', "left-curly-bracket": '{',
	"vertical-line": '|', "right-brace": '}', "right-curly-bracket": '}', "tilde": '~', "tab": '\t',
	"newline": '\n', "NUL": 0}

// posixClasses are the [:name:] classes PostgreSQL knows.
var posixClasses = map[string]bool{"alnum": true, "alpha": true, "ascii": true, "blank": true, "cntrl": true,
	"digit": true, "graph": true, "lower": true, "print": true, "punct": true, "space": true, "upper": true,
	"xdigit": true, "word": true}

// bracket translates a bracket expression; s starts at "[". It returns
// its length in s.
func (t *translator) bracket(s string, o Options) (int, error) {
	switch {
	case strings.HasPrefix(s, "[[:<:]]"):
		t.constraint = true
		t.mark("wb")
		t.out = append(t.out, ')')
		return 7, nil
	case strings.HasPrefix(s, "[[:>:]]"):
		t.constraint = true
		t.mark("we")
		t.out = append(t.out, ')')
		return 7, nil
	}
	t.out = append(t.out, '[')
	i := 1
	negated := strings.HasPrefix(s[i:], "^")
	if negated {
		t.out = append(t.out, '^')
		i++
	}
	if strings.HasPrefix(s[i:], "]") {
		t.out = append(t.out, `\]`...)
		i++
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == ']':
			if negated && o.NewlineStop {
				t.out = append(t.out, `\n`...)
			}
			t.out = append(t.out, ']')
			return i + 1, nil
		case c == '[' && i+1 < len(s) && strings.IndexByte(":.=", s[i+1]) >= 0:
			kind := s[i+1]
			end := strings.Index(s[i+2:], string(kind)+"]")
			if end < 0 {
				return 0, invalid("brackets [] not balanced")
			}
			name := s[i+2 : i+2+end]
			if kind == ':' {
				if !posixClasses[name] {
					return 0, invalid("invalid character class")
				}
				t.out = append(t.out, "[:"+name+":]"...)
			} else {
				r, w := utf8.DecodeRuneInString(name)
				if named, ok := collatingNames[name]; ok {
					r, w = named, len(name)
				}
				if name == "" || w != len(name) {
					return 0, invalid("invalid collating element")
				}
				t.out = fmt.Appendf(t.out, `\x{%x}`, r)
			}
			i += 2 + end + 2
		case c == '\\':
			if i+1 >= len(s) {
				return 0, invalid("brackets [] not balanced")
			}
			n, err := t.escape(s[i+1:], true)
			if err != nil {
				return 0, err
			}
			i += 1 + n
		case c == '[':
			t.out = append(t.out, `\[`...)
			i++
		default:
			t.out = append(t.out, c)
			i++
		}
	}
	return 0, invalid("brackets [] not balanced")
}

// goSyntaxError turns a Go parse error into PostgreSQL's 2201B message.
func goSyntaxError(err error) error {
	var e *syntax.Error
	if !errors.As(err, &e) {
		return invalid(err.Error())
	}
	msg := map[syntax.ErrorCode]string{
		syntax.ErrMissingParen:          "parentheses () not balanced",
		syntax.ErrUnexpectedParen:       "parentheses () not balanced",
		syntax.ErrMissingBracket:        "brackets [] not balanced",
		syntax.ErrInvalidCharRange:      "invalid character range",
		syntax.ErrInvalidCharClass:      "invalid character class",
		syntax.ErrInvalidEscape:         "invalid escape \\ sequence",
		syntax.ErrTrailingBackslash:     "invalid escape \\ sequence",
		syntax.ErrInvalidRepeatSize:     "invalid repetition count(s)",
		syntax.ErrMissingRepeatArgument: "quantifier operand invalid",
		syntax.ErrInvalidRepeatOp:       "quantifier operand invalid",
		syntax.ErrInvalidPerlOp:         "invalid embedded option",
		syntax.ErrNestingDepth:          "regular expression is too complex",
		syntax.ErrLarge:                 "regular expression is too complex",
		syntax.ErrInvalidUTF8:           "invalid escape \\ sequence",
		syntax.ErrInvalidNamedCapture:   "invalid embedded option",
	}[e.Code]
	if msg == "" {
		msg = fmt.Sprintf("%s: %s", e.Code, e.Expr)
	}
	return invalid(msg)
}
