package sqltypes

// ParseChar is PostgreSQL's charin (and text_char): the first byte of s,
// or the byte a four-character octal escape \ooo names; "" (the zero
// byte) for an empty s. A byte above 127 is 0A000: meshql keeps "char"
// values as their text, and PostgreSQL prints such a byte as \ooo, which
// would not order as the byte does.
func ParseChar(s string) (Datum, error) {
	var b byte
	switch {
	case len(s) == 4 && s[0] == '\\' && isOctal(s[1]) && isOctal(s[2]) && isOctal(s[3]):
		b = (s[1]-'0')<<6 | (s[2]-'0')<<3 | (s[3] - '0')
	case s != "":
		b = s[0]
	}
	return CharOfByte(int64(b))
}

// CharOfByte is the "char" value of byte b in 0..255.
func CharOfByte(b int64) (Datum, error) {
	switch {
	case b > 127:
		return nil, New(CodeFeatureNotSupported, `"char" values above 127 are not supported`).
			WithHint("Cast to text or bytea instead.")
	case b == 0:
		return "", nil
	}
	return string(rune(b)), nil
}

// CharByte is the byte a "char" value holds (0 for "").
func CharByte(s string) int32 {
	if s == "" {
		return 0
	}
	return int32(s[0])
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
