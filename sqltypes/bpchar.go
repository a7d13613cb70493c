package sqltypes

import (
	"strings"
	"unicode/utf8"
)

// character(n) values are kept as PostgreSQL stores them: padded with
// blanks to n characters. Its semantics that differ from text (trailing
// blanks do not count in comparisons, length or a cast to text) are
// applied where a bpchar value is compared or converted.

// PadChars is an explicit cast to character(n): s truncated to n
// characters, then padded with blanks to n. n <= 0 (bpchar without a
// length) returns s unchanged.
func PadChars(s string, n int) string {
	if n <= 0 {
		return s
	}
	s = TruncateChars(s, n)
	if c := utf8.RuneCountInString(s); c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}

// AssignChars is the assignment of s to a column of character(n) (n > 0)
// or character varying(n) (pad false): characters beyond n may only be
// blanks, which are cut; anything else fails with 22001, as PostgreSQL's
// INSERT does.
func AssignChars(s string, n int, pad bool) (string, error) {
	if n <= 0 {
		return s, nil
	}
	t := TruncateChars(s, n)
	if len(t) < len(s) && strings.TrimRight(s[len(t):], " ") != "" {
		name := "character varying"
		if pad {
			name = "character"
		}
		return "", New(CodeStringTruncation, "value too long for type %s(%d)", name, n)
	}
	if pad {
		return PadChars(t, n), nil
	}
	return t, nil
}

// TrimBlanks strips the trailing blanks of a bpchar value: its value as
// text, and what its comparisons and length see.
func TrimBlanks(s string) string { return strings.TrimRight(s, " ") }
