package sqltypes

import (
	"strconv"
	"strings"
)

// NetAddr is one inet or cidr value as PostgreSQL holds it: an address
// family, a prefix length (Bits) and the address (Addr[:4] for IPv4).
// cidr is not a property of the value but of its type (a cidr's host
// bits are zero): PostgreSQL's output and send functions take it from
// the type, and so do meshql's.
type NetAddr struct {
	V6   bool
	Bits uint8
	Addr [16]byte
}

// Len is the address length in bytes: 4 or 16.
func (ip NetAddr) Len() int {
	if ip.V6 {
		return 16
	}
	return 4
}

// MaxBits is the family's address width: 32 or 128.
func (ip NetAddr) MaxBits() int { return ip.Len() * 8 }

// Family is family()'s answer: 4 or 6.
func (ip NetAddr) Family() int32 {
	if ip.V6 {
		return 6
	}
	return 4
}

// The family byte that starts an encoded value; IPv4 sorts first, as in
// PostgreSQL.
const (
	inetTag4 byte = 4
	inetTag6 byte = 6
)

// AppendInet appends ip's internal form to dst: the family byte, the
// network (the address with its host bits cleared), the prefix length,
// then the whole address. Compared as bytes, encoded values order as
// PostgreSQL's network_cmp orders them (family, then the common bits of
// the networks, then the prefix length, then the whole address: a
// shorter network whose bits are a prefix of a longer one's is the
// shorter network with zeros appended, so it sorts first), and two
// encodings are equal exactly when the values are. That lets meshql's
// byte-wise sort, hash, join, min/max and comparison kernels serve inet
// and cidr unchanged: 10 bytes for IPv4, 34 for IPv6.
func AppendInet(dst []byte, ip NetAddr) []byte {
	tag := inetTag4
	if ip.V6 {
		tag = inetTag6
	}
	n := ip.Len()
	dst = append(dst, tag)
	net := ip.Network()
	dst = append(dst, net.Addr[:n]...)
	dst = append(dst, ip.Bits)
	return append(dst, ip.Addr[:n]...)
}

// EncodeInet is AppendInet into a new slice.
func EncodeInet(ip NetAddr) []byte { return AppendInet(make([]byte, 0, 34), ip) }

// DecodeInet reads AppendInet's form; ok is false for bytes that are
// not one.
func DecodeInet(b []byte) (ip NetAddr, ok bool) {
	switch {
	case len(b) == 10 && b[0] == inetTag4:
	case len(b) == 34 && b[0] == inetTag6:
		ip.V6 = true
	default:
		return NetAddr{}, false
	}
	n := ip.Len()
	ip.Bits = b[1+n]
	copy(ip.Addr[:], b[2+n:])
	return ip, int(ip.Bits) <= ip.MaxBits()
}

// Network returns ip with the bits right of its prefix cleared (what
// network() and a cast to cidr compute).
func (ip NetAddr) Network() NetAddr {
	out := NetAddr{V6: ip.V6, Bits: ip.Bits}
	bits := int(ip.Bits)
	full := bits / 8
	copy(out.Addr[:full], ip.Addr[:full])
	if r := bits % 8; r != 0 {
		out.Addr[full] = ip.Addr[full] & ^byte(0xff>>r)
	}
	return out
}

