package demodata

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// createdBy is written into every file instead of the library default,
// which names the arrow-go version: upgrading arrow-go alone must not
// change the bytes of the demo data.
const createdBy = "meshql demodata"

// table is one table to write: its folder (relative to the data dir), its
// schema, its row count, and fill, which appends the next n rows.
type table struct {
	dir           string
	schema        *arrow.Schema
	rows          int64
	groupsPerFile int // row groups per file; 0 = one file
	fill          func(b *array.RecordBuilder, n int)
}

// progress counts rows written across tables.
type progress struct {
	done, total int64
	report      func(done, total int64)
}

func (p *progress) add(n int64) {
	p.done += n
	if p.report != nil {
		p.report(p.done, p.total)
	}
}

// writeTable writes t under root as part-00000.parquet, part-00001.parquet,
// …: batches of o.RowGroupRows rows, one row group each. ctx is checked
// once per batch.
func writeTable(ctx context.Context, root string, t table, o Options, prog *progress) (err error) {
	dir := filepath.Join(root, filepath.FromSlash(t.dir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b := array.NewRecordBuilder(o.Allocator, t.schema)
	defer b.Release()

	var pf *partFile
	defer func() {
		if pf != nil {
			err = errors.Join(err, pf.close())
		}
	}()
	groups, part := 0, 0
	for done := int64(0); done < t.rows; {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pf == nil {
			if pf, err = createPart(filepath.Join(dir, fmt.Sprintf("part-%05d.parquet", part)), t.schema, o); err != nil {
				return err
			}
			part++
		}
		n := int(min(int64(o.RowGroupRows), t.rows-done))
		t.fill(b, n)
		rec := b.NewRecordBatch()
		err := pf.fw.Write(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("demodata: writing %s: %w", pf.path, err)
		}
		done += int64(n)
		prog.add(int64(n))
		if groups++; t.groupsPerFile > 0 && groups == t.groupsPerFile {
			groups = 0
			err, pf = pf.close(), nil
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// partFile is one Parquet file being written.
type partFile struct {
	path string
	f    *os.File
	buf  *bufio.Writer
	fw   *pqarrow.FileWriter
}

func createPart(path string, schema *arrow.Schema, o Options) (*partFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(o.Allocator),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithStats(true),
		parquet.WithDictionaryDefault(true),
		parquet.WithStoreDecimalAsInteger(true),
		parquet.WithMaxRowGroupLength(int64(o.RowGroupRows)),
		parquet.WithCreatedBy(createdBy),
	)
	aprops := pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(o.Allocator), pqarrow.WithStoreSchema())
	buf := bufio.NewWriterSize(f, 1<<20) // not an io.Closer, so the Parquet writer leaves f to us
	fw, err := pqarrow.NewFileWriter(schema, buf, props, aprops)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("demodata: %s: %w", path, err)
	}
	return &partFile{path: path, f: f, buf: buf, fw: fw}, nil
}

// close writes the footer and closes the file.
func (p *partFile) close() error {
	err := p.fw.Close()
	if err == nil {
		err = p.buf.Flush()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("demodata: closing %s: %w", p.path, err)
	}
	return nil
}
