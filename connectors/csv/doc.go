// Package csv serves delimited text files and newline-delimited JSON as
// meshql tables.
//
//	source:
//	  connector: csv
//	  path: data/marketing/campaigns/*.csv.gz   # glob, relative to the descriptor's mesh
//	  options:
//	    header: "true"          # default true; false names columns column1..N
//	    delimiter: ","          # one character; "tab" or "\t" for TSV
//	    null: ""                # the field text read as NULL (default: empty field)
//	    format: csv             # or ndjson; default by extension (.ndjson, .jsonl)
//	    columns: "id bigint, amount numeric(12,2), note text"
//
// Compression follows the extension: .gz (gzip) and .zst (zstd). Each file
// is one partition; files are opened when their partition is read.
//
// Types. Without the columns option every column is text, named by the
// header (or, for NDJSON, by the keys of the first object of the first
// file, in their order); the planner then casts each column to the
// product's declared type with PostgreSQL's input rules, and a bad value
// fails the query with 22P02 but without its file and line. With the
// columns option (names and SQL types, positional for CSV, by key for
// NDJSON) the connector parses values itself, and a bad value fails with
// the value's place: `orders.csv:17: column amount: invalid input syntax
// for type numeric: "x"` (SQLSTATE of the parse error: 22P02, 22003,
// 22007, 22008). Declare numeric columns with their precision and scale.
//
// CSV follows RFC 4180 (encoding/csv): quoted fields may hold delimiters,
// quotes ("") and newlines; an empty field is NULL, quoted or not. Every
// record must have as many fields as the first. When a file has a header,
// its names must match the first file's (or the columns option,
// case-insensitively). In NDJSON, missing keys and null are NULL; strings
// are parsed as their contents, numbers and booleans as their JSON text,
// objects and arrays are kept as JSON text.
//
// Filters are not applied by the connector (they are Unsupported); a limit
// stops reading early. Errors: HV00R when no file matches or a file
// vanished, HV000 for bad options, unreadable or malformed files, 22P02
// and friends for values that do not parse, 57014 on cancellation.
package csv
