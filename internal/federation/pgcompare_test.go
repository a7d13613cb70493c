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
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/tpch"
)

// pgTables creates a database named name, runs stmts in it and returns a
// connection to it (closed at cleanup) and its URL.
func pgTables(t *testing.T, name string, stmts ...string) (*pgx.Conn, string) {
	t.Helper()
	ctx := context.Background()
	uri := pgtest.NewDatabase(t, name)
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	for _, sql := range stmts {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return conn, uri
}

// domainSession serves the TPC-H mesh plus one domain holding the given
// product descriptors (file name → YAML) to an admin session with the
// PostgreSQL connector, whose memory must all be given back at the end.
func domainSession(t *testing.T, domain string, products map[string]string) *engine.Session {
	t.Helper()
	dir := t.TempDir()
	meshYAML := strings.Replace(readFile(t, filepath.Join(tpchMesh, "mesh.yaml")), "\ndomains:\n",
		"\ndomains:\n  "+domain+": {description: test tables, owner: {team: t, contact: t@example.com}}\n", 1)
	writeFile(t, filepath.Join(dir, "mesh.yaml"), meshYAML)
	for name, body := range products {
		writeFile(t, filepath.Join(dir, domain, name), body)
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

// sameAsPostgres runs q on sess and pq on conn and fails the test when
// their rows, as text, differ.
func sameAsPostgres(t *testing.T, sess *engine.Session, conn *pgx.Conn, q, pq string) {
	t.Helper()
	ctx := context.Background()
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
