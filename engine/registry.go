package engine

import (
	"context"
	"log/slog"
	"net"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// codeConfigurationLimitExceeded is SQLSTATE 53400, which PostgreSQL
// uses for limits an administrator configured; meshql returns it when a
// user already runs max_queries_per_user queries.
const codeConfigurationLimitExceeded = "53400"

// registry tracks the engine's open sessions and running queries: it
// feeds mesh.sessions and mesh.running_queries, lets meshql_cancel find a
// query by id, and enforces the per-user limit of running queries. One
// mutex guards it; it is taken once when a query starts and once when it
// ends, never while a query runs.
type registry struct {
	mu       sync.Mutex
	sessions map[int32]*Session
	queries  map[int64]*runningQuery
	perUser  map[string]int
	lastID   int64
}

// runningQuery is one statement, from the start of its analysis (or of
// its execution, when it was analyzed before) to the Result's Close
// (stmtscope.go).
type runningQuery struct {
	id     int64
	s      *Session
	sql    string
	start  time.Time
	cancel context.CancelCauseFunc
	// counted: the query counts toward its user's max_queries_per_user
	// (a statement does once it executes, not while it is planned).
	counted bool
}

// uncounted is begin's limit for a statement being planned: it is not
// counted toward the per-user limit until count.
const uncounted = -1

// sessionInfo is a snapshot of a session, for mesh.sessions.
type sessionInfo struct {
	pid          int32
	user         string
	appName      string
	started      time.Time
	query        *runningQuery // nil when idle
	lastSQL      string
	lastStart    time.Time
	lastQueryEnd time.Time
	clientAddr   net.Addr // nil: no TCP connection (meshql query, Flight SQL)
	tx           int32    // txNone, txOpen or txAborted
	txStart      time.Time
}

func (r *registry) addSession(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sessions == nil {
		r.sessions = map[int32]*Session{}
	}
	r.sessions[s.pid] = s
}

func (r *registry) removeSession(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sessions[s.pid] == s {
		delete(r.sessions, s.pid)
	}
}

// errTooManyQueries is the error of a query over max_queries_per_user.
func errTooManyQueries(user string, limit int) error {
	return sqltypes.New(codeConfigurationLimitExceeded, "too many running queries for user %q", user).
		WithDetail("The limit is %d concurrent queries per user (max_queries_per_user).", limit).
		WithHint("Wait for a running query to finish, or ask an administrator to raise max_queries_per_user.")
}

// newID numbers a statement that never ran (refused before it was
// registered) from the same sequence as running queries, so that the
// audit log's ids are unique.
func (r *registry) newID() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastID++
	return r.lastID
}

// begin registers a query of s, unless its user already runs limit
// queries (limit == 0: no limit; uncounted: not counted, see count). The
// query's context ends with the statement_timeout, with meshql_cancel or
// with ctx; end must be called when the query is over.
func (r *registry) begin(ctx context.Context, s *Session, sql string, limit int, timeout time.Duration, now time.Time) (qctx context.Context, q *runningQuery, end func(), err error) {
	// The contexts exist before the query is registered: mesh.running_queries
	// and meshql_cancel read the registered query (its cancel too) at once.
	var stop context.CancelFunc = func() {}
	qctx = ctx
	if timeout > 0 {
		qctx, stop = context.WithTimeoutCause(ctx, timeout, errStatementTimeout())
	}
	qctx, cancel := context.WithCancelCause(qctx)
	r.mu.Lock()
	if limit > 0 && r.perUser[s.user] >= limit {
		r.mu.Unlock()
		cancel(nil)
		stop()
		return nil, nil, nil, errTooManyQueries(s.user, limit)
	}
	if r.queries == nil {
		r.queries, r.perUser = map[int64]*runningQuery{}, map[string]int{}
	}
	r.lastID++
	q = &runningQuery{id: r.lastID, s: s, sql: sql, start: now, cancel: cancel, counted: limit != uncounted}
	r.queries[q.id] = q
	if q.counted {
		r.perUser[s.user]++
	}
	if s.running != nil {
		s.held = append(s.held, s.running)
	}
	s.running, s.lastSQL, s.lastStart = q, sql, now
	r.mu.Unlock()

	var once sync.Once
	end = func() {
		once.Do(func() {
			q.cancel(nil)
			stop()
			r.mu.Lock()
			delete(r.queries, q.id)
			if q.counted {
				if r.perUser[s.user]--; r.perUser[s.user] <= 0 {
					delete(r.perUser, s.user)
				}
			}
			switch {
			case s.running == q && len(s.held) > 0:
				last := s.held[len(s.held)-1]
				s.held = s.held[:len(s.held)-1]
				s.running, s.lastSQL, s.lastStart = last, last.sql, last.start
			case s.running == q:
				// The engine's clock, as the query's start and the system
				// tables' other instants (pg_stat_activity.state_change).
				s.running, s.lastEnd = nil, s.engine.clock()
			default:
				s.held = slices.DeleteFunc(s.held, func(h *runningQuery) bool { return h == q })
			}
			r.mu.Unlock()
		})
	}
	return qctx, q, end, nil
}

