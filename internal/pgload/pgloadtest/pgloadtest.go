// Package pgloadtest gives tests a PostgreSQL database loaded with a
// mesh's rows (pgload over a pgtest database), so that their expected
// answers come from PostgreSQL. It is kept apart from pgload so that the
// meshql binary, which uses pgload for the demo, does not link testing.
package pgloadtest

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
)

// NewDatabase returns a connection to a fresh PostgreSQL database (see
// pgtest.NewDatabase) holding mesh's Parquet products, for tests that
// check meshql's answers against PostgreSQL's over the same rows. The
// connection is closed when the test ends; a failure to load fails the
// test, as does an Arrow buffer left unreleased by the load.
func NewDatabase(tb testing.TB, name string, mesh *catalog.Mesh) *pgx.Conn {
	tb.Helper()
	ctx := tb.Context()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if err := pgload.LoadMesh(ctx, conn, mesh, mem); err != nil {
		tb.Fatal(err)
	}
	mem.AssertSize(tb, 0)
	return conn
}
