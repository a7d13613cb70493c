// Package jsonpath is PostgreSQL's SQL/JSON path language: Parse reads a
// jsonpath's text (PostgreSQL's grammar and its 42601/22P02 errors),
// Path.String prints it in PostgreSQL's normalized form (the text a
// jsonpath value is stored and shown as), and Path.Eval runs it over a
// parsed jsonb document in lax or strict mode, with PostgreSQL's
// automatic array wrapping and unwrapping, error suppression and the
// SQLSTATEs of jsonpath_exec.c (22033, 22036, 22038, 22039, 2203A–2203C,
// 22012, 42704…).
//
// It imports sqltypes (jsonb values and the typed error), datetmpl and
// pgregex; the SQL functions over it (jsonb_path_query…, @?, @@) live in
// executor/expr.
// A Path is immutable once parsed and safe for concurrent use, so one
// constant path is compiled once per query and shared by every batch.
//
// .datetime() items carry their date/time value beside the ISO string
// they become in jsonb; templates are read by executor/datetmpl, and the
// comparisons that need a time zone take the session's from the _tz
// functions (Zone). like_regex patterns are PostgreSQL AREs compiled by
// executor/pgregex (RE2: no back-references); the "x" flag is 0A000, as
// in PostgreSQL 15. .keyvalue() gives PostgreSQL's ids, which are byte
// offsets inside its binary jsonb: base replays that layout.
package jsonpath
