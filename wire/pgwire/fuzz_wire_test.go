package pgwire

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// pipeListener serves in-memory connections (net.Pipe): a fuzz input
// costs no socket, and no port or file descriptor can run out.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial hands the server one end of a new pipe and returns the other.
func (l *pipeListener) dial(t testing.TB) net.Conn {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
	case <-time.After(5 * time.Second):
		t.Fatal("the server stopped accepting connections")
	}
	return client
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// Seeds are built from protocol frames (frame, rewrite_test.go); see
// PostgreSQL's "Message Formats".
func cstr(s string) []byte { return append([]byte(s), 0) }

func be16(n int16) []byte { return binary.BigEndian.AppendUint16(nil, uint16(n)) }

func be32(n int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }

// untyped is a startup-phase packet: length, then body.
func untyped(body ...[]byte) []byte { return frame(0, cat(body...))[1:] }

func startupPacket(user string) []byte {
	return untyped(be32(196608), cstr("user"), cstr(user), cstr("database"), cstr("mesh"), cstr("application_name"), cstr("fuzz"), []byte{0})
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// loginPrefix is a valid startup and password exchange: wireInput mode 1
// starts the fuzz bytes after it, in an authenticated session.
var loginPrefix = cat(startupPacket("analyst"), frame('p', cstr("analyst")))

// wireSeeds are the committed shapes of a conversation: mode 0 inputs are
// the whole byte stream, mode 1 inputs follow a login.
func wireSeeds() []struct {
	mode byte
	data []byte
} {
	parse := func(name, q string, oids ...int32) []byte {
		body := [][]byte{cstr(name), cstr(q), be16(int16(len(oids)))}
		for _, o := range oids {
			body = append(body, be32(o))
		}
		return frame('P', cat(body...))
	}
	bindText := func(portal, stmt, v string) []byte {
		return frame('B', cat(cstr(portal), cstr(stmt), be16(0), be16(1), be32(int32(len(v))), []byte(v), be16(0)))
	}
	execute := func(portal string, maxRows int32) []byte { return frame('E', cat(cstr(portal), be32(maxRows))) }
	sync := frame('S', nil)
	return []struct {
		mode byte
		data []byte
	}{
		{0, loginPrefix},
		{0, cat(loginPrefix, frame('Q', cstr("alltypes")), frame('X', nil))},
		{0, cat(untyped(be32(80877103)), loginPrefix)},                // SSLRequest refused, then plain
		{0, cat(untyped(be32(80877104)), loginPrefix)},                // GSSENCRequest
		{0, untyped(be32(80877102), be32(1234), be32(5678))},          // CancelRequest of no backend
		{0, cat(startupPacket("analyst"), frame('p', cstr("wrong")))}, // bad password
		{0, startupPacket("nologin")},
		{0, untyped(be32(196608), cstr("user"))},                // unterminated parameters
		{0, untyped(be32(0x00020000), cstr("user"), cstr("x"))}, // protocol 2
		{0, []byte{0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0}},         // oversize startup length
		{0, []byte{0, 0, 0, 2}},                                 // length below its own size
		{0, []byte{0, 0, 0, 100, 0, 3, 0, 0, 'u'}},              // truncated startup
		{1, frame('Q', cstr("alltypes"))},
		{1, frame('Q', cstr("alltypes; notice; bogus"))},
		{1, frame('Q', cstr(""))},
		{1, frame('Q', cstr("set TimeZone = 'Europe/Paris'; now"))},
		{1, frame('Q', []byte("alltypes"))}, // no terminator
		{1, cat(parse("", "echo int4", 23), bindText("", "", "42"), frame('D', cat([]byte{'P'}, cstr(""))), execute("", 0), sync)},
		{1, cat(parse("s1", "echo numeric"), frame('D', cat([]byte{'S'}, cstr("s1"))), bindText("p1", "s1", "1e400"), execute("p1", 0), sync)},
		{1, cat(parse("", "echo int4", 23), frame('B', cat(cstr(""), cstr(""), be16(1), be16(1), be16(1), be32(3), []byte{1, 2, 3}, be16(0))), execute("", 0), sync)},
		{1, cat(parse("", "echo int4", 23), frame('B', cat(cstr(""), cstr(""), be16(0), be16(1), be32(-1), be16(1), be16(1))), execute("", 0), sync)},
		{1, cat(parse("", "echo int4"), frame('B', cat(cstr(""), cstr(""), be16(0), be16(5))), execute("", 0), sync)},
		{1, cat(parse("", "numbers"), frame('B', cat(cstr(""), cstr(""), be16(0), be16(0), be16(1), be16(1))),
			execute("", 3), execute("", 2), frame('C', cat([]byte{'P'}, cstr(""))), sync, frame('Q', cstr("alltypes")))},
		{1, cat(parse("", "numbers"), frame('B', cat(cstr(""), cstr(""), be16(0), be16(0), be16(0))), execute("", 1), frame('H', nil), frame('X', nil))},
		{1, cat(execute("nosuch", 0), sync)},
		{1, cat(frame('B', cat(cstr(""), cstr("nosuch"), be16(0), be16(0), be16(0))), sync)},
		{1, cat(frame('C', cat([]byte{'S'}, cstr("nosuch"))), frame('D', cat([]byte{'X'}, cstr(""))), sync)},
		{1, cat(frame('d', []byte("1\t2\n")), frame('c', nil), frame('f', cstr("oops")), sync)},
		{1, cat(frame('F', cat(be32(1), be16(0), be16(0), be16(0))), sync)},
		{1, []byte{'Q', 0x7f, 0xff, 0xff, 0xff, 'a'}}, // oversize frame
		{1, []byte{'Q', 0xff, 0xff, 0xff, 0xff}},      // negative length
		{1, []byte{'Q', 0, 0, 0, 1}},                  // length below its own size
		{1, []byte{'Q', 0, 0, 0, 100, 'a', 'l'}},      // truncated frame
		{1, []byte{'Z', 0, 0, 0, 4}},                  // a server message type
	}
}

// FuzzWireBytes writes arbitrary bytes on a connection, either as the
// whole conversation or after a valid login, and checks that the server
// neither panics nor keeps the connection once the client hangs up, and
// still serves a well-formed session afterwards. One in-memory server
// serves every input.
func FuzzWireBytes(f *testing.F) {
	for _, s := range wireSeeds() {
		f.Add(s.mode, s.data)
	}
	fb := newFakeBackend(f)
	delete(fb.defs, "sleep") // it waits for a cancel that a fuzz input never sends
	srv, err := NewServer(fb, Config{
		Auth: AuthPassword, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// psql-wire allocates a read buffer of this size per connection.
		MaxMessageSize: 64 << 10, StartupTimeout: 5 * time.Second,
	})
	if err != nil {
		f.Fatal(err)
	}
	ln := newPipeListener()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(context.Background(), ln) }()
	f.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil {
			f.Errorf("Serve: %v", err)
		}
	})
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		c := ln.dial(t)
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		read := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, c); close(read) }()
		in := data
		if mode%2 == 1 {
			in = cat(loginPrefix, data)
		}
		_, _ = c.Write(in) // fails once the server has hung up, which is fine
		c.Close()
		<-read
		waitConnsGone(t, srv)
		if err := checkServes(ln.dial(t)); err != nil {
			t.Fatalf("after %q the server does not serve a new session: %v", in, err)
		}
		waitConnsGone(t, srv)
	})
}

