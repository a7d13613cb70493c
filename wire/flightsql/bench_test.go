package flightsql

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/flightsql/flightdial"
	"github.com/meshql/meshql/connectors/memtable"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
)

// BenchmarkFetchLineitem fetches all of TPC-H lineitem through each front
// in the same run, so their rates compare on one machine under one load:
// Flight SQL (arrow-go's client, Arrow batches as they arrive, dialed with
// flightdial's options and with gRPC's defaults), pgwire in
// binary and in text (pgx, raw row values, no decoding on the client), the
// engine in-process (the ceiling the fronts are measured against), and a
// real PostgreSQL (internal/pgtest's) holding the same rows, streamed to
// the same pgx client in the same two formats: the rate pgwire is to match.
// The data is SF0.01 from testdata/mesh-tpch, or the mesh folder
// MESHQL_TPCH_SF1_MESH names (written by meshql tpch gen --sf 1). Loading
// the table into PostgreSQL is not timed; without PostgreSQL installed the
// postgres fronts are skipped. The source=memory runs repeat the meshql
// fronts over the table held in memory (loading it is not timed).
func BenchmarkFetchLineitem(b *testing.B) {
	dir := tpchMesh
	if d := os.Getenv("MESHQL_TPCH_SF1_MESH"); d != "" {
		dir = d
	}
	eng, mem := tpchEngine(b, dir)
	benchFronts(b, eng, mem, func(b *testing.B) { benchPostgres(b, dir) })
	// The same fronts over the same rows held in memory (connectors/
	// memtable, batches as the Parquet scan made them): with a scan that
	// costs next to nothing, each front's rate is its own ceiling, what it
	// reaches once the scan is faster.
	b.Run("source=memory", func(b *testing.B) {
		meng, mmem := memoryEngine(b, eng, dir)
		// The table (over a gigabyte) makes the heap large, and with the default
		// GOGC every client buffer is then fresh memory the kernel must
		// fault in, which cost more than all of Flight's own work and
		// which a client in a process of its own does not pay: the
		// collector runs more often instead (its marking is cheap, the
		// table is a few thousand pointer-free buffers).
		defer debug.SetGCPercent(debug.SetGCPercent(25))
		benchFronts(b, meng, mmem, nil)
	})
}

// lineitemQuery is what BenchmarkFetchLineitem fetches.
const lineitemQuery = "SELECT * FROM tpch.lineitem"

// benchFronts fetches lineitemQuery from eng through each front:
// Flight SQL, pgwire in both formats, postgres (when given) and in-process.
func benchFronts(b *testing.B, eng *engine.Engine, mem memory.Allocator, postgres func(*testing.B)) {
	_, flightAddr := startServer(b, eng, mem)
	pgAddr := startPgwire(b, eng)
	// flightsql is the client as README tells Go users to dial meshql
	// (flightdial's options); flightsql-grpc-defaults is the same client
	// with gRPC-go's defaults, as ADBC's Go driver dials unless told.
	for _, c := range []struct {
		name string
		opts []grpc.DialOption
	}{{"flightsql", flightdial.Options()}, {"flightsql-grpc-defaults", nil}} {
		b.Run("front="+c.name, func(b *testing.B) {
			cl, ctx, err := dialWith(b, flightAddr, "analyst", "analyst", c.opts...)
			if err != nil {
				b.Fatal(err)
			}
			measureRows(b, func() (int64, error) { return fetchFlight(ctx, cl, lineitemQuery) })
		})
	}
	for _, f := range pgFormats {
		b.Run("front=pgwire/format="+f.name, func(b *testing.B) {
			fetchPgx(b, "postgres://analyst:analyst@"+pgAddr+"/mesh?sslmode=disable", lineitemQuery, f.mode)
		})
	}
	if postgres != nil {
		b.Run("front=postgres", postgres)
	}
	b.Run("front=in-process", func(b *testing.B) {
		sess, err := eng.NewSession("analyst", nil)
		if err != nil {
			b.Fatal(err)
		}
		defer sess.Close()
		ctx := b.Context()
		measureRows(b, func() (int64, error) {
			var rows int64
			err := scanInProcess(ctx, sess, lineitemQuery, func(batch arrow.RecordBatch) {
				rows += batch.NumRows()
				batch.Release()
			})
			return rows, err
		})
	})
}

// fetchFlight runs query over Flight SQL and counts the rows; the
// endpoints (one per share of the scan) are fetched in parallel, as ADBC
// does.
func fetchFlight(ctx context.Context, cl *flightsql.Client, query string) (int64, error) {
	info, err := cl.Execute(ctx, query)
	if err != nil {
		return 0, err
	}
	var rows atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for _, ep := range info.Endpoint {
		g.Go(func() error {
			rdr, err := cl.DoGet(gctx, ep.Ticket)
			if err != nil {
				return err
			}
			defer rdr.Release()
			for rdr.Next() {
				rows.Add(rdr.RecordBatch().NumRows())
			}
			return rdr.Err()
		})
	}
	err = g.Wait()
	return rows.Load(), err
}

// scanInProcess runs query on sess and passes each batch to emit, which
// releases it.
func scanInProcess(ctx context.Context, sess *engine.Session, query string, emit func(arrow.RecordBatch)) error {
	res, err := sess.Query(ctx, query)
	if err != nil {
		return err
	}
	defer res.Close()
	for {
		batch, err := res.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		emit(batch)
	}
}

