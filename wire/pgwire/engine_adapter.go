package pgwire

import (
	"context"
	"net"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// EngineAPI is the method set of *engine.Engine that the server uses.
type EngineAPI[S EngineSession[St], St EngineStatement] interface {
	Authenticate(ctx context.Context, user, password string) error
	User(name string) (*catalog.User, bool)
	NewSession(user string, startup map[string]string) (S, error)
}

// EngineSession is the method set of *engine.Session that the server uses.
type EngineSession[St EngineStatement] interface {
	Prepare(ctx context.Context, sql string, paramTypes ...sqltypes.Type) ([]St, error)
	ReportedSettings() map[string]string
	Close()
}

// EngineStatement is the method set of *engine.Statement that the server uses.
type EngineStatement interface {
	ParamTypes() []sqltypes.Type
	Columns() []engine.Column
	Execute(ctx context.Context, params []sqltypes.Datum) (*engine.Result, error)
}

// EngineBackend adapts the engine to Backend, with SCRAM-SHA-256 enabled
// through catalog.User.Password (a SCRAM verifier or a plain password):
//
//	backend := pgwire.EngineBackend[*engine.Session, *engine.Statement](eng)
func EngineBackend[S EngineSession[St], St EngineStatement](e EngineAPI[S, St]) Backend {
	return engineBackend[S, St]{e: e}
}

type engineBackend[S EngineSession[St], St EngineStatement] struct{ e EngineAPI[S, St] }

func (b engineBackend[S, St]) Authenticate(ctx context.Context, user, password string) error {
	return b.e.Authenticate(ctx, user, password)
}

func (b engineBackend[S, St]) Secret(_ context.Context, user string) (string, bool, error) {
	u, ok := b.e.User(user)
	if !ok || u == nil {
		return "", false, nil
	}
	return u.Password, true, nil
}

func (b engineBackend[S, St]) NewSession(user string, startup map[string]string) (Session, error) {
	s, err := b.e.NewSession(user, startup)
	if err != nil {
		return nil, err
	}
	if p, ok := any(s).(enginePrepared[St]); ok {
		return preparedSession[St]{engineSession[St]{s: s}, p}, nil
	}
	return engineSession[St]{s: s}, nil
}

// enginePrepared is the method set of *engine.Session behind
// PreparedNames.
type enginePrepared[St EngineStatement] interface {
	KeepPrepared(name string, st St) error
	PreparedStatement(name string) (St, bool)
	DropPrepared(name string)
}

// preparedSession is an engine session that has PreparedNames.
type preparedSession[St EngineStatement] struct {
	engineSession[St]
	p enginePrepared[St]
}

func (s preparedSession[St]) KeepPrepared(name string, st Statement) error {
	es, ok := st.(engineStatement[St])
	if !ok {
		return nil // not the engine's: the wire layer alone keeps it
	}
	return s.p.KeepPrepared(name, es.st)
}

func (s preparedSession[St]) PreparedStatement(name string) (Statement, bool) {
	st, ok := s.p.PreparedStatement(name)
	if !ok {
		return nil, false
	}
	return engineStatement[St]{st: st}, true
}

func (s preparedSession[St]) DropPrepared(name string) { s.p.DropPrepared(name) }

type engineSession[St EngineStatement] struct{ s EngineSession[St] }

// SetConnAddrs passes the connection's addresses on to an engine session
// that records them (inet_client_addr and friends).
func (s engineSession[St]) SetConnAddrs(client, server net.Addr) {
	if a, ok := s.s.(interface{ SetConnAddrs(client, server net.Addr) }); ok {
		a.SetConnAddrs(client, server)
	}
}

// SetTerminate passes on how to end the connection to an engine session
// that can be told to (pg_terminate_backend).
func (s engineSession[St]) SetTerminate(end func()) {
	if t, ok := s.s.(interface{ SetTerminate(func()) }); ok {
		t.SetTerminate(end)
	}
}

func (s engineSession[St]) Prepare(ctx context.Context, sql string, paramTypes ...sqltypes.Type) ([]Statement, error) {
	sts, err := s.s.Prepare(ctx, sql, paramTypes...)
	if err != nil {
		return nil, err
	}
	out := make([]Statement, len(sts))
	for i, st := range sts {
		out[i] = engineStatement[St]{st: st}
	}
	return out, nil
}

// BeginStatement forwards to the engine session's statement scopes when
// it has them; without, each call is a statement of its own.
func (s engineSession[St]) BeginStatement() Scope {
	if b, ok := any(s.s).(interface {
		BeginStatement() *engine.StatementScope
	}); ok {
		return b.BeginStatement()
	}
	return noScope{}
}

// Cancel forwards a cancel to the engine session when it can take one.
func (s engineSession[St]) Cancel(cause error) {
	if c, ok := any(s.s).(Canceler); ok {
		c.Cancel(cause)
	}
}

// engineTransactions is the method set of *engine.Session behind
// ImplicitTransactions.
type engineTransactions interface {
	HoldImplicitTransactions()
	EndImplicitTransaction()
	Clock() engine.Clock
}

// HoldImplicitTransactions, EndImplicitTransaction and Clock forward to
// the engine session when it has them.
func (s engineSession[St]) HoldImplicitTransactions() {
	if t, ok := any(s.s).(engineTransactions); ok {
		t.HoldImplicitTransactions()
	}
}

func (s engineSession[St]) EndImplicitTransaction() {
	if t, ok := any(s.s).(engineTransactions); ok {
		t.EndImplicitTransaction()
	}
}

func (s engineSession[St]) Clock() engine.Clock {
	if t, ok := any(s.s).(engineTransactions); ok {
		return t.Clock()
	}
	now := time.Now()
	return engine.Clock{Statement: now, Transaction: now}
}

func (s engineSession[St]) ReportedSettings() map[string]string { return s.s.ReportedSettings() }
func (s engineSession[St]) Close()                              { s.s.Close() }

// ProcessID forwards the engine session's process ID when it has one.
func (s engineSession[St]) ProcessID() int32 {
	if p, ok := any(s.s).(ProcessIDer); ok {
		return p.ProcessID()
	}
	return 0
}

// Setting forwards the engine session's settings.
func (s engineSession[St]) Setting(name string) (string, bool) {
	if r, ok := any(s.s).(SettingReader); ok {
		return r.Setting(name)
	}
	return "", false
}

// IdleInTransactionTimeout forwards the engine session's
// idle_in_transaction_session_timeout (0 when it has none).
func (s engineSession[St]) IdleInTransactionTimeout() time.Duration {
	if t, ok := any(s.s).(IdleInTransactionTimer); ok {
		return t.IdleInTransactionTimeout()
	}
	return 0
}

// InTransaction forwards the engine session's transaction state when it
// tracks one.
func (s engineSession[St]) InTransaction() bool {
	if t, ok := any(s.s).(TxTracker); ok {
		return t.InTransaction()
	}
	return false
}

// FailTransaction and TransactionFailed forward the engine session's
// failed-block state when it tracks one.
func (s engineSession[St]) FailTransaction() {
	if t, ok := any(s.s).(TxFailer); ok {
		t.FailTransaction()
	}
}

func (s engineSession[St]) TransactionFailed() bool {
	if t, ok := any(s.s).(TxFailer); ok {
		return t.TransactionFailed()
	}
	return false
}

type engineStatement[St EngineStatement] struct{ st St }

func (s engineStatement[St]) ParamTypes() []sqltypes.Type { return s.st.ParamTypes() }
func (s engineStatement[St]) Columns() []engine.Column    { return s.st.Columns() }

func (s engineStatement[St]) Execute(ctx context.Context, params []sqltypes.Datum) (Rows, error) {
	return adaptRows(s.st.Execute(ctx, params))
}

// engineClock is the method set of *engine.Statement behind StatementClock.
type engineClock interface {
	Clock() engine.Clock
	AnalyzeAt(ctx context.Context, start engine.Clock) error
	ExecuteAt(ctx context.Context, params []sqltypes.Datum, start engine.Clock) (*engine.Result, error)
}

// Clock forwards the engine statement's clock when it has one.
func (s engineStatement[St]) Clock() engine.Clock {
	if c, ok := any(s.st).(engineClock); ok {
		return c.Clock()
	}
	now := time.Now()
	return engine.Clock{Statement: now, Transaction: now}
}

// AnalyzeAt forwards to the engine statement's AnalyzeAt when it has one;
// without it the statement binds when it runs.
func (s engineStatement[St]) AnalyzeAt(ctx context.Context, start engine.Clock) error {
	if c, ok := any(s.st).(engineClock); ok {
		return c.AnalyzeAt(ctx, start)
	}
	return nil
}

// ExecuteAt forwards to the engine statement's ExecuteAt when it has one,
// else runs Execute (whose start is its own).
func (s engineStatement[St]) ExecuteAt(ctx context.Context, params []sqltypes.Datum, start engine.Clock) (Rows, error) {
	if c, ok := any(s.st).(engineClock); ok {
		return adaptRows(c.ExecuteAt(ctx, params, start))
	}
	return s.Execute(ctx, params)
}

func adaptRows(r *engine.Result, err error) (Rows, error) {
	if err != nil {
		if r != nil {
			_ = r.Close()
		}
		return nil, err
	}
	return engineRows{r}, nil
}

// engineRows adds Notices to *engine.Result.
type engineRows struct{ *engine.Result }

func (r engineRows) Notices() []*sqltypes.Error { return r.Result.Notices }

// EndsTransaction forwards to the engine statement when it has it.
func (s engineStatement[St]) EndsTransaction() bool {
	e, ok := any(s.st).(TxEnder)
	return ok && e.EndsTransaction()
}

// CheckBind forwards to the engine statement when it has it.
func (s engineStatement[St]) CheckBind(ctx context.Context, params []sqltypes.Datum) error {
	if c, ok := any(s.st).(BindChecker); ok {
		return c.CheckBind(ctx, params)
	}
	return nil
}

// BeginImplicitBlock forwards to the engine session when it has it.
func (s engineSession[St]) BeginImplicitBlock() {
	if b, ok := any(s.s).(ImplicitBlocker); ok {
		b.BeginImplicitBlock()
	}
}
