package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/memtable"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/internal/logbuf"
	"github.com/meshql/meshql/sqltypes"
)

// hookTable is a one-column source whose Schema and Partitions run test
// code: blocking until the query's context ends, or panicking.
type hookTable struct {
	schemaHook func()
	partitions func(ctx context.Context) error
	// parts, when set, answers Partitions instead of partitions.
	parts  []connectors.Partition
	typ    arrow.DataType                   // of x; nil means int64, as declared
	exact  bool                             // accept every filter exactly
	onScan func(req connectors.ScanRequest) // sees each request
}

func (t *hookTable) Schema() *arrow.Schema {
	if t.schemaHook != nil {
		t.schemaHook()
	}
	typ := t.typ
	if typ == nil {
		typ = arrow.PrimitiveTypes.Int64
	}
	return arrow.NewSchema([]arrow.Field{{Name: "x", Type: typ, Nullable: true}}, nil)
}
func (t *hookTable) Stats() connectors.Stats { return connectors.Stats{} }
func (t *hookTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	out := make([]connectors.PushSupport, len(fs))
	for i := range out {
		if t.exact {
			out[i] = connectors.Exact
		}
	}
	return out
}
func (t *hookTable) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	if t.onScan != nil {
		t.onScan(req)
	}
	if t.parts != nil {
		return t.parts, nil
	}
	if t.partitions == nil {
		return nil, nil
	}
	return nil, t.partitions(ctx)
}

// blockUntilDone is a source that never answers: it waits for the query's
// context, as a connector must.
func blockUntilDone(started chan<- struct{}) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		started <- struct{}{}
		<-ctx.Done()
		return sqltypes.AsError(ctx.Err())
	}
}

const opsMeshYAML = `name: ops
roles:
  analyst: {}
  admin: {inherits: [analyst]}
users:
  analyst: {password: analyst, roles: [analyst]}
  bob: {password: bob, roles: [analyst]}
  admin: {password: admin, roles: [admin]}
domains:
  ops: {owner: {team: ops, contact: ops@example.com}}
`

const opsProductYAML = `product: %s
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
`

// opsEngine serves a mesh of hook tables (ops.<name>_v1 for each name)
// with cfg's limits (and cfg's connector of kind memory, if it has one);
// the log goes to logBuf.
func opsEngine(t *testing.T, cfg Config, tables map[string]*hookTable) (*Engine, *memory.CheckedAllocator, *logbuf.Buffer) {
	t.Helper()
	dir := t.TempDir()
	write := func(path, body string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "mesh.yaml"), opsMeshYAML)
	mc := memtable.NewConnector()
	for name, tbl := range tables {
		write(filepath.Join(dir, "ops", name+"_v1.yaml"), fmt.Sprintf(opsProductYAML, name, name))
		mc.Register(name, tbl)
	}
	mesh, err := catalog.Load(dir, catalog.LoadOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	logs := &logbuf.Buffer{}
	cfg.Mesh, cfg.Mem, cfg.Workers = mesh, mem, 2
	if cfg.Connectors == nil {
		cfg.Connectors = []connectors.Connector{mc}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, mem, logs
}

// parquetMeshSession loads the mesh folder dir (descriptors over Parquet
// files in it) into an engine with a checked allocator, which must be
// empty again when the test ends, and returns an analyst's session.
func parquetMeshSession(t *testing.T, dir string) *Session {
	t.Helper()
	mesh, err := catalog.Load(dir, catalog.LoadOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 2, Connectors: []connectors.Connector{parquet.New()}})
	if err != nil {
		t.Fatal(err)
	}
	return session(t, e, "analyst")
}

func session(t *testing.T, e *Engine, user string) *Session {
	t.Helper()
	s, err := e.NewSession(user, map[string]string{"application_name": "test-" + user})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// runAsync runs sql on s in the background and returns its error.
func runAsync(s *Session, sql string) <-chan error {
	done := make(chan error, 1)
	go func() {
		res, err := s.Query(context.Background(), sql)
		if err == nil {
			_, err = res.Next(context.Background())
			res.Close()
		}
		done <- err
	}()
	return done
}

func wantCode(t *testing.T, err error, code string) *sqltypes.Error {
	t.Helper()
	var se *sqltypes.Error
	if !errors.As(err, &se) || se.Code != code {
		t.Fatalf("got error %v, want SQLSTATE %s", err, code)
	}
	return se
}

func waitErr(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("query did not end")
		return nil
	}
}

