package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// run executes sql in s and returns its rows as "a|b" lines and its
// command tag, or the error's SQLSTATE as the tag.
func run(t *testing.T, s *Session, sql string) ([]string, string) {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		return nil, sqltypes.Code(err)
	}
	defer res.Close()
	var out []string
	for {
		b, err := res.Next(context.Background())
		if err == io.EOF {
			return out, res.CommandTag()
		}
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < int(b.NumRows()) && len(res.Columns) > 0; r++ {
			var cells []string
			for c, col := range res.Columns {
				cells = append(cells, sqltypes.FormatValue(col.Type, expr.DatumAt(b.Column(c), col.Type, r)))
			}
			out = append(out, strings.Join(cells, "|"))
		}
		b.Release()
	}
}

// TestCursors follows PostgreSQL's cursor semantics: FETCH n returns the
// next n rows (fewer at the end) with tag FETCH <rows>, MOVE skips, CLOSE
// and the end of the transaction drop a cursor without HOLD.
func TestCursors(t *testing.T) {
	e, mem := demoEngine(t)
	s, err := e.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		sql  string
		rows []string
		tag  string
	}{
		{"BEGIN", nil, "BEGIN"},
		{"DECLARE c CURSOR FOR SELECT g, g * 10 FROM generate_series(1, 10) AS s(g)", nil, "DECLARE CURSOR"},
		{"FETCH 3 FROM c", []string{"1|10", "2|20", "3|30"}, "FETCH 3"},
		{"MOVE FORWARD 2 IN c", nil, "MOVE 2"},
		{"FETCH FORWARD 1 FROM c", []string{"6|60"}, "FETCH 1"},
		{"FETCH ALL FROM c", []string{"7|70", "8|80", "9|90", "10|100"}, "FETCH 4"},
		{"FETCH 5 FROM c", nil, "FETCH 0"},
		{"CLOSE c", nil, "CLOSE CURSOR"},
		{"DECLARE d CURSOR FOR SELECT 1", nil, "DECLARE CURSOR"},
		{"DECLARE h CURSOR WITH HOLD FOR SELECT 2", nil, "DECLARE CURSOR"},
		{"COMMIT", nil, "COMMIT"},
		{"FETCH 1 FROM d", nil, "34000"},
		{"FETCH 1 FROM h", []string{"2"}, "FETCH 1"},
		{"CLOSE ALL", nil, "CLOSE CURSOR ALL"},
		{"FETCH 1 FROM h", nil, "34000"},
		// An error inside a block fails the block: only its end runs.
		{"BEGIN", nil, "BEGIN"},
		{"DECLARE c CURSOR FOR SELECT 1", nil, "DECLARE CURSOR"},
		{"DECLARE c CURSOR FOR SELECT 1", nil, "42P03"},
		{"FETCH 1 FROM c", nil, "25P02"},
		{"ROLLBACK", nil, "ROLLBACK"},
		{"BEGIN", nil, "BEGIN"},
		{"DECLARE c CURSOR FOR SELECT 1", nil, "DECLARE CURSOR"},
		{"FETCH BACKWARD 1 FROM c", nil, "0A000"},
		{"COMMIT", nil, "ROLLBACK"},
		{"FETCH 1 FROM c", nil, "34000"},
		{"BEGIN", nil, "BEGIN"},
		{"DECLARE open CURSOR FOR SELECT 3", nil, "DECLARE CURSOR"},
	}
	for _, st := range steps {
		rows, tag := run(t, s, st.sql)
		if tag != st.tag || !slices.Equal(rows, st.rows) {
			t.Errorf("%s: got %q %q, want %q %q", st.sql, rows, tag, st.rows, st.tag)
		}
	}
	s.Close() // closes the cursor left open
	mem.AssertSize(t, 0)
}

