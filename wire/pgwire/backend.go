package pgwire

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// Backend is what the server needs from the engine. Implementations must be
// safe for concurrent use: every connection calls them from its own goroutine.
type Backend interface {
	// Authenticate checks a cleartext password. It is used when the server
	// runs with AuthPassword, or with AuthDefault when the Backend does not
	// implement SecretSource. Any error means "reject"; the client always sees
	// FATAL 28P01 password authentication failed for user "<user>".
	Authenticate(ctx context.Context, user, password string) error
	// NewSession opens a session for an authenticated user. startup holds the
	// client's startup parameters (database, application_name, options,
	// DateStyle, …). An *sqltypes.Error is reported to the client as FATAL
	// with its SQLSTATE.
	NewSession(user string, startup map[string]string) (Session, error)
}

// SecretSource is an optional upgrade of Backend that enables SCRAM-SHA-256.
// Secret returns the user's stored secret: either a PostgreSQL SCRAM verifier
// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64
// fields) or a plain-text password, from which the server derives (and
// caches) a verifier. ok is false for unknown users; the exchange then runs
// to the end against a fake verifier and fails with the same 28P01 message,
// so clients cannot probe for user names.
type SecretSource interface {
	Secret(ctx context.Context, user string) (secret string, ok bool, err error)
}

// Session is one client connection's engine session. It is used by one
// goroutine at a time; Close is called exactly once, when the connection ends.
type Session interface {
	// Prepare parses and plans sql and returns one Statement per statement in
	// the text, in order; none for an empty query (";" or only comments).
	// paramTypes are the types the client declared for $1..$n in a Parse
	// message (Unknown = infer). Errors are *sqltypes.Error values (a syntax
	// error carries Position).
	Prepare(ctx context.Context, sql string, paramTypes ...sqltypes.Type) ([]Statement, error)
	// ReportedSettings returns the settings the client is told about through
	// ParameterStatus (TimeZone, application_name, DateStyle, …). It is read
	// at startup and after every statement; changed values are re-sent.
	ReportedSettings() map[string]string
	Close()
}

// Statement is one prepared statement. It may be executed many times, but
// not concurrently.
type Statement interface {
	// ParamTypes returns the types of $1..$n. Unknown means "no type could
	// be determined" (the query skips the parameter): a Parse that does
	// not declare its type fails with 42P18, as in PostgreSQL.
	ParamTypes() []sqltypes.Type
	// Columns describes the result rows; nil or empty for statements that
	// return no rows.
	Columns() []engine.Column
	// Execute runs the statement. params has len(ParamTypes()) values in the
	// representations of sqltypes.Datum, nil for NULL. Execute stops when ctx
	// ends (cancel request, client gone, server shutdown) with 57014.
	Execute(ctx context.Context, params []sqltypes.Datum) (Rows, error)
}

// StatementClock is an optional upgrade of Statement whose start the
// server picks: Clock reads the session's clock (the statement's start
// and its transaction's), and ExecuteAt is Execute with the statement
// starting at such a reading. now() and CURRENT_DATE read the transaction
// start; the server reads text parameters' 'now', 'today', 'tomorrow' and
// 'yesterday' there too, so that now() = $1 holds for $1 = 'now', as
// PostgreSQL reads both in the statement's transaction. AnalyzeAt binds
// the statement as ExecuteAt at start will run it, before ParamTypes or
// Columns would bind it at a clock of their own.
type StatementClock interface {
	Clock() engine.Clock
	AnalyzeAt(ctx context.Context, start engine.Clock) error
	ExecuteAt(ctx context.Context, params []sqltypes.Datum, start engine.Clock) (Rows, error)
}

// ImplicitTransactions is an optional upgrade of Session: the statements
// it runs outside a transaction block share one transaction (and so one
// now()) until EndImplicitTransaction, which the server calls before each
// ReadyForQuery, as PostgreSQL's implicit transaction spans one simple
// Query message, or the extended-protocol messages up to a Sync. Clock
// reads the session's clock for the statements of a simple Query message,
// which PostgreSQL starts at the message's receipt.
type ImplicitTransactions interface {
	HoldImplicitTransactions()
	EndImplicitTransaction()
	Clock() engine.Clock
}

