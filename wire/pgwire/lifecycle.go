package pgwire

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// This file ends connections on the server's initiative, the way
// PostgreSQL does: over max_connections (53300 at startup), after
// idle_session_timeout (57P05), after idle_in_transaction_session_timeout
// inside a transaction block (25P03) and when the server shuts down (57P01 for
// open sessions, 57P03 for new ones). Each ends with a FATAL
// ErrorResponse, so that a client sees why instead of a broken pipe.
//
// A session is only ever ended while it waits for the client: after
// ReadyForQuery was written (frameRewriter.onReady) and before the next
// message arrives. The connection's own goroutine does it: the server
// sets the reason and a read deadline in the past, the blocked read wakes
// up (trackedConn.Read turns the timeout into io.EOF, which ends
// psql-wire's command loop quietly), and psql-wire's CloseConn hook
// writes the FATAL message before the connection is closed. No goroutine
// but the connection's ever writes to it.

// SQLSTATEs of server-initiated ends that sqltypes does not name.
const (
	codeIdleSessionTimeout       = "57P05"
	codeCannotConnectNow         = "57P03"
	codeIdleInTransactionTimeout = "25P03"
)

func fatalError(code, msg string) *sqltypes.Error {
	e := sqltypes.New(code, "%s", msg)
	e.Severity = "FATAL"
	return e
}

var (
	errIdleTimeout = fatalError(codeIdleSessionTimeout, "terminating connection due to idle-session timeout")
	// errIdleInTransaction ends a session idle in a transaction block
	// past its idle_in_transaction_session_timeout.
	errIdleInTransaction = fatalError(codeIdleInTransactionTimeout, "terminating connection due to idle-in-transaction timeout")
)

// readyForQuery runs on the connection's goroutine each time it has sent
// ReadyForQuery: from now on it waits for the client, inside a transaction
// block for at most idle_in_transaction_session_timeout, outside one for
// at most idle_session_timeout.
func (st *connState) readyForQuery() {
	inBlock, blockLimit := st.idleInTransaction()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.idle = true
	st.idleReason = nil
	switch {
	case st.terminate != nil:
		_ = st.conn.SetReadDeadline(time.Unix(1, 0))
	case inBlock && blockLimit > 0:
		st.idleReason = errIdleInTransaction
		_ = st.conn.SetReadDeadline(time.Now().Add(blockLimit))
	case !inBlock && st.srv.cfg.IdleSessionTimeout > 0:
		_ = st.conn.SetReadDeadline(time.Now().Add(st.srv.cfg.IdleSessionTimeout))
	}
}

// idleInTransaction reports whether the session waits inside a
// transaction block (failed or not) and its
// idle_in_transaction_session_timeout.
func (st *connState) idleInTransaction() (bool, time.Duration) {
	inBlock := false
	if t, ok := st.session.(TxTracker); ok && t.InTransaction() {
		inBlock = true
	}
	if f, ok := st.session.(TxFailer); ok && f.TransactionFailed() {
		inBlock = true
	}
	if !inBlock {
		return false, 0
	}
	if t, ok := st.session.(IdleInTransactionTimer); ok {
		return true, t.IdleInTransactionTimeout()
	}
	return true, 0
}

// gotInput runs when the client sent bytes: the session is busy again.
func (st *connState) gotInput() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.idle {
		return
	}
	st.idle = false
	if st.terminate == nil {
		_ = st.conn.SetReadDeadline(time.Time{})
	}
}

// timedOut decides what a read timeout means: the end of the session
// (true, with the reason set) when it came while the session was idle.
func (st *connState) timedOut() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.idle {
		return false // the startup deadline: psql-wire reports it
	}
	if st.terminate == nil {
		st.terminate = errIdleTimeout
		if st.idleReason != nil {
			st.terminate = st.idleReason
		}
	}
	return true
}

// terminateWhenIdle ends the session for reason as soon as it waits for
// the client (at once if it does now). The first reason wins.
func (st *connState) terminateWhenIdle(reason *sqltypes.Error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.terminate == nil {
		st.terminate = reason
	}
	if st.idle {
		_ = st.conn.SetReadDeadline(time.Unix(1, 0))
	}
}