// TestCursorLimit: a session holds at most MaxCursors open cursors; one
// more is 54000 with a hint, and closing one makes room again (each
// cursor keeps its query running: 2,000 WITH HOLD ones reserved 1.6 GB).
func TestCursorLimit(t *testing.T) {
	e, mem := demoEngine(t)
	s, err := e.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range MaxCursors {
		if _, tag := run(t, s, fmt.Sprintf("DECLARE c%d CURSOR WITH HOLD FOR SELECT %d", i, i)); tag != "DECLARE CURSOR" {
			t.Fatalf("cursor %d: %s", i, tag)
		}
	}
	_, err = s.Query(context.Background(), "DECLARE one_more CURSOR WITH HOLD FOR SELECT 1")
	if e := sqltypes.AsError(err); err == nil || e.Code != sqltypes.CodeProgramLimitExceeded || e.Hint == "" {
		t.Fatalf("cursor %d: %v, want 54000 with a hint", MaxCursors+1, err)
	}
	for _, st := range []struct{ sql, tag string }{
		{"CLOSE c0", "CLOSE CURSOR"},
		{"DECLARE one_more CURSOR WITH HOLD FOR SELECT 1", "DECLARE CURSOR"},
		{"FETCH 1 FROM c99", "FETCH 1"},
	} {
		if _, tag := run(t, s, st.sql); tag != st.tag {
			t.Errorf("%s: %s, want %s", st.sql, tag, st.tag)
		}
	}
	s.Close()
	mem.AssertSize(t, 0)
}

