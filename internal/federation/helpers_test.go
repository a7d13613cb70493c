package federation

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/flightsql"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
)

// remotes are the sources the tests federate besides files: the TPC-H
// tables loaded into a fresh PostgreSQL database (its URL in
// MESHQL_FED_PG_URL) and a second meshql node serving the plain TPC-H mesh
// over Flight SQL (admin's password in MESHQL_FED_FLIGHT_PW).
type remotes struct {
	mem        *memory.CheckedAllocator // must be empty when the test ends
	flightAddr string
}

func startRemotes(t *testing.T) *remotes {
	t.Helper()
	ctx := context.Background()
	base, err := catalog.Load(tpchMesh, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // registered first: runs last
	pgURL := pgtest.NewDatabase(t, "federation")
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgload.LoadMesh(ctx, conn, base, mem); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Setenv("MESHQL_FED_PG_URL", pgURL)
	node, err := engine.New(engine.Config{Mesh: base, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MESHQL_FED_FLIGHT_PW", "admin")
	return &remotes{mem: mem, flightAddr: serveFlight(t, node, mem)}
}

// adminSession loads the mesh in dir and opens an admin session on an
// engine with the Parquet, PostgreSQL and Flight SQL connectors; the
// session closes when t ends.
func (r *remotes) adminSession(t *testing.T, dir string) *engine.Session {
	t.Helper()
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return newAdminSession(t, engine.Config{Mesh: mesh, Mem: r.mem, Workers: 2,
		Connectors: []connectors.Connector{parquet.New(), postgres.New(), flightsql.New()}})
}

// newAdminSession opens an admin session on a new engine configured by
// cfg; the session closes when t ends.
func newAdminSession(t *testing.T, cfg engine.Config) *engine.Session {
	t.Helper()
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	return sess
}
