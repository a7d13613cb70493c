package jsonpath

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshql/meshql/sqltypes"
)

type parser struct {
	lex        lexer
	tok        token
	filters    int // nesting depth of ? (…): @ is allowed inside
	subscripts int // nesting depth of […]: last is allowed inside
	depth      int // nesting of expressions, bounded like PostgreSQL's stack
}

// maxDepth bounds the nesting of a path's expressions, where PostgreSQL
// stops at its stack depth limit.
const maxDepth = 1000

// Parse reads jsonpath text as PostgreSQL's jsonpath input does: 42601
// for a syntax error, 22P02 for an empty path, 2201B for a bad
// like_regex pattern, 0A000 for the like_regex flag "x".
func Parse(text string) (*Path, error) {
	if strings.IndexByte(text, 0) >= 0 || !utf8.ValidString(text) {
		// PostgreSQL's text cannot hold them; a path with one could not
		// be printed back.
		return nil, sqltypes.New("22021", "invalid byte sequence for encoding \"UTF8\"")
	}
	p := &parser{lex: lexer{src: text}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type jsonpath: \"%s\"", text)
	}
	path := &Path{}
	if p.tok.kind == tIdent {
		switch strings.ToLower(p.tok.s) {
		case "strict":
			path.strict = true
			fallthrough
		case "lax":
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected()
	}
	path.root = root
	return path, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	p.tok = t
	return err
}

func (p *parser) unexpected() error { return syntaxErr(p.tok.raw) }

func (p *parser) isPunct(s string) bool { return p.tok.kind == tPunct && p.tok.s == s }

// isWord reports whether the token is the keyword w (case-insensitive,
// as PostgreSQL's scanner reads keywords).
func (p *parser) isWord(w string) bool { return p.tok.kind == tIdent && strings.EqualFold(p.tok.s, w) }

func (p *parser) expect(s string) error {
	if !p.isPunct(s) {
		return p.unexpected()
	}
	return p.advance()
}

