package tpchgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// RowGroupRows is the number of rows in each Parquet row group (the last
// one of a file may be shorter).
const RowGroupRows = 122_880

// createdBy is written into every file instead of the library default, so
// that upgrading arrow-go alone does not change the files' bytes.
const createdBy = "meshql tpchgen"

// partWriter writes one Parquet file of a table: rows are appended to an
// Arrow record builder and flushed as one row group every RowGroupRows.
// It is used by one goroutine.
type partWriter struct {
	path   string
	f      *os.File
	buf    *bufio.Writer
	fw     *pqarrow.FileWriter
	rb     *array.RecordBuilder
	fields []array.Builder
	n      int   // rows in rb
	rows   int64 // rows written or buffered
	report func(n int64)
	one    [1]byte
}

// newPartWriter creates path for table t. report, if not nil, is told the
// number of rows of each flushed row group.
func newPartWriter(path string, t *tableSpec, mem memory.Allocator, report func(int64)) (*partWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithStats(true),
		// Dictionary pages are slow to decode in arrow-go and useless for
		// numbers, dates and free text; keep them for the few enumerations.
		parquet.WithDictionaryDefault(false),
		parquet.WithStoreDecimalAsInteger(true),
		parquet.WithMaxRowGroupLength(RowGroupRows),
		parquet.WithCreatedBy(createdBy),
	}
	for _, c := range t.columns {
		if c.dict {
			opts = append(opts, parquet.WithDictionaryFor(c.name, true))
		}
	}
	schema := t.schema()
	buf := bufio.NewWriterSize(f, 1<<20) // not an io.Closer, so the Parquet writer leaves f to us
	fw, err := pqarrow.NewFileWriter(schema, buf, parquet.NewWriterProperties(opts...),
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("tpchgen: %s: %w", path, err)
	}
	rb := array.NewRecordBuilder(mem, schema)
	rb.Reserve(RowGroupRows)
	return &partWriter{path: path, f: f, buf: buf, fw: fw, rb: rb, fields: rb.Fields(), report: report}, nil
}

// rowDone counts one appended row and writes a row group when one is full.
// ctx is checked every ctxCheckRows rows.
func (w *partWriter) rowDone(ctx context.Context) error {
	w.n++
	w.rows++
	if w.n%ctxCheckRows == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if w.n < RowGroupRows {
		return nil
	}
	return w.flush()
}

// ctxCheckRows is how often rowDone checks for cancellation: a few
// milliseconds of generation.
const ctxCheckRows = 8192

func (w *partWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	rec := w.rb.NewRecordBatch()
	err := w.fw.Write(rec)
	rec.Release()
	if err != nil {
		return fmt.Errorf("tpchgen: writing %s: %w", w.path, err)
	}
	if w.report != nil {
		w.report(int64(w.n))
	}
	w.n = 0
	w.rb.Reserve(RowGroupRows)
	return nil
}

// close writes the last row group and the footer and closes the file.
func (w *partWriter) close() error {
	err := w.flush()
	w.rb.Release()
	if cerr := w.fw.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.buf.Flush()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("tpchgen: closing %s: %w", w.path, err)
	}
	return nil
}

// abort releases everything after a failure; the file is left for the
// caller's temporary directory to be removed with.
func (w *partWriter) abort() {
	w.rb.Release()
	_ = w.fw.Close()
	_ = w.f.Close()
}

// Typed appenders for column i; the builders' types follow tableSpec.schema.

func (w *partWriter) i32(i int, v int64) { w.fields[i].(*array.Int32Builder).Append(int32(v)) }
func (w *partWriter) i64(i int, v int64) { w.fields[i].(*array.Int64Builder).Append(v) }
func (w *partWriter) money(i int, cents int64) {
	w.fields[i].(*array.Decimal128Builder).Append(decimal128.FromI64(cents))
}
func (w *partWriter) date(i int, offset int64) {
	w.fields[i].(*array.Date32Builder).Append(arrow.Date32(epochDay92 + offset))
}
func (w *partWriter) bytes(i int, v []byte) {
	w.fields[i].(*array.StringBuilder).BinaryBuilder.Append(v)
}
func (w *partWriter) str(i int, v string) { w.fields[i].(*array.StringBuilder).Append(v) }
func (w *partWriter) char(i int, c byte) {
	w.one[0] = c
	w.fields[i].(*array.StringBuilder).BinaryBuilder.Append(w.one[:])
}

// closeAll closes every writer, keeping the first error.
func closeAll(ws ...*partWriter) error {
	var errs []error
	for _, w := range ws {
		if w != nil {
			errs = append(errs, w.close())
		}
	}
	return errors.Join(errs...)
}
