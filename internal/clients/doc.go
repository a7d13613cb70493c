// Package clients drives meshql with the real PostgreSQL clients analysts
// use — psql, pgjdbc, psqlODBC (through pyodbc), psycopg2, SQLAlchemy with
// pandas, and node-postgres — and checks that each one connects with
// SCRAM-SHA-256 over TLS, introspects the mesh, binds parameters of every
// type, streams a large result with a small fetch size, cancels a running
// query and runs the cross-sell query.
//
// It holds only tests. One meshql server (the demo mesh at a small scale,
// TLS with a throwaway certificate) serves every client; each client's
// script under testdata runs twice, against meshql and against a private
// PostgreSQL (internal/pgtest) loaded with the same rows (internal/pgload),
// and the sections of their outputs that do not depend on the server must
// be equal. Introspection is checked against the mesh's descriptors.
//
// A client that is not installed skips its test, or fails it when the
// environment variable CI is "true"; scripts/ensure-deps.sh installs them.
package clients