// binary parses a left-associative chain of the operators ops over
// operands read by sub; pred says whether the operands are predicates
// (&&, ||) or expressions (arithmetic).
func (p *parser) binary(sub func() (*node, error), pred bool, ops ...string) (*node, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	defer p.keepDepth()()
	for p.tok.kind == tPunct && contains(ops, p.tok.s) {
		if err := p.deeper(); err != nil {
			return nil, err // a left-deep chain is evaluated and printed recursively
		}
		at := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := sub()
		if err != nil {
			return nil, err
		}
		if l.isPredicate() != pred || r.isPredicate() != pred {
			return nil, syntaxErr(at.raw)
		}
		l = &node{op: binaryOps[at.s], l: l, r: r}
	}
	return l, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// nested runs f one nesting level deeper: 54001 beyond maxDepth.
func (p *parser) nested(f func() (*node, error)) (*node, error) {
	if err := p.deeper(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return f()
}

// deeper adds a level to the path's depth (a nesting, an operator of a
// chain or an accessor, all of which evaluation and printing recurse
// through): 54001 beyond maxDepth, as PostgreSQL's stack check, rather
// than a Go stack overflow that no recover catches.
func (p *parser) deeper() error {
	if p.depth++; p.depth > maxDepth {
		return sqltypes.New(sqltypes.CodeStackDepthExceeded, "stack depth limit exceeded").WithHint("jsonpath expressions nest at most %d levels deep.", maxDepth)
	}
	return nil
}

// keepDepth returns a function that puts the depth back as it is now,
// for a chain whose links deepened it.
func (p *parser) keepDepth() func() {
	at := p.depth
	return func() { p.depth = at }
}

func (p *parser) parseOr() (*node, error) {
	return p.nested(func() (*node, error) { return p.binary(p.parseAnd, true, "||") })
}
func (p *parser) parseAnd() (*node, error) { return p.binary(p.parseNot, true, "&&") }

func (p *parser) parseNot() (*node, error) {
	if !p.isPunct("!") {
		return p.parseComparison()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if !p.isPunct("(") && !p.isWord("exists") {
		return nil, p.unexpected()
	}
	at := p.tok
	arg, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	if !arg.isPredicate() {
		return nil, syntaxErr(at.raw)
	}
	return &node{op: opNot, l: arg}, nil
}

func (p *parser) parseComparison() (*node, error) {
	l, err := p.parseAdditive()
	if err != nil || l.isPredicate() {
		return l, err
	}
	at := p.tok
	switch {
	case at.kind == tPunct && contains([]string{"==", "!=", "<", ">", "<=", ">="}, at.s):
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		if r.isPredicate() {
			return nil, syntaxErr(at.raw)
		}
		return &node{op: binaryOps[at.s], l: l, r: r}, nil
	case p.isWord("starts"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isWord("with") {
			return nil, p.unexpected()
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		var r *node
		switch p.tok.kind {
		case tString:
			r = &node{op: opString, s: p.tok.s}
		case tVar:
			r = &node{op: opVar, s: p.tok.s}
		default:
			return nil, p.unexpected()
		}
		return &node{op: opStartsWith, l: l, r: r}, p.advance()
	case p.isWord("like_regex"):
		return p.parseLikeRegex(l)
	}
	return l, nil
}

func (p *parser) parseAdditive() (*node, error) {
	return p.binary(p.parseMultiplicative, false, "+", "-")
}

func (p *parser) parseMultiplicative() (*node, error) {
	return p.binary(p.parseUnary, false, "*", "/", "%")
}

// parseUnary reads +x and -x; over a number literal the sign is folded
// into it, as PostgreSQL's grammar does (- 1 prints as -1).
func (p *parser) parseUnary() (*node, error) {
	if !p.isPunct("+") && !p.isPunct("-") {
		return p.parsePostfix()
	}
	at := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	arg, err := p.nested(p.parseUnary)
	if err != nil {
		return nil, err
	}
	if arg.isPredicate() {
		return nil, syntaxErr(at.raw)
	}
	if arg.op == opNumber && arg.next == nil {
		if at.s == "-" {
			arg.s = negateText(arg.s)
		}
		return arg, nil
	}
	if at.s == "-" {
		return &node{op: opMinus, l: arg}, nil
	}
	return &node{op: opPlus, l: arg}, nil
}

func (p *parser) parsePostfix() (*node, error) {
	head, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	tail := head
	defer p.keepDepth()()
	for {
		if err := p.deeper(); err != nil {
			return nil, err
		}
		var acc *node
		switch {
		case p.isPunct("."):
			acc, err = p.parseDot()
		case p.isPunct("["):
			acc, err = p.parseSubscripts()
		case p.isPunct("?"):
			acc, err = p.parseFilter()
		default:
			return head, nil
		}
		if err != nil {
			return nil, err
		}
		for tail.next != nil {
			tail = tail.next
		}
		tail.next = acc
		tail = acc
	}
}

func (p *parser) parsePrimary() (*node, error) {
	t := p.tok
	var n *node
	switch t.kind {
	case tEOF:
		return nil, syntaxErr("")
	case tString:
		n = &node{op: opString, s: t.s}
	case tNumber:
		n = &node{op: opNumber, s: t.s}
	case tVar:
		n = &node{op: opVar, s: t.s}
	case tPunct:
		switch t.s {
		case "$":
			n = &node{op: opRoot}
		case "@":
			if p.filters == 0 {
				return nil, sqltypes.New(sqltypes.CodeSyntaxError, "@ is not allowed in root expressions")
			}
			n = &node{op: opCurrent}
		case "(":
			return p.parseParens()
		default:
			return nil, p.unexpected()
		}
	case tIdent:
		switch {
		case t.s == "null":
			n = &node{op: opNull}
		case t.s == "true" || t.s == "false":
			n = &node{op: opBool, s: t.s}
		case strings.EqualFold(t.s, "last"):
			if p.subscripts == 0 {
				return nil, sqltypes.New(sqltypes.CodeSyntaxError, "LAST is allowed only in array subscripts")
			}
			n = &node{op: opLast}
		case strings.EqualFold(t.s, "exists"):
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.expect("("); err != nil {
				return nil, err
			}
			arg, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			if arg.isPredicate() {
				return nil, p.unexpected()
			}
			return &node{op: opExists, l: arg}, p.expect(")")
		default:
			return nil, p.unexpected()
		}
	}
	return n, p.advance()
}

// parseParens reads ( expr ) or ( predicate ) [is unknown].
func (p *parser) parseParens() (*node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	inner, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if inner.isPredicate() && p.isWord("is") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isWord("unknown") {
			return nil, p.unexpected()
		}
		return &node{op: opIsUnknown, l: inner}, p.advance()
	}
	return inner, nil
}

var methods = map[string]bool{"type": true, "size": true, "abs": true, "floor": true, "ceiling": true, "double": true, "keyvalue": true, "datetime": true}

// parseDot reads the accessor after a '.': a key, .*, .**{…} or a method.
func (p *parser) parseDot() (*node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	t := p.tok
	switch {
	case p.isPunct("*"):
		return &node{op: opAnyKey}, p.advance()
	case p.isPunct("**"):
		return p.parseAny()
	case t.kind == tString:
		return &node{op: opKey, s: t.s}, p.advance()
	case t.kind != tIdent:
		return nil, p.unexpected()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	name := strings.ToLower(t.s)
	if !p.isPunct("(") || !methods[name] {
		return &node{op: opKey, s: t.s}, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	m := &node{op: opMethod, s: name}
	if name == "datetime" && p.tok.kind == tString {
		m.l = &node{op: opString, s: p.tok.s}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return m, p.expect(")")
}

func (p *parser) parseAny() (*node, error) {
	n := &node{op: opAny, first: 0, last: anyLast}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if !p.isPunct("{") {
		return n, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	level := func() (uint32, error) {
		t := p.tok
		var v uint32
		switch {
		case p.isWord("last"):
			v = anyLast
		case t.kind == tNumber && !strings.ContainsAny(t.raw, ".eE"):
			u, err := strconv.ParseUint(t.s, 10, 32)
			if err != nil {
				return 0, syntaxErr(t.raw)
			}
			v = uint32(u)
		default:
			return 0, p.unexpected()
		}
		return v, p.advance()
	}
	var err error
	if n.first, err = level(); err != nil {
		return nil, err
	}
	n.last = n.first
	if p.isWord("to") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if n.last, err = level(); err != nil {
			return nil, err
		}
	}
	return n, p.expect("}")
}

func (p *parser) parseSubscripts() (*node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.isPunct("*") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &node{op: opAnyArray}, p.expect("]")
	}
	p.subscripts++
	defer func() { p.subscripts-- }()
	n := &node{op: opIndex}
	for {
		from, err := p.subscriptExpr()
		if err != nil {
			return nil, err
		}
		s := subscript{from: from}
		if p.isWord("to") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			if s.to, err = p.subscriptExpr(); err != nil {
				return nil, err
			}
		}
		n.subs = append(n.subs, s)
		if !p.isPunct(",") {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return n, p.expect("]")
}

func (p *parser) subscriptExpr() (*node, error) {
	at := p.tok
	e, err := p.nested(p.parseAdditive)
	if err == nil && e.isPredicate() {
		err = syntaxErr(at.raw)
	}
	return e, err
}

func (p *parser) parseFilter() (*node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	p.filters++
	at := p.tok
	pred, err := p.parseOr()
	p.filters--
	if err != nil {
		return nil, err
	}
	if !pred.isPredicate() {
		return nil, syntaxErr(at.raw)
	}
	return &node{op: opFilter, l: pred}, p.expect(")")
}

func negateText(s string) string {
	if strings.HasPrefix(s, "-") {
		return s[1:]
	}
	if strings.Trim(s, "0.") == "" {
		return s // -0 is 0
	}
	return "-" + s
}
