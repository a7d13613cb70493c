// Package sqltypes owns the one table that maps SQL types to Arrow types and
// Postgres type OIDs, and the typed SQL error that carries a SQLSTATE.
//
// Every layer of meshql speaks these two vocabularies: the binder types
// expressions with Type, the executor builds Arrow arrays of Type.Arrow(),
// and the wire encodes columns by Type.OID(). Errors that a user can see are
// *Error values; Code(err) finds the SQLSTATE anywhere in a wrapped chain.
//
// Arrays of any dimensions are one SQL type, stored as one nested Arrow
// list per dimension; array.go owns that representation: its invariants,
// array_in's text, and reading a value's dimensions off its lists.
//
// This package imports nothing from meshql.
package sqltypes