func TestRunningQueriesAndAdminCancel(t *testing.T) {
	started := make(chan struct{}, 1)
	e, mem, logs := opsEngine(t, Config{}, map[string]*hookTable{"slow": {partitions: blockUntilDone(started)}})
	defer mem.AssertSize(t, 0)
	analyst, bob, admin := session(t, e, "analyst"), session(t, e, "bob"), session(t, e, "admin")
	done := runAsync(analyst, "SELECT x FROM ops.slow_v1")
	<-started

	// Each user sees their own sessions; the admin sees everyone's.
	got := rows(t, e, "bob", "SELECT user_name, application_name, state FROM mesh.sessions WHERE pid = "+itoa(bob.ProcessID())+" OR pid = "+itoa(analyst.ProcessID()))
	if strings.Join(got, ",") != "bob|test-bob|idle" {
		t.Errorf("bob sees sessions %v, want only his own", got)
	}
	got = rows(t, e, "admin", "SELECT user_name, state, query FROM mesh.sessions WHERE pid = "+itoa(analyst.ProcessID()))
	if strings.Join(got, ",") != "analyst|active|SELECT x FROM ops.slow_v1" {
		t.Errorf("admin sees analyst's session as %v", got)
	}
	if got := rows(t, e, "bob", "SELECT count(*) FROM mesh.running_queries WHERE user_name <> 'bob'"); got[0] != "0" {
		t.Errorf("bob sees %s running queries of others, want 0", got[0])
	}
	// A prepared statement sees the present at each execution.
	watch, err := admin.Prepare(context.Background(), "SELECT count(*) FROM mesh.running_queries WHERE user_name = 'analyst'")
	if err != nil {
		t.Fatal(err)
	}
	got = rows(t, e, "admin", "SELECT query_id, user_name, query FROM mesh.running_queries WHERE user_name = 'analyst'")
	if len(got) != 1 || !strings.HasSuffix(got[0], "|analyst|SELECT x FROM ops.slow_v1") {
		t.Fatalf("admin sees running queries %v", got)
	}
	id, _, _ := strings.Cut(got[0], "|")

	// Only an administrator may cancel.
	_, err = queryErr(t, e, "bob", "SELECT meshql_cancel("+id+")")
	wantCode(t, err, sqltypes.CodeInsufficientPrivilege)
	select {
	case err := <-done:
		t.Fatalf("a refused meshql_cancel ended the query: %v", err)
	default:
	}
	if got := rows(t, e, "admin", "SELECT meshql_cancel("+id+")"); got[0] != "t" {
		t.Errorf("meshql_cancel(%s) = %s, want t", id, got[0])
	}
	wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled)
	if got := execRows(t, watch[0]); got[0] != "0" {
		t.Errorf("the prepared count of running queries after the cancel: %v, want 0", got)
	}
	if got := rows(t, e, "admin", "SELECT meshql_cancel("+id+")"); got[0] != "f" {
		t.Errorf("meshql_cancel of a finished query = %s, want f", got[0])
	}
	// The prepared form cancels at each execution, with a parameter.
	st, err := admin.Prepare(context.Background(), "SELECT meshql_cancel($1)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		done = runAsync(analyst, "SELECT x FROM ops.slow_v1")
		<-started
		got := rows(t, e, "admin", "SELECT query_id FROM mesh.running_queries WHERE user_name = 'analyst'")
		res, err := st[0].Execute(context.Background(), []sqltypes.Datum{mustInt(t, got[0])})
		if err != nil {
			t.Fatal(err)
		}
		res.Close()
		wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled)
	}
	// Per row of mesh.running_queries: each query the rows name.
	done = runAsync(analyst, "SELECT x FROM ops.slow_v1")
	<-started
	_, err = queryErr(t, e, "bob", "SELECT meshql_cancel(query_id) FROM mesh.running_queries")
	wantCode(t, err, sqltypes.CodeInsufficientPrivilege)
	if got := rows(t, e, "admin", "SELECT meshql_cancel(query_id) FROM mesh.running_queries WHERE user_name = 'analyst'"); strings.Join(got, ",") != "t" {
		t.Errorf("meshql_cancel per row = %v, want t", got)
	}
	wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled)
	// The per-query log line carries the id.
	if !strings.Contains(logs.String(), "query_id="+id+" ") {
		t.Errorf("no log line with query_id=%s in:\n%s", id, logs)
	}
}

func TestMaxQueriesPerUser(t *testing.T) {
	started := make(chan struct{}, 1)
	e, mem, _ := opsEngine(t, Config{MaxQueriesPerUser: 1}, map[string]*hookTable{"slow": {partitions: blockUntilDone(started)}})
	defer mem.AssertSize(t, 0)
	a1, a2, admin := session(t, e, "analyst"), session(t, e, "analyst"), session(t, e, "admin")
	done := runAsync(a1, "SELECT x FROM ops.slow_v1")
	<-started
	// A second query of the same user fails at once; other users run.
	_, err := a2.Query(context.Background(), "SELECT 1")
	se := wantCode(t, err, codeConfigurationLimitExceeded)
	if !strings.Contains(se.Detail, "max_queries_per_user") {
		t.Errorf("the error does not name the limit: %+v", se)
	}
	if got := rows(t, e, "bob", "SELECT 1"); got[0] != "1" {
		t.Errorf("another user's query: %v", got)
	}
	_ = admin
	id := rows(t, e, "admin", "SELECT query_id FROM mesh.running_queries")[0]
	rows(t, e, "admin", "SELECT meshql_cancel("+id+")")
	wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled)
	// The slot is free again.
	if got, err := queryErr(t, e, "analyst", "SELECT 2"); err != nil || got[0] != "2" {
		t.Errorf("after the first query ended: %v, %v", got, err)
	}
}

