package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"maps"
	"net"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/pkg/types"

	"github.com/meshql/meshql/sqltypes"
)

// connState is one connection's state. The connection's goroutine owns all
// fields except those under mu, which cancel requests and Server.Close
// touch from other goroutines.
type connState struct {
	srv     *Server
	conn    net.Conn // the accepted connection, under TLS if any
	user    string
	session Session        // set once, under mu (cancels read it from other goroutines)
	rw      *frameRewriter // nil until authentication succeeded

	reported map[string]string // ParameterStatus values last sent
	env      encEnv
	cs       *clientCharset // the client_encoding's, nil for UTF8 (charset.go)
	// csSetting is the client_encoding cs was made for.
	csSetting string
	out       []byte      // raw frames for the simple query path
	exec      execRequest // the Execute message being served (portals.go)
	parsed    parsedStmt  // see stmtCache.Set
	// stmtOf is the Statement each psql-wire statement runs (statements.go).
	stmtOf map[*wire.Statement]Statement
	scopes []Scope // statements parse opened, until ReadyForQuery

	mu      sync.Mutex
	pid     int32
	key     int32
	running context.CancelCauseFunc // the running query's; nil when idle
	closed  bool
	// idle is true while the session waits for the client (after
	// ReadyForQuery); terminate, once set, is why the server ends the
	// session at the next such wait (lifecycle.go).
	idle      bool
	terminate *sqltypes.Error
	// idleReason is why a read timeout during this wait ends the
	// session, when not idle_session_timeout (57P05).
	idleReason *sqltypes.Error
	// overLimit marks a connection accepted over MaxConnections, and
	// lateAccept one accepted while the server drains (it is refused
	// with 57P03); both are set under the server's mu before the
	// connection is served, read-only after.
	overLimit, lateAccept bool
}

type connKey struct{}

func newConnState(srv *Server, c net.Conn) *connState { return &connState{srv: srv, conn: c} }

// stateFrom finds the connection's state in a psql-wire hook's context.
func stateFrom(ctx context.Context) *connState {
	if st, ok := ctx.Value(connKey{}).(*connState); ok {
		return st
	}
	if a, ok := wire.RemoteAddress(ctx).(connAddr); ok {
		return a.state
	}
	return nil
}

// beginQuery derives the context of one statement's execution; a cancel
// request or the end of the connection cancels it. done must be called
// when the statement ends.
func (st *connState) beginQuery(ctx context.Context) (qctx context.Context, done func()) {
	qctx, cancel := context.WithCancelCause(ctx)
	st.mu.Lock()
	if st.closed {
		cancel(nil)
	}
	st.running = cancel
	st.mu.Unlock()
	return qctx, func() {
		st.mu.Lock()
		st.running = nil
		st.mu.Unlock()
		cancel(nil)
	}
}

// cancelStatement cancels the running statement, if any, here and in the
// session (from its planning to its end, also between the two, where
// this package runs nothing), as cancelQuery says. A session waiting for
// the client runs no statement: as in PostgreSQL, the cancel is then
// ignored (an open cursor's query, which the session still holds, goes
// on).
func (st *connState) cancelStatement(cause error) {
	st.cancelQuery(cause)
	st.mu.Lock()
	sess, idle := st.session, st.idle
	st.mu.Unlock()
	if c, ok := sess.(Canceler); ok && !idle {
		c.Cancel(cause)
	}
}

// cancelQuery cancels the running query, if any. A *sqltypes.Error cause
// is what the statement then fails with (57P01 when the shutdown grace is
// over); nil means a cancel request (57014).
func (st *connState) cancelQuery(cause error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.running != nil {
		st.running(cause)
	}
}

// close ends the connection's session; it runs once, on the connection's
// goroutine, after the last statement.
func (st *connState) close() {
	st.mu.Lock()
	st.closed = true
	if st.running != nil {
		st.running(nil)
	}
	pid := st.pid
	st.mu.Unlock()
	if pid != 0 {
		st.srv.mu.Lock()
		if st.srv.byPID[pid] == st {
			delete(st.srv.byPID, pid)
		}
		st.srv.mu.Unlock()
	}
	st.endStatements() // a Parse the connection's end cut off before its Sync
	if st.session != nil {
		st.session.Close()
	}
}

