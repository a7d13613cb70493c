package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The network address functions and operators of PostgreSQL 15 over inet
// and cidr, under PostgreSQL's names where the operator has no function
// of its own: network_sub (<<), network_subeq (<<=), network_sup (>>),
// network_supeq (>>=), network_overlap (&&), inetnot (~), inetand (&),
// inetor (|), inetpl (inet + int8), int8pl_inet (int8 + inet),
// inetmi_int8 (inet - int8) and inetmi (inet - inet). A cidr argument is
// read as an inet (the same bytes), as PostgreSQL's binary-coercible
// cidr is; values are sqltypes' encoded form (sqltypes.AppendInet).

// isInet reports whether t is inet or cidr.
func isInet(t sqltypes.Type) bool { return t.Kind == sqltypes.Inet || t.Kind == sqltypes.Cidr }

// InetFunc reports whether name is one of the functions of this file.
func InetFunc(name string) bool {
	switch name {
	case "host", "hostmask", "masklen", "netmask", "network", "set_masklen", "abbrev", "broadcast", "family",
		"inet_same_family", "inet_merge", "network_sub", "network_subeq", "network_sup", "network_supeq",
		"network_overlap", "inetnot", "inetand", "inetor", "inetpl", "int8pl_inet", "inetmi_int8", "inetmi":
		return true
	}
	return false
}

// InetOperatorFunc returns the function implementing a network operator
// (inet, cidr or macaddr) for operands of kinds l and r (l is Unknown for a prefix operator),
// once the planner has read untyped literals: "" when the operator does
// not take them.
func InetOperatorFunc(op string, l, r sqltypes.Type) string {
	if l.Kind == sqltypes.Macaddr || r.Kind == sqltypes.Macaddr {
		return macaddrOperatorFunc(op, l, r)
	}
	li, ri := isInet(l), isInet(r)
	switch {
	case op == "~" && l.Kind == sqltypes.Unknown && ri:
		return "inetnot"
	case op == "+" && li && r.IsInteger():
		return "inetpl"
	case op == "+" && l.IsInteger() && ri:
		return "int8pl_inet"
	case op == "-" && li && r.IsInteger():
		return "inetmi_int8"
	case !li || !ri:
		return ""
	}
	return map[string]string{"<<": "network_sub", "<<=": "network_subeq", ">>": "network_sup", ">>=": "network_supeq",
		"&&": "network_overlap", "&": "inetand", "|": "inetor", "-": "inetmi"}[op]
}

func inetAt(v strView, i int) (sqltypes.NetAddr, error) {
	ip, ok := sqltypes.DecodeInet(v.bytes(i))
	if !ok {
		return ip, internalErr("malformed inet value %x", v.bytes(i))
	}
	return ip, nil
}

// inetRows builds an inet (or cidr) column from one address per row.
func inetRows(mem memory.Allocator, n int, ins []arrow.Array, get func(i int) (sqltypes.NetAddr, error)) (arrow.Array, error) {
	return mapRowsStr(mem, arrow.BinaryTypes.Binary, n, ins, func(i int, dst []byte) ([]byte, bool, error) {
		ip, err := get(i)
		if err != nil {
			return nil, false, err
		}
		return sqltypes.AppendInet(dst, ip), false, nil
	})
}

func errInetMismatch(what string) error {
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot %s inet values of different sizes", what)
}

func errInetRange() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "result is out of range")
}

