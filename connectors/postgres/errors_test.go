package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/sqltypes"
)

// activeCount counts running statements containing marker.
func activeCount(t *testing.T, uri, marker string) int {
	t.Helper()
	ctx := context.Background()
	c := connect(t, uri)
	defer c.Close(ctx)
	var n int
	err := c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'`, marker).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func waitActive(t *testing.T, uri, marker string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for activeCount(t, uri, marker) != want {
		if time.Now().After(deadline) {
			t.Fatalf("pg_stat_activity: %q never reached %d active statements", marker, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCancelStopsRemoteQuery(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	uri := pgtest.NewDatabase(t, "pgcancel")
	// One connection: the query after the cancel must reuse the one the
	// canceled query ran on, so a poisoned connection would fail it.
	tbl := open(t, catalog.Source{Query: "SELECT pg_sleep(60)::text AS zzz_sleep_marker", Options: map[string]string{"url": uri, "max_conns": "1"}})
	parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}

	// Context cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		rr, err := parts[0].Open(ctx, mem)
		if err != nil {
			done <- err
			return
		}
		defer rr.Release()
		for rr.Next() {
		}
		done <- rr.Err()
	}()
	waitActive(t, uri, "zzz_sleep_marker", 1)
	cancel()
	select {
	case err := <-done:
		if sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
			t.Errorf("error %v (%s), want 57014", err, sqltypes.Code(err))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("scan did not stop after cancellation")
	}
	waitActive(t, uri, "zzz_sleep_marker", 0)
	checkReused(t, tbl)

	// Releasing a reader early cancels the remote query instead of draining it.
	tbl = open(t, catalog.Source{Query: "SELECT CASE WHEN g < 1000 THEN repeat('x', 1000) ELSE pg_sleep(60)::text END AS zzz_sleep_marker FROM generate_series(1, 1002) g",
		Options: map[string]string{"url": uri, "batch_size": "1", "max_conns": "1"}})
	if parts, err = tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0}, Limit: -1}); err != nil {
		t.Fatal(err)
	}
	rr, err := parts[0].Open(context.Background(), mem)
	if err != nil {
		t.Fatal(err)
	}
	// The server flushes rows when its 8kB output buffer fills: the big
	// first row arrives while the second still sleeps.
	if !rr.Next() {
		rr.Release()
		t.Fatalf("no first row: %v", rr.Err())
	}
	waitActive(t, uri, "zzz_sleep_marker", 1)
	start := time.Now()
	rr.Release()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("release took %s", d)
	}
	waitActive(t, uri, "zzz_sleep_marker", 0)
	checkReused(t, tbl)
}

// checkReused runs a query on tbl's pool of one connection after a
// canceled one and checks that it succeeds on the same connection:
// canceling must leave the pooled connection usable, not closed.
func checkReused(t *testing.T, tbl *Table) {
	t.Helper()
	if n := tbl.pool.Config().MaxConns; n != 1 {
		t.Fatalf("max_conns=1 gave a pool of %d", n)
	}
	before := tbl.pool.Stat().NewConnsCount()
	var one int
	if err := tbl.pool.queryRow(context.Background(), "SELECT 1", nil, &one); err != nil || one != 1 {
		t.Fatalf("query after cancel: %d, %v", one, err)
	}
	if st := tbl.pool.Stat(); st.NewConnsCount() != before || st.TotalConns() != 1 {
		t.Errorf("the canceled query's connection was replaced: %d connections opened, was %d", st.NewConnsCount(), before)
	}
}

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	c := New()
	defer c.Close()

	_, err := c.OpenTable(ctx, catalog.Source{Table: "t", Options: map[string]string{"url": "postgres://meshuser:s3cretpw@127.0.0.1:1/db?connect_timeout=5"}})
	if code := sqltypes.Code(err); code != "08001" || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("connection refused: %v (%s)", err, code)
	}

	uri := pgtest.NewDatabase(t, "pgerr")
	_, err = c.OpenTable(ctx, catalog.Source{Table: "public.missing", Options: map[string]string{"url": uri}})
	if code := sqltypes.Code(err); code != sqltypes.CodeFDWTableNotFound {
		t.Errorf("missing table: %v (%s)", err, code)
	}
	for _, src := range []catalog.Source{
		{Table: "t"},
		{Table: "t", Query: "SELECT 1", Options: map[string]string{"url": uri}},
		{Table: "t", Options: map[string]string{"url_env": "MESHQL_TEST_UNSET_VARIABLE"}},
		{Table: `"unterminated`, Options: map[string]string{"url": uri}},
		{Table: "t", Options: map[string]string{"url": uri, "partitions": "x"}},
		{Table: "t", Options: map[string]string{"url": uri, "max_conns": "0"}},
		{Table: "t", Options: map[string]string{"url": uri, "max_conn_idle_time": "soon"}},
		{Table: "t", Options: map[string]string{"url": uri, "password_env": "MESHQL_TEST_UNSET_VARIABLE"}},
		{Table: "t", Connection: &catalog.Connection{Name: "lake", Kind: "s3", Options: map[string]string{"url": uri}}},
	} {
		if _, err := c.OpenTable(ctx, src); sqltypes.Code(err) != sqltypes.CodeFDWError {
			t.Errorf("%+v: %v (%s), want HV000", src, err, sqltypes.Code(err))
		}
	}

	// url_env, and a remote error passed through with its SQLSTATE.
	t.Setenv("MESHQL_TEST_PG_SOURCE", uri)
	tbl, err := c.OpenTable(ctx, catalog.Source{Query: "SELECT 1/(g - 3) AS x FROM generate_series(1, 5) g", Options: map[string]string{"url_env": "MESHQL_TEST_PG_SOURCE"}})
	if err != nil {
		t.Fatal(err)
	}
	parts, err := tbl.Partitions(ctx, connectors.ScanRequest{Columns: []int{0}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := parts[0].Open(ctx, mem)
	if err == nil {
		for rr.Next() {
		}
		err = rr.Err()
		rr.Release()
	}
	var se *sqltypes.Error
	if !errors.As(err, &se) || se.Code != sqltypes.CodeDivisionByZero {
		t.Errorf("division by zero: %v (%s)", err, sqltypes.Code(err))
	}
}