// waitConnsGone waits until the server has closed every connection the
// client side hung up on; a connection it keeps is a hang.
func waitConnsGone(t *testing.T, srv *Server) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		srv.mu.Lock()
		n := len(srv.conns)
		srv.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still holds %d connection(s) 5s after the client hung up", n)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// checkServes logs in on c, runs one query and hangs up.
func checkServes(c net.Conn) error {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	fe := pgproto3.NewFrontend(c, c)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "analyst", "database": "mesh"}})
	if err := fe.Flush(); err != nil {
		return err
	}
	rows, tag := 0, ""
	for loggedIn := false; ; {
		msg, err := fe.Receive()
		if err != nil {
			return err
		}
		switch m := msg.(type) {
		case *pgproto3.AuthenticationCleartextPassword:
			fe.Send(&pgproto3.PasswordMessage{Password: "analyst"})
			if err := fe.Flush(); err != nil {
				return err
			}
		case *pgproto3.ErrorResponse:
			return fmt.Errorf("%s %s", m.Code, m.Message)
		case *pgproto3.DataRow:
			rows++
		case *pgproto3.CommandComplete:
			tag = string(m.CommandTag)
		case *pgproto3.ReadyForQuery:
			if loggedIn {
				if rows != 2 || tag != "SELECT 2" {
					return fmt.Errorf("alltypes gave %d rows, tag %q", rows, tag)
				}
				fe.Send(&pgproto3.Terminate{})
				return fe.Flush()
			}
			loggedIn = true
			fe.Send(&pgproto3.Query{String: "alltypes"})
			if err := fe.Flush(); err != nil {
				return err
			}
		}
	}
}