func buildInet(name string, args []Expr) (Expr, error) {
	nargs := 1
	switch name {
	case "set_masklen", "inet_same_family", "inet_merge", "network_sub", "network_subeq", "network_sup", "network_supeq",
		"network_overlap", "inetand", "inetor", "inetpl", "int8pl_inet", "inetmi_int8", "inetmi":
		nargs = 2
	}
	if err := wantArgs(name, args, nargs, nargs); err != nil {
		return nil, err
	}
	if name == "int8pl_inet" {
		args = []Expr{args[1], args[0]} // the kernel of inetpl, arguments swapped
	}
	// Which arguments are addresses, and the integer type of the others.
	intArg := map[string]sqltypes.Type{"set_masklen": sqltypes.TypeInt4, "inetpl": sqltypes.TypeInt8,
		"int8pl_inet": sqltypes.TypeInt8, "inetmi_int8": sqltypes.TypeInt8}
	a := make([]Expr, len(args))
	copy(a, args)
	for i, e := range a {
		if it, ok := intArg[name]; ok && i == 1 {
			// A mask length is an integer: no bigint, which does not
			// convert to it implicitly.
			if !e.Type().IsInteger() || it.Kind == sqltypes.Int4 && e.Type().Kind == sqltypes.Int8 {
				return nil, functionError(name, args)
			}
			a[i] = coerceTo(e, it)
			continue
		}
		if !isInet(e.Type()) {
			return nil, functionError(name, args)
		}
	}
	cidr := a[0].Type().Kind == sqltypes.Cidr
	call := func(t sqltypes.Type, k fnKernel) (Expr, error) {
		return &callExpr{name: name, args: a, t: t, k: k}, nil
	}
	unaryInet := func(t sqltypes.Type, f func(sqltypes.NetAddr) sqltypes.NetAddr) (Expr, error) {
		return call(t, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v := viewOf(in[0])
			return inetRows(env.Mem, n, in, func(i int) (sqltypes.NetAddr, error) {
				ip, err := inetAt(v, i)
				return f(ip), err
			})
		})
	}
	text := func(f func(sqltypes.NetAddr) string) (Expr, error) {
		return call(sqltypes.TypeText, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v := viewOf(in[0])
			return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
				ip, err := inetAt(v, i)
				return append(dst, f(ip)...), false, err
			})
		})
	}
	binaryInet := func(t sqltypes.Type, f func(x, y sqltypes.NetAddr) (sqltypes.NetAddr, error)) (Expr, error) {
		return call(t, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v, w := viewOf(in[0]), viewOf(in[1])
			return inetRows(env.Mem, n, in, func(i int) (sqltypes.NetAddr, error) {
				x, err := inetAt(v, i)
				if err != nil {
					return x, err
				}
				y, err := inetAt(w, i)
				if err != nil {
					return y, err
				}
				return f(x, y)
			})
		})
	}
	predicate := func(f func(x, y sqltypes.NetAddr) bool) (Expr, error) {
		return call(sqltypes.TypeBool, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v, w := viewOf(in[0]), viewOf(in[1])
			return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
				x, err := inetAt(v, i)
				if err != nil {
					return false, false, err
				}
				y, err := inetAt(w, i)
				if err != nil {
					return false, false, err
				}
				return f(x, y), false, nil
			})
		})
	}
	switch name {
	case "host":
		return text(sqltypes.InetHost)
	case "abbrev":
		return text(func(ip sqltypes.NetAddr) string { return sqltypes.InetAbbrev(ip, cidr) })
	case "masklen", "family":
		return call(sqltypes.TypeInt4, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v := viewOf(in[0])
			return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
				ip, err := inetAt(v, i)
				if name == "family" {
					return ip.Family(), false, err
				}
				return int32(ip.Bits), false, err
			})
		})
	case "network":
		return unaryInet(sqltypes.TypeCidr, sqltypes.NetAddr.Network)
	case "broadcast":
		return unaryInet(sqltypes.TypeInet, func(ip sqltypes.NetAddr) sqltypes.NetAddr {
			h := hostmask(ip)
			for k := range ip.Addr {
				ip.Addr[k] |= h.Addr[k]
			}
			return ip
		})
	case "netmask":
		return unaryInet(sqltypes.TypeInet, func(ip sqltypes.NetAddr) sqltypes.NetAddr {
			m := sqltypes.NetAddr{V6: ip.V6, Bits: ip.Bits}
			for k := range m.Addr[:ip.Len()] {
				m.Addr[k] = 0xff
			}
			m = m.Network()
			m.Bits = uint8(ip.MaxBits())
			return m
		})
	case "hostmask":
		return unaryInet(sqltypes.TypeInet, hostmask)
	case "inetnot":
		return unaryInet(sqltypes.TypeInet, func(ip sqltypes.NetAddr) sqltypes.NetAddr {
			for k := range ip.Addr[:ip.Len()] {
				ip.Addr[k] = ^ip.Addr[k]
			}
			return ip
		})
	case "set_masklen":
		t := a[0].Type()
		return call(t, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v, bits := viewOf(in[0]), values[int32](in[1])
			return inetRows(env.Mem, n, in, func(i int) (sqltypes.NetAddr, error) {
				ip, err := inetAt(v, i)
				if err != nil {
					return ip, err
				}
				b := int(bits[i])
				if b == -1 {
					b = ip.MaxBits()
				}
				if b < 0 || b > ip.MaxBits() {
					return ip, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid mask length: %d", b)
				}
				ip.Bits = uint8(b)
				if cidr {
					ip = ip.Network()
				}
				return ip, nil
			})
		})
	case "inet_same_family":
		return predicate(func(x, y sqltypes.NetAddr) bool { return x.V6 == y.V6 })
	case "network_sub", "network_subeq", "network_sup", "network_supeq", "network_overlap":
		return predicate(func(x, y sqltypes.NetAddr) bool { return inetContains(name, x, y) })
	case "inet_merge":
		return binaryInet(sqltypes.TypeCidr, func(x, y sqltypes.NetAddr) (sqltypes.NetAddr, error) {
			if x.V6 != y.V6 {
				return x, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot merge addresses from different families")
			}
			x.Bits = uint8(commonBits(x, y, int(min(x.Bits, y.Bits))))
			return x.Network(), nil
		})
	case "inetand", "inetor":
		return binaryInet(sqltypes.TypeInet, func(x, y sqltypes.NetAddr) (sqltypes.NetAddr, error) {
			if x.V6 != y.V6 {
				return x, errInetMismatch(map[string]string{"inetand": "AND", "inetor": "OR"}[name])
			}
			for k := range x.Addr {
				if name == "inetand" {
					x.Addr[k] &= y.Addr[k]
				} else {
					x.Addr[k] |= y.Addr[k]
				}
			}
			x.Bits = max(x.Bits, y.Bits)
			return x, nil
		})
	case "inetpl", "int8pl_inet", "inetmi_int8":
		neg := name == "inetmi_int8"
		return call(sqltypes.TypeInet, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v, add := viewOf(in[0]), values[int64](in[1])
			return inetRows(env.Mem, n, in, func(i int) (sqltypes.NetAddr, error) {
				ip, err := inetAt(v, i)
				if err != nil {
					return ip, err
				}
				d := add[i]
				if neg {
					d = -d // wraps at the minimum, as PostgreSQL's C negation does
				}
				return inetAdd(ip, d)
			})
		})
	case "inetmi":
		return call(sqltypes.TypeInt8, func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v, w := viewOf(in[0]), viewOf(in[1])
			return mapRows(env.Mem, arrow.PrimitiveTypes.Int64, n, in, func(i int) (int64, bool, error) {
				x, err := inetAt(v, i)
				if err != nil {
					return 0, false, err
				}
				y, err := inetAt(w, i)
				if err != nil {
					return 0, false, err
				}
				d, err := inetSub(x, y)
				return d, false, err
			})
		})
	}
	return nil, functionError(name, args)
}

