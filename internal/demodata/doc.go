// Package demodata generates the data of the built-in demo mesh
// (testdata/mesh): Parquet files for sales.orders_v1, sales.customers_v1,
// catalog.products_v1 and catalog.products_v2, at the paths their
// descriptors name relative to the data dir.
//
// Generation is deterministic: the same (Options.Now's date, Scale, Seed,
// RowGroupRows) gives byte-identical files. Dates are relative to Now, so
// "the last 30 days" always holds orders. Orders are written in booking
// order (sorted by order_date) with row-group statistics, so a scan that
// filters on order_date can prune row groups.
//
// Generate writes into a temporary sibling folder and renames it into
// place, so an interrupted run never leaves half a dataset; Ensure
// generates only when the marker file (.meshql-demo.json) is missing or
// records different settings.
//
// demodata imports nothing from meshql: its only contract with the mesh is
// the file layout, which a test checks against the descriptors.
package demodata
