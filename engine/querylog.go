package engine

import (
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/sqltypes"
)

// DefaultQueryLogSize is how many queries mesh.query_log keeps when
// Config.QueryLogSize is 0.
const DefaultQueryLogSize = 1000

// maxLoggedSQL bounds the query text kept per entry.
const maxLoggedSQL = 2000

// QueryLogEntry is one statement in the audit log (mesh.query_log): who
// ran it, what it read of the mesh as the policy enforcement point saw it,
// and how it ended.
type QueryLogEntry struct {
	ID       int64
	Start    time.Time
	Duration time.Duration
	User     string
	Roles    []string
	SQL      string
	Access   bind.Access // products, columns, masks, row filters, denials
	Status   string      // SQLSTATE, "00000" for success
	Error    string      // the error message, "" on success
	Rows     int64
}

// queryLog is a bounded ring of the latest entries; the oldest entry is
// dropped when it is full. Safe for concurrent use.
type queryLog struct {
	mu      sync.Mutex
	entries []QueryLogEntry // ring buffer of cap size
	next    int             // where the next entry goes once full
	size    int
}

func newQueryLog(size int) *queryLog {
	if size <= 0 {
		size = DefaultQueryLogSize
	}
	return &queryLog{size: size}
}

func (l *queryLog) add(e QueryLogEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) < l.size {
		l.entries = append(l.entries, e)
		return
	}
	l.entries[l.next] = e
	l.next = (l.next + 1) % l.size
}

// list returns the entries keep accepts, oldest first.
func (l *queryLog) list(keep func(*QueryLogEntry) bool) []QueryLogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []QueryLogEntry
	n := len(l.entries)
	for i := 0; i < n; i++ {
		e := &l.entries[(l.next+i)%n]
		if keep(e) {
			out = append(out, *e)
		}
	}
	return out
}

// QueryLog returns the audit log, oldest first, as the principal of user
// may see it: an admin sees every entry, anyone else only their own.
func (e *Engine) QueryLog(user string) []QueryLogEntry {
	return e.queryLogFor(policy.PrincipalOf(e.Mesh(), user))
}

func (e *Engine) queryLogFor(who policy.Principal) []QueryLogEntry {
	admin := who.HasRole(policy.AdminRole)
	return e.queryLog.list(func(q *QueryLogEntry) bool { return admin || q.User == who.User })
}

// audit records a finished (or refused) statement in the query log and
// logs its denials at Warn. access may be nil (a statement that did not
// parse).
func (s *Session) audit(id int64, sql string, start time.Time, rows int64, access *bind.Access, err error) {
	if id == 0 {
		id = s.engine.reg.newID()
	}
	if len(sql) > maxLoggedSQL {
		sql = sql[:maxLoggedSQL] + "…"
	}
	entry := QueryLogEntry{ID: id, Start: start, Duration: s.engine.clock().Sub(start), User: s.user,
		Roles: s.current().who.Roles, SQL: sql, Status: sqltypes.Code(err), Rows: rows}
	if access != nil {
		// Sorted copies: the binder's order depends on clause order, and
		// the entry must not share the statement's lists.
		entry.Access = bind.Access{Products: sorted(access.Products), Columns: sorted(access.Columns),
			Masks: sorted(access.Masks), RowFilters: sorted(access.RowFilters), Denied: sorted(access.Denied)}
	}
	if err != nil {
		entry.Error = sqltypes.AsError(err).Msg
	}
	s.engine.queryLog.add(entry)
	if len(entry.Access.Denied) > 0 {
		s.engine.log.Warn("access denied", "query_id", id, "user", s.user, "roles", entry.Roles,
			"denied", entry.Access.Denied, "status", entry.Status, "sql", sql)
	}
}

func sorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

// queryLogTable is mesh.query_log.
func queryLogTable() sysTable {
	return sysTable{schema: "mesh", name: "query_log", cols: []sysColumn{
		{"query_id", tInt8}, {"started_at", sqltypes.TypeTimestampTZ}, {"duration_ms", sqltypes.TypeFloat8},
		{"user_name", tText}, {"roles", tTexts}, {"query", tText}, {"products", tTexts}, {"columns", tTexts},
		{"masks", tTexts}, {"row_filters", tTexts}, {"denied", tTexts}, {"status", tText}, {"error", tText}, {"rows", tInt8},
	}, rows: func(s *Session) [][]any {
		var out [][]any
		for _, q := range s.engine.queryLogFor(s.current().who) {
			a := q.Access
			out = append(out, []any{q.ID, arrow.Timestamp(q.Start.UnixMicro()), float64(q.Duration.Microseconds()) / 1000,
				q.User, texts(q.Roles), q.SQL, texts(a.Products), texts(a.Columns), texts(a.Masks), texts(a.RowFilters),
				texts(a.Denied), q.Status, orNull(q.Error), q.Rows})
		}
		return out
	}}
}
