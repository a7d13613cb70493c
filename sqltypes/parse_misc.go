package sqltypes

import (
	"encoding/hex"
	"encoding/json"
	"strings"
)

// ParseBytea accepts the hex format (\x0102...) and the escape format
// (backslash-octal \101 and \\), like byteain.
func ParseBytea(s string) ([]byte, error) {
	if strings.HasPrefix(s, `\x`) || strings.HasPrefix(s, `\X`) {
		return DecodeHex(s[2:])
	}
	return DecodeEscape(s)
}

// DecodeHex decodes pairs of hex digits, ignoring whitespace between
// pairs (22023 for a bad digit or an odd count), as bytea input and
// decode(s, 'hex') do.
func DecodeHex(h string) ([]byte, error) {
	out := make([]byte, 0, len(h)/2)
	for i := 0; i < len(h); {
		if isSpace(h[i]) {
			i++
			continue
		}
		if i+1 >= len(h) {
			// the digit is checked before the count, as PostgreSQL does
			if _, err := hex.DecodeString(h[i:] + "0"); err != nil {
				return nil, New(CodeInvalidParameterValue, "invalid hexadecimal digit: %q", h[i:i+1])
			}
			return nil, New(CodeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		b, err := hex.DecodeString(h[i : i+2])
		if err != nil {
			bad := h[i : i+1]
			if _, e := hex.DecodeString(h[i:i+1] + "0"); e == nil {
				bad = h[i+1 : i+2]
			}
			return nil, New(CodeInvalidParameterValue, "invalid hexadecimal digit: %q", bad)
		}
		out = append(out, b[0])
		i += 2
	}
	return out, nil
}

// DecodeEscape decodes bytea's escape format: \\ is a backslash, \ooo
// (octal, at most \377) a byte, any other backslash 22P02; as bytea
// input and decode(s, 'escape') do.
func DecodeEscape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && isOct(s[i+1]) && isOct(s[i+2]) && isOct(s[i+3]) && s[i+1] <= '3':
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
		default:
			return nil, New(CodeInvalidTextRepr, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }

// ParseUUID accepts 32 hex digits, optionally in braces and with hyphens
// after any group of four digits, like uuid_in.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	t := s
	if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") && len(t) >= 2 {
		t = t[1 : len(t)-1]
	}
	n := 0
	for i := 0; i < len(t); {
		if t[i] == '-' && n > 0 && n%2 == 0 && n < 32 && i+1 < len(t) && t[i+1] != '-' {
			i++
			continue
		}
		if i+1 >= len(t) || n >= 32 {
			return u, New(CodeInvalidTextRepr, "invalid input syntax for type uuid: %q", s)
		}
		b, err := hex.DecodeString(t[i : i+2])
		if err != nil {
			return u, New(CodeInvalidTextRepr, "invalid input syntax for type uuid: %q", s)
		}
		u[n/2] = b[0]
		n += 2
		i += 2
	}
	if n != 32 {
		return u, New(CodeInvalidTextRepr, "invalid input syntax for type uuid: %q", s)
	}
	return u, nil
}

// ValidateJSON checks json text as json_in does (22P02 when invalid).
func ValidateJSON(s string) error {
	if !json.Valid([]byte(s)) {
		return New(CodeInvalidTextRepr, "invalid input syntax for type json")
	}
	return nil
}
