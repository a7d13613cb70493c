package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/wire/pgwire"
)

// TestPasswdVerifierAuthenticates prints a verifier with meshql passwd,
// stores it as analyst's password in a copy of the demo mesh, and logs in
// through the PostgreSQL protocol (SCRAM-SHA-256, pgx) and the engine's
// plain-password check (Flight SQL's basic auth).
func TestPasswdVerifierAuthenticates(t *testing.T) {
	const password = "correct horse battery"
	var out, errOut bytes.Buffer
	if err := runPasswd([]string{"--password-stdin"}, strings.NewReader(password+"\n"), &out, &errOut); err != nil {
		t.Fatalf("passwd: %v %s", err, errOut.String())
	}
	verifier := strings.TrimSpace(out.String())
	if !strings.HasPrefix(verifier, "SCRAM-SHA-256$4096:") || strings.Contains(verifier, password) {
		t.Fatalf("not a verifier: %q", verifier)
	}
	var entry bytes.Buffer
	if err := runPasswd([]string{"--password-stdin", "--user", "ann"}, strings.NewReader(password), &entry, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(entry.String(), "ann:\n  password: \"SCRAM-SHA-256$4096:") {
		t.Errorf("--user entry: %q", entry.String())
	}

	dir := filepath.Join(t.TempDir(), "mesh")
	if err := os.CopyFS(dir, os.DirFS("../../testdata/mesh")); err != nil {
		t.Fatal(err)
	}
	meshYAML := filepath.Join(dir, "mesh.yaml")
	data, _ := os.ReadFile(meshYAML)
	const plain = "password: analyst # demo only: real meshes store a SCRAM-SHA-256 verifier"
	if !bytes.Contains(data, []byte(plain)) {
		t.Fatalf("mesh.yaml changed: no %q", plain)
	}
	data = bytes.Replace(data, []byte(plain), []byte(`password: "`+verifier+`"`), 1)
	if err := os.WriteFile(meshYAML, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mesh, err := catalog.Load(dir, catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Mesh: mesh})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pgwire.NewServer(pgwire.EngineBackend[*engine.Session, *engine.Statement](eng), pgwire.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	defer func() { srv.Close(); <-done }()

	ctx := context.Background()
	url := "postgres://analyst:" + strings.ReplaceAll(password, " ", "%20") + "@" + ln.Addr().String() + "/mesh?sslmode=disable"
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("login with the verifier's password: %v", err)
	}
	var user string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&user); err != nil || user != "analyst" {
		t.Errorf("current_user = %q, %v", user, err)
	}
	conn.Close(ctx)

	_, err = pgx.Connect(ctx, "postgres://analyst:analyst@"+ln.Addr().String()+"/mesh?sslmode=disable")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Errorf("the old plain password still logs in, or fails oddly: %v", err)
	}
	if err := eng.Authenticate(ctx, "analyst", password); err != nil {
		t.Errorf("Authenticate with the password: %v", err)
	}
	if err := eng.Authenticate(ctx, "analyst", verifier); err == nil {
		t.Errorf("the verifier itself is accepted as a password")
	}
}
