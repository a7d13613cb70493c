// Package parquet serves Parquet files as meshql tables through arrow-go's
// Parquet readers: top-level primitive columns are decoded straight into
// Arrow buffers of each batch's size (flat.go), numbers, decimals and
// strings in PLAIN or dictionary-encoded pages by this package from the
// decompressed pages (pages.go), the other encodings and types with
// arrow-go's column chunk readers; nested columns, dictionaries and the
// rarer types go through pqarrow.
// When the allocator a partition is opened with can hand out memory
// without clearing it (AllocateUninit, as the engine's per-query
// membudget.Recycler does, recycling such memory), the flat columns'
// page buffers and their buffers of numbers, offsets and bitmaps come
// from there: the decoder writes every byte of them. String bytes never
// do, since Go code may keep strings of them past the batch.
//
// A source's path is a glob (or a directory) of files sharing one schema.
// Connector.OpenTable reads every footer once and keeps the metadata; it
// keeps no file open. Table.Partitions prunes row groups by their min/max
// and null-count statistics (filters are answered Inexact, so the
// executor re-checks every row) and groups the surviving row groups into
// partitions of at least 64k rows where the files allow. Each
// Partition.Open opens its own file handle, so partitions of one file can
// be read concurrently; the handle closes when the reader ends or is
// released.
//
// Schema() is pqarrow's mapping of the Parquet schema, not converted to
// meshql's canonical types: see Table.Schema for timestamps, dictionaries
// and unsigned integers.
//
// Errors carry SQLSTATEs: HV00R when no file matches or a file vanished,
// HV000 for unreadable or corrupt files and schema mismatches between
// files, 57014 when the context ends. Corrupt input never panics.
//
// The package imports only connectors, catalog and sqltypes from meshql.
package parquet
