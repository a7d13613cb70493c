// Package slt parses and runs sqllogictest (.slt) files: the SQL logic
// tests of testdata/sql, whose expected results come from real PostgreSQL.
//
// # File format
//
// A file is a sequence of records separated by blank lines. Lines starting
// with "#" between records are comments; a comment line "# pg-divergent"
// (optionally followed by a reason and an issue link) marks the whole file
// as deliberately different from PostgreSQL: the postgres engine skips it
// and Complete refuses it.
//
//	statement ok
//	<SQL>
//
//	statement error <SQLSTATE> [<regex>]
//	<SQL>
//
//	query <types> [nosort|rowsort|valuesort]
//	<SQL>
//	----
//	<expected rows>
//
//	halt
//
// The SQL is every line up to the next blank line (or "----" for a query),
// so it may span lines but not contain blank ones. "statement error"
// expects the SQL to fail with that SQLSTATE; the optional regex (the rest
// of the line, Go RE2 syntax) must then match somewhere in the error's
// text. Without a code any error passes; Complete fills the code in.
// "statement ok" and "statement error" records may be any statement,
// SELECT included; their rows are ignored.
//
// A query's type string has one letter per result column: T text,
// I integer, R float or numeric, B boolean, D date, time or timestamp. The
// letters document the columns and fix their count; values are compared
// as text whatever the letter, so R values must match PostgreSQL's
// rendering exactly.
//
// Expected rows are one line per row, values separated by " | ", each
// value exactly as PostgreSQL's text output prints it (what psql shows;
// DateStyle ISO, TimeZone UTC unless the file SETs them), made
// unambiguous by RenderValue: NULL is
// NULL, the empty string is (empty), a literal "NULL" or "(empty)" gets a
// leading backslash, and backslash, "|", tab, newline, carriage return and
// spaces at either end of a value are escaped (\\ \| \t \n \r \s). A query
// with no rows has nothing after "----".
//
// Sort modes: nosort (the default) compares rows in the order returned, so
// the SQL needs an ORDER BY that fixes it; rowsort sorts the rows of both
// sides by their values, column by column as strings; valuesort sorts all
// values individually and writes one value per line.
//
// "skipif <engine>" and "onlyif <engine>" lines before a record restrict
// it; engines are "meshql" and "postgres". "halt" ends the file for the
// engines it applies to.
//
// # Running and completing
//
// RunFile runs one file on a Conn; RunCorpus runs all of testdata/sql. A
// Conn is any engine: PGConn drives PostgreSQL through pgx's simple
// protocol so values are PostgreSQL's own text; meshql's engine plugs in
// through an adapter whose errors have a SQLState() method.
//
// Every file starts in a fresh session (a SessionConn's ResetSession: a new
// PostgreSQL connection, a new meshql session), with the corpus settings as
// the session's defaults. Nothing a file SETs (DateStyle, TimeZone,
// search_path, mesh.* settings), PREPAREs or DECLAREs reaches the next
// file, even when the file stopped at an unexpected error before its own
// RESET; and within a file, RESET returns to those defaults.
//
// Complete rewrites a file's expected rows and error codes from a Conn;
// with PostgreSQL as that Conn it is how expectations are produced
// (CompleteFiles, again one fresh session per file):
//
//	go test ./internal/slt -run TestSLTAgainstPostgres -update
//
// The data every file sees is the demo mesh (testdata/mesh) generated at
// FixtureOptions (scale 0.01, default seed, "now" 2026-01-15 UTC), with
// tables named as meshql names them: sales.orders_v1, sales.customers_v1,
// catalog.products_v1, catalog.products_v2. Files use literal dates, never
// current_date.
//
// slt imports catalog, internal/demodata, internal/pgload and
// internal/pgtest for its fixture; it must not import the engine, planner
// or executor (their tests import slt).
package slt
