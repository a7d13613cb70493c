package slt

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgtest"
)

// The random queries read the demo fixture plus sales.events_v1, a table
// of their own with the types the demo lacks: timestamp, timestamptz and
// arrays (jsonb and intervals are built from them in the queries: a
// Parquet string column is text to meshql, never jsonb). It is
// written as Parquet next to the demo data and declared in a copy of
// testdata/mesh, so meshql scans it like any product, and PostgreSQL gets
// it through pgload from the same files: both engines hold the same values
// without touching the demo (whose outputs the corpus and README pin).

const eventsRows = 3000

var eventKinds = []string{"view", "click", "cart", "buy", "refund"}
var eventTags = []string{"new", "promo", "mobile", "eu", "vip"}

const eventsDescriptor = `product: events
version: 1
domain: sales
owner: {team: orders, contact: orders-team@example.com}
status: active
description: Shop events for the random query tests (internal/slt).
sla:
  freshness: 24h
  availability: 99%
  schema_stability: stable
source:
  connector: parquet
  path: sales/events/*.parquet
columns:
  - name: event_id
    type: bigint
    constraints: [not_null, unique]
  - name: order_id
    type: bigint
  - name: customer_id
    type: bigint
  - name: kind
    type: text
  - name: happened_at
    type: timestamp
  - name: logged_at
    type: timestamptz
  - name: tags
    type: text[]
  - name: scores
    type: integer[]
inputs: []
policies:
  read: [analyst, marketing, sales]
`

// eventsBase is the first event's time; events spread over three years
// (DST changes in every zone the queries use) with some fractional seconds.
var eventsBase = time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)

// eventTime is event i's happened_at in microseconds since the epoch.
func eventTime(i int) int64 {
	sec := int64(i*7919) % (3 * 365 * 86400)
	us := eventsBase.Add(time.Duration(sec) * time.Second).UnixMicro()
	switch i % 7 {
	case 0:
		us += 123456
	case 3:
		us += 500000
	}
	return us
}

func writeEvents(dir string) (err error) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "event_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "order_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "customer_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "kind", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "happened_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "logged_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "scores", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	id := b.Field(0).(*array.Int64Builder)
	order := b.Field(1).(*array.Int64Builder)
	cust := b.Field(2).(*array.Int64Builder)
	kind := b.Field(3).(*array.StringBuilder)
	happened := b.Field(4).(*array.TimestampBuilder)
	logged := b.Field(5).(*array.TimestampBuilder)
	tags := b.Field(6).(*array.ListBuilder)
	tag := tags.ValueBuilder().(*array.StringBuilder)
	scores := b.Field(7).(*array.ListBuilder)
	score := scores.ValueBuilder().(*array.Int32Builder)
	for i := 1; i <= eventsRows; i++ {
		id.Append(int64(i))
		order.Append(int64(i*7919%10000 + 1))
		if i%17 == 0 {
			cust.AppendNull()
		} else {
			cust.Append(int64(i*37%1000 + 1))
		}
		kind.Append(eventKinds[i*i%len(eventKinds)])
		t := eventTime(i)
		if i%23 == 0 {
			happened.AppendNull()
		} else {
			happened.Append(arrow.Timestamp(t))
		}
		if i%31 == 0 {
			logged.AppendNull()
		} else {
			logged.Append(arrow.Timestamp(t + int64(i%90)*int64(time.Minute/time.Microsecond)))
		}
		switch {
		case i%11 == 0:
			tags.AppendNull()
		default:
			tags.Append(true)
			for j, s := range eventTags {
				if (i*13)>>j&1 == 1 {
					tag.Append(s)
				}
			}
			if i%29 == 0 {
				tag.AppendNull()
			}
		}
		if i%13 == 0 {
			scores.AppendNull()
		} else {
			scores.Append(true)
			for j := range i % 4 {
				score.Append(int32((i*(j+3)*7)%100 - 10))
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "part-00000.parquet"))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	// Row groups of 500 rows, so that filters on the timestamps prune some
	// by their statistics.
	props := parquet.NewWriterProperties(parquet.WithStats(true), parquet.WithMaxRowGroupLength(500))
	buf := bufio.NewWriter(f) // not an io.Closer, so the Parquet writer leaves f to us
	fw, err := pqarrow.NewFileWriter(schema, buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return err
	}
	for off := int64(0); off < rec.NumRows(); off += 500 {
		s := rec.NewSlice(off, min(off+500, rec.NumRows()))
		err = fw.Write(s)
		s.Release()
		if err != nil {
			return err
		}
	}
	if err := fw.Close(); err != nil {
		return err
	}
	return buf.Flush()
}

// queryGenFixture returns the demo fixture with sales.events_v1 loaded into
// a fresh PostgreSQL database (TimeZone tz) and into a meshql session
// (TimeZone tz too).
func queryGenFixture(t *testing.T, tz string) (*PGConn, *engineConn) {
	t.Helper()
	ctx := t.Context()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	dataDir, meshDir := filepath.Join(tmp, "data"), filepath.Join(tmp, "mesh")
	if _, err := GenerateFixture(ctx, dataDir); err != nil {
		t.Fatal(err)
	}
	if err := writeEvents(filepath.Join(dataDir, "sales", "events")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(meshDir, os.DirFS(filepath.Join(root, "testdata", "mesh"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(meshDir, "sales", "events_v1.yaml"), []byte(eventsDescriptor), 0o644); err != nil {
		t.Fatal(err)
	}
	mesh, err := catalog.Load(meshDir, catalog.LoadOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	uri := pgtest.NewDatabase(t, "qgen")
	if err := loadPG(ctx, uri, mesh); err != nil {
		t.Fatal(err)
	}
	settings := pgSettings()
	settings["TimeZone"] = tz
	// A plan PostgreSQL thinks costly (a subquery per row of a nested
	// loop) is compiled by JIT first: a second or more per query on a busy
	// machine, which only slows the comparisons down (seed 44's query 492:
	// 1 s of JIT, and 5 s in all).
	settings["jit"] = "off"
	settings["statement_timeout"] = pgStatementTimeout
	pg := connectFixture(t, uri, settings)
	return pg, newMeshQLConn(t, mesh, map[string]string{"TimeZone": tz})
}
