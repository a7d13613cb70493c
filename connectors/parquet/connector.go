package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

const (
	defaultBatchSize        = 8192
	defaultMinPartitionRows = 64 << 10
)

// Connector opens Parquet sources. It holds only settings, so one value
// serves any number of engines and goroutines.
type Connector struct {
	batchSize        int64 // rows per batch a partition reader returns
	minPartitionRows int64 // small row groups merge up to this many rows
}

var _ connectors.Connector = (*Connector)(nil)

// New returns a Connector with the default settings: batches of 8192 rows,
// partitions of at least 65536 rows where row groups allow.
func New() *Connector {
	return &Connector{batchSize: defaultBatchSize, minPartitionRows: defaultMinPartitionRows}
}

// Kind returns "parquet".
func (c *Connector) Kind() string { return "parquet" }

// Open implements connectors.Connector; see OpenTable.
func (c *Connector) Open(ctx context.Context, src catalog.Source) (connectors.Table, error) {
	t, err := c.OpenTable(ctx, src)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// OpenTable lists the files matching src.Path (a filepath.Match glob,
// relative to src.BaseDir unless absolute; a directory means every
// *.parquet file in it), reads every footer and checks that all files
// share one Arrow schema. Files are not kept open.
//
// Errors: HV00R when no file matches or a file vanished, HV000 for an
// invalid pattern, an unreadable or corrupt file, or a file whose schema
// differs from the first file's; 57014 when ctx ends.
func (c *Connector) OpenTable(ctx context.Context, src catalog.Source) (*Table, error) {
	paths, err := listFiles(src)
	if err != nil {
		return nil, err
	}
	t := &Table{batchSize: c.batchSize, minPartitionRows: c.minPartitionRows}
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, sqltypes.AsError(err)
		}
		fi, sch, err := readFooter(p)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			t.setSchema(sch, fi)
		} else if d := schemaDiff(t.schema, sch); d != "" {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "parquet file %q has a different schema than %q", p, paths[0]).
				WithDetail("%s", d).WithHint("All files of a source must share one schema.")
		}
		if err := t.loadRowGroups(fi); err != nil {
			return nil, err
		}
		t.files = append(t.files, fi)
	}
	t.computeStats()
	return t, nil
}

// listFiles resolves a source's glob into sorted regular files.
func listFiles(src catalog.Source) ([]string, error) {
	return connectors.ListFiles(src, "parquet", "*.parquet")
}

// readFooter reads one file's metadata and derives its Arrow schema and
// leaf layout. It never panics: a corrupt footer is an HV000 error.
func readFooter(path string) (fi *fileInfo, sch *arrow.Schema, err error) {
	defer func() {
		if p := recover(); p != nil {
			fi, sch = nil, nil
			err = corrupt(path, fmt.Errorf("%v", p))
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, openError(path, err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		return nil, nil, corrupt(path, err)
	}
	md := rdr.MetaData()
	manifest, err := pqarrow.NewSchemaManifest(md.Schema, md.KeyValueMetadata(), &pqarrow.ArrowReadProperties{})
	if err != nil {
		return nil, nil, corrupt(path, err)
	}
	sch, err = pqarrow.FromParquet(md.Schema, &pqarrow.ArrowReadProperties{}, md.KeyValueMetadata())
	if err != nil {
		return nil, nil, corrupt(path, err)
	}
	if sch.NumFields() != len(manifest.Fields) {
		return nil, nil, corrupt(path, errors.New("schema manifest does not match the schema"))
	}
	fi = &fileInfo{path: path, meta: md, leaves: make([][]int, len(manifest.Fields)), flatLeaf: make([]int, len(manifest.Fields))}
	for i := range manifest.Fields {
		fi.leaves[i] = collectLeaves(&manifest.Fields[i], nil)
		fi.flatLeaf[i] = manifest.Fields[i].ColIndex // -1 unless a top-level primitive
	}
	return fi, sch, nil
}

func collectLeaves(f *pqarrow.SchemaField, out []int) []int {
	if f.IsLeaf() {
		return append(out, f.ColIndex)
	}
	for i := range f.Children {
		out = collectLeaves(&f.Children[i], out)
	}
	return out
}

// schemaDiff describes how got differs from want, or returns "".
// Schema-level metadata is ignored; names, types and nullability count.
func schemaDiff(want, got *arrow.Schema) string {
	if want.NumFields() != got.NumFields() {
		return fmt.Sprintf("%d columns instead of %d", got.NumFields(), want.NumFields())
	}
	for i := range want.NumFields() {
		w, g := want.Field(i), got.Field(i)
		if w.Name != g.Name || !arrow.TypeEqual(w.Type, g.Type) || w.Nullable != g.Nullable {
			return fmt.Sprintf("column %d is %s instead of %s", i+1, fieldString(g), fieldString(w))
		}
	}
	return ""
}

func fieldString(f arrow.Field) string {
	s := f.Name + " " + f.Type.String()
	if !f.Nullable {
		s += " not null"
	}
	return s
}

func openError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return sqltypes.Wrap(err, sqltypes.CodeFDWTableNotFound, "parquet file %q does not exist", path)
	}
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not open parquet file %q: %v", path, err)
}

func corrupt(path string, err error) error {
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not read parquet file %q: %v", path, err)
}

// fileInfo is one file's footer and what the table derived from it. It is
// immutable after OpenTable.
type fileInfo struct {
	path     string
	meta     *metadata.FileMetaData
	leaves   [][]int // per top-level field: its Parquet leaf column indices
	flatLeaf []int   // per top-level field: its leaf index if primitive, else -1
	groups   []rowGroup
}

// rowGroup holds the statistics of one row group.
type rowGroup struct {
	rows   int64
	ranges []connectors.ColumnRange // per top-level field; zero value for nested fields
}
