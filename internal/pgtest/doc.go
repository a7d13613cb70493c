// Package pgtest gives tests a private, throwaway PostgreSQL server.
//
// URI returns a connection URI for a superuser on that server, and
// NewDatabase creates a fresh database on it that is dropped when the test
// ends. The server is either the one named by the environment variable
// MESHQL_TEST_PG_URI, or a cluster this package starts itself: initdb into a
// temporary directory, pg_ctl start on a free 127.0.0.1 port, trust
// authentication, fsync off. One cluster serves the whole test process; a
// package that uses pgtest calls Main from its TestMain so the cluster is
// stopped and its directory removed before the process exits. A watchdog
// process (a shell waiting for EOF on a pipe from the test process) also
// stops and removes the cluster if the test binary dies without Main's
// cleanup: a panic, a -timeout, a kill, or a package without Main.
//
// Running as root (as CI does), the cluster runs as the "postgres" OS user,
// because initdb refuses to run as root.
//
// Server binaries are looked up in MESHQL_PG_BIN (a directory), then in
// /usr/lib/postgresql/<newest>/bin (Debian and Ubuntu), then on PATH. If
// they are missing, URI skips the test with an install hint, except when
// the environment variable CI is "true": then the test fails, so a CI
// machine without PostgreSQL cannot pass by skipping everything.
//
// Every server started here uses TimeZone UTC, DateStyle ISO and C
// messages; databases from NewDatabase use the C collation, so ORDER BY on
// text is byte order, as in meshql.
//
// This package imports nothing from meshql and is only for tests.
package pgtest
