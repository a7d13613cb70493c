// Package tpchgen generates TPC-H data as Parquet, with the descriptors of
// a mesh over it, for `meshql tpch gen` and the benchmarks.
//
// The generator is a port of TPC-H dbgen 2.4.0 by way of
// github.com/pingcap/go-tpc/tpch/dbgen (Apache-2.0), whose distributions
// (dists.dss) it reads from go-tpc's dist package. go-tpc's generator keeps
// its state in package variables (it cannot run twice in one process: its
// distributions accumulate on each InitDbGen), prints to stdout and takes
// no context, so the row makers are ported here with their state in a
// generator value: generations are repeatable, cancelable and split into
// independent ranges that run in parallel, each one skipping dbgen's
// random streams to its first row as dbgen's -S/-C options do. Keys,
// numbers, dates and comment text equal the official dbgen's (checked
// against its first rows in TestDbgenGolden); the reference answers in
// testdata/tpch were made with DuckDB's dbgen, whose addresses and
// comments differ.
//
// Key API: Generate (data + mesh into a folder, atomically), RowCounts
// (cardinalities without generating), WriteMesh (descriptors only, also
// used for testdata/mesh-tpch), Tables.
//
// It imports arrow-go and go-tpc's dist package; it must not import the
// engine, the planner or the connectors.
package tpchgen
