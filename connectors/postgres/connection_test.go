package postgres

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgtest"
)

// TestConnection: a product may name a postgres connection of mesh.yaml
// whose URL comes from a file and password from an environment variable
// (the test server trusts every login, so the password only has to
// reach the connection settings); source.options override it.
func TestConnection(t *testing.T) {
	uri := pgtest.NewDatabase(t, "pgconn")
	exec(t, uri, `CREATE TABLE c (id int4)`, `INSERT INTO c VALUES (1), (2)`)
	file := filepath.Join(t.TempDir(), "url")
	if err := os.WriteFile(file, []byte(uri+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MESHQL_TEST_PG_PASSWORD", "from-env")
	conn := &catalog.Connection{Name: "crm", Kind: "postgres", Options: map[string]string{"url_file": file, "password_env": "MESHQL_TEST_PG_PASSWORD"}}
	tbl := open(t, catalog.Source{Connector: "postgres", Table: "c", Connection: conn})
	if tbl.pool.cfg.Password != "from-env" {
		t.Errorf("password %q, want the one from MESHQL_TEST_PG_PASSWORD", tbl.pool.cfg.Password)
	}
	if n := tbl.Schema().NumFields(); n != 1 {
		t.Errorf("%d columns, want 1", n)
	}
	// source.options win over the connection's.
	c := New()
	defer c.Close()
	_, err := c.OpenTable(context.Background(), catalog.Source{Table: "c", Connection: conn, Options: map[string]string{"url": "postgres://127.0.0.1:1/x?connect_timeout=5"}})
	if err == nil {
		t.Error("options.url did not override the connection's url")
	}
}