// backendKeyData assigns the connection's cancel key (psql-wire hook).
func (s *Server) backendKeyData(ctx context.Context) (int32, int32) {
	st := stateFrom(ctx)
	if st == nil {
		return 0, 0
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	key := int32(binary.BigEndian.Uint32(b[4:]))
	pid := int32(0)
	if p, ok := st.session.(ProcessIDer); ok {
		pid = p.ProcessID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for pid <= 0 || s.byPID[pid] != nil {
		_, _ = rand.Read(b[:4])
		pid = int32(binary.BigEndian.Uint32(b[:4]) & 0x7fffffff)
	}
	s.byPID[pid] = st
	st.mu.Lock()
	st.pid, st.key = pid, key
	st.mu.Unlock()
	return pid, key
}

// cancelRequest handles a CancelRequest packet (psql-wire hook): a matching
// key cancels that connection's running query, which then fails with 57014.
// As in PostgreSQL, nothing is reported back either way.
func (s *Server) cancelRequest(_ context.Context, pid, key int32) error {
	s.mu.Lock()
	st := s.byPID[pid]
	s.mu.Unlock()
	if st == nil {
		return nil
	}
	st.mu.Lock()
	ok := subtle.ConstantTimeEq(st.key, key) == 1
	st.mu.Unlock()
	if ok {
		s.log.Debug("pgwire: cancel request", "pid", pid)
		st.cancelStatement(nil)
	}
	return nil
}

// startSession runs after psql-wire's own startup messages (psql-wire hook):
// it sends the real ParameterStatus set.
func (s *Server) startSession(ctx context.Context) (context.Context, error) {
	st := stateFrom(ctx)
	if st == nil || st.rw == nil {
		return ctx, errConnEnded
	}
	st.rw.dropParamStatus = false
	if err := st.conn.SetDeadline(time.Time{}); err != nil {
		return ctx, err
	}
	return ctx, st.reportSettings()
}

// defaultSettings are the ParameterStatus values a PostgreSQL 16 server
// reports; the session's ReportedSettings override them.
func (st *connState) defaultSettings() map[string]string {
	return map[string]string{
		"server_version":                st.srv.cfg.ServerVersion,
		"server_encoding":               "UTF8",
		"client_encoding":               "UTF8",
		"DateStyle":                     "ISO, MDY",
		"TimeZone":                      "UTC",
		"IntervalStyle":                 "postgres",
		"integer_datetimes":             "on",
		"standard_conforming_strings":   "on",
		"is_superuser":                  "off",
		"session_authorization":         st.user,
		"application_name":              "",
		"default_transaction_read_only": "off",
		"in_hot_standby":                "off",
	}
}

// reportSettings sends ParameterStatus for every setting whose value changed
// since the last report (all of them the first time) and updates the
// encoding environment (TimeZone, DateStyle, IntervalStyle).
func (st *connState) reportSettings() error {
	st.syncCharset()
	cur := st.session.ReportedSettings()
	if st.reported == nil {
		cur = mergeSettings(st.defaultSettings(), cur)
		st.reported = map[string]string{}
	}
	var changed []string
	for k, v := range cur {
		if old, ok := st.reported[k]; !ok || old != v {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	slices.Sort(changed)
	var frames []byte
	for _, k := range changed {
		v := cur[k]
		st.reported[k] = v
		frames = append(frames, 'S', 0, 0, 0, 0)
		at := len(frames) - 5
		frames = append(append(frames, k...), 0)
		frames = append(append(frames, v...), 0)
		binary.BigEndian.PutUint32(frames[at+1:], uint32(len(frames)-at-1))
		if k == "TimeZone" {
			st.env.loc = loadLocation(v)
		}
	}
	st.env.style = sqltypes.SessionDateStyle(st.reported["DateStyle"], st.reported["IntervalStyle"])
	return st.rw.writeRawText(frames)
}

func mergeSettings(base, over map[string]string) map[string]string {
	maps.Copy(base, over)
	return base
}

// loadLocation resolves a TimeZone setting; unknown names and "UTC" give UTC.
func loadLocation(name string) *time.Location {
	if name == "" || name == "UTC" || name == "Etc/UTC" {
		return time.UTC
	}
	if _, loc, ok := sqltypes.TimeZoneSetting(name); ok {
		return loc
	}
	return time.UTC
}

// writeNotices sends NoticeResponse messages, those client_min_messages
// lets through.
func (st *connState) writeNotices(ns []*sqltypes.Error) error {
	if len(ns) == 0 {
		return nil
	}
	least := noticeRank("notice")
	if r, ok := st.session.(SettingReader); ok {
		if v, ok := r.Setting("client_min_messages"); ok {
			least = noticeRank(v)
		}
	}
	var frames []byte
	for _, n := range ns {
		sev := n.Severity
		if sev == "" {
			sev = "NOTICE"
		}
		// INFO is always sent, as in PostgreSQL.
		if r := noticeRank(sev); r < least && !strings.EqualFold(sev, "INFO") {
			continue
		}
		if st.cs != nil {
			// PostgreSQL fails the statement with 22P05 when a notice's
			// text cannot be converted to the client's encoding.
			if err := st.cs.checkNotice(n); err != nil {
				return st.wireErr(err)
			}
		}
		frames = appendMessage(frames, 'N', n)
	}
	if len(frames) == 0 {
		return nil
	}
	return st.rw.writeRawText(frames)
}

// noticeRank orders message levels as client_min_messages compares them.
func noticeRank(level string) int {
	switch strings.ToLower(level) {
	case "debug5", "debug4", "debug3", "debug2", "debug1", "debug":
		return 0
	case "log":
		return 1
	case "info", "notice":
		return 2
	case "warning":
		return 3
	}
	return 4 // error
}

// appendMessage appends a NoticeResponse ('N', severity NOTICE by
// default) or an ErrorResponse ('E', severity ERROR by default) frame.
func appendMessage(frames []byte, typ byte, n *sqltypes.Error) []byte {
	sev := n.Severity
	switch {
	case sev != "":
	case typ == 'E':
		sev = "ERROR"
	default:
		sev = "NOTICE"
	}
	code := n.Code
	if code == "" {
		code = "00000"
	}
	frames = append(frames, typ, 0, 0, 0, 0)
	at := len(frames) - 5
	frames = appendField(frames, 'S', sev)
	frames = appendField(frames, 'V', sev)
	frames = appendField(frames, 'C', code)
	frames = appendField(frames, 'M', n.Msg)
	if n.Detail != "" {
		frames = appendField(frames, 'D', n.Detail)
	}
	if n.Hint != "" {
		frames = appendField(frames, 'H', n.Hint)
	}
	if n.Position > 0 {
		frames = appendField(frames, 'P', itoa(n.Position))
	}
	frames = append(frames, 0)
	binary.BigEndian.PutUint32(frames[at+1:], uint32(len(frames)-at-1))
	return frames
}

// wireErr converts err for psql-wire and arranges for its position to be
// sent (see frameRewriter).
func (st *connState) wireErr(err error) error {
	if f, ok := st.session.(TxFailer); ok {
		f.FailTransaction()
	}
	out, pos := toWire(err)
	if pos > 0 && st.rw != nil {
		e := sqltypes.AsError(err)
		st.rw.expectPosition(e.Code, e.Msg, pos)
	}
	return out
}

// abortedErr is PostgreSQL's 25P02 for a Parse, Bind or Execute of stmt
// in a failed transaction block, unless stmt ends the block (COMMIT,
// ROLLBACK); nil outside a failed block.
func (st *connState) abortedErr(stmt Statement) error {
	f, ok := st.session.(TxFailer)
	if !ok || !f.TransactionFailed() {
		return nil
	}
	if e, ok := stmt.(TxEnder); ok && e.EndsTransaction() {
		return nil
	}
	return st.wireErr(sqltypes.New(sqltypes.CodeInFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block"))
}

// recoverErr turns a panic in a hook into an XX000 error for the client and
// logs the stack; psql-wire does not recover panics on the simple query path.
func (st *connState) recoverErr(err *error) {
	if r := recover(); r != nil {
		st.srv.log.Error("pgwire: panic while serving a query", "panic", r, "stack", string(debug.Stack()))
		*err = st.wireErr(sqltypes.New(sqltypes.CodeInternal, "internal error: %v", r).
			WithHint("This is a bug in meshql; please report it with the query."))
	}
}

func itoa(n int) string { return string(appendInt(nil, int64(n))) }

// txStatus is psql-wire's TxStatus hook: the transaction status byte of
// ReadyForQuery.
func (s *Server) txStatus(ctx context.Context) types.ServerStatus {
	if st := stateFrom(ctx); st != nil {
		// ReadyForQuery ends the implicit transaction: the next message
		// starts a new one (a new now()).
		if t, ok := st.session.(ImplicitTransactions); ok {
			t.EndImplicitTransaction()
		}
		st.endStatements()
		// As PostgreSQL 15, the settings the cycle changed are reported
		// once, just before ReadyForQuery (after the statements' tags).
		// An error writing them is the ReadyForQuery's too.
		if st.session != nil && st.rw != nil {
			_ = st.reportSettings()
		}
		if f, ok := st.session.(TxFailer); ok && f.TransactionFailed() {
			return types.ServerTransactionFailed
		}
		if t, ok := st.session.(TxTracker); ok && t.InTransaction() {
			return types.ServerTransactionBlock
		}
	}
	return types.ServerIdle
}
