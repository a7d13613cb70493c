// Package physical owns the lowering of an optimized logical plan into a
// tree of executor operators: it maps ColumnIDs to batch positions, lowers
// logical expressions into vectorized executor expressions, offers scan
// filters to connectors in their pushdown vocabulary, picks hash-join build
// sides, splits scans into parallel streams feeding partial aggregation,
// and records what it decided for EXPLAIN.
package physical
