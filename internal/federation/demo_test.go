package federation

import (
	"context"
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

// demoFixture is the demo mesh over demo data generated at a fixed date,
// loaded twice (all in Parquet, and a copy whose products a test moves to
// PostgreSQL), with every product's rows also in a PostgreSQL database of
// its own: the reference answers' source, and a source for the copy.
type demoFixture struct {
	now       time.Time
	onParquet *catalog.Mesh
	moved     *catalog.Mesh
	conn      *pgx.Conn
	pgURL     string
	mem       *memory.CheckedAllocator
}

// newDemoFixture builds the fixture in database db; edit, if not nil,
// changes each mesh as it is loaded. The allocator must be empty when the
// test ends.
func newDemoFixture(t *testing.T, db string, edit func(*catalog.Mesh)) *demoFixture {
	t.Helper()
	ctx := context.Background()
	f := &demoFixture{now: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
	dataDir := filepath.Join(t.TempDir(), "data")
	if err := demodata.Generate(ctx, dataDir, demodata.Options{Now: f.now, Scale: 0.01}); err != nil {
		t.Fatal(err)
	}
	load := func() *catalog.Mesh {
		m, err := catalog.Load(filepath.Join("..", "..", "testdata", "mesh"), catalog.LoadOptions{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(m)
		}
		return m
	}
	f.onParquet, f.moved = load(), load()
	f.mem = memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { f.mem.AssertSize(t, 0) })
	f.pgURL = pgtest.NewDatabase(t, db)
	conn, err := pgx.Connect(ctx, f.pgURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	f.conn = conn
	if err := pgload.LoadMesh(ctx, conn, f.onParquet, f.mem); err != nil {
		t.Fatal(err)
	}
	return f
}

// moveToPostgres makes the moved mesh read product domain.name from the
// fixture's PostgreSQL database.
func (f *demoFixture) moveToPostgres(t *testing.T, domain, name string) {
	t.Helper()
	p, ok := f.moved.Lookup(domain, name)
	if !ok {
		t.Fatalf("the demo mesh has no %s.%s", domain, name)
	}
	p.Source = catalog.Source{Connector: "postgres", Table: domain + "." + name, Options: map[string]string{"url": f.pgURL}}
}
