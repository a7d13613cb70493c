package pgload

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
)

// batchRows is the Arrow batch size used when reading Parquet.
const batchRows = 64 * 1024

// LoadMesh creates and fills one table per Parquet product of mesh (every
// version, deprecated ones included) on conn. Each product's files are
// Source.Path globbed relative to Source.BaseDir (unless absolute), read in
// name order. Tables must not exist yet: LoadMesh is meant for a fresh
// database and fails on a name clash. Products of other connectors are
// skipped. mem allocates the Arrow buffers read from Parquet; all of them
// are released before LoadMesh returns. Not atomic: on error, the tables
// loaded so far stay.
func LoadMesh(ctx context.Context, conn *pgx.Conn, mesh *catalog.Mesh, mem memory.Allocator) error {
	for _, p := range mesh.Products {
		if p.Source.Connector != "parquet" {
			continue
		}
		if err := LoadProduct(ctx, conn, p, mem); err != nil {
			return err
		}
	}
	return nil
}

// LoadProduct loads one Parquet product as LoadMesh does: the schema
// <domain> if missing, then the table <product>_v<N>, which must not exist.
func LoadProduct(ctx context.Context, conn *pgx.Conn, p *catalog.Product, mem memory.Allocator) error {
	if err := loadProduct(ctx, conn, p, mem); err != nil {
		return fmt.Errorf("pgload: %s: %w", p.QualifiedName(), err)
	}
	return nil
}

func loadProduct(ctx context.Context, conn *pgx.Conn, p *catalog.Product, mem memory.Allocator) error {
	pattern := p.Source.Path
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(p.Source.BaseDir, pattern)
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("bad path %q: %w", pattern, err)
	}
	slices.Sort(files)
	if len(files) == 0 {
		return fmt.Errorf("no Parquet files match %s", pattern)
	}
	cols := make([]catalog.Column, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = *c
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{p.Domain}.Sanitize()); err != nil {
		return err
	}
	ident := pgx.Identifier{p.Domain, p.TableName()}
	if err := createTable(ctx, conn, ident, cols); err != nil {
		return err
	}
	for _, path := range files {
		if err := copyFile(ctx, conn, ident, cols, path, mem); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// copyFile copies all rows of one Parquet file into the table.
func copyFile(ctx context.Context, conn *pgx.Conn, ident pgx.Identifier, cols []catalog.Column, path string, mem memory.Allocator) (err error) {
	pf, err := file.OpenParquetFile(path, false /* memoryMap */, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, pf.Close()) }()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: batchRows}, mem)
	if err != nil {
		return err
	}
	rdr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return err
	}
	defer rdr.Release()
	_, err = copyRows(ctx, conn, ident, cols, rdr)
	return err
}

// LoadTable creates the table qualifiedName ("schema.table" or "table";
// each part is taken literally and quoted) with the given columns, then
// copies every record of rdr into it and returns nil, or the first error.
// Arrow columns are matched to columns by name; extra Arrow columns are
// ignored and a missing one is an error. The caller keeps ownership of rdr.
func LoadTable(ctx context.Context, conn *pgx.Conn, qualifiedName string, columns []catalog.Column, rdr array.RecordReader) error {
	ident := pgx.Identifier(strings.Split(qualifiedName, "."))
	if len(ident) > 2 {
		return fmt.Errorf("pgload: table name %q has more than two parts", qualifiedName)
	}
	if err := createTable(ctx, conn, ident, columns); err != nil {
		return fmt.Errorf("pgload: %s: %w", qualifiedName, err)
	}
	if _, err := copyRows(ctx, conn, ident, columns, rdr); err != nil {
		return fmt.Errorf("pgload: %s: %w", qualifiedName, err)
	}
	return nil
}

// createTable issues CREATE TABLE with the columns' PostgreSQL types.
// not_null and primary_key constraints become NOT NULL, so bad generated
// data fails loudly; unique is not enforced.
func createTable(ctx context.Context, conn *pgx.Conn, ident pgx.Identifier, cols []catalog.Column) error {
	if len(cols) == 0 {
		return errors.New("no columns")
	}
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = pgx.Identifier{c.Name}.Sanitize() + " " + c.Type.String()
		if c.NotNull() {
			defs[i] += " NOT NULL"
		}
	}
	sql := "CREATE TABLE " + ident.Sanitize() + " (\n  " + strings.Join(defs, ",\n  ") + "\n)"
	_, err := conn.Exec(ctx, sql)
	return err
}

// copyRows copies every record of rdr into the table and returns the number
// of rows copied.
func copyRows(ctx context.Context, conn *pgx.Conn, ident pgx.Identifier, cols []catalog.Column, rdr array.RecordReader) (int64, error) {
	src, err := newRecordSource(ctx, rdr, cols)
	if err != nil {
		return 0, err
	}
	defer src.release()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	n, err := conn.CopyFrom(ctx, ident, names, src)
	if err != nil {
		return n, err
	}
	return n, src.Err()
}
