// Package jsonpath is PostgreSQL's SQL/JSON path language: Parse reads a
// jsonpath's text (PostgreSQL's grammar and its 42601/22P02 errors),
// Path.String prints it in PostgreSQL's normalized form (the text a
// jsonpath value is stored and shown as), and Path.Eval runs it over a
// parsed jsonb document in lax or strict mode, with PostgreSQL's
// automatic array wrapping and unwrapping, error suppression and the
// SQLSTATEs of jsonpath_exec.c (22033, 22036, 22038, 22039, 2203A–2203C,
// 22012, 42704…).
//
// It imports only sqltypes (jsonb values and the typed error); the SQL
// functions over it (jsonb_path_query…, @?, @@) live in executor/expr.
// A Path is immutable once parsed and safe for concurrent use, so one
// constant path is compiled once per query and shared by every batch.
//
// Not supported: .datetime() (0A000 when evaluated) and the "x" flag of
// like_regex (0A000, as PostgreSQL 15). like_regex patterns are Go
// regular expressions (RE2), which read XQuery's common forms as
// PostgreSQL does but have no backreferences. .keyvalue() gives
// PostgreSQL's ids, which are byte offsets inside its binary jsonb: base
// replays that layout.
package jsonpath