// Rows streams the result of one execution; *engine.Result implements it.
// Next returns batches whose columns match Statement.Columns and io.EOF after
// the last; the caller releases each batch. Close is always called, also
// after an error, and is idempotent.
type Rows interface {
	Next(ctx context.Context) (arrow.RecordBatch, error)
	// CommandTag is the CommandComplete text, e.g. "SELECT 42", "SET".
	// It is read after Next returned io.EOF.
	CommandTag() string
	Close() error
}

// StatementScoper is an optional upgrade of Session whose statements run
// in several calls (Prepare, then the statement's Execute) as one
// statement: one registration for signals, one statement_timeout, one
// query id (engine.StatementScope). The calls given a Scope's Context are
// that statement; End is called when the server is done with it (at the
// latest at the next ReadyForQuery).
type StatementScoper interface {
	BeginStatement() Scope
}

// Scope is one statement's scope (StatementScoper).
type Scope interface {
	Context(ctx context.Context) context.Context
	End()
}

// Canceler is an optional upgrade of Session: Cancel cancels the
// statement the session runs, from its start to its end (also between
// Prepare and Execute, where the server's own cancel has nothing to stop),
// with cause, or 57014 for nil. It is called from other goroutines.
type Canceler interface {
	Cancel(cause error)
}

// ProcessIDer is an optional upgrade of Session: its ProcessID is sent in
// BackendKeyData (so that pg_backend_pid() and cancel keys agree). Without
// it the server picks a random process ID.
type ProcessIDer interface {
	ProcessID() int32
}

// NoticeSource is an optional upgrade of Rows: notices (severity NOTICE,
// WARNING, …) are sent to the client before the rows.
type NoticeSource interface {
	Notices() []*sqltypes.Error
}

// TxTracker is an optional Session interface: whether the session is
// inside a BEGIN … COMMIT block. ReadyForQuery reports it ('T' rather than
// 'I'), and psql-wire keeps the session's portals only while it is true, so
// that a suspended portal (pgjdbc's setFetchSize with autocommit off)
// survives the Sync after each batch, as in PostgreSQL.
type TxTracker interface {
	InTransaction() bool
}

// SettingReader is an optional Session interface: a setting's current
// value (client_min_messages decides which notices are sent).
type SettingReader interface {
	Setting(name string) (string, bool)
}

// IdleInTransactionTimer is an optional Session interface: how long the
// session may wait for its client inside a transaction block (PostgreSQL's
// idle_in_transaction_session_timeout; 0: no limit), after which the
// server ends it with FATAL 25P03.
type IdleInTransactionTimer interface {
	IdleInTransactionTimeout() time.Duration
}

// TxFailer is an optional Session interface: the server reports every
// error it sends with FailTransaction, and ReadyForQuery says 'E' while
// TransactionFailed (a block PostgreSQL would only let the client end).
type TxFailer interface {
	FailTransaction()
	TransactionFailed() bool
}

// PreparedNames is an optional Session interface: the session's namespace
// of named prepared statements, which PostgreSQL shares between the
// protocol's Parse and SQL's PREPARE, EXECUTE and DEALLOCATE. The server
// keeps each named Parse there (KeepPrepared: 42P05 when the name is
// taken), finds statements PREPARE made or DEALLOCATE dropped there for
// Bind and Describe, and drops a statement a Close message names.
type PreparedNames interface {
	KeepPrepared(name string, st Statement) error
	PreparedStatement(name string) (Statement, bool)
	DropPrepared(name string)
}

// TxEnder is an optional Statement interface: EndsTransaction reports
// whether the statement ends a transaction block (COMMIT, ROLLBACK), the
// only statements a failed block still parses, binds and runs.
type TxEnder interface {
	EndsTransaction() bool
}

// BindChecker is an optional Statement interface: CheckBind is run at
// each Bind with the portal's parameter values, and its error is the
// Bind's, as PostgreSQL plans a query's portal at Bind (folding its
// constants: SELECT 1/0 fails the Bind, not the Execute).
type BindChecker interface {
	CheckBind(ctx context.Context, params []sqltypes.Datum) error
}

// ImplicitBlocker is an optional Session interface: BeginImplicitBlock
// is called when a simple Query message holds several statements, which
// PostgreSQL runs as an implicit transaction block (a DECLARE without
// HOLD is allowed there, and its cursor closed at the message's end).
type ImplicitBlocker interface {
	BeginImplicitBlock()
}
