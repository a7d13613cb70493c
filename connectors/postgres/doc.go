// Package postgres serves PostgreSQL tables and queries as meshql tables
// through pgx.
//
// A product's source names a remote table or a query and a connection URL:
//
//	source:
//	  connector: postgres
//	  table: sales.customers          # or query: SELECT ... (a derived table)
//	  options:
//	    url_env: SALES_PG_URL         # preferred: the URL comes from the environment
//	    # url: postgres://reader@db:5432/sales   (no password; use PGPASSWORD or ~/.pgpass)
//	    parallel_threshold_rows: "1000000" # split tables above this size
//	    partitions: "4"                    # ranges a large table is split into
//	    numeric_scale: "6"                 # scale for unconstrained numeric columns
//	    max_conns: "16"                    # pool size
//	    max_conn_idle_time: 5m             # idle connections close after this
//	    max_conn_lifetime: 1h              # recycle connections (default: never)
//
// Options may also sit in a postgres connection of mesh.yaml, one per
// domain; the source's own options win. The Connector owns one pgxpool
// per distinct URL, password and pool settings; Close closes them.
// Open describes the source (`SELECT * FROM <source> LIMIT 0`) and maps each
// column's type OID and modifier to a sqltypes.Type and its Arrow type.
// Columns of types meshql does not decode natively (arrays, jsonb, money,
// ...) are read as text (jsonb as json) through a `::text` cast in the
// remote SELECT list. Unconstrained numeric columns get the scale of the
// numeric_scale option (default 6); values with more fractional digits are
// rounded half away from zero, as a cast to numeric(p,s) does.
//
// Filters over columns and constants (comparison, IN, IS NULL, LIKE and
// AND/OR/NOT of those) are deparsed into the remote WHERE clause with $n
// parameters and answered Exact; ILIKE and filters on json columns are
// Unsupported (case folding and json equality are not meshql's). String
// ordering comparisons carry COLLATE "C", meshql's byte order. A limit
// becomes LIMIT. Results are requested in binary format and decoded
// straight into Arrow builders.
//
// Tables larger than parallel_threshold_rows (pg_class.reltuples) are split
// into ctid ranges, one partition each; the partitions are separate
// queries on separate connections and so do not share one snapshot.
// Canceling the context of a running scan cancels the remote query (pgx
// sends a cancel request). Releasing a reader early does the same instead
// of draining the result.
//
// Errors: 08001 when the server cannot be reached (the message names the
// host, never a password), HV00R when the remote table does not exist,
// HV000 for configuration and decoding problems, 57014 on cancellation,
// and the remote SQLSTATE for errors the server reports.
package postgres
