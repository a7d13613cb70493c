package tpch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHasOrderBy(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"SELECT 1", false},
		{"SELECT a FROM t ORDER BY a", true},
		{"select a from t order\n  by a desc", true},
		{"SELECT * FROM (SELECT a FROM t ORDER BY a) s", false},
		{"SELECT 'ORDER BY' FROM t", false},
		{"SELECT a FROM t -- ORDER BY a\n", false},
		{"SELECT a FROM t /* ORDER BY a */", false},
		{`SELECT "order" by_ FROM t`, false},
		{"WITH x AS (SELECT 1 ORDER BY 1) SELECT * FROM x", false},
	} {
		if got := HasOrderBy(tc.sql); got != tc.want {
			t.Errorf("HasOrderBy(%q) = %v, want %v", tc.sql, got, tc.want)
		}
	}
	// Every TPC-H query orders its output, but for the four that return
	// one row.
	oneRow := map[string]bool{"q06.sql": true, "q14.sql": true, "q17.sql": true, "q19.sql": true}
	files, _ := filepath.Glob(filepath.Join(queryDir, "*.sql"))
	if len(files) != 22 {
		t.Fatalf("%d query files, want 22", len(files))
	}
	for _, f := range files {
		sql, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := HasOrderBy(string(sql)); got == oneRow[filepath.Base(f)] {
			t.Errorf("%s: HasOrderBy = %v", f, got)
		}
	}
}

func TestCompare(t *testing.T) {
	want := &Result{Columns: []string{"k", "v", "s"}, Rows: [][]string{{"1", "10.00", "a"}, {"2", "0.3333333333333333", "b"}}}
	for _, tc := range []struct {
		name, query string
		got         [][]string
		err         string // "" = equal
	}{
		{"exact", "SELECT 1 ORDER BY 1", [][]string{{"1", "10.00", "a"}, {"2", "0.3333333333333333", "b"}}, ""},
		{"within tolerance", "x ORDER BY k", [][]string{{"1", "10.004", "a"}, {"2", "0.33", "b"}}, ""},
		{"number off", "x ORDER BY k", [][]string{{"1", "10.02", "a"}, {"2", "0.33", "b"}}, "row 1, column 2 (v)"},
		{"text differs", "x ORDER BY k", [][]string{{"1", "10", "a"}, {"2", "0.33", "B"}}, "row 2, column 3 (s)"},
		{"order matters", "x ORDER BY k", [][]string{{"2", "0.33", "b"}, {"1", "10", "a"}}, "row 1, column 1"},
		{"order free", "SELECT k, v, s FROM t", [][]string{{"2", "0.33", "b"}, {"1", "10", "a"}}, ""},
		{"too few rows", "x ORDER BY k", [][]string{{"1", "10", "a"}}, "1 rows, want 2"},
		{"too many rows", "x ORDER BY k", [][]string{{"1", "10", "a"}, {"2", "0.33", "b"}, {"3", "1", "c"}}, "3 rows, want 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Compare(tc.query, &Result{Columns: []string{"k", "v", "sum"}, Rows: tc.got}, want)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected difference: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
	if err := Compare("", &Result{Columns: []string{"a"}}, want); err == nil {
		t.Error("a column-count mismatch passed")
	}
	if err := Compare("", &Result{Columns: []string{"a"}, Rows: [][]string{{"NULL"}}},
		&Result{Columns: []string{"a"}, Rows: [][]string{{""}}}); err != nil {
		t.Errorf("NULL vs empty CSV field: %v", err)
	}
	skip := func(c string) bool { return c == "s" }
	if err := CompareColumns("x ORDER BY k", &Result{Columns: want.Columns, Rows: [][]string{{"1", "10", "x"}, {"2", "0.33", "y"}}}, want, skip); err != nil {
		t.Errorf("skipped column compared: %v", err)
	}
}

func TestLoadAnswer(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r, err := LoadAnswer(write("a.csv", "a,b\n\"x, y\",1\nz,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 || r.Rows[0][0] != "x, y" || r.Rows[1][1] != "" {
		t.Errorf("rows = %q", r.Rows)
	}
	// A one-column NULL answer is an empty line (TPC-H Q17 at SF0.01).
	r, err = LoadAnswer(write("b.csv", "avg_yearly\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || r.Rows[0][0] != "" {
		t.Errorf("one-column NULL answer: rows = %q", r.Rows)
	}
	r, err = LoadAnswer(filepath.Join("../../testdata/tpch/sf0.01/answers", "q18.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Columns) != 6 || len(r.Rows) == 0 || r.Rows[0][0] != "Customer#000000667" {
		t.Errorf("q18 answer: %q, first row %q", r.Columns, r.Rows[0])
	}
	if _, err := LoadAnswer(filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("a missing answer loaded")
	}
}
