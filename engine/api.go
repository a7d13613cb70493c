package engine

// This file sketches the API the fronts program against; session.go and
// statement.go implement it.
//
//	func New(ctx context.Context, cfg Config) (*Engine, error)
//	func (e *Engine) Authenticate(ctx context.Context, user, password string) error   // 28P01 on failure
//	func (e *Engine) User(name string) (*catalog.User, bool)                          // for SCRAM verifiers
//	func (e *Engine) NewSession(user string, startup map[string]string) (*Session, error)
//	func (s *Session) Prepare(ctx context.Context, sql string) ([]*Statement, error) // one per statement
//	func (s *Session) Query(ctx context.Context, sql string, params ...sqltypes.Datum) (*Result, error)
//	func (s *Session) ReportedSettings() map[string]string                           // ParameterStatus set
//	func (s *Session) Close()
//	func (st *Statement) ParamTypes() []sqltypes.Type
//	func (st *Statement) Columns() []Column      // nil when the statement returns no rows
//	func (st *Statement) Execute(ctx context.Context, params []sqltypes.Datum) (*Result, error)
