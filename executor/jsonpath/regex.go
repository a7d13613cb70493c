package jsonpath

import (
	"strings"

	"github.com/meshql/meshql/executor/pgregex"
	"github.com/meshql/meshql/sqltypes"
)

func (p *parser) parseLikeRegex(l *node) (*node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tString {
		return nil, p.unexpected()
	}
	n := &node{op: opLikeRegex, l: l, s: p.tok.s}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.isWord("flag") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tString {
			return nil, p.unexpected()
		}
		for _, c := range p.tok.s {
			if !strings.ContainsRune("ismxq", c) {
				return nil, sqltypes.New(sqltypes.CodeSyntaxError, "invalid input syntax for type jsonpath").
					WithDetail("Unrecognized flag character \"%c\" in LIKE_REGEX predicate.", c)
			}
		}
		for _, c := range "ismxq" {
			if strings.ContainsRune(p.tok.s, c) {
				n.flags += string(c)
			}
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	re, err := compileRegex(n.s, n.flags)
	if err != nil {
		return nil, err
	}
	n.re = re
	return n, nil
}

// compileRegex compiles a like_regex pattern, an ARE (PostgreSQL's
// regular expressions, as ~ reads them), with its XQuery flags mapped as
// PostgreSQL maps them: "i" ignores case, without "s" neither "." nor
// [^…] matches a newline, "m" anchors ^ and $ at lines, "q" makes the
// pattern a literal (and then "s", "m" and "x" do nothing); "x" is not
// implemented (0A000), as in PostgreSQL.
func compileRegex(pattern, flags string) (*pgregex.Regexp, error) {
	has := func(c string) bool { return strings.Contains(flags, c) }
	if has("x") && !has("q") {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "XQuery \"x\" flag (expanded regular expressions) is not implemented")
	}
	return pgregex.Compile(pattern, pgregex.Options{
		CaseInsensitive: has("i"),
		Quote:           has("q"),
		NewlineStop:     !has("s") && !has("q"),
		NewlineAnchor:   has("m") && !has("q"),
	})
}
