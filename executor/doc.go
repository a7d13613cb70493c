// Package executor owns query execution on Arrow batches: the Operator
// contract that every physical operator implements, and the per-query
// environment (allocator, clock, time zone, parallelism) operators and
// expression kernels run in.
//
// Subpackages: expr (vectorized scalar expressions), ops (the physical
// operators), membudget (the per-query memory budget and spill folder). The executor never imports the planner or the wire; the
// planner builds operator trees from the constructors in ops.
package executor