// closeConn is psql-wire's CloseConn hook, run on the connection's
// goroutine when its command loop ended: it tells the client why the
// server ends the session, if it does.
func (s *Server) closeConn(ctx context.Context) error {
	st := stateFrom(ctx)
	if st == nil || st.rw == nil {
		return nil
	}
	st.mu.Lock()
	reason := st.terminate
	st.mu.Unlock()
	if reason == nil || st.rw.fatal {
		// A statement's FATAL error (pg_terminate_backend of a running
		// one, the end of the shutdown grace), after which psql-wire
		// ended the connection, already said why: a PostgreSQL backend
		// sends one.
		return nil
	}
	s.log.Info("pgwire: ending session", "user", sanitizeUser(st.user), "sqlstate", reason.Code, "reason", reason.Msg)
	_ = st.rw.writeRawText(appendMessage(nil, 'E', reason))
	return nil
}

// admit decides at accept time whether a new connection fits under
// MaxConnections; one that does not is still served up to its startup
// packet, so that it can be told why (authenticate rejects it with 53300).
// Cancel requests come as connections too and are served either way.
// Called with s.mu held.
func (s *Server) admit(st *connState) {
	if max := s.cfg.MaxConnections; max > 0 && s.active >= max {
		st.overLimit = true
		return
	}
	s.active++
}

// refuse returns the FATAL error a connection gets at startup when the
// server cannot take it, or nil.
func (s *Server) refuse(st *connState) error {
	s.mu.Lock()
	draining := s.draining
	s.mu.Unlock()
	switch {
	case draining:
		return fatal(codeCannotConnectNow, "the database system is shutting down")
	case st.overLimit:
		s.log.Warn("pgwire: connection refused: max_connections reached", "max_connections", s.cfg.MaxConnections)
		return fatal(sqltypes.CodeTooManyConnections, "sorry, too many clients already")
	}
	return nil
}

// Shutdown drains the server the way PostgreSQL's smart shutdown does:
// new connections are still accepted but refused at startup with FATAL
// 57P03 (a client learns why, where a closed listener would reset the
// connections waiting in its backlog), and every session ends with FATAL
// 57P01 as soon as it is idle, so that running statements finish. When
// ctx ends first, the statements still running fail with FATAL 57P01 too
// (their context is canceled with that cause) and, after a last grace of
// a few seconds, what remains is closed. It returns nil when every
// session ended by itself and ctx's error otherwise; the server is closed
// either way.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	for _, c := range s.connections() {
		c.state.terminateWhenIdle(sqltypes.AdminShutdown())
	}
	err := s.waitConns(ctx, false)
	if err != nil {
		s.log.Warn("pgwire: shutdown grace period over; canceling running statements", "sessions", len(s.connections()))
		for _, c := range s.connections() {
			c.state.cancelStatement(sqltypes.AdminShutdown())
		}
		last, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.waitConns(last, false)
		cancel()
	}
	// The connections accepted while draining get their 57P03 before
	// Close cuts them off; none are accepted any more.
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	refused, cancel := context.WithTimeout(context.Background(), time.Second)
	_ = s.waitConns(refused, true)
	cancel()
	_ = s.Close()
	return err
}

func (s *Server) connections() []*trackedConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*trackedConn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// waitConns waits until no connection is open (with late, also none
// accepted while draining), or ctx ends. Connections accepted while
// draining are only being refused: a client that opens them without ever
// sending a startup packet must not hold the drain up.
func (s *Server) waitConns(ctx context.Context, late bool) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		n := 0
		for c := range s.conns {
			if late || !c.state.lateAccept {
				n++
			}
		}
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Read reads from the client. A read timeout while the session is idle
// means the server ends it (idle timeout or shutdown): it is reported as
// io.EOF so that psql-wire ends the connection quietly, and the CloseConn
// hook then writes the reason.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.state.gotInput()
	}
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() && c.state.timedOut() {
		return n, io.EOF
	}
	return n, err
}