// memoryEngine returns an engine over the mesh in dir whose lineitem is
// held in memory: the rows parquetEng reads from dir's lineitem, in the
// batches its scan made. The table is released when b ends.
func memoryEngine(b *testing.B, parquetEng *engine.Engine, dir string) (*engine.Engine, *memory.CheckedAllocator) {
	b.Helper()
	sess, err := parquetEng.NewSession("analyst", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sess.Close()
	var batches []arrow.RecordBatch
	defer func() {
		for _, batch := range batches {
			batch.Release()
		}
	}()
	var schema *arrow.Schema
	err = scanInProcess(b.Context(), sess, lineitemQuery, func(batch arrow.RecordBatch) {
		schema = batch.Schema()
		batches = append(batches, batch)
	})
	if err != nil || schema == nil {
		b.Fatalf("reading lineitem: %v (%d batches)", err, len(batches))
	}
	tbl := memtable.New(schema, batches...)
	b.Cleanup(tbl.Release)
	mc := memtable.NewConnector()
	mc.Register("lineitem", tbl)

	// The mesh and lineitem's contract as they are, the source swapped.
	mdir := b.TempDir()
	meshYAML, err := os.ReadFile(filepath.Join(dir, "mesh.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	contract, err := os.ReadFile(filepath.Join(dir, "tpch", "lineitem_v1.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	src := regexp.MustCompile(`(?m)^source:.*$`)
	if !src.Match(contract) {
		b.Fatal("lineitem_v1.yaml has no source line")
	}
	contract = src.ReplaceAll(contract, []byte("source: {connector: memory, path: lineitem}"))
	if err := os.MkdirAll(filepath.Join(mdir, "tpch"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mdir, "mesh.yaml"), meshYAML, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mdir, "tpch", "lineitem_v1.yaml"), contract, 0o644); err != nil {
		b.Fatal(err)
	}
	mesh, err := catalog.Load(mdir, catalog.LoadOptions{DataDir: mdir})
	if err != nil {
		b.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	b.Cleanup(func() { mem.AssertSize(b, 0) })
	eng, err := engine.New(engine.Config{Mesh: mesh, Connectors: []connectors.Connector{mc}, Mem: mem, Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	return eng, mem
}

// pgFormats are the result formats the pgx fronts ask for: the extended
// protocol with binary results for every type pgx knows, and the simple
// protocol (text).
var pgFormats = []struct {
	name string
	mode pgx.QueryExecMode
}{{"binary", pgx.QueryExecModeCacheDescribe}, {"text", pgx.QueryExecModeSimpleProtocol}}

// benchPostgres loads lineitem of the mesh in dir into a fresh database of
// internal/pgtest's PostgreSQL and streams it from there as the pgwire
// fronts do.
func benchPostgres(b *testing.B, dir string) {
	p, err := loadMesh(b, dir).Resolve("tpch", "lineitem")
	if err != nil {
		b.Fatal(err)
	}
	uri := pgtest.NewDatabase(b, "fetchbench")
	ctx := b.Context()
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if err := pgload.LoadProduct(ctx, conn, p, mem); err != nil {
		b.Fatal(err)
	}
	mem.AssertSize(b, 0)
	// Set hint bits and the visibility map now, so the timed scans only read.
	if _, err := conn.Exec(ctx, "VACUUM (FREEZE, ANALYZE)"); err != nil {
		b.Fatal(err)
	}
	query := "SELECT * FROM " + pgx.Identifier{p.Domain, p.TableName()}.Sanitize()
	for _, f := range pgFormats {
		b.Run("format="+f.name, func(b *testing.B) { fetchPgx(b, uri, query, f.mode) })
	}
}

// fetchPgx measures pgx fetching every row of query over a fresh
// connection, reading raw values without decoding them.
func fetchPgx(b *testing.B, uri, query string, mode pgx.QueryExecMode) {
	ctx := b.Context()
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	measureRows(b, func() (int64, error) {
		rs, err := conn.Query(ctx, query, mode)
		if err != nil {
			return 0, err
		}
		var rows int64
		for rs.Next() {
			_ = rs.RawValues()
			rows++
		}
		return rows, rs.Err()
	})
}

// measureRows runs fetch b.N times and reports rows/s, rows/op and the
// process's CPU time (client and server together) per thousand rows: on
// a machine shared with other work, wall-clock rates swing with the load
// while CPU time per row tells how much work each front does.
func measureRows(b *testing.B, fetch func() (int64, error)) {
	// One fetch untimed first: the first through a client (and the first
	// in the process) pays heap growth and the filling of buffer pools, so
	// with -benchtime 1x the first front listed measured slower than an
	// identical one after it.
	if _, err := fetch(); err != nil {
		b.Fatal(err)
	}
	var rows int64
	b.ResetTimer()
	start, cpu0, sys0 := time.Now(), processCPU(), processSyscalls()
	for i := 0; i < b.N; i++ {
		n, err := fetch()
		if err != nil {
			b.Fatal(err)
		}
		rows += n
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
	if rows > 0 {
		b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/(float64(rows)/1000), "cpu-µs/krow")
		if sys0 >= 0 {
			b.ReportMetric(float64(processSyscalls()-sys0)/(float64(rows)/1000), "rw-syscalls/krow")
		}
	}
}

// processSyscalls is how many read and write system calls the process
// made so far (Linux's /proc/self/io, -1 elsewhere): the number of
// socket reads and writes a front needs per row does not swing with the
// load as times do.
func processSyscalls() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	var n int64
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if k != "syscr" && k != "syscw" || !ok {
			continue
		}
		c, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return -1
		}
		n += c
	}
	return n
}

// processCPU is the CPU time the process used so far (user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
