package engine

import (
	"context"
	"errors"
	"io"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/planner/physical"
	"github.com/meshql/meshql/sqltypes"
)

// Statement is a prepared statement: bound once, executable many times
// with different parameter values.
//
// A statement is analyzed (names resolved, types checked) when it is
// first described or executed, not when the query string is parsed, so
// that in `SET search_path = sales; SELECT * FROM orders_v1` the SELECT
// sees the new search_path, as in PostgreSQL.
type Statement struct {
	s          *Session
	parsed     parse.Statement
	paramTypes []sqltypes.Type
	st         *planner.Statement
	err        error
	mesh       *catalog.Mesh // the catalog st and err were analyzed in
	// style is the DateStyle and IntervalStyle literals were read in: a
	// SET of either since makes the next execution analyze again.
	style sqltypes.DateStyle
	// start is the clock the analysis read: literals 'now' and 'today'
	// are read there, at the transaction start of the analysis, and stay
	// (PostgreSQL reads them at parse analysis too, so a prepared
	// statement keeps them; now() and current_date are read at each
	// execution).
	start Clock
	// access is what the last analysis read and was refused, for the
	// audit log.
	access *bind.Access
	// hasActions is set when binding met an action function (actions.go).
	hasActions bool
	// valueScales are the scales of the numeric parameter values this
	// statement was analyzed for (see ownScale); nil for the statement as
	// prepared. byScales caches those analyses of a prepared statement.
	valueScales []int32
	byScales    map[string]*Statement
}

// Prepare parses sql into statements. paramTypes are the types a client
// declared for $1…$n (zero Kind = infer). An empty string yields no
// statements. With a single statement, it is analyzed at once so that
// errors surface at Prepare, as a Parse message expects.
func (s *Session) Prepare(ctx context.Context, sql string, paramTypes ...sqltypes.Type) ([]*Statement, error) {
	return s.PrepareAt(ctx, Clock{}, sql, paramTypes...)
}

