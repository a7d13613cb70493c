// Package objstore lists and reads the files of file-based sources (Parquet)
// wherever they live: on the local file system or in an S3-compatible object
// store (`s3://bucket/prefix/*.parquet`).
//
// Reads are ranged: a Reader serves io.ReaderAt over ranged GETs, so a
// Parquet reader fetches the footer and then only the column chunks it
// needs. Prefetch fetches a set of ranges in parallel before decoding starts,
// and every Reader counts the bytes it fetched, for EXPLAIN ANALYZE-style
// reporting. Credentials come from the mesh.yaml connection the source names,
// with secrets read from environment variables or files, never from
// descriptors.
package objstore
