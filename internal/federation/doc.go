// Package federation holds the end-to-end tests of federated queries: TPC-H
// with its tables split across Parquet files, PostgreSQL, an S3-compatible
// object store and another meshql node over Arrow Flight SQL.
package federation
