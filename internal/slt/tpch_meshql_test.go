package slt

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
)

// tpchQueryTimeout bounds each statement of the TPC-H corpus on meshql, so
// that a plan that explodes fails its record instead of hanging the test
// binary (the slowest passing record takes well under a second at SF0.01;
// the margin is for -race on a loaded 2-core machine).
const tpchQueryTimeout = 2 * time.Minute

// newMeshQLConn returns a conn over admin sessions of a meshql engine over
// mesh, opened with startup as their startup parameters, reading Parquet
// with a checked allocator that must be back to zero when t ends: a query
// that leaks Arrow memory fails the test.
func newMeshQLConn(t *testing.T, mesh *catalog.Mesh, startup map[string]string) *engineConn {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	eng, err := engine.New(engine.Config{
		Mesh:       mesh,
		Connectors: []connectors.Connector{parquet.New()},
		Mem:        mem,
		// A read of an array after its release reads the poison.
		PoisonReleased: true,
		Workers:        2,
		Clock:          FixtureOptions().Now.Local,
	})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", startup)
	if err != nil {
		t.Fatal(err)
	}
	c := &engineConn{eng: eng, startup: startup, s: sess}
	t.Cleanup(func() { c.s.Close() }) // registered last, so it runs before AssertSize
	return c
}

// timeoutConn bounds each statement run on SessionConn by d.
type timeoutConn struct {
	SessionConn
	d time.Duration
}

func (c timeoutConn) Query(ctx context.Context, sql string) (*Rows, error) {
	ctx, cancel := context.WithTimeout(ctx, c.d)
	defer cancel()
	return c.SessionConn.Query(ctx, sql)
}

// TestSLTTPCHAgainstMeshQL runs the TPC-H corpus against meshql over
// testdata/mesh-tpch, in a session with search_path tpch, as
// TestSLTAgainstMeshQL runs testdata/sql.
func TestSLTTPCHAgainstMeshQL(t *testing.T) {
	mesh, err := TPCHMesh()
	if err != nil {
		t.Fatal(err)
	}
	conn := newMeshQLConn(t, mesh, map[string]string{"search_path": TPCHSchema})
	RunTPCHCorpus(t, timeoutConn{conn, tpchQueryTimeout}, EngineMeshQL)
}
