package slt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeErr is an engine error with a SQLSTATE.
type fakeErr struct{ code, msg string }

func (e *fakeErr) Error() string    { return e.msg }
func (e *fakeErr) SQLState() string { return e.code }

// fakeConn answers SQL from a table; unknown SQL is a 42601 error.
type fakeConn map[string]any // *Rows or error

func (c fakeConn) Query(_ context.Context, sql string) (*Rows, error) {
	switch v := c[sql].(type) {
	case *Rows:
		return v, nil
	case error:
		return nil, v
	}
	return nil, &fakeErr{"42601", "unknown SQL " + sql}
}

func str(s string) *string { return &s }

// rows builds Rows with columns c1..cN from string cells; "<null>" is NULL.
func rows(cells ...[]string) *Rows {
	r := &Rows{}
	for i, row := range cells {
		vals := make([]*string, len(row))
		for j, v := range row {
			if i == 0 {
				r.Columns = append(r.Columns, "c")
			}
			if v != "<null>" {
				vals[j] = str(v)
			}
		}
		r.Values = append(r.Values, vals)
	}
	return r
}

func TestParse(t *testing.T) {
	src := `# pg-divergent: example
# a comment

statement ok
CREATE TABLE t (a int)

skipif postgres
statement error 42P01 relation "nope" does not exist
SELECT * FROM nope

onlyif meshql
query IT rowsort
SELECT a,
       b FROM t
----
1 | x
2 | NULL

query T
SELECT 1 WHERE false

halt

query R valuesort
SELECT 1.5
----
1.5
`
	f, err := Parse("x.slt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !f.PGDivergent {
		t.Error("PGDivergent not set")
	}
	if len(f.Records) != 6 {
		t.Fatalf("got %d records, want 6", len(f.Records))
	}
	r := f.Records
	if r[0].Kind != Statement || r[0].ExpectError || r[0].SQL != "CREATE TABLE t (a int)" || r[0].Line != 4 {
		t.Errorf("record 0 = %+v", r[0])
	}
	if !r[1].ExpectError || r[1].ErrorCode != "42P01" || r[1].ErrorRegex.String() != `relation "nope" does not exist` ||
		r[1].AppliesTo(EnginePostgres) || !r[1].AppliesTo(EngineMeshQL) || r[1].Line != 8 {
		t.Errorf("record 1 = %+v", r[1])
	}
	if r[2].Kind != Query || r[2].Types != "IT" || r[2].Sort != RowSort || r[2].SQL != "SELECT a,\n       b FROM t" ||
		strings.Join(r[2].Expected, "\n") != "1 | x\n2 | NULL" || r[2].AppliesTo(EnginePostgres) {
		t.Errorf("record 2 = %+v", r[2])
	}
	if r[3].Kind != Query || len(r[3].Expected) != 0 || r[3].Sort != NoSort {
		t.Errorf("record 3 = %+v", r[3])
	}
	if r[4].Kind != Halt || r[5].Sort != ValueSort {
		t.Errorf("records 4, 5 = %+v, %+v", r[4], r[5])
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown record", "select 1\n", `x.slt:1: unknown record "select"`},
		{"bad engine", "skipif sqlite\nstatement ok\nSELECT 1\n", "x.slt:1: want"},
		{"bad sqlstate", "statement error 4260\nSELECT\n", `x.slt:1: invalid SQLSTATE "4260"`},
		{"bad regex", "statement error 42601 (\nSELECT\n", "x.slt:1: invalid error regex"},
		{"no sql", "\n\nstatement ok\n\n", "x.slt:3: record has no SQL"},
		{"bad type", "query IX\nSELECT 1\n", `x.slt:1: invalid type letter 'X'`},
		{"bad sort", "query I sorted\nSELECT 1\n", `x.slt:1: invalid sort mode "sorted"`},
		{"statement junk", "statement okay\nSELECT 1\n", "x.slt:1: want"},
		{"dangling condition", "query I\nSELECT 1\n----\n1\n\nonlyif meshql\n", "x.slt:6: skipif/onlyif at end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.slt", []byte(tc.src))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestRenderValue(t *testing.T) {
	tests := []struct {
		in   *string
		want string
	}{
		{nil, "NULL"},
		{str(""), "(empty)"},
		{str("NULL"), `\NULL`},
		{str("(empty)"), `\(empty)`},
		{str("a b"), "a b"},
		{str(" a "), `\sa\s`},
		{str(" "), `\s`},
		{str("a|b\\c\td\ne\r"), `a\|b\\c\td\ne\r`},
		{str(`{"a b",NULL}`), `{"a b",NULL}`},
	}
	for _, tc := range tests {
		if got := RenderValue(tc.in); got != tc.want {
			t.Errorf("RenderValue(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRenderRows(t *testing.T) {
	r := rows([]string{"b", "<null>"}, []string{"a", ""}, []string{"a b", "1"})
	tests := []struct {
		mode SortMode
		want string
	}{
		{NoSort, "b | NULL\na | (empty)\na b | 1"},
		{RowSort, "a | (empty)\na b | 1\nb | NULL"}, // by column, not by line
		{ValueSort, "(empty)\n1\nNULL\na\na b\nb"},
	}
	for _, tc := range tests {
		if got := strings.Join(renderRows(r, tc.mode), "\n"); got != tc.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.mode, got, tc.want)
		}
	}
}

func TestDiffLines(t *testing.T) {
	got := diffLines([]string{"a", "b", "c"}, []string{"a", "x", "c", "d"})
	want := "  a\n+ x\n- b\n  c\n+ d\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCheck(t *testing.T) {
	conn := fakeConn{
		"SELECT 1":   rows([]string{"1"}),
		"SELECT 2":   rows([]string{"2"}, []string{"1"}),
		"BAD":        &fakeErr{"22012", "division by zero"},
		"NOCODE":     errors.New("plain error"),
		"CREATE x":   &Rows{},
		"TWO COLUMN": rows([]string{"1", "2"}),
	}
	tests := []struct{ name, src, want string }{
		{"ok", "query I\nSELECT 1\n----\n1\n", ""},
		{"mismatch", "query I\nSELECT 1\n----\n2\n", "query result mismatch (1 rows expected, 1 got; nosort):\n+ 1\n- 2"},
		{"nosort order", "query I\nSELECT 2\n----\n1\n2\n", "query result mismatch"},
		{"rowsort", "query I rowsort\nSELECT 2\n----\n2\n1\n", ""},
		{"width", "query II\nSELECT 1\n----\n1\n", "query returned 1 columns"},
		{"statement ok", "statement ok\nCREATE x\n", ""},
		{"statement ok fails", "statement ok\nBAD\n", `unexpected error (SQLSTATE "22012")`},
		{"error code", "statement error 22012\nBAD\n", ""},
		{"error any", "statement error\nBAD\n", ""},
		{"error regex", "statement error 22012 division by\nBAD\n", ""},
		{"error regex mismatch", "statement error 22012 ^overflow\nBAD\n", `error "division by zero" does not match /^overflow/`},
		{"error wrong code", "statement error 22003\nBAD\n", `got error SQLSTATE "22012", want 22003`},
		{"error no code", "statement error 22003\nNOCODE\n", `got error SQLSTATE "", want 22003`},
		{"error expected", "statement error 22003\nSELECT 1\n", "statement succeeded; want error 22003"},
		{"query error", "query I\nBAD\n----\n1\n", "unexpected error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("x.slt", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			got := f.Records[0].check(t.Context(), conn)
			if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want prefix %q", got, tc.want)
			}
		})
	}
}

func TestComplete(t *testing.T) {
	conn := fakeConn{
		"SELECT 1":  rows([]string{"1", "<null>"}),
		"SELECT 2":  rows([]string{"b"}, []string{"a"}),
		"SELECT 3":  &Rows{Columns: []string{"c"}},
		"BAD":       &fakeErr{"22012", "division by zero"},
		"SET x = 1": &Rows{},
	}
	src := `# header comment
statement ok
SET x = 1

query IT
SELECT 1
----
stale

# between
query T rowsort
SELECT 2

statement error 22003 division
BAD

statement error 42601 no longer matches
BAD

query T
SELECT 3
----
old

skipif postgres
query T
SELECT meshql only
----
keep me

halt

query I
SELECT unreachable
----
keep
`
	want := `# header comment
statement ok
SET x = 1

query IT
SELECT 1
----
1 | NULL

# between
query T rowsort
SELECT 2
----
a
b

statement error 22012 division
BAD

statement error 22012
BAD

query T
SELECT 3
----

skipif postgres
query T
SELECT meshql only
----
keep me

halt

query I
SELECT unreachable
----
keep
`
	path := filepath.Join(t.TempDir(), "c.slt")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Complete(t.Context(), path, conn); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("completed file:\n%s\nwant:\n%s\ndiff:\n%s", got, want,
			diffLines(strings.Split(want, "\n"), strings.Split(string(got), "\n")))
	}
	// A second run changes nothing.
	if err := Complete(t.Context(), path, conn); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(path)
	if string(again) != want {
		t.Error("Complete is not idempotent")
	}
}

func TestCompleteRefuses(t *testing.T) {
	conn := fakeConn{"SELECT 1": rows([]string{"1"}), "BAD": &fakeErr{"22012", "division by zero"}}
	tests := []struct{ name, src, want string }{
		{"divergent", "# pg-divergent\nquery I\nSELECT 1\n", "pg-divergent"},
		{"query fails", "query I\nBAD\n", "x.slt:1: unexpected error"},
		{"statement ok fails", "\nstatement ok\nBAD\n", "x.slt:2: unexpected error"},
		{"error succeeds", "statement error 22012\nSELECT 1\n", "x.slt:1: statement error succeeded"},
		{"width", "query IT\nSELECT 1\n", "x.slt:1: query returned 1 columns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.slt")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Complete(t.Context(), path, conn)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if got, _ := os.ReadFile(path); string(got) != tc.src {
				t.Errorf("file changed to %q", got)
			}
		})
	}
}
