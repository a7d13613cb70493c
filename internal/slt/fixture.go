package slt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/demodata"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
)

// FixtureOptions returns the demo-data settings every .slt file is written
// against: scale 0.01, the default seed, and a fixed "now" of 2026-01-15
// UTC, so results never depend on the day the tests run. .slt files must
// use literal dates, never current_date.
func FixtureOptions() demodata.Options {
	return demodata.Options{Now: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Scale: 0.01}
}

// GenerateFixture writes the fixture data into dataDir (which must be
// absent or empty) and returns the demo mesh, testdata/mesh, loaded over it.
func GenerateFixture(ctx context.Context, dataDir string) (*catalog.Mesh, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	if err := demodata.Generate(ctx, dataDir, FixtureOptions()); err != nil {
		return nil, fmt.Errorf("slt: generating fixture data: %w", err)
	}
	mesh, err := catalog.Load(filepath.Join(root, "testdata", "mesh"), catalog.LoadOptions{DataDir: dataDir})
	if err != nil {
		return nil, fmt.Errorf("slt: loading the demo mesh: %w", err)
	}
	return mesh, nil
}

// PostgresFixture generates the fixture data into a temporary directory,
// loads it into a fresh pgtest database (dropped when t ends) and returns
// a connection to that database, closed when t ends. Use it once per test
// process: each call generates and loads everything again.
func PostgresFixture(t *testing.T) *PGConn {
	t.Helper()
	ctx := t.Context()
	mesh, err := GenerateFixture(ctx, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	uri := pgtest.NewDatabase(t, "slt")
	if err := loadPG(ctx, uri, mesh); err != nil {
		t.Fatal(err)
	}
	return connectFixture(t, uri, pgSettings())
}

// pgSettings returns the settings PostgreSQL's text output depends on,
// fixed in case MESHQL_TEST_PG_URI names a server with other defaults.
func pgSettings() map[string]string {
	return map[string]string{
		"TimeZone": "UTC", "DateStyle": "ISO, MDY", "IntervalStyle": "postgres", "extra_float_digits": "1",
	}
}

// connectFixture connects to uri with settings as the session defaults;
// the connection is closed when t ends.
func connectFixture(t *testing.T, uri string, settings map[string]string) *PGConn {
	t.Helper()
	conn, err := ConnectPG(t.Context(), uri, settings)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// loadPG copies mesh's Parquet products into the database at uri.
func loadPG(ctx context.Context, uri string, mesh *catalog.Mesh) (err error) {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, conn.Close(context.Background())) }()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if err := pgload.LoadMesh(ctx, conn, mesh, mem); err != nil {
		return err
	}
	if n := mem.CurrentAlloc(); n != 0 {
		return fmt.Errorf("slt: pgload leaked %d bytes of Arrow memory", n)
	}
	_, err = conn.Exec(ctx, "ANALYZE")
	return err
}
