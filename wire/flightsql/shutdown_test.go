package flightsql

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestShutdownDrains starts streaming all of lineitem, shuts the server
// down mid-stream: the stream still delivers every row, Shutdown returns
// once it has, and the server then takes no new calls.
func TestShutdownDrains(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	srv, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	want := inProcess(t, eng, "analyst", "SELECT count(*) FROM tpch.lineitem")[0][0]
	info, err := cl.Execute(ctx, "SELECT * FROM tpch.lineitem")
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	if !rdr.Next() {
		t.Fatalf("no first batch: %v", rdr.Err())
	}
	rows := rdr.RecordBatch().NumRows()
	// The server is still producing (flow control holds it): the stream
	// is mid-way when the shutdown starts.
	srv.svc.mu.Lock()
	running := len(srv.svc.running)
	srv.svc.mu.Unlock()
	if running == 0 {
		t.Fatal("the query finished before the shutdown; the test needs a longer result")
	}
	shut := make(chan error, 1)
	go func() {
		grace, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shut <- srv.Shutdown(grace)
	}()
	for rdr.Next() {
		rows += rdr.RecordBatch().NumRows()
	}
	if err := rdr.Err(); err != nil {
		t.Fatalf("the stream running at shutdown failed: %v", err)
	}
	if got := strconv.FormatInt(rows, 10); got != want {
		t.Errorf("the stream running at shutdown delivered %s rows, want %s", got, want)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Shutdown did not return after the last call ended")
	}
	if _, err := cl.Execute(ctx, "SELECT 1"); err == nil {
		t.Error("a call after Shutdown succeeded")
	}
}

// TestShutdownGraceOver cancels the calls still running when the grace
// period ends.
func TestShutdownGraceOver(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	srv, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	_, errc := startLongQuery(t, srv, cl, ctx)
	grace, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(grace); err == nil {
		t.Error("Shutdown reported a clean drain although a query was still running")
	}
	select {
	case err := <-errc:
		// 57P01 as pgwire sends it, as gRPC Unavailable: the client may
		// retry on another server.
		if st, _ := status.FromError(err); err == nil || st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "57P01") {
			t.Errorf("the query running past the grace period: %v; want Unavailable with SQLSTATE 57P01", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the query running past the grace period was not canceled")
	}
}
