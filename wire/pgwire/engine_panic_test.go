package pgwire

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/memtable"
	"github.com/meshql/meshql/engine"
)

// boomTable is one bigint column x of four partitions, each of ten
// 100-row batches; with panicAt > 0 the readers panic before their
// panicAt-th batch, mid-query, while the operators above hold state.
type boomTable struct{ panicAt int }

var boomSchema = arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)

func (t boomTable) Schema() *arrow.Schema { return boomSchema }
func (boomTable) Stats() connectors.Stats { return connectors.Stats{} }
func (boomTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}
func (t boomTable) Partitions(context.Context, connectors.ScanRequest) ([]connectors.Partition, error) {
	return []connectors.Partition{t, t, t, t}, nil
}

func (t boomTable) Open(_ context.Context, mem memory.Allocator) (array.RecordReader, error) {
	return &boomReader{mem: mem, panicAt: t.panicAt}, nil
}

type boomReader struct {
	mem        memory.Allocator
	panicAt, n int
	cur        arrow.RecordBatch
	refs       int
}

func (r *boomReader) Retain()                        { r.refs++ }
func (r *boomReader) Release()                       { r.release() }
func (r *boomReader) Schema() *arrow.Schema          { return boomSchema }
func (r *boomReader) Record() arrow.RecordBatch      { return r.cur }
func (r *boomReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *boomReader) Err() error                     { return nil }

func (r *boomReader) release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *boomReader) Next() bool {
	r.release()
	if r.n++; r.n > 10 {
		return false
	}
	if r.n == r.panicAt {
		panic("injected in a source")
	}
	b := array.NewInt64Builder(r.mem)
	defer b.Release()
	for i := range 100 {
		b.Append(int64(r.n*100 + i))
	}
	col := b.NewArray()
	defer col.Release()
	r.cur = array.NewRecordBatch(boomSchema, []arrow.Array{col}, 100)
	return true
}

// TestEnginePanicOverWire runs queries whose source panics mid-stream
// (under an aggregate, a sort and a join, on parallel partitions) through
// the real engine over the wire: each fails with XX000, the same session
// then answers the next query, and every Arrow buffer is released.
func TestEnginePanicOverWire(t *testing.T) {
	dir := t.TempDir()
	write := func(path, body string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "mesh.yaml"), `name: boom
roles: {analyst: {}}
users: {analyst: {password: analyst, roles: [analyst]}}
domains: {ops: {owner: {team: ops, contact: ops@example.com}}}
`)
	mc := memtable.NewConnector()
	for name, tbl := range map[string]boomTable{"boom": {panicAt: 4}, "fine": {}} {
		write(filepath.Join(dir, "ops", name+"_v1.yaml"), fmt.Sprintf(`product: %s
version: 1
domain: ops
owner: {team: ops, contact: ops@example.com}
status: active
sla: {freshness: 24h, availability: 99%%, schema_stability: stable}
source: {connector: memory, path: %s}
columns:
  - {name: x, type: bigint}
policies:
  read: [analyst]
`, name, name))
		mc.Register(name, tbl)
	}
	mesh, err := catalog.Load(dir, catalog.LoadOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	eng, err := engine.New(engine.Config{Mesh: mesh, Mem: mem, Workers: 2, Connectors: []connectors.Connector{mc}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // after the server's cleanup
	_, addr := serveBackend(t, EngineBackend[*engine.Session, *engine.Statement](eng), Config{})
	conn := connect(t, addr, "analyst", "analyst")
	ctx := context.Background()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		for _, sql := range []string{
			"SELECT x % 7 AS k, count(*), sum(x) FROM ops.boom_v1 GROUP BY 1",
			"SELECT x FROM ops.boom_v1 ORDER BY x DESC",
			"SELECT count(*) FROM ops.fine_v1 f JOIN ops.boom_v1 b ON f.x = b.x",
			"SELECT x FROM ops.boom_v1",
		} {
			rows, err := conn.Query(ctx, sql, mode)
			if err == nil {
				for rows.Next() {
				}
				rows.Close()
				err = rows.Err()
			}
			if pe := pgErr(t, err); pe.Code != "XX000" || !strings.Contains(pe.Message, "injected in a source") {
				t.Errorf("%s %q: got %+v", mode, sql, pe)
			}
			var n, s int64
			if err := conn.QueryRow(ctx, "SELECT count(*), sum(x) FROM ops.fine_v1", mode).Scan(&n, &s); err != nil || n != 4000 {
				t.Fatalf("%s: the query after %q: %d, %v", mode, sql, n, err)
			}
			if got := mem.CurrentAlloc(); got != 0 {
				t.Errorf("%s %q: %d bytes of Arrow buffers still allocated after the queries", mode, sql, got)
			}
		}
	}
}
