package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/internal/tpch"
)

// textQueries read generated free text (comments) that differs between
// meshql's generator and the dbgen that made the official answers, so
// their answers are not checked against those.
var textQueries = map[int]bool{13: true, 16: true}

// run measures the selected queries and writes the reports.
func run(ctx context.Context, o options) error {
	if o.fromJSON != "" {
		rep, err := readReport(o.fromJSON)
		if err != nil {
			return err
		}
		return rep.output(o)
	}
	count, err := countQueries(o.queries)
	if err != nil {
		return err
	}
	nums, err := parseOnly(o.only, count)
	if err != nil {
		return err
	}
	var budget int64
	if o.queryMemory != "" {
		if budget, err = membudget.ParseSize(o.queryMemory); err != nil || budget == 0 {
			return fmt.Errorf("--query-memory %q: want a size such as 256MB", o.queryMemory)
		}
	}
	eng, err := newEngine(o.mesh, o.workers, budget)
	if err != nil {
		return err
	}
	var mesh runner
	if o.pgwire {
		mesh, err = newOverPgwire(ctx, eng)
	} else {
		mesh, err = newInProcess(ctx, eng)
	}
	if err != nil {
		return err
	}
	defer mesh.Close()
	rep := &report{Mesh: o.mesh, Date: time.Now().UTC().Format(time.RFC3339), Workers: o.workers, Runs: o.runs,
		Mode: "in-process", Machine: readMachine(), QueryMemory: o.queryMemory, Section: o.section}
	if o.pgwire {
		rep.Mode = "pgwire"
	}
	var db *duck
	if !o.noDuck {
		if db, err = openDuck(ctx, o.mesh, o.workers); err != nil {
			return err
		}
		defer db.Close()
		if r, err := db.Run(ctx, "SELECT version()"); err == nil && len(r.Rows) == 1 {
			rep.DuckDBVersion = r.Rows[0][0]
		}
	}
	for _, n := range nums {
		spilled := eng.SpilledBytes()
		q, err := measure(ctx, o, n, db, mesh)
		if err != nil {
			return err
		}
		q.SpilledBytes = (eng.SpilledBytes() - spilled) / int64(o.runs+1) // per run, warm-up included
		fmt.Fprintf(os.Stderr, "q%02d duckdb %s meshql %s %s\n", n, fmtMS(q.DuckMedian), fmtMS(q.MeshMedian), q.status())
		rep.Queries = append(rep.Queries, q)
	}
	rep.Machine.LoadEnd = loadAvg()
	rep.summarize()
	return rep.output(o)
}

// output adds the speed-ups and writes the table, the JSON and the
// Markdown that o asks for.
func (r *report) output(o options) error {
	if o.speedupFrom != "" {
		if err := r.addSpeedup(o.speedupFrom); err != nil {
			return err
		}
	}
	r.writeTable(os.Stdout)
	if o.jsonOut != "" {
		if err := r.writeJSON(o.jsonOut); err != nil {
			return err
		}
	}
	if o.markdown != "" {
		return r.writeMarkdown(o.markdown, sections{operators: o.operators, wire: o.wire, budgetFrom: o.budgetFrom})
	}
	return nil
}

// measure warms query n up on both sides, compares the answers and times
// o.runs runs of each side.
func measure(ctx context.Context, o options, n int, db *duck, mesh runner) (queryResult, error) {
	name := fmt.Sprintf("q%02d", n)
	q := queryResult{Query: name}
	text, err := os.ReadFile(filepath.Join(o.queries, name+".sql"))
	if err != nil {
		return q, err
	}
	sql := string(text)
	timed := func(r runner) (*tpch.Result, float64, error) {
		ctx, cancel := context.WithTimeout(ctx, o.timeout)
		defer cancel()
		start := time.Now()
		res, err := r.Run(ctx, sql)
		return res, float64(time.Since(start).Microseconds()) / 1000, err
	}
	got, _, err := timed(mesh)
	if err != nil {
		q.Error = "meshql: " + firstLine(err)
	}
	if db != nil {
		want, _, err := timed(db)
		if err != nil {
			return q, fmt.Errorf("%s on duckdb: %w", name, err)
		}
		if got != nil {
			if err := tpch.Compare(sql, got, want); err != nil {
				q.Diff = firstLine(err)
			} else {
				q.Agree = true
			}
		}
	}
	if got != nil && o.answers != "" {
		q.Answer = checkAnswer(sql, got, filepath.Join(o.answers, name+".csv"), n)
	}
	// Alternate which side goes first. With --profile the sides run one
	// after the other, so that the profile holds meshql's runs only.
	interleave := o.profile == ""
	duckRun := func() error {
		if db == nil {
			return nil
		}
		_, ms, err := timed(db)
		if err != nil {
			return fmt.Errorf("%s on duckdb: %w", name, err)
		}
		q.DuckMS = append(q.DuckMS, ms)
		return nil
	}
	meshRun := func() error {
		if q.Error == "" {
			q.timeMesh(timed, mesh)
		}
		return ctx.Err()
	}
	for i := 0; i < o.runs; i++ {
		steps := []func() error{duckRun}
		if interleave && i%2 == 0 {
			steps = append(steps, meshRun)
		} else if interleave {
			steps = []func() error{meshRun, duckRun}
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return q, err
			}
		}
	}
	if !interleave && q.Error == "" {
		err := profileMesh(filepath.Join(o.profile, name+".pprof"), func() error {
			for i := 0; i < o.runs; i++ {
				if err := meshRun(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return q, err
		}
	}
	q.DuckMedian, q.MeshMedian = median(q.DuckMS), median(q.MeshMS)
	if q.DuckMedian > 0 && q.MeshMedian > 0 {
		q.Ratio = q.MeshMedian / q.DuckMedian
	}
	return q, nil
}

// timeMesh times one meshql run; an error is recorded in q.Error.
func (q *queryResult) timeMesh(timed func(runner) (*tpch.Result, float64, error), mesh runner) {
	_, ms, err := timed(mesh)
	if err != nil {
		q.Error = "meshql: " + firstLine(err)
		return
	}
	q.MeshMS = append(q.MeshMS, ms)
}

// profileMesh writes a CPU profile of f to path.
func profileMesh(path string, f func() error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return f()
}

// checkAnswer compares meshql's result with the official answer file;
// generated address and comment columns are not compared.
func checkAnswer(sql string, got *tpch.Result, path string, n int) string {
	if textQueries[n] {
		return "not checked (reads generated text)"
	}
	want, err := tpch.LoadAnswer(path)
	if err != nil {
		return "error: " + err.Error()
	}
	skip := func(c string) bool { return strings.HasSuffix(c, "_address") || strings.HasSuffix(c, "_comment") }
	if err := tpch.CompareColumns(sql, got, want, skip); err != nil {
		return "differs: " + firstLine(err)
	}
	return "ok"
}

// countQueries returns n for a folder holding q01.sql .. qNN.sql.
func countQueries(dir string) (int, error) {
	n := 0
	for {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("q%02d.sql", n+1))); err != nil {
			if n == 0 {
				return 0, fmt.Errorf("--queries %s: no q01.sql", dir)
			}
			return n, nil
		}
		n++
	}
}

// parseOnly parses --only; empty means 1..count.
func parseOnly(s string, count int) ([]int, error) {
	var out []int
	if s == "" {
		for i := 1; i <= count; i++ {
			out = append(out, i)
		}
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(f), "q"))
		if err != nil || n < 1 || n > count {
			return nil, fmt.Errorf("--only: %q is not a query number 1..%d", f, count)
		}
		out = append(out, n)
	}
	return out, nil
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
