package flightsql

import (
	"context"
	"testing"
)

// TestAbandonedStreamReleases reads the first batch of a result of many
// batches and abandons the stream, by cancelling the call or by closing
// the connection, as a client with a plain LIMIT does: once the server
// has finished the stream, every batch of the query has been released.
// Before the server wrote results itself, arrow-go's DoGet kept the batch
// whose write failed about one time in three, so the test abandons
// several streams.
func TestAbandonedStreamReleases(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	srv, addr := startServer(t, eng, mem)
	for i := range 8 {
		cl, ctx, err := dial(t, addr, "analyst", "analyst")
		if err != nil {
			t.Fatal(err)
		}
		info, err := cl.Execute(ctx, "SELECT * FROM tpch.lineitem")
		if err != nil {
			t.Fatal(err)
		}
		getCtx, cancel := context.WithCancel(ctx)
		rdr, err := cl.DoGet(getCtx, info.Endpoint[0].Ticket)
		if err != nil {
			t.Fatal(err)
		}
		if !rdr.Next() {
			t.Fatalf("no first batch: %v", rdr.Err())
		}
		srv.svc.mu.Lock()
		running := len(srv.svc.running)
		srv.svc.mu.Unlock()
		if running == 0 {
			t.Fatal("the query finished before the client left; the test needs a longer result")
		}
		if i%2 == 0 {
			cancel()
		} else {
			cl.Close()
		}
		rdr.Release()
		cancel()
		// No stream starts meanwhile, so waiting for the running ones
		// cannot race with a new one's start.
		srv.svc.streams.Wait()
		if n := mem.CurrentAlloc(); n != 0 {
			t.Fatalf("abandoned stream %d: %d bytes still allocated after the server finished it", i, n)
		}
	}
}
