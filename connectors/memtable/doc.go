// Package memtable serves Arrow record batches held in memory as meshql
// tables: fixtures for tests and the rows of system tables.
//
// A Table owns references to its batches (New retains them, Release drops
// them) and answers scans without copying: projected batches share the
// table's column buffers. Filters are never pushed (every filter is
// Unsupported), so the executor applies them all.
//
// Connector maps source names to tables for the "memory" connector kind.
// It keeps its registry in the value, never in package state, so every
// engine and test builds its own.
//
// The package imports only connectors, catalog and sqltypes from meshql.
package memtable
