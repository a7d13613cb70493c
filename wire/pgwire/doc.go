// Package pgwire serves meshql over the PostgreSQL wire protocol (v3), on top
// of github.com/jeroenrinzema/psql-wire.
//
// It owns: authentication (SCRAM-SHA-256, or a cleartext password checked by
// the Backend), TLS, per-connection sessions, the simple and the extended
// query protocol, parameter decoding (text and binary), type OIDs and
// typmods, encoding of Arrow result batches into PostgreSQL's text and binary
// formats (encode*.go, the one place that does it), notices, ParameterStatus
// reporting, cancel requests, and the mapping of *sqltypes.Error to
// ErrorResponse (errors.go).
//
// The protocol logic programs against the small interfaces in backend.go
// (Backend, Session, Statement, Rows), never against the engine's concrete
// types; EngineBackend adapts *engine.Engine. Imports: psql-wire and
// pgx/pgtype stay inside this package; it imports engine (Column, Result),
// catalog (User) and sqltypes; only cmd/meshql imports it.
//
// Rows are written as raw RowDescription/DataRow frames built straight from
// the Arrow columns, 64 KiB at a time (rows.go), on both protocols and in
// text and binary. On the extended path psql-wire keeps Execute row limits
// and portal suspension: a portal cache wrapper (portals.go) tells the
// handler each portal's result formats and each Execute's limit, and the
// last row of a limited Execute goes through psql-wire's DataWriter so that
// psql-wire suspends the portal after it.
//
// Where psql-wire v0.20.0 falls short, this package works around it at one
// seam: the authentication hook is the only place psql-wire hands out the
// connection's *buffer.Writer, so it captures it (for notices, ParameterStatus
// and raw rows) and installs a frame rewriter under it (rewrite.go) that adds
// the Position field psql-wire's ErrorResponse lacks, puts typmods into
// RowDescription (psql-wire writes -1), and drops psql-wire's own startup
// ParameterStatus set (it announces server_version "150000").
package pgwire
