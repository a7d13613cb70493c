package flightsql

import (
	"os"
	"testing"
	"time"
)

// BenchmarkFetchLineitem fetches all of lineitem over Flight SQL with
// arrow-go's client: SF0.01 from testdata/mesh-tpch, or the mesh folder
// MESHQL_TPCH_SF1_MESH names (written by meshql tpch gen --sf 1). It
// reports rows/s.
func BenchmarkFetchLineitem(b *testing.B) {
	dir := tpchMesh
	if d := os.Getenv("MESHQL_TPCH_SF1_MESH"); d != "" {
		dir = d
	}
	eng, mem := tpchEngine(b, dir)
	_, addr := startServer(b, eng, mem)
	cl, ctx, err := dial(b, addr, "analyst", "analyst")
	if err != nil {
		b.Fatal(err)
	}
	var rows int64
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		info, err := cl.Execute(ctx, "SELECT * FROM tpch.lineitem")
		if err != nil {
			b.Fatal(err)
		}
		for _, ep := range info.Endpoint {
			rdr, err := cl.DoGet(ctx, ep.Ticket)
			if err != nil {
				b.Fatal(err)
			}
			for rdr.Next() {
				rows += rdr.RecordBatch().NumRows()
			}
			if err := rdr.Err(); err != nil {
				b.Fatal(err)
			}
			rdr.Release()
		}
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
}

// BenchmarkScanLineitemInProcess is the same scan through engine.Session,
// the baseline BenchmarkFetchLineitem's wire overhead is measured against.
func BenchmarkScanLineitemInProcess(b *testing.B) {
	dir := tpchMesh
	if d := os.Getenv("MESHQL_TPCH_SF1_MESH"); d != "" {
		dir = d
	}
	eng, _ := tpchEngine(b, dir)
	sess, err := eng.NewSession("analyst", nil)
	if err != nil {
		b.Fatal(err)
	}
	var rows int64
	ctx := b.Context()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		res, err := sess.Query(ctx, "SELECT * FROM tpch.lineitem")
		if err != nil {
			b.Fatal(err)
		}
		for {
			batch, err := res.Next(ctx)
			if err != nil {
				break
			}
			rows += batch.NumRows()
			batch.Release()
		}
		res.Close()
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}
