package pgwire

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// exchange sends msgs then Sync (raw bytes are written as they are) and
// returns the SQLSTATEs of the ErrorResponses before ReadyForQuery.
func exchange(t *testing.T, conn *pgx.Conn, msgs ...any) []string {
	t.Helper()
	pc := conn.PgConn()
	fe := pc.Frontend()
	for _, m := range msgs {
		switch m := m.(type) {
		case []byte:
			if err := fe.Flush(); err != nil {
				t.Fatal(err)
			}
			if _, err := pc.Conn().Write(m); err != nil {
				t.Fatal(err)
			}
		case pgproto3.FrontendMessage:
			fe.Send(m)
		}
	}
	fe.Send(&pgproto3.Sync{})
	var codes []string
	untilReady(t, conn, func(msg pgproto3.BackendMessage) {
		if m, ok := msg.(*pgproto3.ErrorResponse); ok {
			codes = append(codes, m.Code+" "+m.Message)
		}
	})
	return codes
}

// untilReady flushes what was sent on conn's frontend and hands each
// message the server answers to each, up to and without ReadyForQuery,
// whose transaction status it returns.
func untilReady(t *testing.T, conn *pgx.Conn, each func(pgproto3.BackendMessage)) byte {
	t.Helper()
	pc := conn.PgConn()
	fe := pc.Frontend()
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	_ = pc.Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
	defer pc.Conn().SetReadDeadline(time.Time{})
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := msg.(*pgproto3.ReadyForQuery); ok {
			return m.TxStatus
		}
		each(msg)
	}
}

// rawBind is a Bind message of the unnamed portal and statement with one
// text parameter whose length field is length (and no bytes), and
// formats as parameter format codes.
func rawBind(length int32, formats ...uint16) []byte {
	body := []byte{0, 0} // portal "", statement ""
	body = binary.BigEndian.AppendUint16(body, uint16(len(formats)))
	for _, f := range formats {
		body = binary.BigEndian.AppendUint16(body, f)
	}
	body = binary.BigEndian.AppendUint16(body, 1)
	body = binary.BigEndian.AppendUint32(body, uint32(length))
	body = binary.BigEndian.AppendUint16(body, 0) // result formats
	msg := []byte{'B'}
	msg = binary.BigEndian.AppendUint32(msg, uint32(len(body)+4))
	return append(msg, body...)
}

// TestMalformedExtendedMessages: extended-protocol messages PostgreSQL
// refuses fail as there (an ERROR with its SQLSTATE, messages skipped
// until Sync, the connection and the server going on), never by ending
// the server: a Bind whose parameter length is below -1 once panicked in
// psql-wire's reader and took every session down.
func TestMalformedExtendedMessages(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	ctx := context.Background()
	cases := []struct {
		name string
		msgs []any
		want string
	}{
		{"negative parameter length", []any{&pgproto3.Parse{Query: "echo text"}, rawBind(-2), &pgproto3.Execute{}}, "08P01 insufficient data left in message"},
		{"parameter length past the message", []any{&pgproto3.Parse{Query: "echo text"}, rawBind(1000), &pgproto3.Execute{}}, "08P01 insufficient data left in message"},
		{"two formats for one parameter", []any{&pgproto3.Parse{Query: "echo text"}, rawBind(-1, 0, 0), &pgproto3.Execute{}}, "08P01 bind message has 2 parameter formats but 1 parameters"},
		{"format code 7", []any{&pgproto3.Parse{Query: "echo text"}, rawBind(-1, 7), &pgproto3.Execute{}}, "22023 unsupported format code: 7"},
		{"bind of no statement", []any{&pgproto3.Bind{PreparedStatement: "nosuch"}, &pgproto3.Execute{}}, `26000 prepared statement "nosuch" does not exist`},
		{"describe of no statement", []any{&pgproto3.Describe{ObjectType: 'S', Name: "nosuch"}}, `26000 prepared statement "nosuch" does not exist`},
		{"describe of no portal", []any{&pgproto3.Describe{ObjectType: 'P', Name: "nosuch"}}, `34000 portal "nosuch" does not exist`},
		{"parse of a used name", []any{&pgproto3.Parse{Name: "twice", Query: "echo int4"}, &pgproto3.Parse{Name: "twice", Query: "echo int4"}}, `42P05 prepared statement "twice" already exists`},
	}
	for _, c := range cases {
		got := exchange(t, conn, c.msgs...)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: errors %q, want [%s]", c.name, got, c.want)
		}
		var n int32
		if err := conn.QueryRow(ctx, "echo int4", 7).Scan(&n); err != nil || n != 7 {
			t.Fatalf("%s: the connection after it: %d, %v", c.name, n, err)
		}
	}
}

// TestInvalidMessageLength: a message whose length field is below its own
// four bytes, or past PostgreSQL's 1 GB bound, ends that connection at
// once (PostgreSQL's "invalid message length") instead of reading on out
// of step or waiting for 2 GB; the server goes on.
func TestInvalidMessageLength(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	for _, length := range []uint32{2, 1 << 31, 1 << 30} {
		conn := connect(t, addr, "analyst", "analyst")
		pc := conn.PgConn()
		msg := binary.BigEndian.AppendUint32([]byte{'Q'}, length)
		if _, err := pc.Conn().Write(msg); err != nil {
			t.Fatal(err)
		}
		_ = pc.Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.ReadAll(pc.Conn())
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Errorf("length %d: the connection stayed open", length)
		}
		other := connect(t, addr, "analyst", "analyst")
		var n int32
		if err := other.QueryRow(context.Background(), "echo int4", 7).Scan(&n); err != nil || n != 7 {
			t.Fatalf("length %d: a new connection after it: %d, %v", length, n, err)
		}
	}
}

// TestGSSENCRequestOnce: a GSSENCRequest is declined ('N') and the
// client may go on with an SSLRequest and its startup, as libpq does with
// gssencmode=prefer; a second GSSENCRequest is, as in PostgreSQL's
// ProcessStartupPacket, a startup packet of protocol 1234.5680, which is
// FATAL 0A000 (psql-wire answered every one, keeping a read buffer per
// request).
func TestGSSENCRequestOnce(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	gssenc := []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}
	ssl := []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		return c
	}
	answer := func(c net.Conn, req []byte) string {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 1)
		if _, err := io.ReadFull(c, b); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	c := dial()
	if a, b := answer(c, gssenc), answer(c, ssl); a != "N" || b != "N" {
		t.Fatalf("GSSENCRequest, SSLRequest: answered %q, %q; want N, N", a, b)
	}
	fe := pgproto3.NewFrontend(c, c)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "analyst", "database": "mesh"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	if m, err := fe.Receive(); err != nil {
		t.Fatal(err)
	} else if _, ok := m.(*pgproto3.ErrorResponse); ok {
		t.Fatalf("startup after the requests: %+v", m)
	}

	c = dial()
	if a := answer(c, gssenc); a != "N" {
		t.Fatalf("GSSENCRequest: answered %q", a)
	}
	if _, err := c.Write(gssenc); err != nil {
		t.Fatal(err)
	}
	m, err := pgproto3.NewFrontend(c, c).Receive()
	e, ok := m.(*pgproto3.ErrorResponse)
	if err != nil || !ok || e.Severity != "FATAL" || e.Code != "0A000" || e.Message != "unsupported frontend protocol 1234.5680: server supports 3.0 to 3.0" {
		t.Fatalf("second GSSENCRequest: %+v, %v", m, err)
	}
}
