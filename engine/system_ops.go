package engine

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/sqltypes"
)

// opsTables are the operational tables of schema mesh: who is connected
// and what runs now. Administrators see every session; other users see
// only their own, as pg_stat_activity hides other users' query text.
func opsTables() []sysTable {
	tTS := sqltypes.TypeTimestampTZ
	return []sysTable{
		{schema: "mesh", name: "sessions", live: true, cols: []sysColumn{
			{"pid", tInt4}, {"user_name", tText}, {"application_name", tText}, {"backend_start", tTS},
			{"state", tText}, {"query_id", tInt8}, {"query", tText}, {"query_start", tTS},
		}, rows: func(s *Session) [][]any {
			sessions, _ := s.engine.reg.snapshot()
			var out [][]any
			for _, si := range sessions {
				if !s.seesUser(si.user) {
					continue
				}
				state, id, start := "idle", any(nil), any(nil)
				if q := si.query; q != nil {
					state, id, start = "active", q.id, timestampTZ(q.start)
				}
				out = append(out, []any{si.pid, si.user, si.appName, timestampTZ(si.started), state, id, orNull(si.lastSQL), start})
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
