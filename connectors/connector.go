package connectors

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
)

// Connector opens the tables of one kind of source.
type Connector interface {
	// Kind is the source.connector value this connector serves ("parquet").
	Kind() string
	// Open resolves a product's source into a Table. It may do I/O (list
	// files, read footers) and honours ctx. Errors carry SQLSTATE HV00N
	// (source unreachable), HV00R (source table gone) or HV000.
	Open(ctx context.Context, src catalog.Source) (Table, error)
}

// Table is an opened source table. It is safe for concurrent use.
type Table interface {
	// Schema is the source's Arrow schema, in the source's column order.
	Schema() *arrow.Schema
	// Stats returns what is known about the table's contents.
	Stats() Stats
	// SupportsFilters answers, per filter, how much of it the source
	// applies; len(result) == len(fs).
	SupportsFilters(fs []Filter) []PushSupport
	// Partitions splits a scan into independent units of work, which the
	// executor may run concurrently. Columns in req index Schema().
	Partitions(ctx context.Context, req ScanRequest) ([]Partition, error)
}

// Partition is one unit of parallel scan work.
type Partition interface {
	// Open starts reading. Batches have the schema of the requested
	// columns, in request order. Records are allocated from mem; the
	// caller releases the reader and every batch it retains.
	Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error)
}

// ScanExplainer is optionally implemented by tables that can describe what a
// scan will do beyond the request itself (files and row groups pruned,
// remote SQL), for EXPLAIN. Lines are stable: no timings, no addresses.
type ScanExplainer interface {
	ExplainScan(ctx context.Context, req ScanRequest) []string
}

// RequestExplainer is optionally implemented by a ScanExplainer whose
// lines mix what the request is (remote SQL and its parameters) with what
// the source's data makes of it (files, row groups or partitions kept):
// ExplainRequest returns only the former. EXPLAIN shows only those lines
// for a scan whose rows the session may not all see (a policy row
// filter), where the counts would describe rows hidden from it.
type RequestExplainer interface {
	ExplainRequest(ctx context.Context, req ScanRequest) []string
}

// ScanRequest is the work offered to a source.
type ScanRequest struct {
	Columns []int    // projection in output order, indexes into Schema()
	Filters []Filter // conjuncts the source said it supports (Exact or Inexact)
	Limit   int64    // -1 = none; only set when every filter is Exact
	// Order is set only with a Limit, for an OrderPusher that accepted it.
	Order []SortKey
	// Aggregate, when set (only for an AggregatePusher that accepted it,
	// with every filter Exact and no Limit or Order), replaces Columns:
	// partitions return the partial aggregate's rows.
	Aggregate *Aggregate
	// Dictionary, when set (only for a DictionaryReader, parallel to
	// Columns), asks for the marked columns as Arrow dictionary arrays
	// (dictionary<int32, T> for the column's type T): every batch then
	// carries that type for them, whatever the data holds, so that the
	// executor can work on the distinct values. Dictionaries may differ
	// from batch to batch.
	Dictionary []bool
}

// DictionaryReader is optionally implemented by tables that can return
// string columns as Arrow dictionary arrays (ScanRequest.Dictionary)
// cheaply, because the source stores them dictionary-encoded.
type DictionaryReader interface {
	// DictionaryColumns reports, per column of Schema(), whether asking
	// for it as a dictionary pays: the column is text stored with few
	// distinct values per batch.
	DictionaryColumns() []bool
}

// PushSupport is how much of a filter a source applies.
type PushSupport uint8

const (
	// Unsupported: the source ignores the filter.
	Unsupported PushSupport = iota
	// Inexact: the source may return rows that fail the filter (for
	// example, it prunes row groups by statistics); the executor re-checks.
	Inexact
	// Exact: the source returns exactly the rows that pass.
	Exact
)

func (p PushSupport) String() string {
	switch p {
	case Inexact:
		return "inexact"
	case Exact:
		return "exact"
	}
	return "unsupported"
}

// Stats describes a table's contents; unknown values are -1 or nil.
type Stats struct {
	RowCount int64
	Columns  map[string]ColumnStats
}

// ColumnStats describes one column. Min, Max and the values of
// MostCommon and Histogram use sqltypes.Datum representations of the
// column's source type; unknown values are nil, -1 or 0 (AvgWidth).
type ColumnStats struct {
	Min, Max  any
	NullCount int64
	Distinct  int64
	// AvgWidth is the average width of a non-null value in bytes.
	AvgWidth int
	// MostCommon lists the most common non-null values, each with the
	// fraction of all rows that hold it (PostgreSQL's most_common_vals
	// and most_common_freqs).
	MostCommon []ValueFreq
	// Histogram bounds split the non-null values outside MostCommon
	// into groups of equal size, in ascending order (PostgreSQL's
	// histogram_bounds).
	Histogram []any
}

// ValueFreq is a value and the fraction of a table's rows that hold it.
type ValueFreq struct {
	Value any
	Freq  float64
}
