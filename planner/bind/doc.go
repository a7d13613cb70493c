// Package bind owns name resolution and typing: it turns a PostgreSQL parse
// tree (from planner/parse) into a logical plan (planner/logical), resolving
// `domain.product_vN` names through the Catalog it is given, typing every
// expression with PostgreSQL's coercion rules, and reporting user errors
// with their SQLSTATE and cursor position.
//
// bind reads pg_query's AST types directly (they are plain protobuf
// structs); only planner/parse calls into the cgo grammar.
package bind
