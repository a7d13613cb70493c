package federation

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
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/objstore/s3test"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/tpch"
)

// TestS3HivePartitions queries a product whose Parquet files sit in
// dt=YYYY-MM-DD folders on an S3 server: the folder key is a date column,
// a filter on it reads one file of three (EXPLAIN says so), and the
// answers are the ones the generated rows imply: day d holds ids d*100+k
// and amounts k for k in [0, 50).
func TestS3HivePartitions(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for d := 1; d <= 3; d++ {
		key := fmt.Sprintf("events/dt=2026-11-%02d/part-0.parquet", d)
		local := filepath.Join(dir, filepath.FromSlash(key))
		writeDay(t, local, d)
		files[key] = local
	}
	s3 := s3test.Start(t, "lake", files)
	t.Setenv("MESHQL_HIVE_S3_SECRET", "secret")
	mesh := readFile(t, filepath.Join(tpchMesh, "mesh.yaml")) + `
connections:
  lake: {kind: s3, endpoint: "` + s3.URL + `", region: us-east-1, path_style: "true", access_key_id: meshql, secret_access_key_env: MESHQL_HIVE_S3_SECRET}
`
	writeFile(t, filepath.Join(dir, "mesh", "mesh.yaml"), mesh)
	writeFile(t, filepath.Join(dir, "mesh", "tpch", "events_v1.yaml"), `product: events
version: 1
domain: tpch
owner: {team: t, contact: t@example.com}
status: active
description: Events by day.
sla: {freshness: 24h, availability: 99%}
source: {connector: parquet, path: "s3://lake/events/", connection: lake}
columns:
  - {name: id, type: bigint, description: Id}
  - {name: amount, type: bigint, description: Amount}
  - {name: dt, type: date, description: Day folder}
policies:
  read: [analyst]
`)
	m, err := catalog.Load(filepath.Join(dir, "mesh"), catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	eng, err := engine.New(engine.Config{Mesh: m, Mem: mem, Workers: 2, Connectors: []connectors.Connector{parquet.New()}})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	ctx := context.Background()
	for sql, want := range map[string]string{
		"SELECT count(*), sum(amount), min(id) FROM tpch.events_v1 WHERE dt = DATE '2026-11-02'":            "50 1225 200",
		"SELECT dt, count(*), max(id) FROM tpch.events_v1 WHERE dt >= '2026-11-02' GROUP BY dt ORDER BY dt": "2026-11-02 50 249|2026-11-03 50 349",
		"SELECT count(*) FROM tpch.events_v1": "150",
	} {
		got, err := tpch.Run(ctx, sess, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		var rows []string
		for _, r := range got.Rows {
			rows = append(rows, strings.Join(r, " "))
		}
		if g := strings.Join(rows, "|"); g != want {
			t.Errorf("%s = %q, want %q", sql, g, want)
		}
	}
	plan, err := tpch.Run(ctx, sess, "EXPLAIN SELECT sum(amount) FROM tpch.events_v1 WHERE dt = DATE '2026-11-02'")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, r := range plan.Rows {
		text.WriteString(strings.Join(r, " ") + "\n")
	}
	if !strings.Contains(text.String(), "files=1/3 row_groups=1/3 (pruned 2 by statistics)") || !strings.Contains(text.String(), "fetch_bytes=") {
		t.Errorf("EXPLAIN does not show two of three files pruned and the bytes to fetch:\n%s", text.String())
	}
}

// writeDay writes day d's 50 rows (id, amount) to path.
func writeDay(t *testing.T, path string, d int) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "amount", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for k := range 50 {
		b.Field(0).(*array.Int64Builder).Append(int64(d*100 + k))
		b.Field(1).(*array.Int64Builder).Append(int64(k))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, pq.NewWriterProperties(), pqarrow.DefaultWriterProps())
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