func TestStatementTimeoutDefaultFromConfig(t *testing.T) {
	started := make(chan struct{}, 1)
	e, mem, _ := opsEngine(t, Config{StatementTimeout: 50 * time.Millisecond}, map[string]*hookTable{"slow": {partitions: blockUntilDone(started)}})
	defer mem.AssertSize(t, 0)
	if got := rows(t, e, "analyst", "SHOW statement_timeout"); got[0] != "50" {
		t.Errorf("statement_timeout = %v, want the configured 50 (ms)", got)
	}
	s := session(t, e, "analyst")
	err := waitErr(t, runAsync(s, "SELECT x FROM ops.slow_v1"))
	se := wantCode(t, err, sqltypes.CodeQueryCanceled)
	if !strings.Contains(se.Msg, "statement timeout") {
		t.Errorf("message %q does not name the statement timeout", se.Msg)
	}
	// A session may still turn it off; RESET returns to the configured value.
	if _, err := s.Query(context.Background(), "SET statement_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Query(context.Background(), "RESET statement_timeout"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Setting("statement_timeout"); v != "50" {
		t.Errorf("after RESET statement_timeout = %q, want 50", v)
	}
	<-started
}

func TestPanicInOneQueryFailsOnlyThatQuery(t *testing.T) {
	e, mem, logs := opsEngine(t, Config{}, map[string]*hookTable{
		"bind":  {schemaHook: func() { panic("injected at bind") }},
		"start": {partitions: func(context.Context) error { panic("injected at scan") }},
	})
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct{ table, panic string }{{"bind", "injected at bind"}, {"start", "injected at scan"}} {
		_, err := queryErr(t, e, "analyst", "SELECT x FROM ops."+tc.table+"_v1")
		se := wantCode(t, err, sqltypes.CodeInternal)
		if !strings.Contains(se.Msg, tc.panic) {
			t.Errorf("%s: message %q does not carry the panic", tc.table, se.Msg)
		}
	}
	if !strings.Contains(logs.String(), "injected at bind") || !strings.Contains(logs.String(), "goroutine ") {
		t.Errorf("the panic's stack was not logged:\n%s", logs)
	}
	// The engine keeps serving, and nothing is left running.
	if got, err := queryErr(t, e, "analyst", "SELECT 40 + 2"); err != nil || got[0] != "42" {
		t.Errorf("after the panics: %v, %v", got, err)
	}
	if got := rows(t, e, "admin", "SELECT query FROM mesh.running_queries"); len(got) != 1 || !strings.Contains(got[0], "mesh.running_queries") {
		t.Errorf("running queries after the panics: %v", got)
	}
}

// panicPartition streams two one-row batches (x = 1, 2) through a reader
// that panics where the test says: in Next after the first batch, or in
// Release (the scan's Close).
type panicPartition struct{ inNext, inRelease bool }

func (p panicPartition) Open(_ context.Context, mem memory.Allocator) (array.RecordReader, error) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	var batches []arrow.RecordBatch
	for _, v := range []int64{1, 2} {
		b := array.NewInt64Builder(mem)
		b.Append(v)
		col := b.NewArray()
		b.Release()
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{col}, 1))
		col.Release()
	}
	rdr, err := array.NewRecordReader(schema, batches)
	for _, b := range batches {
		b.Release()
	}
	return &panicReader{RecordReader: rdr, p: p}, err
}

type panicReader struct {
	array.RecordReader
	p    panicPartition
	read int
}

func (r *panicReader) Next() bool {
	if r.p.inNext && r.read == 1 {
		panic("injected in Next")
	}
	r.read++
	return r.RecordReader.Next()
}

func (r *panicReader) Release() {
	r.RecordReader.Release() // first, so that the test's allocator balances
	if r.p.inRelease {
		panic("injected in Release")
	}
}

