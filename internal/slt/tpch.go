package slt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgtest"
)

// The TPC-H corpus: testdata/sql-tpch/*.slt, run over TPC-H at scale factor
// 0.01 (testdata/mesh-tpch, whose products read testdata/tpch/sf0.01).
// Files name the eight tables unqualified (lineitem, orders, ...): both
// engines run them with search_path tpch. Expectations come from
// PostgreSQL, as for testdata/sql:
//
//	go test ./internal/slt -run TestSLTTPCHAgainstPostgres -update

// TPCHSchema is the schema, and the mesh domain, of the TPC-H tables.
const TPCHSchema = "tpch"

// TPCHCorpusDir is the folder of the TPC-H corpus, relative to the repository root.
const TPCHCorpusDir = "testdata/sql-tpch"

// TPCHMesh loads testdata/mesh-tpch.
func TPCHMesh() (*catalog.Mesh, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	mesh, err := catalog.Load(filepath.Join(root, "testdata", "mesh-tpch"), catalog.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("slt: loading the TPC-H mesh: %w", err)
	}
	return mesh, nil
}

// TPCHCorpusFiles returns the .slt files of testdata/sql-tpch, sorted by name.
func TPCHCorpusFiles() ([]string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(root, TPCHCorpusDir, "*.slt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("slt: no .slt files in %s", TPCHCorpusDir)
	}
	return files, nil // Glob sorts
}

// RunTPCHCorpus runs every file of testdata/sql-tpch against conn as
// engine, one subtest per file, like RunCorpus. conn's sessions must
// start with search_path tpch.
func RunTPCHCorpus(t *testing.T, conn SessionConn, engine string) {
	t.Helper()
	files, err := TPCHCorpusFiles()
	if err != nil {
		t.Fatal(err)
	}
	RunFiles(t, files, conn, engine)
}

// PostgresTPCHFixture loads testdata/mesh-tpch into a fresh pgtest
// database (dropped when t ends) and returns a connection to it whose
// search_path is tpch, closed when t ends. pgload names the tables as
// meshql's products (tpch.lineitem_v1); a view per product under the
// unversioned name (tpch.lineitem) lets the corpus name them as TPC-H
// does, as meshql resolves an unversioned name to the newest version.
func PostgresTPCHFixture(t *testing.T) *PGConn {
	t.Helper()
	ctx := t.Context()
	mesh, err := TPCHMesh()
	if err != nil {
		t.Fatal(err)
	}
	uri := pgtest.NewDatabase(t, "slt_tpch")
	if err := loadPG(ctx, uri, mesh); err != nil {
		t.Fatal(err)
	}
	if err := createUnversionedViews(ctx, uri, mesh); err != nil {
		t.Fatal(err)
	}
	settings := pgSettings()
	settings["search_path"] = TPCHSchema
	return connectFixture(t, uri, settings)
}

// createUnversionedViews creates, for every product of mesh, a view named
// domain.product over the table domain.product_vN of its newest version.
func createUnversionedViews(ctx context.Context, uri string, mesh *catalog.Mesh) (err error) {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, conn.Close(context.Background())) }()
	newest := map[[2]string]*catalog.Product{}
	for _, p := range mesh.Products {
		if p.Source.Connector != "parquet" {
			continue
		}
		k := [2]string{p.Domain, p.Name}
		if q := newest[k]; q == nil || p.Version > q.Version {
			newest[k] = p
		}
	}
	for k, p := range newest {
		view := pgx.Identifier{k[0], k[1]}.Sanitize()
		table := pgx.Identifier{p.Domain, p.TableName()}.Sanitize()
		if _, err := conn.Exec(ctx, "CREATE VIEW "+view+" AS SELECT * FROM "+table); err != nil {
			return fmt.Errorf("slt: creating view %s: %w", view, err)
		}
	}
	return nil
}
