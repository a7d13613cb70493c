// Package pgregex runs PostgreSQL's regular expressions (ARE): the ~
// operators and regexp_* functions of executor/expr and the like_regex
// predicate of executor/jsonpath.
package pgregex

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// A pattern is translated to Go's syntax. Go's RE2 decides whether and
// where a match starts; PostgreSQL's rules for how far it extends and
// what each group captures are this package's engine (engine.go), run
// when they can differ from RE2's leftmost-longest answer: with a
// non-greedy quantifier, an alternation or a repeated group, and for a
// search from the middle of a text when the pattern looks behind (^,
// \y). The engine also runs the constraints RE2 lacks: lookahead,
// lookbehind, \m and \M. For a greedy RE, RE2's leftmost-longest match
// is PostgreSQL's extent and the engine only places the groups.
//
// Translation keeps PostgreSQL's defaults: "." matches a newline and ^ $
// anchor at the ends of the string (flag n / m makes them line-based),
// \y \Y \A \Z become \b \B \A \z, \B is a backslash, \b is a backspace,
// \uXXXX \UXXXXXXXX \xhh are code points, ***= makes the rest literal,
// (?flags) at the start sets options.
//
// Gaps: back-references \1 in a pattern are 0A000 (no engine here can
// run them), as are the basic and extended syntaxes (flags b, e).
// Without the i flag matching is exact; with it, letters fold as in a
// UTF-8 locale (PostgreSQL's C locale folds ASCII only).

// CodeInvalidRegex is PostgreSQL's SQLSTATE for a bad pattern.
const CodeInvalidRegex = "2201B"

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
	// Expanded: white space and #-comments are ignored (REG_EXPANDED).
	Expanded bool
}

// SetFlag applies one flag letter of the regexp_* functions (all but g);
// false if c is not one.
func (o *Options) SetFlag(c rune) (bool, error) {
	switch c {
	case 'i':
		o.CaseInsensitive = true
	case 'c':
		o.CaseInsensitive = false
	case 'n', 'm':
		o.NewlineStop, o.NewlineAnchor = true, true
	case 's':
		o.NewlineStop, o.NewlineAnchor = false, false
	case 'p':
		o.NewlineStop, o.NewlineAnchor = true, false
	case 'w':
		o.NewlineStop, o.NewlineAnchor = false, true
	case 'q':
		o.Quote = true
	case 'x':
		o.Expanded = true
	case 't':
		o.Expanded = false
	case 'b', 'e':
		return true, sqltypes.New(sqltypes.CodeFeatureNotSupported, "regular expression option \"%c\" (%s regular expression syntax) is not supported", c, map[rune]string{'b': "basic", 'e': "extended"}[c]).
			WithHint("Patterns are read as advanced regular expressions (the default).")
	default:
		return false, nil
	}
	return true, nil
}

// translation is a pattern in Go's syntax and what decides how it runs.
type translation struct {
	re2    string // for RE2; "" when it uses constraints RE2 lacks
	engine string // with the marker groups of engine.go
	// pgRules: a non-greedy quantifier or an alternation, where RE2's
	// extents or captures can differ from PostgreSQL's.
	pgRules bool
}

// leadingOptions strips "***:" and an embedded "(?flags)" and applies
// the flags.
func leadingOptions(p string, o *Options) (string, error) {
	p = strings.TrimPrefix(p, "***:")
	rest, ok := strings.CutPrefix(p, "(?")
	if !ok || rest == "" || !isLetter(rest[0]) {
		return p, nil
	}
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return p, invalid("invalid embedded option")
	}
	for _, c := range rest[:end] {
		ok, err := o.SetFlag(c)
		if err != nil {
			return p, err
		}
		if !ok {
			return p, invalid("invalid embedded option")
		}
	}
	return rest[end+1:], nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func invalid(msg string) error {
	return sqltypes.New(CodeInvalidRegex, "invalid regular expression: %s", msg)
}

