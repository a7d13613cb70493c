package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// InetText converts a column of inet, cidr or macaddr values (t, or an
// array type of them) into their output text, as psql shows them ('10.1.2.3',
// '10.0.0.0/8'), keeping the validity and, for arrays, the lists: the
// form meshql's Arrow Flight SQL results carry (an Arrow string column
// whose type name says inet or cidr), since the byte form inside meshql
// (sqltypes.AppendInet) is meshql's own. The caller releases the result.
func InetText(mem memory.Allocator, t sqltypes.Type, a arrow.Array) (arrow.Array, error) {
	if t.Kind == sqltypes.List && t.Elem != nil {
		l, ok := a.(*array.List)
		if !ok {
			return nil, internalErr("inet[] column holds Arrow %s", a.DataType())
		}
		return mapListValues(l, func(vals arrow.Array) (arrow.Array, error) { return InetText(mem, *t.Elem, vals) })
	}
	if t.Kind == sqltypes.Macaddr && a.DataType().ID() == arrow.BINARY {
		return macaddrText(mem, a)
	}
	if !isInet(t) || a.DataType().ID() != arrow.BINARY {
		return nil, internalErr("%s column holds Arrow %s", t, a.DataType())
	}
	v := viewOf(a)
	cidr := t.Kind == sqltypes.Cidr
	return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
		ip, err := inetAt(v, i)
		return sqltypes.AppendInetText(dst, ip, cidr), false, err
	})
}

// inetCastKernel casts between inet, cidr and text: cidr to inet keeps
// the bytes, inet to cidr clears the host bits (inet_to_cidr), text is
// read by the types' input functions and written as text(inet) writes
// it (always with the prefix length).
func inetCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case isInet(from) && to.Kind == sqltypes.Inet, from.Kind == sqltypes.Cidr && to.Kind == sqltypes.Cidr:
		return retypeKernel(to.Arrow()), true
	case from.Kind == sqltypes.Inet && to.Kind == sqltypes.Cidr:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return inetRows(mem, a.Len(), []arrow.Array{a}, func(i int) (sqltypes.NetAddr, error) {
				ip, err := inetAt(v, i)
				return ip.Network(), err
			})
		}, true
	case isInet(from) && to.IsString():
		// text(inet): the address and always its prefix length.
		k := func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				ip, err := inetAt(v, i)
				return sqltypes.AppendInetText(dst, ip, true), false, err
			})
		}
		if to.Kind == sqltypes.Varchar && to.Precision > 0 {
			return chain(k, truncateKernel(int(to.Precision))), true
		}
		return k, true
	case from.IsString() && isInet(to):
		cidr := to.Kind == sqltypes.Cidr
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return inetRows(mem, a.Len(), []arrow.Array{a}, func(i int) (sqltypes.NetAddr, error) {
				return sqltypes.ParseInet(v.str(i), cidr)
			})
		}, true
	}
	return nil, false
}
