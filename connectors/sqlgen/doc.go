// Package sqlgen renders pushed-down filters (connectors.Filter) as the
// WHERE clause of a remote SQL source: PostgreSQL, or a Flight SQL server.
// A filter is rendered only when the remote engine gives it meshql's
// meaning; otherwise the generator says no and meshql applies the filter
// itself. How values enter the SQL (bound parameters or inline literals)
// and how strings are ordered remotely are the caller's choice.
package sqlgen
