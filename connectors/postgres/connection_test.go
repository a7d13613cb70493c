package postgres

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgtest"
)

// TestConnection: a product may name a postgres connection of mesh.yaml
// whose URL comes from a file and password from an environment variable
// (the test server trusts every login, so the password only has to
// reach the connection settings) and pool settings from the connection;
// source.options override it.
func TestConnection(t *testing.T) {
	uri := pgtest.NewDatabase(t, "pgconn")
	exec(t, uri, `CREATE TABLE c (id int4)`, `INSERT INTO c VALUES (1), (2)`)
	file := filepath.Join(t.TempDir(), "url")
	if err := os.WriteFile(file, []byte(uri+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MESHQL_TEST_PG_PASSWORD", "from-env")
	conn := &catalog.Connection{Name: "crm", Kind: "postgres", Options: map[string]string{"url_file": file, "password_env": "MESHQL_TEST_PG_PASSWORD",
		"max_conns": "3", "max_conn_idle_time": "90s"}}
	tbl := open(t, catalog.Source{Connector: "postgres", Table: "c", Connection: conn})
	if tbl.pool.Config().ConnConfig.Password != "from-env" {
		t.Errorf("password %q, want the one from MESHQL_TEST_PG_PASSWORD", tbl.pool.Config().ConnConfig.Password)
	}
	if cfg := tbl.pool.Config(); cfg.MaxConns != 3 || cfg.MaxConnIdleTime != 90*time.Second {
		t.Errorf("pool max_conns %d, max_conn_idle_time %s; want the connection's 3 and 90s", cfg.MaxConns, cfg.MaxConnIdleTime)
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
