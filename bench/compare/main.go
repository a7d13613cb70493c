// Command compare runs the 22 TPC-H queries (or another set of queries
// over the TPC-H tables, such as bench/analyst) on DuckDB and on meshql over
// the same Parquet files (a folder written by `meshql tpch gen`), checks
// that both give the same answer and prints per-query medians, the
// meshql/DuckDB ratio and the geometric mean of the ratios.
//
//	go run . --mesh DIR [--queries ../../testdata/tpch/queries] [--workers 2] [--runs 5]
//	         [--json FILE] [--check-answers DIR] [--pgwire] [--only 1,3] [--profile DIR]
//	         [--speedup-from FILE --operators FILE --wire FILE --markdown FILE] [--from-json FILE]
//	         [--query-memory SIZE] [--budget-from FILE] [--section NAME]
//
// Each query runs once on each side to warm up, then --runs times on each
// side, alternating which side goes first. DuckDB's threads and meshql's
// Config.Workers are both set to --workers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

// options are the command-line flags.
type options struct {
	mesh, queries, jsonOut, answers, only, profile   string
	speedupFrom, operators, wire, markdown, fromJSON string
	queryMemory, budgetFrom, section                 string
	workers, runs                                    int
	pgwire, noDuck                                   bool
	timeout                                          time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.mesh, "mesh", "", "folder written by meshql tpch gen (Parquet under DIR/data/<table>/)")
	flag.StringVar(&o.queries, "queries", "../../testdata/tpch/queries", "folder of q01.sql, q02.sql, … (the 22 TPC-H queries, or another set over the same tables such as ../analyst)")
	flag.StringVar(&o.section, "section", "", `name of the query set's own generated part of --markdown ("" = TPC-H's); e.g. analyst`)
	flag.IntVar(&o.workers, "workers", 2, "meshql workers and DuckDB threads")
	flag.IntVar(&o.runs, "runs", 5, "timed runs per query and side, after one warm-up")
	flag.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	flag.StringVar(&o.answers, "check-answers", "", "folder of official answers (qNN.csv) to check meshql against")
	flag.BoolVar(&o.pgwire, "pgwire", false, "run meshql through its pgwire server with pgx instead of in-process")
	flag.BoolVar(&o.noDuck, "no-duckdb", false, "run meshql only (no ratios)")
	flag.StringVar(&o.only, "only", "", "comma-separated query numbers to run (default all in --queries)")
	flag.StringVar(&o.profile, "profile", "", "write a CPU profile of meshql's timed runs per query to DIR/qNN.pprof")
	flag.StringVar(&o.speedupFrom, "speedup-from", "", "JSON of a 1-worker run: adds the speed-up to the report")
	flag.StringVar(&o.operators, "operators", "", "go test -bench output to include in --markdown")
	flag.StringVar(&o.wire, "wire", "", "go test -bench output of wire/flightsql's BenchmarkFetchLineitem to tabulate in --markdown")
	flag.StringVar(&o.markdown, "markdown", "", "rewrite the generated part of this Markdown file (bench/RESULTS.md)")
	flag.StringVar(&o.fromJSON, "from-json", "", "report a saved --json run instead of measuring (with --speedup-from, --markdown)")
	flag.StringVar(&o.queryMemory, "query-memory", "", "meshql's mesh.query_memory for every query, e.g. 256MB (default: the engine's)")
	flag.StringVar(&o.budgetFrom, "budget-from", "", "JSON of a --query-memory run: adds its answers and spills to --markdown")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "bound on one run of one query")
	flag.Parse()
	if o.mesh == "" && o.fromJSON == "" || o.runs < 1 || o.workers < 1 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}
