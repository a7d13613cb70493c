package parquet

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"golang.org/x/sync/errgroup"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/objstore"
	"github.com/meshql/meshql/sqltypes"
)

const (
	defaultBatchSize        = 8192
	defaultMinPartitionRows = 64 << 10
	footerCacheSize         = 256
	footerParallel          = 8 // concurrent footer reads from a remote store
)

// Connector opens Parquet sources. It holds settings and a small cache of
// file footers; one value serves any number of engines and goroutines.
type Connector struct {
	batchSize        int64 // rows per batch a partition reader returns
	minPartitionRows int64 // small row groups merge up to this many rows
	footers          *footerCache
}

var _ connectors.Connector = (*Connector)(nil)

// New returns a Connector with the default settings: batches of 8192 rows,
// partitions of at least 65536 rows where row groups allow, and a cache of
// the footers of up to 256 files.
func New() *Connector {
	return &Connector{batchSize: defaultBatchSize, minPartitionRows: defaultMinPartitionRows, footers: newFooterCache(footerCacheSize)}
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

// OpenTable lists the files matching src.Path — a local glob (relative to
// src.BaseDir unless absolute; a directory means every *.parquet file in
// it) or an object-store URL (s3://bucket/prefix/*.parquet, with the
// endpoint and credentials of src.Connection) — reads every footer (from
// the cache when the file is unchanged; remote footers in parallel) and
// checks that all files share one Arrow schema. key=value folders between
// the path's fixed prefix and the files become columns after the files'
// own. Files are not kept open.
//
// Errors: HV00R when no file matches or a file vanished, HV00N when the
// store is unreachable, HV000 for an invalid pattern, an unreadable or
// corrupt file, or a file whose schema differs from the first file's;
// 57014 when ctx ends.
func (c *Connector) OpenTable(ctx context.Context, src catalog.Source) (*Table, error) {
	store, err := objstore.For(src, "parquet", "*.parquet")
	if err != nil {
		return nil, err
	}
	objs, err := store.List(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := c.readFooters(ctx, store, objs)
	if err != nil {
		return nil, err
	}
	t := &Table{batchSize: c.batchSize, minPartitionRows: c.minPartitionRows, store: store}
	paths, rels := make([]string, len(objs)), make([]string, len(objs))
	for i, o := range objs {
		paths[i], rels[i] = o.Path, o.Rel
	}
	hk, hvals, err := inferHive(paths, rels)
	if err != nil {
		return nil, err
	}
	for _, n := range hk.names {
		if len(infos[0].schema.FieldIndices(n)) > 0 {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "partition folder key %q of %q is also a column of the file", n, infos[0].path)
		}
	}
	for i, fi := range infos {
		if i == 0 {
			t.setSchema(fi.schema, fi, hk, hvals)
		} else if d := schemaDiff(infos[0].schema, fi.schema); d != "" {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "parquet file %q has a different schema than %q", fi.path, infos[0].path).
				WithDetail("%s", d).WithHint("All files of a source must share one schema.")
		}
		// fileInfo values are shared through the footer cache: copy before
		// adding what is specific to this table.
		own := *fi
		own.hive = hvals[i]
		if err := t.loadRowGroups(&own); err != nil {
			return nil, err
		}
		t.files = append(t.files, &own)
	}
	t.computeStats()
	return t, nil
}

// readFooters reads the footers of objs, in parallel for remote stores,
// through the cache.
func (c *Connector) readFooters(ctx context.Context, store objstore.Store, objs []objstore.Object) ([]*fileInfo, error) {
	out := make([]*fileInfo, len(objs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(1)
	if store.Remote() {
		g.SetLimit(footerParallel)
	}
	for i, o := range objs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return sqltypes.AsError(err)
			}
			if fi := c.footers.get(o); fi != nil {
				out[i] = fi
				return nil
			}
			fi, err := readFooter(gctx, store, o)
			if err != nil {
				return err
			}
			c.footers.put(o, fi)
			out[i] = fi
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, sqltypes.AsError(ctx.Err())
		}
		return nil, err
	}
	return out, nil
}

// readFooter reads one file's metadata and derives its Arrow schema and
// leaf layout. It never panics: a corrupt footer is an HV000 error.
func readFooter(ctx context.Context, store objstore.Store, o objstore.Object) (fi *fileInfo, err error) {
	path := o.Path
	defer func() {
		if p := recover(); p != nil {
			fi = nil
			err = corrupt(path, fmt.Errorf("%v", p))
		}
	}()
	f, err := store.Open(ctx, o)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		var se *sqltypes.Error
		if errors.As(err, &se) {
			return nil, se // the store's own error (unreachable, cancelled)
		}
		return nil, corrupt(path, err)
	}
	md := rdr.MetaData()
	manifest, err := pqarrow.NewSchemaManifest(md.Schema, md.KeyValueMetadata(), &pqarrow.ArrowReadProperties{})
	if err != nil {
		return nil, corrupt(path, err)
	}
	sch, err := pqarrow.FromParquet(md.Schema, &pqarrow.ArrowReadProperties{}, md.KeyValueMetadata())
	if err != nil {
		return nil, corrupt(path, err)
	}
	if sch.NumFields() != len(manifest.Fields) {
		return nil, corrupt(path, errors.New("schema manifest does not match the schema"))
	}
	fi = &fileInfo{path: path, obj: o, meta: md, schema: sch, leaves: make([][]int, len(manifest.Fields)), flatLeaf: make([]int, len(manifest.Fields))}
	for i := range manifest.Fields {
		fi.leaves[i] = collectLeaves(&manifest.Fields[i], nil)
		fi.flatLeaf[i] = manifest.Fields[i].ColIndex // -1 unless a top-level primitive
	}
	return fi, nil
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

func corrupt(path string, err error) error {
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not read parquet file %q: %v", path, err)
}

// fileInfo is one file's footer and what the table derived from it. It is
// immutable after OpenTable.
type fileInfo struct {
	path     string
	obj      objstore.Object
	meta     *metadata.FileMetaData
	schema   *arrow.Schema // the file's own columns
	leaves   [][]int       // per top-level field: its Parquet leaf column indices
	flatLeaf []int         // per top-level field: its leaf index if primitive, else -1
	hive     []any         // partition key values from the file's folders (nil = NULL)
	groups   []rowGroup
}

// rowGroup holds the statistics of one row group.
type rowGroup struct {
	rows   int64
	ranges []connectors.ColumnRange // per top-level field; zero value for nested fields
}
