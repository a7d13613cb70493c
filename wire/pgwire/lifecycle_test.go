package pgwire

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// sessionEnd waits until the server ends an idle session and returns
// the error the client sees on its next statement: the server's FATAL
// ErrorResponse, which pgx reads (from its buffer or the socket) before
// noticing the closed connection.
func sessionEnd(t *testing.T, conn *pgx.Conn) *pgconn.PgError {
	t.Helper()
	nc := conn.PgConn().Conn()
	// Wait for the server to close its side (the client reads nothing
	// itself: pgx may already hold the message in its buffer).
	for i := 0; i < 3000; i++ {
		if isClosedByPeer(nc) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := conn.Ping(ctx)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("after the session ended: %v, want the server's FATAL error", err)
	}
	return pe
}

// isClosedByPeer peeks at the socket without consuming data.
func isClosedByPeer(nc net.Conn) bool {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return true
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	_ = raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil
		if n > 0 {
			// Data is pending (the FATAL message): the close follows it.
			closed = true
		}
		return true
	})
	return closed
}

func wantFatal(t *testing.T, what string, pe *pgconn.PgError, code string) {
	t.Helper()
	if pe.Severity != "FATAL" || pe.Code != code {
		t.Errorf("%s: got %s %s %q, want FATAL %s", what, pe.Severity, pe.Code, pe.Message, code)
	}
}

func echo(t *testing.T, conn *pgx.Conn, v string) {
	t.Helper()
	var got string
	if err := conn.QueryRow(context.Background(), "echo text", v).Scan(&got); err != nil || got != v {
		t.Fatalf("echo %q: %q, %v", v, got, err)
	}
}

func TestMaxConnections(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{MaxConnections: 2})
	c1, c2 := connect(t, addr, "analyst", "analyst"), connect(t, addr, "analyst", "analyst")
	_, err := tryConnect(addr, "analyst", "analyst")
	pe := pgErr(t, err)
	if pe.Code != "53300" || pe.Severity != "FATAL" || pe.Message != "sorry, too many clients already" {
		t.Errorf("third connection: %s %s %q", pe.Severity, pe.Code, pe.Message)
	}
	// The sessions within the limit are untouched.
	echo(t, c1, "one")
	echo(t, c2, "two")
	// A closed session frees its slot.
	if err := c2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		c3, err := tryConnect(addr, "analyst", "analyst")
		if err == nil {
			echo(t, c3, "three")
			c3.Close(context.Background())
			break
		}
		if pgErr(t, err).Code != "53300" || i == 1000 {
			t.Fatalf("after a session ended: %v", err)
		}
		time.Sleep(5 * time.Millisecond) // the server sees the close asynchronously
	}
}

func TestIdleSessionTimeout(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{IdleSessionTimeout: 50 * time.Millisecond})
	conn := connect(t, addr, "analyst", "analyst")
	echo(t, conn, "before")
	wantFatal(t, "idle session", sessionEnd(t, conn), "57P05")
}

// blockingDef is a statement that runs until release is closed (then
// returns one row) or until its context ends.
func blockingDef(fb *fakeBackend, release <-chan struct{}) fakeDef {
	cols := []engine.Column{{Name: "v", Type: sqltypes.TypeInt4}}
	return fakeDef{cols: cols, run: func(ctx context.Context, fb *fakeBackend, _ *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		fb.started <- struct{}{}
		select {
		case <-release:
			return []arrow.RecordBatch{batchOf(fb.mem, cols, [][]sqltypes.Datum{{int32(7)}})}, nil
		case <-ctx.Done():
			return nil, sqltypes.AsError(ctx.Err())
		}
	}}
}

func TestShutdownLetsRunningStatementsFinish(t *testing.T) {
	fb := newFakeBackend(t)
	release := make(chan struct{})
	fb.defs["block"] = blockingDef(fb, release)
	srv, addr := startServer(t, fb, Config{})
	idle, busy := connect(t, addr, "analyst", "analyst"), connect(t, addr, "analyst", "analyst")
	result := make(chan error, 1)
	go func() {
		var v int32
		err := busy.QueryRow(context.Background(), "block").Scan(&v)
		if err == nil && v != 7 {
			err = errors.New("wrong value")
		}
		result <- err
	}()
	<-fb.started
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()

	// The idle session ends at once, new connections are not accepted.
	wantFatal(t, "idle session", sessionEnd(t, idle), "57P01")
	// New connections are refused with a reason (57P03), as PostgreSQL
	// refuses them during a smart shutdown.
	if c, err := tryConnect(addr, "analyst", "analyst"); err == nil {
		c.Close(context.Background())
		t.Error("a new connection was accepted while draining")
	} else {
		wantFatal(t, "new connection while draining", pgErr(t, err), "57P03")
	}
	// The running statement completes, then its session ends.
	close(release)
	if err := <-result; err != nil {
		t.Fatalf("the running statement: %v", err)
	}
	wantFatal(t, "session after its statement", sessionEnd(t, busy), "57P01")
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestShutdownCancelsAfterGrace(t *testing.T) {
	fb := newFakeBackend(t)
	srv, addr := startServer(t, fb, Config{})
	busy := connect(t, addr, "analyst", "analyst")
	result := make(chan error, 1)
	go func() {
		var v int32
		result <- busy.QueryRow(context.Background(), "sleep").Scan(&v)
	}()
	<-fb.started
	grace, over := context.WithCancel(context.Background())
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(grace) }()
	over() // the grace period ends while the statement still runs
	// As in PostgreSQL's fast shutdown, the statement fails with FATAL
	// 57P01 (not a 57014 that reads like a cancel request), which ends
	// the session.
	wantFatal(t, "statement running past the grace period", pgErr(t, <-result), "57P01")
	if err := <-shut; !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown after the grace period: %v, want context.Canceled", err)
	}
}

// TestTerminateOwnSessionSendsOneFatal: a statement that terminates its
// own session (pg_terminate_backend(pg_backend_pid())) fails with FATAL
// 57P01 and the connection ends right after it, as a PostgreSQL backend
// exits: no ReadyForQuery, and no second FATAL when the session ends.
func TestTerminateOwnSessionSendsOneFatal(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	for _, extended := range []bool{false, true} {
		conn := connect(t, addr, "analyst", "analyst")
		hc, err := conn.PgConn().Hijack()
		if err != nil {
			t.Fatal(err)
		}
		fe := hc.Frontend
		if extended {
			fe.SendParse(&pgproto3.Parse{Query: "terminate self"})
			fe.SendBind(&pgproto3.Bind{})
			fe.SendExecute(&pgproto3.Execute{})
			fe.SendSync(&pgproto3.Sync{})
		} else {
			fe.Send(&pgproto3.Query{String: "terminate self"})
		}
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		_ = hc.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var fatals []string
		ready := 0
		for {
			msg, err := fe.Receive()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("extended %v: the connection did not end: %v", extended, err)
				}
				break
			}
			switch m := msg.(type) {
			case *pgproto3.ErrorResponse:
				fatals = append(fatals, m.Severity+" "+m.Code)
			case *pgproto3.ReadyForQuery:
				ready++
			}
		}
		if len(fatals) != 1 || fatals[0] != "FATAL 57P01" || ready != 0 {
			t.Errorf("extended %v: errors %q and %d ReadyForQuery; want one FATAL 57P01 and none", extended, fatals, ready)
		}
		_ = hc.Conn.Close()
	}
}
