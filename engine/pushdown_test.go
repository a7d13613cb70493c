package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// TestPushdownSetting: SET mesh.pushdown = off keeps filters and limits
// out of the requests sources see (EXPLAIN says so), on brings them back,
// a value that is not a boolean fails with 22023, and RESET ALL turns
// pushdown on again.
func TestPushdownSetting(t *testing.T) {
	var last connectors.ScanRequest
	e, mem, _ := opsEngine(t, Config{}, map[string]*hookTable{"t": {exact: true, onScan: func(r connectors.ScanRequest) { last = r }}})
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	ctx := context.Background()
	exec := func(sql string) string {
		t.Helper()
		res, err := s.Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		got, err := drainRows(t, res)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return strings.Join(got, "\n")
	}
	const q = "SELECT x FROM ops.t_v1 WHERE x > 3 LIMIT 5"
	for _, tc := range []struct {
		set      string
		show     string
		filters  int
		limit    int64
		explains bool // EXPLAIN says pushdown=off
	}{
		{"", "on", 1, 5, false},
		{"SET mesh.pushdown = off", "off", 0, -1, true},
		{"SET mesh.pushdown TO true", "on", 1, 5, false},
		{"SET mesh.pushdown = 'no'", "off", 0, -1, true},
		{"RESET ALL", "on", 1, 5, false},
	} {
		if tc.set != "" {
			exec(tc.set)
		}
		if got := exec("SHOW mesh.pushdown"); got != tc.show {
			t.Errorf("after %q: SHOW mesh.pushdown = %q, want %q", tc.set, got, tc.show)
		}
		exec(q)
		if len(last.Filters) != tc.filters || last.Limit != tc.limit {
			t.Errorf("after %q: the source saw filters %v and limit %d, want %d filters and limit %d", tc.set, last.Filters, last.Limit, tc.filters, tc.limit)
		}
		if got := strings.Contains(exec("EXPLAIN "+q), "pushdown=off"); got != tc.explains {
			t.Errorf("after %q: EXPLAIN shows pushdown=off: %v, want %v", tc.set, got, tc.explains)
		}
	}
	_, err := s.Query(ctx, "SET mesh.pushdown = sometimes")
	wantCode(t, err, sqltypes.CodeInvalidParameterValue)
}
