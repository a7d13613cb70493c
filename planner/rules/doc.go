// Package rules owns the logical rewrites meshql applies before physical
// planning: parameter substitution, constant folding, cast simplification,
// predicate pushdown and column pruning. Each rule is a pure function from a
// plan to an equivalent plan; none of them may change a query's meaning,
// and an error from a rule fails the query (rules are never skipped).
package rules
