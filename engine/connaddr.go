package engine

import (
	"net"
	"net/netip"

	"github.com/meshql/meshql/sqltypes"
)

// SetConnAddrs records the two ends of the client connection the session
// serves, for inet_client_addr(), inet_client_port(), inet_server_addr()
// and inet_server_port(). Without a call (meshql query, Flight SQL) or
// for a Unix socket they are NULL, as PostgreSQL's are over a Unix
// socket. It is called once, before the first statement.
func (s *Session) SetConnAddrs(client, server net.Addr) {
	s.clientAddr, s.serverAddr = client, server
}

// connAddrFunction answers the inet_{client,server}_{addr,port}
// functions; ok is false for other calls.
func (s *Session) connAddrFunction(name string, nargs int) (sqltypes.Datum, sqltypes.Type, bool) {
	if nargs != 0 {
		return nil, sqltypes.Type{}, false
	}
	var a net.Addr
	switch name {
	case "inet_client_addr", "inet_client_port":
		a = s.clientAddr
	case "inet_server_addr", "inet_server_port":
		a = s.serverAddr
	default:
		return nil, sqltypes.Type{}, false
	}
	port := name == "inet_client_port" || name == "inet_server_port"
	if port {
		return addrPort(a), sqltypes.TypeInt4, true
	}
	return addrInet(a), sqltypes.TypeInet, true
}

// addrPort is a TCP address's port, NULL for another kind of address.
func addrPort(a net.Addr) sqltypes.Datum {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return int32(tcp.Port)
	}
	return nil
}

// addrInet is a TCP address's host as an inet value, NULL for another
// kind of address.
func addrInet(a net.Addr) sqltypes.Datum {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return nil
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return nil
	}
	v := sqltypes.NetAddr{V6: !ip.Unmap().Is4(), Addr: ip.As16()}
	if ip.Unmap().Is4() {
		v4 := ip.Unmap().As4()
		v.Addr = [16]byte{}
		copy(v.Addr[:], v4[:])
	}
	v.Bits = uint8(v.MaxBits())
	return sqltypes.EncodeInet(v)
}
