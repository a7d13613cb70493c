// Package ops holds meshql's physical operators: one operator per file,
// each built by a constructor the physical planner calls.
//
// Every operator implements executor.Operator: Open, then Next until io.EOF,
// then Close. Next hands the caller a batch it must Release. Close is
// idempotent, safe before Open, and always closes the children, because
// some children (NewBatches) hold retained memory from construction on.
// Operators allocate every Arrow buffer from env.Mem, release every
// intermediate, check ctx once per batch (57014 when it ends), and never
// panic on input: user-visible failures are *sqltypes.Error values.
//
// Key types:
//
//   - Leaves: NewBatches (in-memory batches, VALUES), NewScan (connector
//     partitions, read one after another).
//   - Parallelism: NewGather runs its inputs in goroutines; NewHashAggregate
//     aggregates several inputs in parallel and merges partial states;
//     NewParallelHashJoin joins each probe stream on its own with one
//     build side built once (hashjoinshared.go).
//   - Row operators: NewFilter, NewProject, NewLimit, NewUnnest.
//   - Blocking operators: NewSort, NewTopN, NewHashAggregate, NewWindow
//     (window functions over sorted partitions, window*.go), and the build
//     side of NewHashJoin and NewNestedLoopJoin. They reserve what they
//     hold from the query's memory budget (env.Budget, executor/membudget;
//     MemoryUser exposes the reservation to EXPLAIN ANALYZE).
//   - Spilling: over budget, the sort writes sorted runs and merges them
//     (sortspill.go), the hash aggregate writes rows of new groups to hash
//     partitions aggregated one by one (hashaggspill.go), the hash join
//     becomes a grace hash join (hashjoinspill.go; a ParallelHashJoin's
//     build side spills once, each stream partitions its own probe rows),
//     and a Shared input (a WITH query) goes to one file every reader
//     reads. Spill files are Arrow IPC streams (spill.go) in the query's
//     spill folder; the others fail with 53200.
//   - Joins (join.go): inner, left, right, full, semi (EXISTS), anti (NOT
//     EXISTS), mark (IN / op ANY: probe rows plus a three-valued "mark"
//     column, markjoin.go) and single (scalar subqueries, 21000 on a
//     second match). NOT IN is planned as a mark join and NOT.
//   - NewSetOp: UNION [ALL], INTERSECT [ALL], EXCEPT [ALL] with multiset
//     semantics; all but UNION ALL keep one copy per distinct row in a
//     hash table (setop.go).
//   - Aggregates (AggregateType): count, sum, avg, min, max, bool_and/or,
//     array_agg, string_agg, the variance family (aggstats.go) and the
//     ordered-set percentile_cont/disc (aggpercentile.go).
//   - NewInstrumented counts rows, batches and time for EXPLAIN ANALYZE.
//
// Ordering follows PostgreSQL: NULLs compare larger than every value,
// text compares bytewise (the C collation), NaN is the greatest float and
// -0 equals 0, numerics compare by value, intervals compare as PostgreSQL's
// interval_cmp does (a month is 30 days, a day is 24 hours), jsonb (text in
// Arrow, told apart by its SQL type) compares as PostgreSQL's jsonb btree
// through its sort key (jsonbkeys.go). Grouping and
// join-key equality use the same rules; NULL group keys form one group, NULL
// join keys never match, set operations treat NULLs as not distinct.
//
// Supported key types for sort, grouping and join keys are Arrow's
// fixed-width types (integers, floats, decimal128, date32, timestamp,
// month_day_nano interval, fixed_size_binary), boolean, (large) string and
// binary, and null. List and dictionary keys return 0A000.
//
// This package imports executor, executor/expr, connectors and sqltypes; it
// never imports the planner.
package ops