// translator holds the state of one translation.
type translator struct {
	p       string
	out     []byte
	markers bool
	pgRules bool
	needEng bool
	ncap    int // capturing groups opened so far
	// constraint: the last thing written matches no text
	constraint bool
	// lookStart: the depths of t.groups at which open constraints start
	lookStart []int
	groups    []group
	nmark     int
}

type group struct {
	start int // offset in out where the group's content starts
	alt   bool
}

func translate(p string, o Options, markers bool) (translation, error) {
	if !o.Quote {
		if rest, ok := strings.CutPrefix(p, "***="); ok {
			p, o.Quote = rest, true
		}
	}
	if o.Quote {
		q := regexp.QuoteMeta(p)
		return translation{re2: q, engine: q}, nil
	}
	t := &translator{p: p, markers: markers, groups: []group{{}}}
	if err := t.run(o); err != nil {
		return translation{}, err
	}
	if t.groups[0].alt {
		t.wrapAlt(0)
	}
	tr := translation{engine: string(t.out), pgRules: t.pgRules}
	if !t.needEng {
		tr.re2 = tr.engine
	}
	return tr, nil
}

// mark opens a marker group of engine.go (or, without markers, a plain
// non-capturing group and a note that RE2 cannot run the pattern).
func (t *translator) mark(kind string) {
	t.needEng = true
	t.nmark++
	t.out = fmt.Appendf(t.out, "(?P<%s%s%d>", markerPrefix, kind, t.nmark)
}

// wrapAlt encloses the content of group g, an alternation, in an alt
// marker so that the engine sees it after Go's parser has folded
// single-character alternatives into a class.
func (t *translator) wrapAlt(g int) {
	t.pgRules = true
	if !t.markers {
		return
	}
	start := t.groups[g].start
	t.nmark++
	open := fmt.Sprintf("(?P<%salt%d>", markerPrefix, t.nmark)
	t.out = append(t.out[:start], append([]byte(open), t.out[start:]...)...)
	t.out = append(t.out, ')')
}

func (t *translator) run(o Options) error {
	p := t.p
	for i := 0; i < len(p); i++ {
		c := p[i]
		afterConstraint := t.constraint
		t.constraint = false
		// A constraint (^, $, \y, a lookahead, …) cannot be repeated.
		if afterConstraint && (strings.IndexByte("*+?", c) >= 0 || c == '{' && i+1 < len(p) && p[i+1] >= '0' && p[i+1] <= '9') {
			return invalid("quantifier operand invalid")
		}
		switch {
		case c == '^' || c == '$':
			t.constraint = true
			t.out = append(t.out, c)
		case o.Expanded && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
		case o.Expanded && c == '#':
			for i+1 < len(p) && p[i+1] != '\n' {
				i++
			}
		case c == '\\':
			if i+1 >= len(p) {
				return invalid("invalid escape \\ sequence")
			}
			n, err := t.escape(p[i+1:], false)
			if err != nil {
				return err
			}
			i += n
		case c == '[':
			n, err := t.bracket(p[i:], o)
			if err != nil {
				return err
			}
			i += n - 1
		case c == '(':
			n, err := t.openGroup(p[i+1:])
			if err != nil {
				return err
			}
			i += n
			t.groups = append(t.groups, group{start: len(t.out)})
		case c == ')':
			if len(t.groups) == 1 {
				return invalid("parentheses () not balanced")
			}
			if t.groups[len(t.groups)-1].alt {
				t.wrapAlt(len(t.groups) - 1)
			}
			t.groups = t.groups[:len(t.groups)-1]
			if n := len(t.lookStart); n > 0 && t.lookStart[n-1] == len(t.groups) {
				t.lookStart = t.lookStart[:n-1]
				t.constraint = true
			}
			t.out = append(t.out, ')')
		case c == '|':
			t.groups[len(t.groups)-1].alt = true
			t.out = append(t.out, '|')
		case c == '{':
			// A repeated group reports its last iteration's captures,
			// which RE2 may choose differently.
			t.pgRules = t.pgRules || i > 0 && p[i-1] == ')'
			n, err := t.bound(p[i:])
			if err != nil {
				return err
			}
			i += n - 1
		case c == '?' && i > 0 && strings.IndexByte("*+?}", p[i-1]) >= 0:
			t.pgRules = true
			t.out = append(t.out, c)
		case (c == '*' || c == '+' || c == '?') && i > 0 && p[i-1] == ')':
			t.pgRules = true
			t.out = append(t.out, c)
		default:
			t.out = append(t.out, c)
		}
	}
	if len(t.groups) > 1 {
		return invalid("parentheses () not balanced")
	}
	return nil
}

