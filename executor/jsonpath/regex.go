package jsonpath

import (
	"regexp"
	"strings"

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

// compileRegex compiles a like_regex pattern with its XQuery flags as
// PostgreSQL maps them: without "s" a dot stops at newlines, "m" anchors
// at lines, "q" quotes the whole pattern, "x" is not implemented.
func compileRegex(pattern, flags string) (*regexp.Regexp, error) {
	prefix := ""
	if strings.Contains(flags, "i") {
		prefix += "i"
	}
	if strings.Contains(flags, "q") {
		pattern = regexp.QuoteMeta(pattern)
	} else {
		if strings.Contains(flags, "x") {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "XQuery \"x\" flag (expanded regular expressions) is not implemented")
		}
		if strings.Contains(flags, "s") {
			prefix += "s"
		}
		if strings.Contains(flags, "m") {
			prefix += "m"
		}
	}
	if prefix != "" {
		pattern = "(?" + prefix + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, sqltypes.New("2201B", "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}