// hostmask is the address with the host bits set and the prefix length
// at its maximum.
func hostmask(ip sqltypes.NetAddr) sqltypes.NetAddr {
	m := sqltypes.NetAddr{V6: ip.V6, Bits: uint8(ip.MaxBits())}
	net := sqltypes.NetAddr{V6: ip.V6, Bits: ip.Bits}
	for k := range net.Addr[:ip.Len()] {
		net.Addr[k] = 0xff
	}
	net = net.Network()
	for k := range m.Addr[:ip.Len()] {
		m.Addr[k] = ^net.Addr[k]
	}
	return m
}

// bitsEqual reports whether the first n bits of a and b agree (bitncmp
// == 0).
func bitsEqual(a, b sqltypes.NetAddr, n int) bool { return commonBits(a, b, n) == n }

// commonBits is bitncommon: how many of the first n bits of a and b
// agree.
func commonBits(a, b sqltypes.NetAddr, n int) int {
	for k := 0; k < n; k++ {
		m := byte(0x80) >> (k % 8)
		if a.Addr[k/8]&m != b.Addr[k/8]&m {
			return k
		}
	}
	return n
}

// inetContains is PostgreSQL's network_sub, _subeq, _sup, _supeq and
// _overlap: addresses of different families are never related.
func inetContains(name string, x, y sqltypes.NetAddr) bool {
	if x.V6 != y.V6 {
		return false
	}
	switch name {
	case "network_sub":
		return x.Bits > y.Bits && bitsEqual(x, y, int(y.Bits))
	case "network_subeq":
		return x.Bits >= y.Bits && bitsEqual(x, y, int(y.Bits))
	case "network_sup":
		return x.Bits < y.Bits && bitsEqual(x, y, int(x.Bits))
	case "network_supeq":
		return x.Bits <= y.Bits && bitsEqual(x, y, int(x.Bits))
	}
	return bitsEqual(x, y, int(min(x.Bits, y.Bits)))
}

// inetAdd adds d to the address, keeping the prefix length; a result
// outside the family's addresses is 22003, as internal_inetpl says.
func inetAdd(ip sqltypes.NetAddr, d int64) (sqltypes.NetAddr, error) {
	carry := 0
	for k := ip.Len() - 1; k >= 0; k-- {
		carry = int(ip.Addr[k]) + int(d&0xff) + carry
		ip.Addr[k] = byte(carry)
		carry >>= 8
		d >>= 8 // arithmetic: -1 stays -1
	}
	if !(d == 0 && carry == 0 || d == -1 && carry == 1) {
		return ip, errInetRange()
	}
	return ip, nil
}

// inetSub is inet - inet: the difference of the addresses as a bigint,
// 22003 when it does not fit (IPv6), as inetmi computes it.
func inetSub(x, y sqltypes.NetAddr) (int64, error) {
	if x.V6 != y.V6 {
		return 0, errInetMismatch("subtract")
	}
	var res int64
	carry := 1
	n := x.Len()
	for b := 0; b < n; b++ {
		k := n - 1 - b
		carry = int(x.Addr[k]) + int(^y.Addr[k]) + carry
		lo := carry & 0xff
		if b < 8 {
			res |= int64(lo) << (8 * b)
		} else if res < 0 && lo != 0xff || res >= 0 && lo != 0 {
			return 0, errInetRange()
		}
		carry >>= 8
	}
	if carry == 0 && n < 8 {
		res |= -1 << (8 * n)
	}
	return res, nil
}
