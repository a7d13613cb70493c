// Package flightsql reads data products that live on an Arrow Flight SQL
// server (another meshql node, Dremio, …) through ADBC's Go Flight SQL
// driver. A product is a remote table or query; projections, filters and
// limits are pushed down as generated SQL (connectors/sqlgen), and EXPLAIN
// shows that SQL.
package flightsql