// count counts q, registered uncounted while it was planned, toward its
// user's limit of running queries as it starts executing (limit <= 0: no
// limit); it fails as begin does when the user already runs limit.
func (r *registry) count(q *runningQuery, limit int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q.counted || r.queries[q.id] != q {
		return nil // counted already, or over
	}
	if limit > 0 && r.perUser[q.s.user] >= limit {
		return errTooManyQueries(q.s.user, limit)
	}
	q.counted = true
	r.perUser[q.s.user]++
	return nil
}

func errStatementTimeout() error {
	return sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement due to statement timeout")
}

// cancel cancels a running query by id; it reports whether one was found.
// The cancel happens under the lock, so that the query is still running.
func (r *registry) cancel(id int64, cause error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	q, ok := r.queries[id]
	if ok {
		q.cancel(cause)
	}
	return ok
}

// snapshot lists the sessions (sorted by pid) and running queries (by id).
func (r *registry) snapshot() ([]sessionInfo, []runningQuery) {
	r.mu.Lock()
	open := make([]*Session, 0, len(r.sessions))
	sessions := make([]sessionInfo, 0, len(r.sessions))
	for _, s := range r.sessions {
		open = append(open, s)
		sessions = append(sessions, sessionInfo{pid: s.pid, user: s.user, started: s.started, query: s.running, lastSQL: s.lastSQL, lastStart: s.lastStart, lastQueryEnd: s.lastEnd, clientAddr: s.clientAddr, tx: s.shownTx.Load()})
		if us := s.shownTxStart.Load(); us != 0 {
			sessions[len(sessions)-1].txStart = time.UnixMicro(us)
		}
	}
	queries := make([]runningQuery, 0, len(r.queries))
	for _, q := range r.queries {
		queries = append(queries, *q)
	}
	r.mu.Unlock()
	// application_name is under the session's own lock: read it after
	// releasing r.mu so that the two locks never nest.
	for i, s := range open {
		sessions[i].appName, _ = s.Setting("application_name")
	}
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].pid < sessions[j].pid })
	sort.Slice(queries, func(i, j int) bool { return queries[i].id < queries[j].id })
	return sessions, queries
}

// recoverQuery turns a panic while serving a statement into the
// statement's XX000 error and logs the stack, so that a bug hit by one
// query fails that query only. It must be deferred directly: recover
// returns nil when called one frame further down.
func recoverQuery(log *slog.Logger, user, sql string, err *error) {
	if r := recover(); r != nil {
		*err = panicError(log, user, sql, r)
	}
}

// panicError logs a recovered panic with the stack of the goroutine that
// panicked (still on it while deferred functions run) and returns the
// query's XX000 error.
func panicError(log *slog.Logger, user, sql string, r any) error {
	if log != nil {
		log.Error("panic while running a query", "user", user, "sql", truncateSQL(sql), "panic", r, "stack", string(debug.Stack()))
	}
	return sqltypes.New(sqltypes.CodeInternal, "internal error: panic: %v", r).
		WithHint("This is a bug in meshql; please report it with the query.")
}

func truncateSQL(sql string) string {
	if len(sql) > 500 {
		return sql[:500] + "…"
	}
	return sql
}
