package flightsql

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
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
		if n := drained(mem); n != 0 {
			t.Fatalf("abandoned stream %d: %d bytes still allocated after the server finished it", i, n)
		}
	}
}

// drained waits, at most 5 s, until mem holds nothing and returns what it
// still holds. The DoGet writer hands its batches' buffers to grpc
// without copies, and grpc frees those of a message it sent, or of one
// it dropped when the client left, on its transport goroutine, which may
// run a moment after the stream's handler returned.
func drained(mem *memory.CheckedAllocator) int {
	for deadline := time.Now().Add(5 * time.Second); mem.CurrentAlloc() != 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	return mem.CurrentAlloc()
}

// TestResultShapesIntact checks that the zero-copy writer transmits
// exactly the batches the engine produced, whatever their shape: batches
// sliced by OFFSET/LIMIT (whose offsets and bitmaps the IPC encoder
// rebuilds), strings with NULLs from an outer join, an empty result, and
// every row of a table of many batches. The reference is the same query
// in-process: what is checked is the transport, not the query.
func TestResultShapesIntact(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	srv, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM tpch.lineitem ORDER BY l_orderkey, l_linenumber LIMIT 1500 OFFSET 7001",
		"SELECT c_custkey, o_comment FROM tpch.customer LEFT JOIN tpch.orders ON o_custkey = c_custkey AND o_totalprice > 400000 ORDER BY c_custkey, o_comment LIMIT 2000",
		"SELECT * FROM tpch.lineitem WHERE l_orderkey < 0",
		"SELECT * FROM tpch.lineitem",
	} {
		info, err := cl.Execute(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		_, got, err := fetch(ctx, cl, info)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		want := inProcess(t, eng, "analyst", q)
		if !strings.Contains(q, "ORDER BY") {
			sortRows(got)
			sortRows(want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d rows over Flight SQL differ from the %d in-process", q, len(got), len(want))
		}
	}
	srv.svc.streams.Wait()
	if n := drained(mem); n != 0 {
		t.Errorf("%d bytes still allocated after the streams ended", n)
	}
}
