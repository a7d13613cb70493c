// Package bench holds meshql's end-to-end benchmarks: BenchmarkTPCH runs
// each TPC-H query through an in-process engine.Session, BenchmarkAnalyst
// the analyst queries of bench/analyst likewise. The side-by-side
// comparison with DuckDB is the separate module bench/compare, and
// `make bench` writes bench/RESULTS.md from both.
package bench
