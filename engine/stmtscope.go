package engine

import (
	"context"
	"sync"

	"github.com/meshql/meshql/sqltypes"
)

// A statement is registered once (registry.begin), from the start of its
// analysis to the end of its execution: one query id, one
// statement_timeout, one cancellation. A front may run its phases as
// separate calls (Prepare at a Parse or simple Query message, ExecuteAt
// when psql-wire runs the statement), so the registration lives in a
// StatementScope whose context the phases run under: the first phase
// registers the statement and the others join it. A signal
// (pg_cancel_backend, pg_terminate_backend, meshql_cancel, a protocol
// cancel request) or the timeout landing between two phases cancels the
// statement's context, and the next phase finds it canceled.

// StatementScope is one statement's registration, shared by the phases
// run under a context it gave (Context): its analysis and its execution.
// The registration ends when the scope has ended (End) and its last
// phase is over (a query's Result is closed). End may be called more than
// once; a phase run after End registers on its own.
type StatementScope struct {
	s    *Session
	mu   sync.Mutex
	refs int  // End's own, and one per phase joined and not over
	over bool // End was called
	// ctx is the statement's context (its timeout and signals), nil until
	// a phase registered the statement: it is kept here because it
	// outlives each call into the engine, as the statement does.
	ctx context.Context
	q   *runningQuery
	end func()
}

type scopeKey struct{}

// BeginStatement opens the scope of one statement that a front runs in
// several calls (its analysis, then its execution): the calls given the
// scope's Context are that one statement. End must be called when the
// front is done with the statement, on every path; the statement's
// registration lasts until then, or until its Result is closed if that
// comes later. Query, Execute and ExecuteAt open a scope of their own
// when ctx carries none.
func (s *Session) BeginStatement() *StatementScope {
	return &StatementScope{s: s, refs: 1}
}

// Context returns ctx carrying the scope.
func (sc *StatementScope) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, sc)
}

// End ends the scope (see StatementScope).
func (sc *StatementScope) End() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !sc.over {
		sc.over = true
		sc.releaseLocked()
	}
}

// releaseLocked drops one reference; the last ends the registration.
func (sc *StatementScope) releaseLocked() {
	if sc.refs--; sc.refs == 0 && sc.end != nil {
		sc.end()
	}
}

// scopeOf is the live scope of s that ctx carries, or nil.
func scopeOf(ctx context.Context, s *Session) *StatementScope {
	sc, _ := ctx.Value(scopeKey{}).(*StatementScope)
	if sc == nil || sc.s != s {
		return nil
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.refs == 0 {
		return nil
	}
	return sc
}

// statement makes the phases of one call (Query, Execute) one statement:
// under ctx's scope when it carries one, else under a scope of their own,
// which end ends.
func (s *Session) statement(ctx context.Context) (context.Context, func()) {
	if scopeOf(ctx, s) != nil {
		return ctx, func() {}
	}
	sc := s.BeginStatement()
	return sc.Context(ctx), sc.End
}

// join runs a phase of the statement ctx carries under the statement's
// registration: its analysis (planning) or its execution. The first phase
// registers the statement (as sql); qctx is the statement's context, which
// ctx's end cancels until release. An execution counts the statement
// toward its user's max_queries_per_user (53400 over it). A statement
// stopped since its start (a signal, the timeout) fails at once with why;
// q is then still returned, for the logs. Without a scope, the phase is
// registered on its own and release ends it. A statement planned while
// the session holds another query open (a suspended portal) is registered
// as any other: it is the session's running query until it ends.
func (s *Session) join(ctx context.Context, sql string, planning bool) (qctx context.Context, q *runningQuery, release func(), err error) {
	limit := s.engine.maxPerUser
	if planning {
		limit = uncounted
	}
	sc, _ := ctx.Value(scopeKey{}).(*StatementScope)
	if sc != nil && sc.s == s {
		sc.mu.Lock()
		defer sc.mu.Unlock()
	}
	if sc == nil || sc.s != s || sc.refs == 0 {
		return s.engine.reg.begin(ctx, s, sql, limit, s.statementTimeout(), s.engine.clock())
	}
	switch {
	case sc.q == nil:
		// The statement's context ends with its own cancel and timeout
		// only: each phase's ctx cancels it while the phase runs (below),
		// and the first phase's ends before the statement does (a
		// front's Parse is over when its Execute starts).
		qctx, q, end, err := s.engine.reg.begin(context.WithoutCancel(ctx), s, sql, limit, s.statementTimeout(), s.engine.clock())
		if err != nil {
			return nil, nil, nil, err
		}
		sc.ctx, sc.q, sc.end = qctx, q, end
	case !planning:
		if err := s.engine.reg.count(sc.q, limit); err != nil {
			return nil, sc.q, nil, err
		}
	}
	q = sc.q
	if ctx.Err() != nil {
		q.cancel(context.Cause(ctx)) // at once: AfterFunc's would run later
	}
	if err := sc.ctx.Err(); err != nil {
		return nil, q, nil, queryFailure(sc.ctx, err)
	}
	sc.refs++
	stop := context.AfterFunc(ctx, func() { q.cancel(context.Cause(ctx)) })
	var once sync.Once
	return sc.ctx, q, func() {
		once.Do(func() {
			stop()
			sc.mu.Lock()
			defer sc.mu.Unlock()
			sc.releaseLocked()
		})
	}, nil
}

// statementID is the query id of the statement ctx carries, 0 (a new id
// in the logs) when it is not registered: a statement refused at its
// analysis is audited under the id it was planned as.
func (s *Session) statementID(ctx context.Context) int64 {
	sc := scopeOf(ctx, s)
	if sc == nil {
		return 0
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return queryID(sc.q)
}

// stopped is why the statement ctx carries was stopped (a signal or its
// timeout since its start), nil while it goes on: a statement that
// registers no query (SET, SHOW, BEGIN…) checks it once analyzed.
func (s *Session) stopped(ctx context.Context) error {
	sc := scopeOf(ctx, s)
	if sc == nil {
		return nil
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.ctx == nil || sc.ctx.Err() == nil {
		return nil
	}
	return queryFailure(sc.ctx, sc.ctx.Err())
}

// Cancel cancels the statement the session runs, from its planning to
// its end, as PostgreSQL's protocol cancel request: it fails with cause
// (a *sqltypes.Error: a front's shutdown), or with 57014 when cause is
// nil. An idle session ignores it. It is safe to call from any goroutine.
func (s *Session) Cancel(cause error) {
	if cause == nil {
		cause = errUserCancel()
	}
	r := &s.engine.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	if q := s.running; q != nil {
		q.cancel(cause)
	}
}

// errUserCancel is the error of a statement canceled by a cancel request
// or pg_cancel_backend.
func errUserCancel() error {
	return sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement due to user request")
}
