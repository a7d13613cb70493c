package main

import (
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func TestFormatDuck(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, "NULL"},
		{"x", "x"},
		{int64(-3), "-3"},
		{0.5, "0.5"},
		{duckdb.Decimal{Width: 15, Scale: 2, Value: big.NewInt(12345)}, "123.45"},
		{time.Date(1995, 3, 15, 0, 0, 0, 0, time.UTC), "1995-03-15"},
		{true, "t"},
	} {
		if got := formatDuck(c.in); got != c.want {
			t.Errorf("formatDuck(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	r := &report{Queries: []queryResult{{Ratio: 2, Agree: true}, {Ratio: 8}, {Error: "x"}}}
	r.summarize()
	if math.Abs(r.Geomean-4) > 1e-9 || r.MaxRatio != 8 || r.Agreeing != 1 {
		t.Errorf("geomean %v max %v agreeing %d, want 4 8 1", r.Geomean, r.MaxRatio, r.Agreeing)
	}
	if m := median([]float64{3, 1, 2, 10}); m != 2.5 {
		t.Errorf("median = %v, want 2.5", m)
	}
}

func TestParseOnly(t *testing.T) {
	got, err := parseOnly("1, q03,22", 22)
	if err != nil || len(got) != 3 || got[1] != 3 {
		t.Errorf("parseOnly = %v, %v", got, err)
	}
	if _, err := parseOnly("23", 22); err == nil {
		t.Error("parseOnly(23) did not fail")
	}
	if all, _ := parseOnly("", 22); len(all) != 22 {
		t.Errorf("parseOnly(\"\") has %d queries, want 22", len(all))
	}
}

// TestWriteMarkdownKeepsAnalysis checks that only the text between the
// markers is rewritten.
func TestWriteMarkdownKeepsAnalysis(t *testing.T) {
	path := filepath.Join(t.TempDir(), "RESULTS.md")
	old := "# R\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\n## Analysis\nkeep me\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &report{Workers: 2, Runs: 1, Queries: []queryResult{{Query: "q01", DuckMedian: 1, MeshMedian: 2, Ratio: 2, Agree: true}}}
	r.summarize()
	if err := r.writeMarkdown(path, sections{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	s := string(data)
	if strings.Contains(s, "old table") || !strings.Contains(s, "keep me") || !strings.Contains(s, "| q01 | 1.0 | 2.0 | 2.00 |") {
		t.Errorf("rewritten file:\n%s", s)
	}
}

// TestWriteMarkdownSections checks that a query set's section is
// rewritten in place and leaves the TPC-H part alone, and that the query
// count comes from the folder.
func TestWriteMarkdownSections(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "RESULTS.md")
	tpchBegin, tpchEnd := markers("")
	old := "# R\n\n" + tpchBegin + "\ntpch table\n" + tpchEnd + "\n\n## Analysis\nkeep me\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ms := range []float64{2, 3} { // the second run replaces the first's table
		r := &report{Section: "analyst", Workers: 2, Runs: 1, Queries: []queryResult{{Query: "q01", DuckMedian: 1, MeshMedian: ms, Ratio: ms, Agree: true}}}
		r.summarize()
		if err := r.writeMarkdown(path, sections{}); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	s := string(data)
	if !strings.Contains(s, "tpch table") || !strings.Contains(s, "keep me") || strings.Contains(s, "| q01 | 1.0 | 2.0 |") ||
		strings.Count(s, "| q01 | 1.0 | 3.0 | 3.00 |") != 1 || !strings.Contains(s, "The analyst queries (bench/analyst)") {
		t.Errorf("rewritten file:\n%s", s)
	}
	for _, name := range []string{"q01.sql", "q02.sql", "q04.sql"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("SELECT 1"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := countQueries(dir); n != 2 || err != nil {
		t.Errorf("countQueries = %d, %v; want 2 (q01, q02: q04 is not next)", n, err)
	}
	if _, err := parseOnly("3", 2); err == nil {
		t.Error("parseOnly(3) of 2 queries did not fail")
	}
}

// TestWireTable checks the throughput table read from go test -bench
// output: rates per source and front, their ratios to pgwire binary and
// in-process over the same source and, for pgwire, to PostgreSQL in the
// same format.
func TestWireTable(t *testing.T) {
	out := `goos: linux
BenchmarkFetchLineitem/front=flightsql-2         	       1	 100 ns/op	 6001215 rows/op	 5000000 rows/s
BenchmarkFetchLineitem/front=pgwire/format=binary-2  	       1	 100 ns/op	 6001215 rows/op	 1000000 rows/s
BenchmarkFetchLineitem/front=pgwire/format=text-2  	       1	 100 ns/op	 6001215 rows/op	 3000000 rows/s
BenchmarkFetchLineitem/front=postgres/format=binary-2  	       1	 100 ns/op	 6001215 rows/op	 2000000 rows/s
BenchmarkFetchLineitem/front=postgres/format=text-2  	       1	 100 ns/op	 6001215 rows/op	 2000000 rows/s
BenchmarkFetchLineitem/front=in-process     	       1	 100 ns/op	 6001215 rows/op	 10000000 rows/s
BenchmarkFetchLineitem/source=memory/front=flightsql-2         	       1	 100 ns/op	 6001215 rows/op	 8000000 rows/s
BenchmarkFetchLineitem/source=memory/front=pgwire/format=binary-2  	       1	 100 ns/op	 6001215 rows/op	 2000000 rows/s
BenchmarkFetchLineitem/source=memory/front=in-process-2     	       1	 100 ns/op	 6001215 rows/op	 100000000 rows/s
PASS`
	got := wireTable(out)
	for _, want := range []string{
		"| Parquet | flightsql | 5000000 | 5.00 | 0.50 | - |",
		"| Parquet | pgwire/format=binary | 1000000 | 1.00 | 0.10 | 0.50 |",
		"| Parquet | pgwire/format=text | 3000000 | 3.00 | 0.30 | 1.50 |",
		"| Parquet | postgres/format=binary | 2000000 | 2.00 | 0.20 | - |",
		"| Parquet | in-process | 10000000 | 10.00 | 1.00 | - |",
		"| memory | flightsql | 8000000 | 4.00 | 0.08 | - |",
		"| memory | pgwire/format=binary | 2000000 | 1.00 | 0.02 | 1.00 |",
		"| memory | in-process | 100000000 | 50.00 | 1.00 | - |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("wireTable lacks %q:\n%s", want, got)
		}
	}
	if wireTable("PASS\n") != "" {
		t.Error("wireTable of output without the benchmark is not empty")
	}
}

// TestBudgetSummary checks the paragraph and table of a --query-memory
// run: answers right out of those checked, failures and spills.
func TestBudgetSummary(t *testing.T) {
	r := &report{QueryMemory: "256MB", Workers: 2, Mode: "in-process", Queries: []queryResult{
		{Query: "q01", MeshMedian: 10, Answer: "ok"},
		{Query: "q13", MeshMedian: 10, Answer: "not checked (reads generated text)"},
		{Query: "q18", MeshMedian: 20, Answer: "ok", SpilledBytes: 3 << 20},
		{Query: "q21", Error: "meshql: out of memory"},
		{Query: "q22", MeshMedian: 5, Answer: "differs: row 1"},
	}}
	got := r.budgetSummary()
	for _, want := range []string{
		"`mesh.query_memory = 256MB`", "**2 of 3 official answers right**, 1 queries failed, 1 not checked",
		"| q18 | 20.0 | 3.0MB | ok |", "| q21 | - | - | meshql: out of memory |", "| q22 | 5.0 | - | DIFFERS |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("budgetSummary lacks %q:\n%s", want, got)
		}
	}
}
