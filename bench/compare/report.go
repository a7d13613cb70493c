package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// queryResult is one query's measurements; times are in milliseconds.
type queryResult struct {
	Query      string    `json:"query"`
	DuckMS     []float64 `json:"duckdb_ms,omitempty"`
	MeshMS     []float64 `json:"meshql_ms,omitempty"`
	DuckMedian float64   `json:"duckdb_median_ms"`
	MeshMedian float64   `json:"meshql_median_ms"`
	Ratio      float64   `json:"ratio,omitempty"` // meshql / DuckDB
	Agree      bool      `json:"agree"`           // meshql's answer equals DuckDB's
	Diff       string    `json:"diff,omitempty"`  // the first difference when not
	Error      string    `json:"error,omitempty"`
	Answer     string    `json:"answer_check,omitempty"` // against the official answers
	// From --speedup-from: meshql's and DuckDB's medians with 1 worker
	// and the speed-ups to this run's worker count.
	Mesh1MS     float64 `json:"meshql_1worker_ms,omitempty"`
	MeshSpeedup float64 `json:"meshql_speedup,omitempty"`
	Duck1MS     float64 `json:"duckdb_1thread_ms,omitempty"`
	DuckSpeedup float64 `json:"duckdb_speedup,omitempty"`
	// SpilledBytes is what one meshql run wrote to spill files.
	SpilledBytes int64 `json:"spilled_bytes,omitempty"`
}

// status is a short word for the progress line.
func (q *queryResult) status() string {
	switch {
	case q.Error != "":
		return "ERROR " + q.Error
	case q.Diff != "":
		return "DIFFERS " + q.Diff
	case q.DuckMedian == 0:
		return ""
	}
	return fmt.Sprintf("ratio %.2f", q.Ratio)
}

// report is one run of compare.
type report struct {
	Mesh          string        `json:"mesh"`
	Date          string        `json:"date"`
	Workers       int           `json:"workers"`
	Runs          int           `json:"runs"`
	Mode          string        `json:"mode"`                   // in-process or pgwire
	Section       string        `json:"section,omitempty"`      // --section: "" for TPC-H
	QueryMemory   string        `json:"query_memory,omitempty"` // --query-memory
	DuckDBVersion string        `json:"duckdb_version,omitempty"`
	Machine       machine       `json:"machine"`
	Queries       []queryResult `json:"queries"`
	Geomean       float64       `json:"geomean_ratio"` // over queries with a ratio
	MaxRatio      float64       `json:"max_ratio"`
	Agreeing      int           `json:"agreeing"`
}

// summarize computes the geometric mean and maximum of the ratios.
func (r *report) summarize() {
	var logSum float64
	var n int
	for _, q := range r.Queries {
		if q.Agree {
			r.Agreeing++
		}
		if q.Ratio > 0 {
			logSum += math.Log(q.Ratio)
			n++
			r.MaxRatio = max(r.MaxRatio, q.Ratio)
		}
	}
	if n > 0 {
		r.Geomean = math.Exp(logSum / float64(n))
	}
}

// readReport reads a report written by --json.
func readReport(path string) (*report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// addSpeedup reads a report of a 1-worker run and fills the speed-ups.
func (r *report) addSpeedup(path string) error {
	one, err := readReport(path)
	if err != nil {
		return err
	}
	by := map[string]queryResult{}
	for _, q := range one.Queries {
		by[q.Query] = q
	}
	for i := range r.Queries {
		q := &r.Queries[i]
		o, ok := by[q.Query]
		if !ok {
			continue
		}
		q.Mesh1MS, q.Duck1MS = o.MeshMedian, o.DuckMedian
		if o.MeshMedian > 0 && q.MeshMedian > 0 {
			q.MeshSpeedup = o.MeshMedian / q.MeshMedian
		}
		if o.DuckMedian > 0 && q.DuckMedian > 0 {
			q.DuckSpeedup = o.DuckMedian / q.DuckMedian
		}
	}
	return nil
}

// writeTable prints the aligned table and the summary.
func (r *report) writeTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tDuckDB ms\tmeshql ms\tratio\tsame answer\tofficial answer\t")
	for _, q := range r.Queries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", q.Query, fmtMS(q.DuckMedian), fmtMS(q.MeshMedian),
			fmtRatio(q.Ratio), q.agreeWord(), shortAnswer(q.Answer))
	}
	tw.Flush()
	fmt.Fprintf(w, "geomean meshql/DuckDB %.2f, max %.2f, %d of %d answers agree (%d workers, %s, median of %d runs)\n",
		r.Geomean, r.MaxRatio, r.Agreeing, len(r.Queries), r.Workers, r.Mode, r.Runs)
	for _, q := range r.Queries {
		if q.Error != "" || q.Diff != "" {
			fmt.Fprintf(w, "  %s: %s%s\n", q.Query, q.Error, q.Diff)
		}
	}
}

// writeJSON writes the report as indented JSON.
func (r *report) writeJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// worst returns up to n queries with the highest ratios, highest first.
func (r *report) worst(n int) []queryResult {
	qs := append([]queryResult(nil), r.Queries...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].Ratio > qs[j].Ratio })
	return qs[:min(n, len(qs))]
}

func (q *queryResult) agreeWord() string {
	switch {
	case q.Error != "":
		return "error"
	case q.Agree:
		return "yes"
	case q.Diff != "":
		return "NO"
	}
	return "-"
}

func shortAnswer(s string) string {
	switch {
	case s == "":
		return "-"
	case strings.HasPrefix(s, "not checked"):
		return "not checked"
	case strings.HasPrefix(s, "differs"):
		return "DIFFERS"
	}
	return s
}

func fmtMS(ms float64) string {
	if ms == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", ms)
}

func fmtRatio(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
}

// median of xs, 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
