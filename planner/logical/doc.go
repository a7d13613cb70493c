// Package logical owns meshql's logical query plans: relational nodes
// (Scan, Filter, Project, Join, Aggregate, Sort, Limit, Unnest, Values) and
// the typed scalar expressions inside them.
//
// Every column a node produces has a query-wide ColumnID. A Project that
// passes a column through keeps its ID, so a rule can move a predicate past
// any node that still produces the IDs the predicate reads, without
// rewriting it. Nodes are treated as immutable by rules: a rewrite builds
// new nodes.
package logical