// PrepareAt is Prepare for statements that run at start (a Clock, zero:
// read now): a single statement's analysis reads its literals 'now' and
// 'today' there, so that ExecuteAt at the same start runs it as one
// statement (its now() is its 'now').
func (s *Session) PrepareAt(ctx context.Context, start Clock, sql string, paramTypes ...sqltypes.Type) (_ []*Statement, err error) {
	defer func() {
		if err != nil {
			s.FailTransaction()
			s.countTransaction(nil, err) // a statement refused before it runs is rolled back
		}
	}()
	defer recoverQuery(s.engine.log, s.user, sql, &err) // runs first: a panic fails the block too
	parsed, err := parse.Parse(sql)
	if err != nil {
		s.audit(0, sql, s.engine.clock(), 0, nil, err)
		return nil, err
	}
	out := make([]*Statement, len(parsed))
	for i, p := range parsed {
		out[i] = &Statement{s: s, parsed: p, paramTypes: paramTypes}
	}
	if len(out) == 1 {
		if err := out[0].analyzeAt(ctx, true, start); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// analyze binds the statement in the current catalog: once, and again
// when the catalog was reloaded since (a prepared statement then follows
// the new grants, masks and row filters, as a new statement would) or
// DateStyle or IntervalStyle changed (its literals then read anew).
// A statement refused at analysis is audited under its text.
func (st *Statement) analyze(ctx context.Context) error {
	return st.analyzeAt(ctx, true, Clock{})
}

// analyzeAt is analyze in the statement running at start (zero: a clock
// read now), whose transaction start literals such as 'now' read; audit
// false leaves the audit record of a refusal to the caller (EXECUTE
// records it under its own text).
func (st *Statement) analyzeAt(ctx context.Context, audit bool, start Clock) error {
	s := st.s
	snap := s.snapshot()
	style := s.dateStyle()
	if (st.st != nil || st.err != nil) && st.mesh == snap.mesh && st.style == style {
		return st.err
	}
	prev := st.st
	st.mesh, st.access, st.style = snap.mesh, &bind.Access{}, style
	if start.Statement.IsZero() {
		start = s.Clock()
	}
	st.start = start
	system := false
	if err := st.bind(ctx, snap, start, &system); err != nil {
		return err
	}
	if st.err != nil {
		// A statement refused at analysis (a denied column, an unknown
		// table) never runs: it is audited now.
		if audit {
			s.audit(s.statementID(ctx), st.parsed.SQL, start.Statement, 0, st.access, st.err)
		}
		if system {
			// A client's introspection query meshql cannot answer: the
			// text shows which catalog table, column or function is
			// missing.
			s.engine.log.Warn("catalog query not answered", "user", s.user, "status", sqltypes.Code(st.err),
				"error", st.err.Error(), "sql", st.parsed.SQL)
		}
	}
	if st.err == nil && prev != nil && !sameResult(prev, st.st) {
		st.st, st.err = nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cached plan must not change result type").
			WithHint("The catalog was reloaded and this prepared statement's columns changed; prepare it again.")
	}
	return st.err
}

// bind binds st in snap as analyzeAt says, setting st.st and st.err; an
// error it returns instead stopped the binding (statement_timeout, a
// cancel), and st stays to be analyzed again. The binding is the
// statement's planning phase (stmtscope.go): an idle session shows the
// statement running while it is planned (pg_stat_activity 'active',
// mesh.running_queries), and statement_timeout, meshql_cancel and
// pg_cancel_backend stop a planning that takes long.
func (st *Statement) bind(ctx context.Context, snap catalogSnapshot, start Clock, system *bool) error {
	s := st.s
	pctx, _, done, err := s.join(ctx, st.parsed.SQL, true /* planning */)
	if err != nil {
		st.st, st.err, st.mesh = nil, nil, nil
		return err
	}
	defer done() // a panic too: recoverQuery answers it above
	st.st, st.err = planner.Analyze(pctx, catalogView{s: s, snap: snap, access: st.access, system: system}, st.parsed, st.bindOptions(snap, start))
	if pctx.Err() != nil {
		// Stopped while planned (statement_timeout, a cancel or a
		// terminate), whether or not the planning noticed: the statement
		// must not run.
		cause := st.err
		if cause == nil {
			cause = pctx.Err()
		}
		err := queryFailure(pctx, cause)
		st.st, st.err, st.mesh = nil, nil, nil
		return err
	}
	done()
	s.engine.planned(pctx, st.parsed.SQL)
	return nil
}

// bindOptions are the session facts binding st depends on, in snap, for
// a statement running at start.
func (st *Statement) bindOptions(snap catalogSnapshot, start Clock) bind.Options {
	s := st.s
	return bind.Options{
		Now: start.Transaction, Location: s.location(), DateStyle: s.dateStyle(), User: s.user, ParamTypes: st.paramTypes, ParamValueScales: st.valueScales,
		SessionFunction: s.sessionFunction, ObjectFunction: s.objectFunction, Action: st.action, ResolveOID: s.resolveOID,
		Mesh: snap.mesh, Principal: snap.who, Access: st.access,
		Privileges: s.grantsFor(snap), RoleByOID: roleByOID(snap), Roles: rolesOf(snap),
	}
}

// sameResult reports whether two analyses of a statement return the same
// columns, so that a client's earlier Describe still holds.
func sameResult(a, b *planner.Statement) bool {
	if a.Kind != b.Kind || (a.Query == nil) != (b.Query == nil) {
		return false
	}
	if a.Query == nil || a.Kind != planner.KindQuery {
		return true
	}
	if len(a.Query.Columns) != len(b.Query.Columns) {
		return false
	}
	for i, c := range a.Query.Columns {
		if c.Name != b.Query.Columns[i].Name || !c.Type.Equal(b.Query.Columns[i].Type) {
			return false
		}
	}
	return true
}

// Query prepares and executes a single statement, registered once from
// its analysis to the Result's Close (stmtscope.go).
func (s *Session) Query(ctx context.Context, sql string, params ...sqltypes.Datum) (*Result, error) {
	ctx, end := s.statement(ctx)
	defer end()
	stmts, err := s.Prepare(ctx, sql)
	if err != nil {
		return nil, err
	}
	switch len(stmts) {
	case 0:
		return &Result{Tag: "EMPTY"}, nil
	case 1:
		// It starts when it was analyzed, just now: its 'now' literals
		// and its now() read the same transaction start.
		return stmts[0].ExecuteAt(ctx, params, stmts[0].start)
	}
	return nil, sqltypes.New(sqltypes.CodeSyntaxError, "cannot run %d statements in one Query call; use Prepare", len(stmts))
}

// SQL is the statement's text.
func (st *Statement) SQL() string { return st.parsed.SQL }

// ParamTypes are the types of $1…$n; nil if analysis failed (Execute
// then returns the error).
func (st *Statement) ParamTypes() []sqltypes.Type {
	if st.analyze(context.Background()) != nil || st.st.Query == nil {
		return nil
	}
	return st.st.Query.ParamTypes
}

// Columns describes the rows the statement returns; nil when it returns
// none or analysis failed (Execute then returns the error).
func (st *Statement) Columns() []Column {
	if st.analyze(context.Background()) != nil {
		return nil
	}
	switch st.st.Kind {
	case planner.KindQuery:
		return st.queryColumns()
	case planner.KindExplain:
		if st.st.ExplainJSON {
			return []Column{{Name: "QUERY PLAN", Type: sqltypes.TypeJSON}}
		}
		return []Column{{Name: "QUERY PLAN", Type: sqltypes.TypeText}}
	case planner.KindFetch:
		if st.st.Tag == "FETCH" {
			return st.s.cursorColumns(st.st.Name)
		}
	case planner.KindExecute:
		if p, ok := st.s.prepared[st.st.Name]; ok {
			return p.Columns()
		}
	case planner.KindShow:
		if st.st.Name == "all" {
			return []Column{{Name: "name", Type: sqltypes.TypeText}, {Name: "setting", Type: sqltypes.TypeText}, {Name: "description", Type: sqltypes.TypeText}}
		}
		return []Column{{Name: canonical(st.st.Name), Type: sqltypes.TypeText}}
	}
	return nil
}

// queryColumns are the columns of the statement's query (a SELECT, or the
// query of DECLARE CURSOR or COPY).
func (st *Statement) queryColumns() []Column {
	cols := make([]Column, len(st.st.Query.Columns))
	origins := st.s.columnOrigins(st.st.Query)
	for i, c := range st.st.Query.Columns {
		o := origins[c.ID]
		cols[i] = Column{Name: c.Name, Type: c.Type, TableOID: o.table, ColumnNumber: o.attnum}
		if c.Type.IsReg() {
			cols[i].RegOut = st.s.regOut(c.Type.Kind)
		}
	}
	return cols
}

// Execute runs the statement with parameter values (sqltypes.Datum
// representations matching ParamTypes). The Result must be closed.
func (st *Statement) Execute(ctx context.Context, params []sqltypes.Datum) (*Result, error) {
	return st.execute(ctx, params, st.parsed.SQL, st.s.Clock())
}

// CheckBind folds the constants of a query with params, as PostgreSQL
// plans a query's portal at Bind, and returns the error that raises:
// PREPARE'd or Parse'd `SELECT 1/0`, or `SELECT 1/$1` bound to 0, fails
// its Bind in PostgreSQL, before any Execute. Statements PostgreSQL plans
// when they run (EXPLAIN, COPY, DECLARE, EXECUTE and the other utility
// statements), queries with action functions (pg_cancel_backend, …) and
// values Execute would refuse return nil: Execute reports those.
func (st *Statement) CheckBind(ctx context.Context, params []sqltypes.Datum) error {
	if st.st == nil || st.err != nil || st.st.Kind != planner.KindQuery || st.hasActions {
		return nil
	}
	if checkParams(st.ParamTypes(), params) != nil {
		return nil
	}
	run, params, err := st.ownScale(ctx, params)
	if err != nil || run.st == nil || run.st.Kind != planner.KindQuery || run.hasActions {
		return nil
	}
	env := st.s.env(st.s.Clock())
	defer env.Budget.Close()
	if err := planner.FoldAtBind(ctx, env, run.st.Query, params); err != nil {
		return sqltypes.AsError(err)
	}
	return nil
}

// Clock reads the session's clock for a statement that begins now (see
// Session.Clock), for ExecuteAt.
func (st *Statement) Clock() Clock { return st.s.Clock() }

// AnalyzeAt analyzes the statement as ExecuteAt at start runs it, for a
// front that reads its parameters or columns before running it: the
// analysis (its literals 'now' and 'today') then reads the statement's
// transaction, which a clock read for it would open at another instant
// (after a COMMIT in the same Query message, at a later one than the
// message's receipt that ExecuteAt starts it at).
func (st *Statement) AnalyzeAt(ctx context.Context, start Clock) error {
	return st.analyzeAt(ctx, true, st.s.clockAt(start.Statement))
}

// ExecuteAt is Execute with the statement's start given (not zero: XX000):
// a Clock the caller also read parameters' 'now' and 'today' at (its
// Transaction), as PostgreSQL reads both in the statement's transaction.
// The transaction start is taken anew from the session at
// start.Statement, since a statement run between the reading and this one
// (a COMMIT in the same Query message) may have ended the transaction.
func (st *Statement) ExecuteAt(ctx context.Context, params []sqltypes.Datum, start Clock) (*Result, error) {
	return st.execute(ctx, params, st.parsed.SQL, st.s.clockAt(start.Statement))
}

// execute is ExecuteAt with the text the query log, mesh.running_queries
// and the audit record show for a query: the statement's own, or the
// EXECUTE that runs it.
func (st *Statement) execute(ctx context.Context, params []sqltypes.Datum, text string, start Clock) (res *Result, err error) {
	s := st.s
	defer func() {
		if err != nil {
			s.FailTransaction()
		}
		s.countTransaction(res, err)
	}()
	defer recoverQuery(s.engine.log, s.user, st.parsed.SQL, &err)
	if start.Statement.IsZero() {
		// Its now() would have no clock to read (executor.Env.Now).
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: a statement was run without the clock of its start")
	}
	// Analyzed here or before (Prepare under the same scope), it is one
	// statement: one registration, one timeout, one query id.
	ctx, end := s.statement(ctx)
	defer end()
	if err := st.analyzeAt(ctx, true, start); err != nil && st.st == nil && st.err == nil {
		return nil, err // stopped while planned
	}
	if s.txFailed && !endsTransaction(st) {
		return nil, sqltypes.New(sqltypes.CodeInFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	if err := st.refreshSources(ctx); err != nil {
		return nil, err
	}
	if st, params, err = st.ownScale(ctx, params); err != nil {
		return nil, err
	}
	switch st.st.Kind {
	case planner.KindQuery, planner.KindExplain, planner.KindCopyOut, planner.KindDeclare, planner.KindExecute, planner.KindFetch:
		// Their query joins the statement's registration, which fails
		// (and audits) a statement stopped since its start.
	default:
		if err := s.stopped(ctx); err != nil {
			return nil, err // stopped between its planning and its execution
		}
	}
	switch st.st.Kind {
	case planner.KindQuery:
		return s.runQueryShare(ctx, st, params, start, nil, text, nil)
	case planner.KindExplain:
		return s.explain(ctx, st, params, start)
	case planner.KindSet:
		set := s.set
		if st.st.Local {
			set = s.setLocal
		}
		if _, err := set(st.st.Name, st.st.Value); err != nil {
			return nil, err
		}
		return &Result{Tag: st.st.Tag, Notices: s.localOutsideBlock(st.st.Local)}, nil
	case planner.KindReset:
		if err := s.reset(st.st.Name, st.st.Local); err != nil {
			return nil, err
		}
		return &Result{Tag: st.st.Tag, Notices: s.localOutsideBlock(st.st.Local)}, nil
	case planner.KindShow:
		return s.show(st)
	case planner.KindCopyOut:
		// COPY runs the query as any SELECT, policies and all; only the
		// way the wire sends its rows differs.
		res, err := s.runQuery(ctx, st, params, start)
		if err != nil {
			return nil, err
		}
		res.Copy = &CopyOut{Columns: res.Columns, CopyOptions: st.st.Copy}
		res.Columns, res.Tag = nil, "COPY"
		return res, nil
	case planner.KindDeclare:
		return s.declare(ctx, st, params, start)
	case planner.KindFetch:
		return s.fetch(ctx, st.st, text)
	case planner.KindClose:
		if err := s.closeCursor(st.st.Name); err != nil {
			return nil, err
		}
	case planner.KindPrepare:
		if err := s.prepareNamed(ctx, st.st, start); err != nil {
			return nil, err
		}
	case planner.KindExecute:
		return s.executeNamed(ctx, st, start)
	case planner.KindDeallocate:
		if err := s.deallocate(st.st.Name); err != nil {
			return nil, err
		}
	case planner.KindNoop:
		switch st.st.Tag {
		case "BEGIN", "START TRANSACTION":
			var notices []*Notice
			if s.inTx {
				notices = []*Notice{{Code: "25001", Severity: "WARNING", Msg: "there is already a transaction in progress"}}
			}
			s.beginBlock(start)
			return &Result{Tag: st.st.Tag, Notices: notices}, nil
		case "SAVEPOINT", "RELEASE":
			if !s.inTx {
				return nil, sqltypes.New(sqltypes.CodeNoActiveTransaction, "%s can only be used in transaction blocks", savepointStmt[st.st.Tag])
			}
			if st.st.Tag == "SAVEPOINT" {
				s.savepoints = append(s.savepoints, s.newSavepoint(st.st.Savepoint))
				break
			}
			// RELEASE ends the savepoint and every later one.
			i, err := s.findSavepoint(st.st.Savepoint)
			if err != nil {
				return nil, err
			}
			s.savepoints = s.savepoints[:i]
			s.releaseCursors(i)
		case "COMMIT", "ROLLBACK":
			if st.st.Name == "savepoint" && !s.inTx {
				return nil, sqltypes.New(sqltypes.CodeNoActiveTransaction, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
			}
			if st.st.Name == "savepoint" {
				// ROLLBACK TO SAVEPOINT: the block goes on, recovered
				// from a failure, with the savepoint kept and later ones
				// ended; an unknown name leaves it as it was.
				i, err := s.findSavepoint(st.st.Savepoint)
				if err != nil {
					return nil, err
				}
				s.savepoints = s.savepoints[:i+1]
				s.rollbackSettings(s.savepoints[i])
				s.rollbackCursors(i)
				s.txFailed = false
				s.showTx()
				break
			}
			failed := s.txFailed
			s.txFailed = false
			var notices []*Notice
			if !s.inTx {
				// As PostgreSQL: a warning, and the statement succeeds.
				notices = []*Notice{{Code: "25P01", Severity: "WARNING", Msg: "there is no transaction in progress"}}
			}
			if s.inTx && st.st.Tag == "COMMIT" && !failed {
				// PostgreSQL persists the WITH HOLD cursors before it
				// commits: an error fails the COMMIT, which then rolls
				// the block back.
				if err := s.persistCursors(ctx); err != nil {
					s.blockEnded = "rollback"
					s.endBlock()
					s.closeCursors(false /* all */)
					s.endTransaction(false)
					return nil, err
				}
			}
			if s.inTx {
				s.blockEnded = "rollback"
				if st.st.Tag == "COMMIT" && !failed {
					s.blockEnded = "commit"
				}
			}
			s.endBlock()
			s.closeCursors(false /* all */)
			if st.st.Tag != "COMMIT" || failed {
				s.dropUnpersisted()
			}
			s.endTransaction(st.st.Tag == "COMMIT" && !failed)
			if failed {
				return &Result{Tag: "ROLLBACK", Notices: notices}, nil // COMMIT of a failed block rolls back
			}
			return &Result{Tag: st.st.Tag, Notices: notices}, nil
		case "DISCARD ALL":
			// PostgreSQL's DISCARD ALL: CLOSE ALL, RESET ALL, DEALLOCATE ALL.
			s.closeCursors(true /* all */)
			_ = s.deallocate("") // DEALLOCATE ALL cannot fail
			if err := s.reset("all", false); err != nil {
				return nil, err
			}
		}
	}
	return &Result{Tag: st.st.Tag}, nil
}

// countTransaction counts a transaction that the statement just run
// (with result res or error err) ended, as PostgreSQL's xact_commit and
// xact_rollback do: a block at its COMMIT or ROLLBACK, any other
// statement outside a block as its own transaction, committed unless it
// failed. A result whose rows are still to come counts when they end.
func (s *Session) countTransaction(res *Result, err error) {
	m := &s.engine.metrics
	ended := s.blockEnded
	s.blockEnded = ""
	switch {
	case s.inTx:
	case ended == "commit":
		m.commits.Add(1)
	case ended == "rollback" || err != nil:
		m.rollbacks.Add(1)
	case res != nil && res.onDone != nil:
		done := res.onDone
		res.onDone = func(rows int64, err error) {
			done(rows, err)
			if err != nil {
				m.rollbacks.Add(1)
			} else {
				m.commits.Add(1)
			}
		}
	default:
		m.commits.Add(1)
	}
}

// findSavepoint is the position of the newest open savepoint named name,
// or PostgreSQL's 3B001.
func (s *Session) findSavepoint(name string) (int, error) {
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if s.savepoints[i].name == name {
			return i, nil
		}
	}
	return 0, sqltypes.New(sqltypes.CodeInvalidSavepoint, "savepoint %q does not exist", name)
}

// savepointStmt names a savepoint statement, by its tag, in PostgreSQL's
// error for one outside a transaction block.
var savepointStmt = map[string]string{"SAVEPOINT": "SAVEPOINT", "RELEASE": "RELEASE SAVEPOINT"}

// localOutsideBlock is PostgreSQL's warning for SET LOCAL (or RESET
// LOCAL) outside a transaction block, where it changes nothing.
func (s *Session) localOutsideBlock(local bool) []*Notice {
	if !local || s.inTx {
		return nil
	}
	return []*Notice{{Code: "25P01", Severity: "WARNING", Msg: "SET LOCAL can only be used in transaction blocks"}}
}

// env is a new query's environment, in the statement that runs at start
// (its now() and statement_timestamp()); the caller closes env.Budget
// when the query ends (that removes its spill files and frees the buffers
// its allocator keeps for reuse).
func (s *Session) env(start Clock) *executor.Env {
	budget := membudget.New(membudget.Options{Limit: s.queryMemory(), TempDir: s.engine.spillDir, SpillCounter: &s.engine.metrics.spillBytes, Pool: s.engine.pool})
	mem := membudget.NewRecycler(s.engine.mem, budget, s.engine.poison)
	return &executor.Env{Mem: mem, Now: start.Transaction, StatementStart: start.Statement, Clock: s.engine.clock, Location: s.location(), DateStyle: s.dateStyle(), Workers: s.workers(), Budget: budget, Sources: &s.engine.metrics.sources, NoPushdown: !s.pushdown(), Session: s.sessionCall()}
}

// beginQuery runs a query as the execution of the statement ctx carries
// (mesh.running_queries, meshql_cancel, the per-user limit; see join);
// its context ends with statement_timeout, counted from the statement's
// start; end must run when the query is over.
func (s *Session) beginQuery(ctx context.Context, sql string) (context.Context, *runningQuery, func(), error) {
	return s.join(ctx, sql, false /* planning */)
}

// queryID is q's id, 0 (a new one in the logs) without q.
func queryID(q *runningQuery) int64 {
	if q == nil {
		return 0
	}
	return q.id
}

// runQuery runs st's query in the statement that runs at start.
func (s *Session) runQuery(ctx context.Context, st *Statement, params []sqltypes.Datum, start Clock) (*Result, error) {
	return s.runQueryShare(ctx, st, params, start, nil, st.parsed.SQL, nil)
}

// runQueryShare runs st's query, or only one share of its rows, in the
// statement that runs at start; text is the SQL its records show
// (Statement.execute). With cur, the query is a cursor's (declare): it
// runs under the cursor's context, and its statement's registration (and
// its cancel and timeout) covers only this call, the DECLARE.
func (s *Session) runQueryShare(ctx context.Context, st *Statement, params []sqltypes.Datum, start Clock, share *physical.Split, text string, cur *cursor) (_ *Result, err error) {
	if err := checkParams(st.ParamTypes(), params); err != nil {
		return nil, err
	}
	began, auditStart := time.Now(), s.engine.clock()
	qctx, q, end, err := s.beginQuery(ctx, text)
	if err != nil {
		s.logQuery(queryID(q), text, st.access.Products, 0, 0, err)
		s.audit(queryID(q), text, auditStart, 0, st.access, err)
		return nil, err
	}
	observed := s.observe(text, st.st.Query, st.access)
	var plan *physical.Plan
	env := s.env(start)
	handedOff := false
	defer func() {
		// Runs after recoverQuery below: a panic is logged as XX000.
		if !handedOff {
			if plan != nil {
				plan.Root.Close()
			}
			env.Budget.Close()
			end()
			s.logQuery(q.id, text, st.access.Products, time.Since(began), 0, err)
			s.audit(q.id, text, auditStart, 0, st.access, err)
			observed(0, err)
		}
	}()
	defer recoverQuery(s.engine.log, s.user, text, &err)
	if cur != nil {
		unlink := cur.follow(qctx)
		defer func() {
			unlink() // before end, which cancels qctx
			end()
		}()
		qctx = cur.ctx
	}
	notices, err := s.guardProducts(st)
	if err != nil {
		return nil, err
	}
	query := st.st.Query
	if st.hasActions {
		if query, err = s.performActions(qctx, env, query, params, start); err != nil {
			return nil, err
		}
	}
	plan, err = planner.BuildWith(qctx, env, query, params, physical.Options{Split: share})
	if err != nil {
		return nil, queryFailure(qctx, err)
	}
	if err := plan.Root.Open(qctx); err != nil {
		return nil, queryFailure(qctx, err)
	}
	res := &Result{Columns: st.queryColumns(), Tag: "SELECT", op: &ctxOperator{Operator: plan.Root, ctx: qctx}, budget: env.Budget, Notices: append(append([]*Notice(nil), query.Notices...), notices...), log: s.engine.log, user: s.user, sql: text}
	res.onDone = func(rows int64, err error) {
		env.Budget.Close()
		end()
		s.logQuery(q.id, text, st.access.Products, time.Since(began), rows, err)
		s.audit(q.id, text, auditStart, rows, st.access, err)
		observed(rows, err)
	}
	handedOff = true
	return res, nil
}

// queryFailure reports why a query's context ended (statement timeout,
// meshql_cancel) when that is why it failed.
func queryFailure(qctx context.Context, err error) error {
	if qctx.Err() != nil {
		var se *sqltypes.Error
		if c := context.Cause(qctx); errors.As(c, &se) {
			return se
		}
	}
	return sqltypes.AsError(err)
}

// ctxOperator runs Next under the query's own context, so that
// statement_timeout and meshql_cancel apply however the caller's context
// is set.
type ctxOperator struct {
	executor.Operator
	ctx context.Context
}

func (o *ctxOperator) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := o.Operator.Next(o.ctx)
	if err != nil && err != io.EOF {
		return nil, queryFailure(o.ctx, err)
	}
	return b, err
}

func checkParams(types []sqltypes.Type, params []sqltypes.Datum) error {
	if len(params) < len(types) {
		return sqltypes.New("08P01", "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(types))
	}
	return nil
}

func (s *Session) explain(ctx context.Context, st *Statement, params []sqltypes.Datum, start Clock) (_ *Result, err error) {
	auditStart := s.engine.clock()
	qctx, q, end, err := s.beginQuery(ctx, st.parsed.SQL)
	if err != nil {
		s.audit(queryID(q), st.parsed.SQL, auditStart, 0, st.access, err)
		return nil, err
	}
	defer func() { s.audit(q.id, st.parsed.SQL, auditStart, 0, st.access, err) }()
	defer end()
	env := s.env(start)
	defer env.Budget.Close()
	query := st.st.Query
	if st.hasActions {
		if query, err = s.explainActions(qctx, env, query, params, start); err != nil {
			return nil, err
		}
	}
	plan, err := planner.Build(qctx, env, query, params, st.st.Analyze)
	if err != nil {
		return nil, queryFailure(qctx, err)
	}
	var total time.Duration
	if st.st.Analyze {
		began := time.Now()
		err := drain(qctx, plan.Root)
		total = time.Since(began)
		if err != nil {
			return nil, queryFailure(qctx, err)
		}
	} else {
		plan.Root.Close()
	}
	if st.st.Analyze && st.st.Query.HidesRows {
		plan.Explain.HideInnerStats()
	}
	if st.st.ExplainJSON {
		var top []physical.JSONField
		if st.st.Analyze {
			if st.st.Query.HidesRows {
				top = append(top, physical.JSONField{Key: "Inner Row Counts Hidden", Value: true})
			}
			top = append(top, physical.JSONField{Key: "Execution Time", Value: physical.Millis(total)})
		}
		return s.textResult(st.Columns(), "EXPLAIN", [][]string{{plan.Explain.JSON(st.st.Analyze, top...)}})
	}
	lines := plan.Explain.Lines(st.st.Analyze)
	if st.st.Analyze {
		if st.st.Query.HidesRows {
			lines = append(lines, "Inner row counts: hidden (the plan reads rows this session may not see)")
		}
		lines = append(lines, "Execution Time: "+total.Round(time.Microsecond).String())
	}
	return s.textResult(st.Columns(), "EXPLAIN", [][]string{lines})
}

// drain runs an operator to the end, discarding its rows.
func drain(ctx context.Context, op executor.Operator) error {
	defer op.Close()
	if err := op.Open(ctx); err != nil {
		return err
	}
	for {
		b, err := op.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		b.Release()
	}
}

func (s *Session) show(st *Statement) (*Result, error) {
	if st.st.Name == "all" {
		s.mu.Lock()
		var names []string
		for n := range s.values {
			names = append(names, n)
		}
		sort.Strings(names)
		cols := [][]string{names, make([]string, len(names)), make([]string, len(names))}
		for i, n := range names {
			cols[1][i] = s.values[n]
		}
		s.mu.Unlock()
		return s.textResult(st.Columns(), "SHOW", cols)
	}
	v, ok := s.Setting(st.st.Name)
	if !ok {
		return nil, sqltypes.New(sqltypes.CodeUndefinedObject, "unrecognized configuration parameter %q", st.st.Name)
	}
	return s.textResult(st.Columns(), "SHOW", [][]string{{v}})
}

// textResult returns a small result of text columns given column-wise.
func (s *Session) textResult(cols []Column, tag string, values [][]string) (*Result, error) {
	mem := s.engine.mem
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: arrow.BinaryTypes.String, Nullable: true}
		b := array.NewStringBuilder(mem)
		b.AppendValues(values[i], nil)
		arrs[i] = b.NewArray()
		b.Release()
		n = len(values[i])
	}
	schema := arrow.NewSchema(fields, nil)
	batch := array.NewRecordBatch(schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	op := ops.NewBatches(schema, []arrow.RecordBatch{batch})
	batch.Release()
	if err := op.Open(context.Background()); err != nil {
		return nil, err
	}
	return &Result{Columns: cols, Tag: tag, op: op}, nil
}

// endsTransaction reports whether st may run in a failed transaction
// block: COMMIT, ROLLBACK (also TO SAVEPOINT) and their synonyms.
// EndsTransaction reports whether the statement is COMMIT or ROLLBACK:
// a failed transaction block runs only these (every other one is 25P02).
func (st *Statement) EndsTransaction() bool { return endsTransaction(st) }

func endsTransaction(st *Statement) bool {
	return st.st != nil && st.st.Kind == planner.KindNoop && (st.st.Tag == "COMMIT" || st.st.Tag == "ROLLBACK")
}