// TestUnansweredCatalogQueryLogged: a failing query over the system
// catalogs is logged at warn with its text, so that a client's
// introspection gap is visible; other failing queries are not.
func TestUnansweredCatalogQueryLogged(t *testing.T) {
	mesh, err := catalog.Load("../testdata/mesh", catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	e, err := New(Config{Mesh: mesh, Workers: 2, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, tag := run(t, s, "SELECT relallfrozen FROM pg_catalog.pg_class"); tag != sqltypes.CodeUndefinedColumn {
		t.Fatalf("got %s", tag)
	}
	if _, tag := run(t, s, "SELECT no_such_function(1)"); tag != sqltypes.CodeUndefinedFunction {
		t.Fatalf("got %s", tag)
	}
	out := logs.String()
	if !strings.Contains(out, "catalog query not answered") || !strings.Contains(out, "relallfrozen") {
		t.Errorf("the catalog query is not logged:\n%s", out)
	}
	if strings.Contains(out, "no_such_function") {
		t.Errorf("a query without system tables is logged as a catalog gap:\n%s", out)
	}
}

// An open cursor is not a running statement: a session idle between two
// FETCHes shows idle in pg_stat_activity ("idle in transaction" in a
// block), and
// pg_cancel_backend or a protocol cancel request then cancels nothing, so
// the next FETCH reads on, as in PostgreSQL, which cancels only a
// statement under way.
func TestCancelSparesIdleCursor(t *testing.T) {
	for _, tc := range []struct {
		name, begin, declare string
	}{
		{name: "WITH HOLD", declare: "DECLARE c CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 20000) AS s(g)"},
		{name: "in a transaction", begin: "BEGIN", declare: "DECLARE c CURSOR FOR SELECT g FROM generate_series(1, 20000) AS s(g)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, mem := demoEngine(t)
			s := session(t, e, "analyst")
			pid := itoa(s.ProcessID())
			steps := []struct {
				sql  string
				rows []string
				tag  string
			}{
				{tc.begin, nil, "BEGIN"},
				{tc.declare, nil, "DECLARE CURSOR"},
				{"FETCH 2 FROM c", []string{"1", "2"}, "FETCH 2"},
			}
			for _, st := range steps {
				if st.sql == "" {
					continue
				}
				if got, tag := run(t, s, st.sql); tag != st.tag || !slices.Equal(got, st.rows) {
					t.Fatalf("%s: %v %s, want %v %s", st.sql, got, tag, st.rows, st.tag)
				}
			}
			if got := rows(t, e, "admin", "SELECT state FROM pg_stat_activity WHERE pid = "+pid); !strings.HasPrefix(strings.Join(got, ","), "idle") {
				t.Errorf("between FETCHes the session is %v, want idle", got)
			}
			if got := rows(t, e, "admin", "SELECT pg_cancel_backend("+pid+")"); strings.Join(got, ",") != "t" {
				t.Errorf("pg_cancel_backend = %v", got)
			}
			s.Cancel(nil) // a protocol cancel request
			// Past the first batch, which the first FETCH read whole.
			if got, tag := run(t, s, "FETCH ALL FROM c"); tag != "FETCH 19998" || len(got) != 19998 || got[0] != "3" || got[len(got)-1] != "20000" {
				t.Errorf("FETCH after the cancel: %d rows, tag %s, want 3…20000 FETCH 19998", len(got), tag)
			}
			s.Close()
			mem.AssertSize(t, 0)
		})
	}
}

// A FETCH is a statement as any other: registered from its planning, so
// pg_cancel_backend landing while it runs (the Planned hook holds it
// between its planning and its execution) cancels it with 57014.
func TestCancelDuringFetch(t *testing.T) {
	e, mem := demoEngine(t)
	s := session(t, e, "analyst")
	pid := itoa(s.ProcessID())
	if _, tag := run(t, s, "DECLARE c CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 20000) AS s(g)"); tag != "DECLARE CURSOR" {
		t.Fatalf("DECLARE: %s", tag)
	}
	onPlanned(e, "FETCH 2 FROM c", func(context.Context) {
		if got := rows(t, e, "admin", "SELECT state, query FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "active|FETCH 2 FROM c" {
			t.Errorf("during the FETCH the session is %v", got)
		}
		if got := rows(t, e, "admin", "SELECT pg_cancel_backend("+pid+")"); strings.Join(got, ",") != "t" {
			t.Errorf("pg_cancel_backend = %v", got)
		}
	})
	if _, tag := run(t, s, "FETCH 2 FROM c"); tag != sqltypes.CodeQueryCanceled {
		t.Errorf("FETCH canceled while it ran: %s, want 57014", tag)
	}
	e.SetHooks(Hooks{})
	s.Close()
	mem.AssertSize(t, 0)
}

// TestHeldCursorOutlivesItsQuery: a WITH HOLD cursor is materialized
// when its transaction commits (here the DECLARE's own), as PostgreSQL
// persists it: its rows no longer depend on its query, so a FETCH whose
// cancel or timeout stops that query (here stopped directly) still reads
// every row, where a cursor still running its query is 57014 and then
// 55000.
func TestHeldCursorOutlivesItsQuery(t *testing.T) {
	e, mem := demoEngine(t)
	s := session(t, e, "analyst")
	for _, st := range []string{
		"DECLARE c CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 20000) AS s(g)",
		"BEGIN",
		"DECLARE live CURSOR FOR SELECT g FROM generate_series(1, 20000) AS s(g)",
	} {
		if _, tag := run(t, s, st); tag != "DECLARE CURSOR" && tag != "BEGIN" {
			t.Fatalf("%s: %s", st, tag)
		}
	}
	stopped := sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement due to user request")
	s.cursors["c"].cancel(stopped)
	s.cursors["live"].cancel(stopped)
	if got, tag := run(t, s, "FETCH ALL FROM c"); tag != "FETCH 20000" || got[0] != "1" || got[19999] != "20000" {
		t.Errorf("FETCH ALL of the held cursor: %d rows, %s, want 1…20000 FETCH 20000", len(got), tag)
	}
	res, err := s.Query(context.Background(), "FETCH ALL FROM live")
	if err == nil {
		for err == nil {
			var b arrow.RecordBatch
			if b, err = res.Next(context.Background()); err == nil {
				b.Release()
			}
		}
		res.Close()
	}
	if sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Errorf("FETCH ALL of the stopped cursor: %v, want 57014", err)
	}
	if _, tag := run(t, s, "ROLLBACK"); tag != "ROLLBACK" {
		t.Errorf("ROLLBACK: %s", tag)
	}
	s.Close()
	mem.AssertSize(t, 0)
}
