package engine

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/sqltypes"
)

// opsTables are the operational tables of schema mesh: who is connected
// and what runs now. Administrators see every session; other users see
// only their own (pg_stat_activity lists the others without their
// activity).
func opsTables() []sysTable {
	tTS := sqltypes.TypeTimestampTZ
	return []sysTable{
		{schema: "mesh", name: "sessions", live: true, cols: []sysColumn{
			{"pid", tInt4}, {"user_name", tText}, {"application_name", tText}, {"backend_start", tTS},
			{"state", tText}, {"query_id", tInt8}, {"query", tText}, {"query_start", tTS},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, a := range s.activity() {
				if a.visible {
					out = append(out, []any{a.pid, a.user, a.appName, timestampTZ(a.started), a.state, a.queryID, orNull(a.lastSQL), a.queryStart})
				}
			}
			return out
		}},
		{schema: "mesh", name: "running_queries", live: true, cols: []sysColumn{
			{"query_id", tInt8}, {"pid", tInt4}, {"user_name", tText}, {"query", tText}, {"started", tTS}, {"duration_ms", tInt8},
		}, rows: func(s *Session) [][]any {
			_, queries := s.engine.reg.snapshot()
			now := s.engine.clock()
			var out [][]any
			for _, q := range queries {
				if !s.seesUser(q.s.user) {
					continue
				}
				out = append(out, []any{q.id, q.s.pid, q.s.user, q.sql, timestampTZ(q.start), now.Sub(q.start).Milliseconds()})
			}
			return out
		}},
	}
}

// sessionActivity is a session as the activity tables (mesh.sessions,
// pg_stat_activity) show it. Outside a transaction block each statement
// is its own transaction: a running one started the query, the
// transaction and the state; an idle session has no transaction, its
// query is the last one and its state changed when that ended (when the
// session began if none ran). Inside a block the transaction started
// with the BEGIN, and between statements the session is "idle in
// transaction", or "idle in transaction (aborted)" once a statement
// failed, as in PostgreSQL.
type sessionActivity struct {
	sessionInfo
	// visible: the reader may see the session's activity (its own user's,
	// or any for an administrator).
	visible                            bool
	state                              string
	queryID                            any // the running query's id; NULL when idle
	queryStart, xactStart, stateChange any // timestamptz or NULL
}

// activity lists the engine's sessions, by pid, for the session s reads
// them as.
func (s *Session) activity() []sessionActivity {
	sessions, _ := s.engine.reg.snapshot()
	out := make([]sessionActivity, len(sessions))
	for i, si := range sessions {
		a := sessionActivity{sessionInfo: si, visible: s.seesUser(si.user), state: "idle",
			queryStart: timestampTZ(si.lastStart), stateChange: timestampTZ(si.started)}
		if !si.lastQueryEnd.IsZero() {
			a.stateChange = timestampTZ(si.lastQueryEnd)
		}
		switch si.tx {
		case txOpen:
			a.state, a.xactStart = "idle in transaction", timestampTZ(si.txStart)
		case txAborted:
			a.state, a.xactStart = "idle in transaction (aborted)", timestampTZ(si.txStart)
		}
		if q := si.query; q != nil {
			start := timestampTZ(q.start)
			a.state, a.queryID, a.queryStart, a.stateChange = "active", q.id, start, start
			if si.tx == txNone {
				a.xactStart = start
			}
		}
		out[i] = a
	}
	return out
}

// insufficientPrivilege is what pg_stat_activity shows as the query of a
// session whose activity the reader may not see.
const insufficientPrivilege = "<insufficient privilege>"

// statActivityRows are pg_stat_activity's rows: every session, so that a
// tool finds the one it wants to signal by pid (Superset's cancel). As in
// PostgreSQL 15 (pg_stat_get_activity), a session whose activity the
// reader may not see shows its database, pid, user and application_name
// only: its query is <insufficient privilege> and the rest NULL.
func statActivityRows(s *Session) [][]any {
	var out [][]any
	for _, a := range s.activity() {
		row := []any{int32(databaseOID), databaseName, a.pid, nil, int32(stableOID("role", a.user)), a.user, a.appName,
			nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, insufficientPrivilege, nil}
		if a.visible {
			copy(row[7:], []any{addrInet(a.clientAddr), nil, addrPort(a.clientAddr), timestampTZ(a.started), a.xactStart, a.queryStart,
				a.stateChange, nil, nil, a.state, nil, nil, nil, orNull(a.lastSQL), "client backend"})
		}
		out = append(out, row)
	}
	return out
}

// seesUser reports whether the session may see another user's sessions
// and queries.
func (s *Session) seesUser(user string) bool {
	return user == s.user || s.current().who.HasRole(policy.AdminRole)
}

func timestampTZ(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return arrow.Timestamp(t.UnixMicro())
}

// statDatabaseTable is pg_stat_database: as in PostgreSQL 15, a row for
// the shared objects (datid 0, no name) and one for the mesh database,
// which shows the engine's counters since it started (pgAdmin's
// dashboard draws them): numbackends the open sessions, xact_commit and
// xact_rollback the transactions ended (Session.countTransaction),
// tup_returned the rows scans read from sources, temp_bytes the bytes
// spilled, session_time the time sessions lasted and active_time the
// time statements ran (in ms), sessions the sessions opened. The rest is
// 0 (or NULL, as the times PostgreSQL leaves NULL): meshql writes no
// rows, reads no blocks of its own, has no index scans, conflicts or
// deadlocks, does not count its spill files nor how sessions ended.
func statDatabaseTable() sysTable {
	cols := catalogColumns(`datid:oid datname:name numbackends:integer xact_commit:bigint xact_rollback:bigint
		blks_read:bigint blks_hit:bigint tup_returned:bigint tup_fetched:bigint tup_inserted:bigint tup_updated:bigint
		tup_deleted:bigint conflicts:bigint temp_files:bigint temp_bytes:bigint deadlocks:bigint checksum_failures:bigint
		checksum_last_failure:timestamptz blk_read_time:float8 blk_write_time:float8 session_time:float8 active_time:float8
		idle_in_transaction_time:float8 sessions:bigint sessions_abandoned:bigint sessions_fatal:bigint sessions_killed:bigint
		stats_reset:timestamptz`)
	row := func(datid int32, name any, backends int32) []any {
		r := []any{datid, name, backends}
		for _, c := range cols[3:] {
			switch c.t.Kind {
			case sqltypes.Int8:
				r = append(r, int64(0))
			case sqltypes.Float8:
				r = append(r, float64(0))
			default:
				r = append(r, nil)
			}
		}
		return r
	}
	return sysTable{schema: "pg_catalog", name: "pg_stat_database", live: true, cols: cols, rows: func(s *Session) [][]any {
		// checksum_failures is NULL without data checksums, as PostgreSQL's
		// initdb makes a cluster by default.
		activity := s.activity()
		shared, mesh := row(0, nil, 0), row(int32(databaseOID), databaseName, int32(len(activity)))
		shared[16], mesh[16] = nil, nil
		m, now := &s.engine.metrics, s.engine.clock()
		sessionMicros := m.sessionMicros.Load()
		for _, a := range activity {
			sessionMicros += now.Sub(a.started).Microseconds()
		}
		mesh[3], mesh[4] = m.commits.Load(), m.rollbacks.Load()
		mesh[7] = m.sources.sourceRows()
		mesh[14] = m.spillBytes.Load()
		mesh[20], mesh[21] = float64(sessionMicros)/1000, float64(m.latencySum.Load())/1000
		mesh[23] = m.sessionsTotal.Load()
		return [][]any{shared, mesh}
	}}
}