// HostBitsZero reports whether the bits right of the prefix are all
// zero (PostgreSQL's addressOK, which every cidr satisfies).
func (ip NetAddr) HostBitsZero() bool { return ip.Network().Addr == ip.Addr }

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
		v := 0
		for {
			v = v*10 + int(ch-'0')
			if v > 255 {
				return 0, false
			}
			if ch = c.next(); ch == 0 || !isDigit(ch) {
				break
			}
		}
		if n == 4 {
			return 0, false
		}
		dst[n] = byte(v)
		n++
		if ch == 0 || ch == '/' {
			break
		}
		if ch != '.' {
			return 0, false
		}
	}
	bits := -1
	if ch == '/' && isDigit(c.peek(0)) && n > 0 {
		var ok bool
		if bits, ok = prefixLen(&c, 32); !ok {
			return 0, false
		}
		ch = 0
	}
	if ch != 0 {
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
			v := 0
			for {
				v = v*10 + int(ch-'0')
				if v > 255 {
					return 0, false
				}
				if ch = c.next(); ch == 0 || !isDigit(ch) {
					break
				}
			}
			if !put(v) {
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
	bits := -1
	if ch == '/' && isDigit(c.peek(0)) && n > 0 {
		var ok bool
		if bits, ok = prefixLen(&c, 32); !ok {
			return 0, false
		}
		ch = 0
	}
	if ch != 0 || n == 0 {
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

// AppendInetText appends PostgreSQL's output of ip: inet_out (the
// prefix length only when shorter than the address) or cidr_out
// (always).
func AppendInetText(dst []byte, ip NetAddr, cidr bool) []byte {
	dst = appendAddr(dst, ip)
	if cidr || int(ip.Bits) != ip.MaxBits() {
		dst = append(dst, '/')
		dst = strconv.AppendInt(dst, int64(ip.Bits), 10)
	}
	return dst
}

// InetHost is host(): the address alone.
func InetHost(ip NetAddr) string { return string(appendAddr(nil, ip)) }

// InetShow is text(inet) and the casts to text: the address and always
// its prefix length.
func InetShow(ip NetAddr) string { return string(AppendInetText(nil, ip, true)) }

// appendAddr prints the address as pg_inet_net_ntop does: four decimal
// octets, or IPv6 with the longest run of two or more zero groups as
// "::" and IPv4-compatible and -mapped addresses with a dotted tail.
func appendAddr(dst []byte, ip NetAddr) []byte {
	if !ip.V6 {
		for i := 0; i < 4; i++ {
			if i > 0 {
				dst = append(dst, '.')
			}
			dst = strconv.AppendInt(dst, int64(ip.Addr[i]), 10)
		}
		return dst
	}
	var words [8]int
	for i := range words {
		words[i] = int(ip.Addr[2*i])<<8 | int(ip.Addr[2*i+1])
	}
	best, bestLen, cur, curLen := -1, 0, -1, 0
	for i, w := range words {
		if w == 0 {
			if cur == -1 {
				cur, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if cur != -1 {
			if best == -1 || curLen > bestLen {
				best, bestLen = cur, curLen
			}
			cur = -1
		}
	}
	if cur != -1 && (best == -1 || curLen > bestLen) {
		best, bestLen = cur, curLen
	}
	if best != -1 && bestLen < 2 {
		best = -1
	}
	for i := 0; i < 8; i++ {
		if best != -1 && i >= best && i < best+bestLen {
			if i == best {
				dst = append(dst, ':')
			}
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		if i == 6 && best == 0 && (bestLen == 6 || bestLen == 7 && words[7] != 1 || bestLen == 5 && words[5] == 0xffff) {
			for k := 12; k < 16; k++ {
				if k > 12 {
					dst = append(dst, '.')
				}
				dst = strconv.AppendInt(dst, int64(ip.Addr[k]), 10)
			}
			return dst
		}
		dst = strconv.AppendInt(dst, int64(words[i]), 16)
	}
	if best != -1 && best+bestLen == 8 {
		dst = append(dst, ':')
	}
	return dst
}

// InetAbbrev is abbrev(): of an inet its output; of a cidr
// pg_inet_cidr_ntop's shortest form, which drops trailing zero octets
// (IPv4) or groups (IPv6) the prefix does not reach ('10/8').
func InetAbbrev(ip NetAddr, cidr bool) string {
	if !cidr {
		return string(AppendInetText(nil, ip, false))
	}
	var dst []byte
	bits := int(ip.Bits)
	if !ip.V6 {
		if bits == 0 {
			dst = append(dst, '0')
		}
		for b := 0; b < bits/8; b++ {
			if b > 0 {
				dst = append(dst, '.')
			}
			dst = strconv.AppendInt(dst, int64(ip.Addr[b]), 10)
		}
		if r := bits % 8; r > 0 {
			if len(dst) > 0 {
				dst = append(dst, '.')
			}
			m := byte(((1 << r) - 1) << (8 - r))
			dst = strconv.AppendInt(dst, int64(ip.Addr[bits/8]&m), 10)
		}
	} else {
		dst = appendCidr6(dst, ip)
	}
	dst = append(dst, '/')
	return string(strconv.AppendInt(dst, int64(bits), 10))
}

// appendCidr6 is inet_cidr_ntop_ipv6 without its /n: only the groups
// the prefix reaches (at least two), the longest zero run as "::".
func appendCidr6(dst []byte, ip NetAddr) []byte {
	bits := int(ip.Bits)
	if bits == 0 {
		return append(dst, ':', ':')
	}
	s := ip.Network().Addr
	words := (bits + 15) / 16
	if words == 1 {
		words = 2
	}
	zs, zl, ts, tl := 0, 0, 0, 0
	for i := 0; i < words*2; i += 2 {
		if s[i]|s[i+1] == 0 {
			if tl == 0 {
				ts = i / 2
			}
			tl++
		} else if tl != 0 && zl < tl {
			zs, zl, tl = ts, tl, 0
		}
	}
	if tl != 0 && zl < tl {
		zs, zl = ts, tl
	}
	isV4 := zl != words && zs == 0 && (zl == 6 || zl == 5 && s[10] == 0xff && s[11] == 0xff || zl == 7 && s[14] != 0 && s[15] != 1)
	start := len(dst)
	k := 0
	for p := 0; p < words; p++ {
		if zl != 0 && p >= zs && p < zs+zl {
			if p == zs {
				dst = append(dst, ':')
			}
			if p == words-1 {
				dst = append(dst, ':')
			}
			k += 2
			continue
		}
		if isV4 && p > 5 {
			if p == 6 {
				dst = append(dst, ':')
			} else {
				dst = append(dst, '.')
			}
			dst = strconv.AppendInt(dst, int64(s[k]), 10)
			k++
			if p != 7 || bits > 120 {
				dst = append(dst, '.')
				dst = strconv.AppendInt(dst, int64(s[k]), 10)
			}
			k++
			continue
		}
		if len(dst) != start {
			dst = append(dst, ':')
		}
		dst = strconv.AppendInt(dst, int64(s[k])*256+int64(s[k+1]), 16)
		k += 2
	}
	return dst
}

// FormatInetDatum renders an encoded inet or cidr datum as its type's
// output function does.
func FormatInetDatum(b []byte, cidr bool) string {
	ip, ok := DecodeInet(b)
	if !ok {
		return FormatValue(TypeBytea, b) // not an inet: never built by meshql
	}
	return string(AppendInetText(nil, ip, cidr))
}

// AppendInetSend appends PostgreSQL's binary form (inet_send,
// cidr_send): family (2 for IPv4, 3 for IPv6), prefix length, the cidr
// flag, the address length and the address.
func AppendInetSend(dst []byte, ip NetAddr, cidr bool) []byte {
	fam := byte(2)
	if ip.V6 {
		fam = 3
	}
	flag := byte(0)
	if cidr {
		flag = 1
	}
	dst = append(dst, fam, ip.Bits, flag, byte(ip.Len()))
	return append(dst, ip.Addr[:ip.Len()]...)
}

// ParseInetRecv reads inet_recv's and cidr_recv's binary form, with
// their errors (22P03); the cidr flag in the value is ignored, as
// PostgreSQL ignores it.
func ParseInetRecv(b []byte, cidr bool) (NetAddr, error) {
	name := "inet"
	if cidr {
		name = "cidr"
	}
	bad := func(what string) error {
		return New(CodeInvalidBinaryRepr, "invalid %s in external \"%s\" value", what, name)
	}
	if len(b) < 4 {
		return NetAddr{}, New(CodeInvalidBinaryRepr, "insufficient data left in message")
	}
	var ip NetAddr
	switch b[0] {
	case 2:
	case 3:
		ip.V6 = true
	default:
		return NetAddr{}, bad("address family")
	}
	if int(b[1]) > ip.MaxBits() {
		return NetAddr{}, bad("bits")
	}
	ip.Bits = b[1]
	if int(b[3]) != ip.Len() {
		return NetAddr{}, bad("length")
	}
	if len(b) != 4+ip.Len() {
		return NetAddr{}, New(CodeInvalidBinaryRepr, "incorrect binary data format")
	}
	copy(ip.Addr[:], b[4:])
	if cidr && !ip.HostBitsZero() {
		return NetAddr{}, New(CodeInvalidBinaryRepr, "invalid external \"cidr\" value").WithDetail("Value has bits set to right of mask.")
	}
	return ip, nil
}
