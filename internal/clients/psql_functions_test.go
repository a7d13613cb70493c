package clients

import (
	"strings"
	"testing"
)

// checkPsqlFunctions runs psql's \df, \df+ and \sf of built-in functions
// and \dS of catalogs against meshql and PostgreSQL. pg_proc lists
// PostgreSQL's rows of the functions meshql binds, so \df of a function
// meshql binds in every form, and \sf of one, print what PostgreSQL
// prints; \df of one it binds in some forms prints PostgreSQL's lines of
// those (lower and upper of text and ranges, not of multiranges).
func checkPsqlFunctions(t *testing.T, f *fixture) {
	psql := func(tg target, meta string) string {
		out, errOut, err := runPsql(t, tg, meta)
		if err != nil {
			t.Fatalf("psql %s against %s: %v\n%s", meta, tg.name, err, errOut)
		}
		return out
	}
	for _, meta := range []string{`\df count`, `\df string_agg`, `\df row_number`, `\df date_trunc`, `\sf lower(text)`,
		`\sf+ upper(text)`, `\sf lpad(text, integer)`, `\sf row_number`} {
		if got, want := psql(f.meshql, meta), psql(f.postgres, meta); got != want {
			t.Errorf("psql %s differs:\nmeshql:\n%s\npostgres:\n%s", meta, got, want)
		}
	}
	// \df+ lists the owner, PostgreSQL's bootstrap superuser or meshql:
	// compare the other columns.
	withoutOwner := func(out string) map[string]bool {
		lines := map[string]bool{}
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Split(l, "|"); len(f) == 13 {
				lines[strings.Join(append(f[:7:7], f[8:]...), "|")] = true
			}
		}
		return lines
	}
	for _, c := range []struct {
		meta string
		must []string
	}{
		{`\df lower`, []string{"pg_catalog|lower|text|text|func", "pg_catalog|lower|anyelement|anyrange|func"}},
		{`\df+ upper`, []string{"pg_catalog|upper|text|text|func|immutable|safe|invoker||internal|upper|uppercase"}},
	} {
		got, want := psql(f.meshql, c.meta), psql(f.postgres, c.meta)
		gotLines, wantLines := map[string]bool{}, map[string]bool{}
		for _, l := range strings.Split(got, "\n") {
			gotLines[l] = strings.HasPrefix(l, "pg_catalog|")
		}
		for _, l := range strings.Split(want, "\n") {
			wantLines[l] = true
		}
		if strings.HasPrefix(c.meta, `\df+`) {
			gotLines, wantLines = withoutOwner(got), withoutOwner(want)
		}
		for l, isRow := range gotLines {
			if isRow && !wantLines[l] {
				t.Errorf("psql %s against meshql prints %q, which PostgreSQL does not:\n%s", c.meta, l, want)
			}
		}
		for _, l := range c.must {
			if !gotLines[l] {
				t.Errorf("psql %s against meshql lacks %q:\n%s", c.meta, l, got)
			}
		}
	}
	// \sf of an overloaded name fails as in PostgreSQL.
	for _, tg := range []target{f.meshql, f.postgres} {
		if _, errOut, err := runPsql(t, tg, `\sf upper`); err == nil || !strings.Contains(errOut, `more than one function named "upper"`) {
			t.Errorf("psql \\sf upper against %s: %v %s", tg.name, err, errOut)
		}
	}

	// \dS of a catalog: its header, and columns PostgreSQL's has (meshql
	// types object ids as integer and names as text).
	for _, c := range []struct{ meta, header string }{
		{`\dS pg_class`, `Table "pg_catalog.pg_class"`},
		{`\dS+ pg_tables`, `View "pg_catalog.pg_tables"`},
	} {
		got, want := psql(f.meshql, c.meta), psql(f.postgres, c.meta)
		if !strings.Contains(got, c.header) || !strings.Contains(want, c.header) {
			t.Errorf("psql %s: no header %s:\nmeshql:\n%s\npostgres:\n%s", c.meta, c.header, got, want)
		}
		columns := 0
		for _, l := range strings.Split(got, "\n")[2:] {
			name, _, ok := strings.Cut(l, "|")
			if !ok {
				break
			}
			columns++
			if !strings.Contains(want, "\n"+name+"|") {
				t.Errorf("psql %s against meshql lists column %s, which PostgreSQL does not:\n%s", c.meta, name, want)
			}
		}
		if columns < 8 {
			t.Errorf("psql %s against meshql lists %d columns:\n%s", c.meta, columns, got)
		}
	}
	if got := psql(f.meshql, `\dS`); !strings.Contains(got, "\npg_catalog|pg_class|table|") || !strings.Contains(got, "\npg_catalog|pg_stat_activity|view|") {
		t.Errorf("psql \\dS against meshql lacks the catalogs:\n%s", got)
	}
}
