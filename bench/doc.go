// Package bench holds meshql's end-to-end benchmarks: BenchmarkTPCH runs
// each TPC-H query through an in-process engine.Session. The side-by-side
// comparison with DuckDB is the separate module bench/compare, and
// `make bench` writes bench/RESULTS.md from both.
package bench
