package sqltypes

import "unicode/utf8"

// NameDataLen is PostgreSQL's NAMEDATALEN: a name holds at most
// NameDataLen-1 bytes (pg_type.typlen of name is NameDataLen).
const NameDataLen = 64

// ClipName is PostgreSQL's namein (and the casts of text, varchar and
// bpchar to name): s cut to at most 63 bytes without splitting a
// character (pg_mbcliplen), silently; only identifiers in SQL text get a
// truncation NOTICE, from the parser.
func ClipName(s string) string {
	if len(s) < NameDataLen {
		return s
	}
	n := NameDataLen - 1
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// NameTooLong is namerecv's error for a binary name parameter of 64
// bytes or more (binary input is not cut).
func NameTooLong() *Error {
	return New(CodeNameTooLong, "identifier too long").
		WithDetail("Identifier must be less than %d characters.", NameDataLen)
}
