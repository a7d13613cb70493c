package sqltypes

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
