package clients

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql"
	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/demodata"
	"github.com/meshql/meshql/internal/logbuf"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/testcert"
	"github.com/meshql/meshql/wire/pgwire"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// demoScale keeps the demo data small (about 20k order lines) so that
// every client's script runs in seconds, yet large enough that streaming
// spans many fetches.
const demoScale = 0.02

// target is a server a script connects to, passed to it as MQ_*
// environment variables (host, port, database, user, password, sslmode).
type target struct {
	name                     string // "meshql" or "postgres"
	host, port, db, user, pw string
	sslmode                  string
}

func (t target) env() []string {
	return []string{"MQ_TARGET=" + t.name, "MQ_HOST=" + t.host, "MQ_PORT=" + t.port, "MQ_DB=" + t.db,
		"MQ_USER=" + t.user, "MQ_PASSWORD=" + t.pw, "MQ_SSLMODE=" + t.sslmode}
}

// fixture is the meshql server and the PostgreSQL holding the same rows.
type fixture struct {
	mesh     *catalog.Mesh
	log      *logbuf.Buffer // the meshql server's warnings
	meshql   target
	postgres target
}

// startFixture generates the demo data, serves it with meshql (TLS,
// SCRAM) on an ephemeral port and loads it into a private PostgreSQL.
func startFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	meshDir, dataDir := filepath.Join(dir, "mesh"), filepath.Join(dir, "data")
	if err := os.CopyFS(meshDir, meshql.DemoMesh()); err != nil {
		t.Fatal(err)
	}
	if _, err := demodata.Ensure(ctx, dataDir, demodata.Options{Scale: demoScale}); err != nil {
		t.Fatal(err)
	}
	mesh, err := catalog.Load(meshDir, catalog.LoadOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	serverLog := &logbuf.Buffer{}
	var logTo io.Writer = serverLog
	if testing.Verbose() {
		logTo = io.MultiWriter(serverLog, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := engine.New(engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Workers: 2, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pgwire.NewServer(pgwire.EngineBackend[*engine.Session, *engine.Statement](eng), pgwire.Config{
		TLSConfig: selfSignedTLS(t), Logger: log, Auth: pgwire.AuthSCRAM,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	t.Cleanup(func() {
		stop()
		srv.Close()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, context.Canceled) {
				t.Errorf("meshql server: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("meshql server did not stop")
		}
	})
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	f := &fixture{mesh: mesh, log: serverLog, meshql: target{name: "meshql", host: host, port: port, db: "mesh", user: "admin", pw: "admin", sslmode: "require"}}
	f.postgres = loadPostgres(t, mesh)
	return f
}

// loadPostgres copies the mesh's Parquet products into a fresh PostgreSQL
// database and returns it as a target.
func loadPostgres(t *testing.T, mesh *catalog.Mesh) target {
	t.Helper()
	ctx := t.Context()
	uri := pgtest.NewDatabase(t, "clients")
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if err := pgload.LoadMesh(ctx, conn, mesh, mem); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	return target{name: "postgres", host: u.Hostname(), port: u.Port(), db: u.Path[1:], user: u.User.Username(), pw: pw, sslmode: "disable"}
}

// selfSignedTLS is a throwaway certificate for 127.0.0.1; clients use
// sslmode=require, which encrypts without verifying it.
func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	c, _ := testcert.SelfSigned(t)
	return c
}
