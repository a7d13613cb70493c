package flightsql

import (
	"context"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
)

// BenchmarkFetchLineitem fetches all of TPC-H lineitem through each front
// in the same run, so their rates compare on one machine under one load:
// Flight SQL (arrow-go's client, Arrow batches as they arrive), pgwire in
// binary and in text (pgx, raw row values, no decoding on the client), the
// engine in-process (the ceiling the fronts are measured against), and a
// real PostgreSQL (internal/pgtest's) holding the same rows, streamed to
// the same pgx client in the same two formats: the rate pgwire is to match.
// The data is SF0.01 from testdata/mesh-tpch, or the mesh folder
// MESHQL_TPCH_SF1_MESH names (written by meshql tpch gen --sf 1). Loading
// the table into PostgreSQL is not timed; without PostgreSQL installed the
// postgres fronts are skipped.
func BenchmarkFetchLineitem(b *testing.B) {
	dir := tpchMesh
	if d := os.Getenv("MESHQL_TPCH_SF1_MESH"); d != "" {
		dir = d
	}
	const query = "SELECT * FROM tpch.lineitem"
	eng, mem := tpchEngine(b, dir)
	_, flightAddr := startServer(b, eng, mem)
	pgAddr := startPgwire(b, eng)

	b.Run("front=flightsql", func(b *testing.B) {
		cl, ctx, err := dial(b, flightAddr, "analyst", "analyst")
		if err != nil {
			b.Fatal(err)
		}
		measureRows(b, func() (int64, error) {
			info, err := cl.Execute(ctx, query)
			if err != nil {
				return 0, err
			}
			// The endpoints (one per share of the scan) are fetched in
			// parallel, as ADBC does.
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
		})
	})
	for _, f := range pgFormats {
		b.Run("front=pgwire/format="+f.name, func(b *testing.B) {
			fetchPgx(b, "postgres://analyst:analyst@"+pgAddr+"/mesh?sslmode=disable", query, f.mode)
		})
	}
	b.Run("front=postgres", func(b *testing.B) { benchPostgres(b, dir) })
	b.Run("front=in-process", func(b *testing.B) {
		sess, err := eng.NewSession("analyst", nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx := b.Context()
		measureRows(b, func() (int64, error) {
			res, err := sess.Query(ctx, query)
			if err != nil {
				return 0, err
			}
			defer res.Close()
			var rows int64
			for {
				batch, err := res.Next(ctx)
				if err == io.EOF {
					return rows, nil
				}
				if err != nil {
					return rows, err
				}
				rows += batch.NumRows()
				batch.Release()
			}
		})
	})
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
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := mesh.Resolve("tpch", "lineitem")
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
	var rows int64
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
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
	}
}

// processCPU is the CPU time the process used so far (user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
