package executor

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// Operator is a pull-based, batch-at-a-time physical operator.
//
// Open prepares the operator (and its children) and may start background
// work. Next returns the next batch, or io.EOF after the last one; the
// caller owns the returned batch and must Release it. Batches may have zero
// rows only if the operator says nothing about it; callers skip them.
// Close releases every resource, stops background goroutines, and is
// idempotent and safe to call even if Open failed or was never called.
// An Operator is used by one goroutine at a time.
type Operator interface {
	Schema() *arrow.Schema
	Open(ctx context.Context) error
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// Env is the environment one query executes in. It is shared, read-only,
// by every operator and expression of the query.
type Env struct {
	// Mem allocates every Arrow buffer of the query. Tests pass a
	// memory.CheckedAllocator.
	Mem memory.Allocator
	// Now is the transaction's start (the statement's outside a
	// transaction block), as PostgreSQL's now(): current_date,
	// current_timestamp, localtimestamp, age(x) and text input of 'now',
	// 'today', 'tomorrow' and 'yesterday' read it, so they are stable
	// within a transaction. A query's Env must set it: now() and age(x)
	// fail with XX000 without it.
	Now time.Time
	// StatementStart is what statement_timestamp() reads; zero means Now.
	StatementStart time.Time
	// Clock reads the wall clock for clock_timestamp() and timeofday(),
	// at every row; nil means time.Now. The engine passes its own, which
	// tests pin.
	Clock func() time.Time
	// Location is the session's TimeZone.
	Location *time.Location
	// DateStyle is the session's DateStyle and IntervalStyle: date/time
	// text casts read and write in it.
	DateStyle sqltypes.DateStyle
	// Workers is the number of goroutines a parallel operator may use.
	Workers int
	// BatchSize is the preferred number of rows per batch.
	BatchSize int
	// Budget is the query's memory budget; operators that retain memory
	// reserve it through Reserve. nil means unlimited (and no spilling).
	Budget *membudget.Budget
	// NoPushdown keeps every filter, limit, order and aggregate in meshql:
	// sources are asked only for columns (SET mesh.pushdown = off). The
	// planner reads it; it is here because Env is what a query is planned
	// and run with.
	NoPushdown bool
	// Sources, when set, counts what scans read from each source.
	Sources SourceMeter
	// Session, when set, answers a session function fn (expr's
	// SessionFunc: regclass, regclassout, current_setting,
	// pg_cancel_backend, pg_terminate_backend, meshql_cancel) for one
	// row's non-NULL arguments, of the types expr declares for fn: the
	// value, or the user's error (42P01, 42704, 42501…). It must not keep
	// args, whose strings alias the row's column. nil fails those calls
	// with 0A000. It is safe for concurrent use.
	Session func(fn string, args []sqltypes.Datum) (sqltypes.Datum, error)
}

// SourceMeter counts what scans read from sources: rows, and the Arrow
// bytes of the batches (membudget.BatchBytes), per data product and
// connector kind. The engine exports the counts as metrics. It is safe
// for concurrent use; Counts returns the same counters for the same pair.
type SourceMeter interface {
	Counts(product, connector string) *SourceCounts
}

// SourceCounts are one product's read counters.
type SourceCounts struct {
	Rows, Bytes atomic.Int64
}

// Reserve returns a new memory reservation for the operator named name,
// drawing on the query's budget (unlimited without one).
func (e *Env) Reserve(name string) *membudget.Reservation { return e.Budget.Reserve(name) }

// DefaultBatchSize is the batch size operators aim for when Env.BatchSize is 0.
const DefaultBatchSize = 8192

// Rows returns env.BatchSize or DefaultBatchSize.
func (e *Env) Rows() int {
	if e.BatchSize > 0 {
		return e.BatchSize
	}
	return DefaultBatchSize
}