// openGroup writes the opening of a group; rest follows the "(". It
// returns how many bytes of rest it consumed.
func (t *translator) openGroup(rest string) (int, error) {
	if !strings.HasPrefix(rest, "?") {
		if t.inLook() { // groups in a constraint do not capture
			t.out = append(t.out, "(?:"...)
			return 0, nil
		}
		t.ncap++
		t.out = append(t.out, '(')
		return 0, nil
	}
	for _, k := range []struct{ pre, kind string }{{"?:", ""}, {"?=", "la"}, {"?!", "nla"}, {"?<=", "lb"}, {"?<!", "nlb"}} {
		if strings.HasPrefix(rest, k.pre) {
			switch {
			case k.kind == "" && t.markers && !t.inLook():
				t.mark("nc")
			case k.kind == "":
				t.out = append(t.out, "(?:"...)
			default:
				t.mark(k.kind)
				t.lookStart = append(t.lookStart, len(t.groups))
			}
			return len(k.pre), nil
		}
	}
	// Options are only read at the start; elsewhere PostgreSQL sees a
	// "?" with nothing to repeat.
	return 0, invalid("quantifier operand invalid")
}

func (t *translator) inLook() bool { return len(t.lookStart) > 0 }

// bound checks a {m,n} bound (PostgreSQL allows at most 255) and copies
// it; s starts at "{". A "{" that starts no bound is a literal.
func (t *translator) bound(s string) (int, error) {
	// As PostgreSQL's lexer: a "{" not followed by a digit is literal;
	// after one, only digits, one comma and "}" may follow, the end of
	// the pattern being unbalanced braces.
	if len(s) < 2 || s[1] < '0' || s[1] > '9' {
		t.out = append(t.out, `\{`...)
		return 1, nil
	}
	end := 1
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == ',') {
		end++
	}
	if end == len(s) {
		return 0, invalid("braces {} not balanced")
	}
	if s[end] != '}' {
		return 0, invalid("invalid repetition count(s)")
	}
	body := s[1:end]
	lo, hi, hasComma := strings.Cut(body, ",")
	num := func(d string) (int, bool) {
		if d == "" || strings.Trim(d, "0123456789") != "" {
			return 0, false
		}
		v, err := strconv.Atoi(d)
		return v, err == nil
	}
	m, ok := num(lo)
	if !ok {
		return 0, invalid("invalid repetition count(s)")
	}
	n := m
	if hasComma && hi != "" {
		if n, ok = num(hi); !ok {
			return 0, invalid("invalid repetition count(s)")
		}
	}
	if m > 255 || n > 255 || hasComma && hi != "" && m > n {
		return 0, invalid("invalid repetition count(s)")
	}
	t.out = append(t.out, s[:end+1]...)
	used := end + 1
	lazy := strings.HasPrefix(s[used:], "?")
	switch {
	case !hasComma && lazy:
		used++ // {m}? is {m}: it has no greediness
	case hasComma && lazy && m != n:
		t.pgRules = true
		t.out = append(t.out, '?')
		used++
	case hasComma && m == n:
		t.pgRules = t.pgRules || lazy
		// {m,m} has a greediness, which Go's parser cannot tell from {m}'s:
		// a marker after it carries it to the engine.
		if lazy { // Go's non-greedy flag says it
			t.out = append(t.out, '?')
			used++
		} else if rest := s[used:]; t.markers && (rest == "" || strings.IndexByte("*+?{", rest[0]) < 0) {
			t.mark("long")
			t.out = append(t.out, ')')
		}
	}
	return used, nil
}