// TestPanicWhileStreaming checks that a panic after the query has started
// returning rows, on the query's own goroutine (one partition: no
// parallel gather whose workers recover on their own), fails that query
// with XX000 and a logged stack, and nothing else.
func TestPanicWhileStreaming(t *testing.T) {
	e, mem, logs := opsEngine(t, Config{}, map[string]*hookTable{
		"next":  {parts: []connectors.Partition{panicPartition{inNext: true}}},
		"close": {parts: []connectors.Partition{panicPartition{inRelease: true}}},
	})
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	defer s.Close()
	ctx := context.Background()

	res, err := s.Query(ctx, "SELECT x * 10 AS y FROM ops.next_v1 WHERE x > 0")
	if err != nil {
		t.Fatal(err)
	}
	b, err := res.Next(ctx)
	if err != nil {
		t.Fatalf("first batch: %v", err)
	}
	if got := b.Column(0).(*array.Int64).Value(0); got != 10 {
		t.Errorf("first row %d, want 10", got)
	}
	b.Release()
	_, err = res.Next(ctx)
	if se := wantCode(t, err, sqltypes.CodeInternal); !strings.Contains(se.Msg, "injected in Next") {
		t.Errorf("message %q does not carry the panic", se.Msg)
	}
	if err := res.Close(); err != nil {
		t.Errorf("Close after the panic: %v", err)
	}

	// LIMIT 1 leaves the reader to the scan's Close; without it the scan
	// releases the drained reader in Next.
	res, err = s.Query(ctx, "SELECT x FROM ops.close_v1 LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	b, err = res.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	if _, err := res.Next(ctx); err != io.EOF {
		t.Fatalf("after LIMIT 1: %v", err)
	}
	if se := wantCode(t, res.Close(), sqltypes.CodeInternal); !strings.Contains(se.Msg, "injected in Release") {
		t.Errorf("message %q does not carry the panic", se.Msg)
	}
	_, err = queryErr(t, e, "analyst", "SELECT x FROM ops.close_v1")
	wantCode(t, err, sqltypes.CodeInternal)

	for _, p := range []string{"injected in Next", "injected in Release"} {
		if !strings.Contains(logs.String(), p) {
			t.Errorf("the panic %q was not logged:\n%s", p, logs)
		}
	}
	if !strings.Contains(logs.String(), "goroutine ") {
		t.Errorf("no stack in the log:\n%s", logs)
	}
	// The engine keeps serving; the three queries count as XX000.
	if got, err := queryErr(t, e, "analyst", "SELECT 40 + 2"); err != nil || got[0] != "42" {
		t.Errorf("after the panics: %v, %v", got, err)
	}
	var m strings.Builder
	e.WriteMetrics(&m)
	if !strings.Contains(m.String(), `meshql_queries_total{sqlstate="XX000"} 3`) {
		t.Errorf("metrics do not count the three failed queries:\n%s", m.String())
	}
	if got := rows(t, e, "admin", "SELECT query FROM mesh.running_queries"); len(got) != 1 {
		t.Errorf("running queries after the panics: %v", got)
	}
}

func itoa(n int32) string { return sqltypes.FormatValue(sqltypes.TypeInt4, n) }

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not an id: %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// execRows executes a prepared statement and renders its rows.
func execRows(t *testing.T, st *Statement) []string {
	t.Helper()
	res, err := st.Execute(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var out []string
	for {
		b, err := res.Next(context.Background())
		if err != nil {
			return out
		}
		for r := 0; r < int(b.NumRows()); r++ {
			out = append(out, sqltypes.FormatValue(res.Columns[0].Type, expr.DatumAt(b.Column(0), res.Columns[0].Type, r)))
		}
		b.Release()
	}
}

// TestMetricsPerSourceAndMemory reads a product of two one-row int64
// batches twice: the source counters add 2 rows and 2×9 bytes (a validity
// byte and a value each) per query, the log line names the product, and
// the query memory in use returns to 0 under the configured total.
func TestMetricsPerSourceAndMemory(t *testing.T) {
	e, mem, logs := opsEngine(t, Config{QueryMemoryTotal: 64 << 20}, map[string]*hookTable{
		"two": {parts: []connectors.Partition{panicPartition{}}},
	})
	defer mem.AssertSize(t, 0)
	for range 2 {
		if got, err := queryErr(t, e, "analyst", "SELECT sum(x) FROM ops.two_v1"); err != nil || got[0] != "3" {
			t.Fatalf("sum: %v, %v", got, err)
		}
	}
	var m strings.Builder
	e.WriteMetrics(&m)
	for _, want := range []string{
		`meshql_source_rows_read_total{product="ops.two_v1",connector="memory"} 4`,
		`meshql_source_bytes_read_total{product="ops.two_v1",connector="memory"} 36`,
		"meshql_query_memory_bytes 0\n",
		"meshql_query_memory_limit_bytes 67108864\n",
	} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, m.String())
		}
	}
	if !strings.Contains(logs.String(), "products=[ops.two_v1]") {
		t.Errorf("the query log line does not name the product:\n%s", logs)
	}
}

// writeParquetFile writes rec as the Parquet file path, creating its
// folder.
func writeParquetFile(t *testing.T, path string, rec arrow.RecordBatch) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
