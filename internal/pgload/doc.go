// Package pgload copies a mesh's Parquet data products into PostgreSQL, so
// the same rows meshql serves can be queried by PostgreSQL itself: to
// produce the expected results of the .slt tests, and to serve a product
// from PostgreSQL in the demo.
//
// LoadMesh creates, for every product whose source connector is "parquet",
// the schema <domain> and the table <product>_v<N> with the declared column
// types, and copies every row of the product's Parquet files into it with
// COPY (pgx CopyFrom, binary format). LoadTable does the same for one
// table from any Arrow record reader.
//
// Arrow values are converted one row at a time; this is a loader for tests
// and demos, not a hot path.
//
// pgload reads Parquet with arrow-go's pqarrow directly and imports only
// catalog and sqltypes from meshql; it must not import the engine,
// planner, executor or connectors.
package pgload
