// Package flightsql reads data products that live on an Arrow Flight SQL
// server (another meshql node, Dremio, …) through ADBC's Go Flight SQL
// driver. A product is a remote table or query; projections, filters and
// limits are pushed down as generated SQL (connectors/sqlgen), and EXPLAIN
// shows that SQL.
//
// Filter values travel as parameters of a prepared statement ($1…$n,
// bound as a one-row Arrow batch), so no value is ever pasted into SQL
// text; a server that cannot prepare statements gets them as quoted
// literals instead (remembered per table). When the server splits a
// result into several endpoints, they are read concurrently, one stream
// each, and their batches are passed on as they arrive.
package flightsql
