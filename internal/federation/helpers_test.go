package federation

import (
	"context"
	"path/filepath"
	"strings"
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
	"github.com/meshql/meshql/internal/tpch"
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

// stSession writes, in a new folder, the TPC-H mesh with a domain st
// (described as what) holding the given product descriptors (file name
// → YAML), and opens an admin session on an engine with only the
// PostgreSQL connector, over a checked allocator that must be empty when
// t ends.
func stSession(t *testing.T, what string, products map[string]string) *engine.Session {
	t.Helper()
	dir := t.TempDir()
	meshYAML := strings.Replace(readFile(t, filepath.Join(tpchMesh, "mesh.yaml")), "\ndomains:\n",
		"\ndomains:\n  st: {description: "+what+", owner: {team: t, contact: t@example.com}}\n", 1)
	writeFile(t, filepath.Join(dir, "mesh.yaml"), meshYAML)
	for name, body := range products {
		writeFile(t, filepath.Join(dir, "st", name), body)
	}
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // registered first: runs last
	pc := postgres.New()
	t.Cleanup(pc.Close)
	return newAdminSession(t, engine.Config{Mesh: mesh, Mem: mem, Workers: 2, Connectors: []connectors.Connector{pc}})
}

// matchPostgres runs q on sess and pq on conn and reports where the rows
// (as text, NULL for NULL) differ.
func matchPostgres(t *testing.T, ctx context.Context, sess *engine.Session, conn *pgx.Conn, q, pq string) {
	t.Helper()
	res, err := tpch.Run(ctx, sess, q)
	if err != nil {
		t.Errorf("%s: %v", q, err)
		return
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, strings.Join(r, "|"))
	}
	results, err := conn.PgConn().Exec(ctx, pq).ReadAll()
	if err != nil || len(results) != 1 || results[0].Err != nil {
		t.Fatalf("%s on PostgreSQL: %v %v", pq, err, results)
	}
	var want []string
	for _, r := range results[0].Rows {
		vals := make([]string, len(r))
		for i, v := range r {
			if v == nil {
				vals[i] = "NULL"
			} else {
				vals[i] = string(v)
			}
		}
		want = append(want, strings.Join(vals, "|"))
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("%s:\nmeshql\n%s\npostgres\n%s", q, g, w)
	}
}
