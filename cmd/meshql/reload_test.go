package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestServeReloadsOnSIGHUP grants marketing the signup_date column in the
// served demo mesh and sends SIGHUP: the same connection's next query
// reads the column, without a restart. Polling is off, so only the signal
// can have reloaded.
func TestServeReloadsOnSIGHUP(t *testing.T) {
	s := startServer(t, "--reload-interval", "0")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.url("marketing"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const q = "SELECT count(signup_date) > 0 FROM sales.customers_v1"
	var ok bool
	var pgErr *pgconn.PgError
	if err := conn.QueryRow(ctx, q).Scan(&ok); !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("before the reload: %v, want 42501", err)
	}
	path := filepath.Join(s.dataDir, "demo", "mesh", "sales", "customers_v1.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := []byte("signup_date: {deny: true, except: [analyst, sales]}")
	if !bytes.Contains(data, old) {
		t.Fatalf("%s has no %q", path, old)
	}
	data = bytes.Replace(data, old, []byte("signup_date: {deny: true, except: [analyst, sales, marketing]}"), 1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := conn.QueryRow(ctx, q).Scan(&ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP: %v, %v", ok, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
