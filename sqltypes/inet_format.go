package sqltypes

import "strconv"

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
