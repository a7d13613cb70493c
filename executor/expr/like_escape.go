package expr

import (
	"unicode/utf8"

	"github.com/meshql/meshql/sqltypes"
)

// LikeEscape is PostgreSQL's like_escape(pattern, escape): pattern with
// its escape character replaced by backslash, LIKE's own, which the LIKE
// and SIMILAR TO kernels take. Backslashes that are not escaped become
// ordinary characters (doubled); an empty escape leaves none; an escape of
// more than one character is 22025.
func LikeEscape(pattern, esc string) (string, error) {
	if esc == `\` {
		return pattern, nil
	}
	b, err := appendLikeEscape(make([]byte, 0, len(pattern)+2), pattern, esc)
	return string(b), err
}

// appendLikeEscape appends LikeEscape(pattern, esc) to dst.
func appendLikeEscape(dst []byte, pattern, esc string) ([]byte, error) {
	if len(esc) > 1 && utf8.RuneCountInString(esc) > 1 {
		return dst, sqltypes.New(sqltypes.CodeInvalidEscapeSequence, "invalid escape string").
			WithHint("Escape string must be empty or one character.")
	}
	if esc == `\` {
		return append(dst, pattern...), nil
	}
	e, _ := utf8.DecodeRuneInString(esc)
	afterEscape := false
	for _, r := range pattern {
		switch {
		case esc != "" && r == e && !afterEscape:
			dst = append(dst, '\\')
			afterEscape = true
		case r == '\\':
			dst = append(dst, '\\')
			if !afterEscape {
				dst = append(dst, '\\')
			}
			afterEscape = false
		default:
			dst = utf8.AppendRune(dst, r)
			afterEscape = false
		}
	}
	return dst, nil
}

// buildLikeEscape is like_escape(pattern, escape), which LIKE ... ESCAPE
// over a pattern computed per row is bound to.
func buildLikeEscape(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if !implicitText(args[0].Type()) || !implicitText(args[1].Type()) {
		return nil, functionError(name, args)
	}
	return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
		out, err := appendLikeEscape(dst, v[0].str(i), v[1].str(i))
		return out, false, err
	})
}
