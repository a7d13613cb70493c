package sqltypes

import "strings"

func inetSyntaxError(s string, cidr bool) error {
	name := "inet"
	if cidr {
		name = "cidr"
	}
	return New(CodeInvalidTextRepr, "invalid input syntax for type %s: \"%s\"", name, s)
}

// ParseInet reads inet (cidr false) or cidr text as PostgreSQL's
// inet_in and cidr_in do: IPv6 when the text holds a colon, else IPv4;
// an IPv4 inet needs all four octets unless it has a prefix length
// covering the ones given ('10.1/16'); cidr also takes abbreviated and
// classful forms ('10', '10.1', '192.168.1' and 0x hex digits, their
// length implied by the class) and refuses host bits right of the
// prefix. Errors are 22P02 with PostgreSQL's messages.
func ParseInet(s string, cidr bool) (NetAddr, error) {
	var ip NetAddr
	bits := -1
	var ok bool
	switch {
	case strings.IndexByte(s, 0) >= 0:
		ok = false
	case strings.IndexByte(s, ':') >= 0:
		ip.V6 = true
		bits, ok = parseIPv6(s, &ip.Addr)
	case cidr:
		bits, ok = parseCidr4(s, &ip.Addr)
	default:
		bits, ok = parseInet4(s, &ip.Addr)
	}
	if !ok || bits < 0 || bits > ip.MaxBits() {
		return NetAddr{}, inetSyntaxError(s, cidr)
	}
	ip.Bits = uint8(bits)
	if cidr && !ip.HostBitsZero() {
		return NetAddr{}, New(CodeInvalidTextRepr, "invalid cidr value: \"%s\"", s).WithDetail("Value has bits set to right of mask.")
	}
	return ip, nil
}

func isXDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func xval(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// cursor walks a C string: at returns NUL past the end, as the parsers
// PostgreSQL's follow expect.
type cursor struct {
	s string
	i int
}

func (c *cursor) next() byte {
	if c.i >= len(c.s) {
		c.i++
		return 0
	}
	b := c.s[c.i]
	c.i++
	return b
}

func (c *cursor) peek(k int) byte {
	if c.i+k >= len(c.s) || c.i+k < 0 {
		return 0
	}
	return c.s[c.i+k]
}

// prefixLen reads the digits of a "/n" suffix (c is past the slash,
// at a digit); ok is false when anything follows them or n > max.
func prefixLen(c *cursor, max int) (int, bool) {
	bits := 0
	ch := c.next()
	for {
		bits = bits*10 + int(ch-'0')
		if bits > 1000 {
			return 0, false
		}
		if ch = c.next(); ch == 0 || !isDigit(ch) {
			break
		}
	}
	return bits, ch == 0 && bits <= max
}

// decOctet reads the decimal digits starting at ch (a digit); ok is
// false past 255; next is the character after them.
func (c *cursor) decOctet(ch byte) (v int, next byte, ok bool) {
	for {
		if v = v*10 + int(ch-'0'); v > 255 {
			return 0, 0, false
		}
		if ch = c.next(); ch == 0 || !isDigit(ch) {
			return v, ch, true
		}
	}
}

// maskSuffix reads what follows an IPv4 address of n octets whose next
// character is ch: nothing (bits -1) or "/n" with n at most 32; ok is
// false for anything else.
func (c *cursor) maskSuffix(ch byte, n int) (bits int, ok bool) {
	if ch == '/' && isDigit(c.peek(0)) && n > 0 {
		return prefixLen(c, 32)
	}
	return -1, ch == 0
}

// parseInet4 is inet_net_pton_ipv4: dotted decimal octets, then an
// optional /n; without one all four octets are required.
func parseInet4(s string, dst *[16]byte) (int, bool) {
	c := cursor{s: s}
	n := 0
	var ch byte
	for {
		ch = c.next()
		if !isDigit(ch) {
			break
		}
		v, next, ok := c.decOctet(ch)
		if !ok || n == 4 {
			return 0, false
		}
		ch = next
		dst[n] = byte(v)
		n++
		if ch == 0 || ch == '/' {
			break
		}
		if ch != '.' {
			return 0, false
		}
	}
	bits, ok := c.maskSuffix(ch, n)
	if !ok {
		return 0, false
	}
	if bits == -1 {
		if n != 4 {
			return 0, false
		}
		bits = 32
	}
	if n == 0 || bits/8 > n {
		return 0, false
	}
	return bits, true
}

// parseCidr4 is inet_cidr_pton_ipv4: dotted decimal octets or 0x hex
// digits, an optional /n, and without it the classful length the first
// octet implies (widened to the octets given).
func parseCidr4(s string, dst *[16]byte) (int, bool) {
	c := cursor{s: s}
	n := 0
	put := func(v int) bool {
		if n == 4 {
			return false
		}
		dst[n] = byte(v)
		n++
		return true
	}
	ch := c.next()
	switch {
	case ch == '0' && (c.peek(0) == 'x' || c.peek(0) == 'X') && isXDigit(c.peek(1)):
		c.i++ // the x
		tmp, dirty := 0, 0
		for {
			if ch = c.next(); ch == 0 || !isXDigit(ch) {
				break
			}
			if dirty == 0 {
				tmp = xval(ch)
			} else {
				tmp = tmp<<4 | xval(ch)
			}
			if dirty++; dirty == 2 {
				if !put(tmp) {
					return 0, false
				}
				dirty = 0
			}
		}
		if dirty != 0 && !put(tmp<<4) {
			return 0, false
		}
	case isDigit(ch):
		for {
			v, next, ok := c.decOctet(ch)
			if ch = next; !ok || !put(v) {
				return 0, false
			}
			if ch == 0 || ch == '/' {
				break
			}
			if ch != '.' {
				return 0, false
			}
			if ch = c.next(); !isDigit(ch) {
				return 0, false
			}
		}
	default:
		return 0, false
	}
	bits, ok := c.maskSuffix(ch, n)
	if !ok || n == 0 {
		return 0, false
	}
	if bits == -1 {
		switch first := dst[0]; {
		case first >= 240: // class E
			bits = 32
		case first >= 224: // class D
			bits = 8
		case first >= 192: // class C
			bits = 24
		case first >= 128: // class B
			bits = 16
		default: // class A
			bits = 8
		}
		if bits < n*8 {
			bits = n * 8
		}
		if bits == 8 && dst[0] == 224 {
			bits = 4
		}
	}
	for bits > n*8 {
		if !put(0) {
			return 0, false
		}
	}
	return bits, true
}

// parseIPv6 is PostgreSQL's inet_cidr_pton_ipv6: groups of up to four
// hex digits, one "::", an embedded dotted IPv4 tail, and a /n.
func parseIPv6(s string, dst *[16]byte) (int, bool) {
	var tmp [16]byte
	c := cursor{s: s}
	tp, colonp := 0, -1
	if c.peek(0) == ':' {
		c.i++
		if c.peek(0) != ':' {
			return 0, false
		}
	}
	curtok := c.i
	sawX, val, digits, bits := false, 0, 0, -1
loop:
	for {
		ch := c.next()
		if ch == 0 {
			break
		}
		if isXDigit(ch) {
			val = val<<4 | xval(ch)
			if digits++; digits > 4 {
				return 0, false
			}
			sawX = true
			continue
		}
		switch {
		case ch == ':':
			curtok = c.i
			if !sawX {
				if colonp >= 0 {
					return 0, false
				}
				colonp = tp
				continue
			}
			if c.peek(0) == 0 || tp+2 > 16 {
				return 0, false
			}
			tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
			tp += 2
			sawX, digits, val = false, 0, 0
			continue
		case ch == '.' && tp+4 <= 16:
			if b, ok := parseV4Tail(s[curtok:], tmp[tp:tp+4]); ok {
				if b >= 0 {
					bits = b
				}
				tp += 4
				sawX = false
				break loop
			}
		case ch == '/':
			if b, ok := v6PrefixLen(s[c.i:]); ok {
				bits = b
				break loop
			}
		}
		return 0, false
	}
	if sawX {
		if tp+2 > 16 {
			return 0, false
		}
		tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
		tp += 2
	}
	if bits == -1 {
		bits = 128
	}
	if colonp >= 0 {
		if tp == 16 {
			return 0, false
		}
		n := tp - colonp
		for i := 1; i <= n; i++ {
			tmp[16-i] = tmp[colonp+n-i]
			tmp[colonp+n-i] = 0
		}
		tp = 16
	}
	if tp != 16 {
		return 0, false
	}
	*dst = tmp
	return bits, true
}

// v6PrefixLen is getbits: decimal digits to the end, no leading zeros,
// at most 128.
func v6PrefixLen(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && v == 0 {
			return 0, false
		}
		if v = v*10 + int(s[i]-'0'); v > 128 {
			return 0, false
		}
	}
	return v, true
}

// parseV4Tail is getv4: the dotted IPv4 end of an IPv6 address (octets
// without leading zeros, at most four, any missing ones zero) and an
// optional /n (bits -1 without).
func parseV4Tail(s string, dst []byte) (bits int, ok bool) {
	n, val, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case isDigit(ch):
			if digits > 0 && val == 0 {
				return 0, false
			}
			digits++
			if val = val*10 + int(ch-'0'); val > 255 {
				return 0, false
			}
		case ch == '.' || ch == '/':
			if n > 3 {
				return 0, false
			}
			dst[n] = byte(val)
			n++
			if ch == '/' {
				return v6PrefixLen(s[i+1:])
			}
			val, digits = 0, 0
		default:
			return 0, false
		}
	}
	if digits == 0 || n > 3 {
		return 0, false
	}
	dst[n] = byte(val)
	return -1, true
}
