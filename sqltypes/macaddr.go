package sqltypes

// macaddrFormats are the layouts macaddr_in tries in turn, as sscanf
// formats: each of six hex fields (width 0: any number of digits, else at
// most that many) followed by its separator (0 after the last).
var macaddrFormats = []struct {
	width int
	seps  [6]byte
}{
	{0, [6]byte{':', ':', ':', ':', ':', 0}},
	{0, [6]byte{'-', '-', '-', '-', '-', 0}},
	{2, [6]byte{0, 0, ':', 0, 0, 0}},
	{2, [6]byte{0, 0, '-', 0, 0, 0}},
	{2, [6]byte{0, '.', 0, '.', 0, 0}},
	{2, [6]byte{0, '-', 0, '-', 0, 0}},
	{2, [6]byte{0, 0, 0, 0, 0, 0}},
}

// ParseMacaddr reads macaddr text as PostgreSQL's macaddr_in does:
// '08:00:2b:01:02:03', '08-00-2b-01-02-03', '08002b:010203',
// '08002b-010203', '0800.2b01.0203', '0800-2b01-0203' or
// '08002b010203', with sscanf's leniency (blanks before a field and at
// the end, a sign, a 0x prefix). Text of no layout is 22P02; a field
// past ff is 22003 "invalid octet value".
func ParseMacaddr(s string) ([]byte, error) {
	for _, f := range macaddrFormats {
		var v [6]int64
		if !scanMacaddr(s, f.width, f.seps, &v) {
			continue
		}
		out := make([]byte, 6)
		for i, x := range v {
			if x < 0 || x > 255 {
				return nil, New(CodeNumericOutOfRange, "invalid octet value in \"macaddr\" value: \"%s\"", s)
			}
			out[i] = byte(x)
		}
		return out, nil
	}
	return nil, New(CodeInvalidTextRepr, "invalid input syntax for type macaddr: \"%s\"", s)
}

// scanMacaddr matches s against one layout as sscanf would, with the
// trailing "%1s" that must find nothing but blanks.
func scanMacaddr(s string, width int, seps [6]byte, v *[6]int64) bool {
	i := 0
	for k := 0; k < 6; k++ {
		var ok bool
		if v[k], i, ok = scanHexField(s, i, width); !ok {
			return false
		}
		if seps[k] != 0 {
			if i >= len(s) || s[i] != seps[k] {
				return false
			}
			i++
		}
	}
	for ; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// scanHexField is sscanf's %x (width 0) or %2x at s[i:]: blanks, a sign,
// a 0x prefix and hex digits, at most width characters after the blanks.
// The value is what C's int receives: -1 for "-1".
func scanHexField(s string, i, width int) (int64, int, bool) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	left := width
	if left == 0 {
		left = len(s) + 1
	}
	neg := false
	if i < len(s) && left > 0 && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
		left--
	}
	prefix := false
	if left >= 2 && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		i += 2
		left -= 2
		prefix = true
	}
	var v int64
	digits := 0
	for left > 0 && i < len(s) && isXDigit(s[i]) {
		if v < 1<<32 {
			v = v<<4 | int64(xval(s[i]))
		}
		i++
		left--
		digits++
	}
	if digits == 0 && !prefix {
		return 0, i, false
	}
	v &= 0xffffffff // an unsigned int, read back as C's int
	if v >= 1<<31 {
		v -= 1 << 32
	}
	if neg {
		v = -v
	}
	return v, i, true
}

// FormatMacaddr is macaddr_out: six lower-case hex octets and colons.
func FormatMacaddr(b []byte) string { return string(AppendMacaddr(nil, b)) }

// AppendMacaddr appends macaddr_out's text of b to dst.
func AppendMacaddr(dst, b []byte) []byte {
	if len(b) != 6 {
		return append(dst, FormatValue(TypeBytea, b)...) // not a macaddr: never built by meshql
	}
	const digits = "0123456789abcdef"
	for i, c := range b {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, digits[c>>4], digits[c&15])
	}
	return dst
}
