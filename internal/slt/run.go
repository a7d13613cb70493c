package slt

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// RunFile runs the .slt file at path against conn as engine (EngineMeshQL
// or EnginePostgres; it selects skipif/onlyif records, and EnginePostgres
// skips a pg-divergent file with t.Skip). Records run in order on conn;
// each mismatch is reported with t.Errorf as path:line, the SQL, and a diff
// of expected and actual rows, and the run continues with the next record.
// A "halt" record ends the file.
func RunFile(t *testing.T, path string, conn Conn, engine string) {
	t.Helper()
	f, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if engine == EnginePostgres && f.PGDivergent {
		t.Skipf("%s is marked pg-divergent", path)
	}
	ctx := t.Context()
	for i := range f.Records {
		r := &f.Records[i]
		if !r.AppliesTo(engine) {
			continue
		}
		if r.Kind == Halt {
			return
		}
		if msg := r.check(ctx, conn); msg != "" {
			t.Errorf("%s:%d: %s\nSQL:\n%s", path, r.Line, msg, indent(r.SQL))
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// check runs r and returns "" if the result matches, else a description of
// the mismatch.
func (r *Record) check(ctx context.Context, conn Conn) string {
	rows, err := conn.Query(ctx, r.SQL)
	if r.Kind == Statement && r.ExpectError {
		return checkError(r, err)
	}
	if err != nil {
		code := SQLState(err)
		return fmt.Sprintf("unexpected error (SQLSTATE %q): %v", code, err)
	}
	if r.Kind == Statement {
		return ""
	}
	return r.checkRows(rows)
}

func checkError(r *Record, err error) string {
	if err == nil {
		return fmt.Sprintf("statement succeeded; want error %s", orAny(r.ErrorCode))
	}
	code := SQLState(err)
	if r.ErrorCode != "" && code != r.ErrorCode {
		return fmt.Sprintf("got error SQLSTATE %q, want %s: %v", code, r.ErrorCode, err)
	}
	if r.ErrorRegex != nil && !r.ErrorRegex.MatchString(err.Error()) {
		return fmt.Sprintf("error %q does not match /%s/", err.Error(), r.ErrorRegex)
	}
	return ""
}

func orAny(code string) string {
	if code == "" {
		return "(any SQLSTATE)"
	}
	return code
}

// checkRows compares a query's rows with r.Expected under r.Sort.
func (r *Record) checkRows(rows *Rows) string {
	if msg := r.checkWidth(rows); msg != "" {
		return msg
	}
	got := renderRows(rows, r.Sort)
	want := r.Expected
	switch r.Sort {
	case RowSort:
		want = slices.Clone(want)
		sortRows(want)
	case ValueSort:
		want = slices.Clone(want)
		slices.Sort(want)
	}
	if slices.Equal(want, got) {
		return ""
	}
	return fmt.Sprintf("query result mismatch (%d rows expected, %d got; %s):\n%s",
		len(want), len(got), r.Sort, strings.TrimRight(diffLines(want, got), "\n"))
}

// checkWidth verifies that every row has one value per type letter.
func (r *Record) checkWidth(rows *Rows) string {
	if len(rows.Columns) != len(r.Types) {
		return fmt.Sprintf("query returned %d columns %v; type string %q has %d",
			len(rows.Columns), rows.Columns, r.Types, len(r.Types))
	}
	for i, row := range rows.Values {
		if len(row) != len(r.Types) {
			return fmt.Sprintf("row %d has %d values; type string %q has %d", i+1, len(row), r.Types, len(r.Types))
		}
	}
	return ""
}
