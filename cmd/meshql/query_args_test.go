package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuerySQLSources: the SQL comes from the argument, also when it
// starts with a comment ($(cat report.sql)), or from -f FILE or -f - (stdin);
// both at once, or neither, is a usage error.
func TestQuerySQLSources(t *testing.T) {
	dir := demoDataDir(t, "0.01")
	file := filepath.Join(dir, "report.sql")
	if err := os.WriteFile(file, []byte("-- the report\nSELECT 40 + 2 AS answer;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"query", "--data-dir", dir, "--demo-scale", "0.01", "--format", "csv"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"comment first", []string{"-- the report\nSELECT 40 + 2 AS answer"}, 0, "answer\n42\n"},
		{"comment first, flag after the flags", []string{"--timing", "-- x\nSELECT 42 AS answer"}, 0, "answer\n42\n"},
		{"file", []string{"-f", file}, 0, "answer\n42\n"},
		{"file and argument", []string{"-f", file, "SELECT 1"}, 2, ""},
		{"neither", nil, 2, ""},
		{"missing file", []string{"-f", filepath.Join(dir, "none.sql")}, 1, ""},
	} {
		code, stdout, stderr := runCLI(t, append(base, tc.args...)...)
		if code != tc.code || stdout != tc.out {
			t.Errorf("%s: exit %d, %q, want %d, %q; %s", tc.name, code, stdout, tc.code, tc.out, stderr)
		}
	}
	sql, err := querySQL(nil, "-", strings.NewReader("SELECT 1"))
	if sql != "SELECT 1" || err != nil {
		t.Errorf("querySQL from stdin = %q, %v", sql, err)
	}
}
