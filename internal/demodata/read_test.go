package demodata

import (
	"context"
	"path/filepath"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parts returns the Parquet files of one table folder, sorted.
func parts(t *testing.T, root, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Parquet files in %s: %v", dir, err)
	}
	sort.Strings(files)
	return files
}

// readFile reads a whole Parquet file; the caller releases the table.
func readFile(t *testing.T, mem memory.Allocator, path string) arrow.Table {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 4096}, mem)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// footer returns the row count and per-row-group rows of a file.
func footer(t *testing.T, path string) (rows int64, groups []int64) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	for i := range rdr.NumRowGroups() {
		groups = append(groups, rdr.MetaData().RowGroup(i).NumRows())
	}
	return rdr.NumRows(), groups
}

// tableRows sums the row counts of a table folder's files.
func tableRows(t *testing.T, root, dir string) int64 {
	var n int64
	for _, f := range parts(t, root, dir) {
		rows, _ := footer(t, f)
		n += rows
	}
	return n
}
