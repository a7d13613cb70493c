package flightsql

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/slt"
)

// splitCopies is how many copies of a table's file the split tests read:
// one Parquet partition each, so a scan the server can split that many
// ways.
const splitCopies = 3

// splitProducts points each named product of mesh at copies copies of
// its files.
func splitProducts(t testing.TB, mesh *catalog.Mesh, copies int, names ...string) {
	t.Helper()
	if err := slt.CopyProductFiles(mesh, t.TempDir(), copies, names...); err != nil {
		t.Fatal(err)
	}
}

// splitTPCHEngine is tpchEngine with product in copies files.
func splitTPCHEngine(t testing.TB, copies int, product string, opts ...func(*engine.Config)) (*engine.Engine, *memory.CheckedAllocator) {
	t.Helper()
	mesh := loadMesh(t, tpchMesh)
	splitProducts(t, mesh, copies, product)
	return newEngine(t, mesh, opts...)
}

// fetchParallel redeems every endpoint of info at once, as ADBC does, and
// returns all rows, sorted.
func fetchParallel(ctx context.Context, cl *flightsql.Client, info *flight.FlightInfo) ([][]string, error) {
	var mu sync.Mutex
	var rows [][]string
	var first error
	var wg sync.WaitGroup
	for _, ep := range info.Endpoint {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got [][]string
			rdr, err := cl.DoGet(ctx, ep.Ticket)
			if err == nil {
				got, err = appendRows(nil, rdr)
				rdr.Release()
			}
			mu.Lock()
			defer mu.Unlock()
			rows = append(rows, got...)
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	sortRows(rows)
	return rows, first
}

func sortRows(rows [][]string) {
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
}

// pgwireRows runs sql as user over the Postgres wire front (pgx, text
// format) and returns the rows as text.
func pgwireRows(t *testing.T, pgAddr, user, sql string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://"+user+":"+user+"@"+pgAddr+"/mesh?sslmode=disable&default_query_exec_mode=simple_protocol")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rs, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatalf("pgwire: %s: %v", sql, err)
	}
	var out [][]string
	for rs.Next() {
		row := []string{}
		for _, v := range rs.RawValues() {
			if v == nil {
				row = append(row, "NULL")
			} else {
				row = append(row, string(v))
			}
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSplitEndpoints checks that a scan of several partitions comes back
// as several endpoints whose disjoint shares, fetched in parallel by
// arrow-go's client and by ADBC, are exactly the rows pgwire returns for
// the same user (masks, denials and row filters included), and that
// results that cannot be split keep one endpoint.
func TestSplitEndpoints(t *testing.T) {
	eng, mem := demoEngine(t, "sales.customers_v1", "sales.orders_v1")
	_, addr := startServer(t, eng, mem, func(c *Config) { c.MaxEndpoints = 8 })
	pgAddr := startPgwire(t, eng)
	ctx := context.Background()
	for _, c := range []struct {
		user, sql string
		endpoints int
	}{
		{"analyst", "SELECT * FROM sales.customers_v1", splitCopies},
		{"marketing", "SELECT customer_id, name, email, region FROM sales.customers_v1 WHERE segment <> 'consumer'", splitCopies},
		{"sales_eu", "SELECT customer_id, name, email, country, region, signup_date FROM sales.customers_v1", splitCopies},
		{"analyst", "SELECT order_id, customer_id, amount * 2 AS twice FROM sales.orders_v1 WHERE amount > 100", splitCopies},
		{"analyst", "SELECT order_id, amount FROM sales.orders_v1 ORDER BY order_id, amount", 1},
		{"analyst", "SELECT order_id FROM sales.orders_v1 LIMIT 7", 1},
		{"sales_eu", "SELECT region, count(*) FROM sales.customers_v1 GROUP BY region", 1},
		{"sales_eu", "SELECT c.region, o.amount FROM sales.orders_v1 o JOIN sales.customers_v1 c ON o.customer_id = c.customer_id", 1},
	} {
		want := pgwireRows(t, pgAddr, c.user, c.sql)
		ordered := strings.Contains(c.sql, "ORDER BY")
		if !ordered {
			sortRows(want)
		}
		cl, fctx, err := dial(t, addr, c.user, c.user)
		if err != nil {
			t.Fatal(err)
		}
		info, err := cl.Execute(fctx, c.sql)
		if err != nil {
			t.Fatalf("%s as %s: %v", c.sql, c.user, err)
		}
		if len(info.Endpoint) != c.endpoints {
			t.Errorf("%s as %s: %d endpoints, want %d", c.sql, c.user, len(info.Endpoint), c.endpoints)
		}
		var got [][]string
		if ordered {
			_, got, err = fetch(fctx, cl, info)
		} else {
			got, err = fetchParallel(fctx, cl, info)
		}
		if err != nil {
			t.Fatalf("%s as %s: DoGet: %v", c.sql, c.user, err)
		}
		if len(want) == 0 || !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s as %s: %d rows over Flight SQL, %d over pgwire; first %v vs %v", c.sql, c.user, len(got), len(want), first(got), first(want))
		}
		if adbcSplitRace && c.endpoints > 1 {
			continue
		}
		cnxn, err := adbcConnect(t, addr, c.user, c.user)
		if err != nil {
			t.Fatal(err)
		}
		got, err = adbcQuery(ctx, cnxn, c.sql, nil)
		if err != nil {
			t.Fatalf("%s as %s over ADBC: %v", c.sql, c.user, err)
		}
		if !ordered {
			sortRows(got)
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s as %s: %d rows over ADBC, %d over pgwire; first %v vs %v", c.sql, c.user, len(got), len(want), first(got), first(want))
		}
	}
}

// TestSplitPrepared splits a prepared statement's result: every share
// runs with the parameters bound, over arrow-go's client and ADBC.
func TestSplitPrepared(t *testing.T) {
	eng, mem := demoEngine(t, "sales.customers_v1")
	_, addr := startServer(t, eng, mem, func(c *Config) { c.MaxEndpoints = 8 })
	pgAddr := startPgwire(t, eng)
	want := pgwireRows(t, pgAddr, "marketing", "SELECT customer_id, name, segment FROM sales.customers_v1 WHERE segment <> 'consumer'")
	sortRows(want)
	const sql = "SELECT customer_id, name, segment FROM sales.customers_v1 WHERE segment <> $1"
	bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.BinaryTypes.String}}, nil))
	bld.Field(0).(*array.StringBuilder).Append("consumer")
	params := bld.NewRecordBatch()
	bld.Release()
	defer params.Release()

	cl, ctx, err := dial(t, addr, "marketing", "marketing")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := cl.Prepare(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close(ctx)
	prep.SetParameters(params)
	info, err := prep.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Endpoint) != splitCopies {
		t.Errorf("%d endpoints, want %d", len(info.Endpoint), splitCopies)
	}
	got, err := fetchParallel(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("%d rows over Flight SQL, %d over pgwire; first %v vs %v", len(got), len(want), first(got), first(want))
	}
	if adbcSplitRace {
		return
	}
	cnxn, err := adbcConnect(t, addr, "marketing", "marketing")
	if err != nil {
		t.Fatal(err)
	}
	if got, err = adbcQuery(context.Background(), cnxn, sql, params); err != nil {
		t.Fatal(err)
	}
	sortRows(got)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("%d rows over ADBC, %d over pgwire", len(got), len(want))
	}
}

func first(rows [][]string) []string {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

// TestSplitSharesChecked redeems one share ticket after a file was added
// to the table: it fails with 40001 (Aborted) rather than return rows
// another share also returns, or miss the new file's.
func TestSplitSharesChecked(t *testing.T) {
	eng, mem := splitTPCHEngine(t, splitCopies, "tpch.orders_v1")
	_, addr := startServer(t, eng, mem, func(c *Config) { c.MaxEndpoints = 2 })
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "SELECT o_orderkey FROM tpch.orders_v1")
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Endpoint) != 2 {
		t.Fatalf("%d endpoints, want 2", len(info.Endpoint))
	}
	// Two shares of three partitions: {0, 2} and {1}.
	rows := make([]int, 2)
	for i, ep := range info.Endpoint {
		rdr, err := cl.DoGet(ctx, ep.Ticket)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendRows(nil, rdr)
		rdr.Release()
		if err != nil {
			t.Fatal(err)
		}
		rows[i] = len(got)
	}
	if rows[0] != 2*rows[1] || rows[1] == 0 {
		t.Errorf("shares of %v rows, want the first twice the second", rows)
	}
	p, err := eng.Mesh().Resolve("tpch", "orders")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(p.Source.Path)
	if err != nil || len(files) != splitCopies {
		t.Fatalf("files of %s: %v %v", p.Source.Path, files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(files[0]), "added.parquet"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	err = redeem(ctx, cl, info.Endpoint[1].Ticket)
	if status.Code(err) != codes.Aborted || !strings.Contains(err.Error(), "40001") {
		t.Errorf("share of a table with a file more: %v, want Aborted with 40001", err)
	}
}

// TestSplitCancelAndDrain cancels a split query while its shares stream,
// and drains a server with several shares in flight.
func TestSplitCancelAndDrain(t *testing.T) {
	// Two files a share: enough rows that flow control holds each share
	// mid-stream while the client does not read.
	eng, mem := splitTPCHEngine(t, 2*splitCopies, "tpch.lineitem_v1")
	srv, addr := startServer(t, eng, mem, func(c *Config) { c.MaxEndpoints = splitCopies })
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	want := int64(2 * splitCopies * 60175) // SF0.01 lineitem rows
	// open redeems every endpoint of a split lineitem scan and reads the
	// first batch of each.
	open := func() ([]*flight.Reader, *flight.FlightInfo, int64) {
		t.Helper()
		info, err := cl.Execute(ctx, "SELECT * FROM tpch.lineitem")
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Endpoint) != splitCopies {
			t.Fatalf("%d endpoints, want %d", len(info.Endpoint), splitCopies)
		}
		var rdrs []*flight.Reader
		var rows int64
		for _, ep := range info.Endpoint {
			rdr, err := cl.DoGet(ctx, ep.Ticket)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(rdr.Release)
			if !rdr.Next() {
				t.Fatalf("no first batch: %v", rdr.Err())
			}
			rows += rdr.RecordBatch().NumRows()
			rdrs = append(rdrs, rdr)
		}
		if running(srv) == 0 {
			t.Fatal("every share finished before the client read it; the test needs a longer result")
		}
		return rdrs, info, rows
	}

	rdrs, info, _ := open()
	// The first share redeemed a second time at once: the cancel stops
	// both executions.
	twice, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(twice.Release)
	if !twice.Next() {
		t.Fatalf("no first batch of the share redeemed twice: %v", twice.Err())
	}
	rdrs = append(rdrs, twice)
	res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil || res.Status != flight.CancelStatusCancelled {
		t.Fatalf("CancelFlightInfo: %v %v", res.Status, err)
	}
	canceled := 0
	ends := make([]codes.Code, len(rdrs))
	for i, rdr := range rdrs {
		for rdr.Next() {
		}
		switch ends[i] = status.Code(rdr.Err()); ends[i] {
		case codes.Canceled:
			canceled++
		case codes.OK: // it had sent its last batch before the cancel
		default:
			t.Errorf("share %d after CancelFlightInfo: %v", i, rdr.Err())
		}
	}
	if canceled == 0 {
		t.Error("no share was canceled")
	}
	if first, again := ends[0], ends[len(ends)-1]; first != again {
		t.Errorf("the share redeemed twice ended %v once and %v the other time", first, again)
	}
	for deadline := time.Now().Add(10 * time.Second); running(srv) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("canceled shares still run")
		}
	}

	rdrs, _, rows := open()
	shut := make(chan error, 1)
	go func() {
		grace, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shut <- srv.Shutdown(grace)
	}()
	for i, rdr := range rdrs {
		for rdr.Next() {
			rows += rdr.RecordBatch().NumRows()
		}
		if err := rdr.Err(); err != nil {
			t.Errorf("share %d streaming at shutdown: %v", i, err)
		}
	}
	if rows != want {
		t.Errorf("the shares streaming at shutdown delivered %d rows, want %d", rows, want)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Shutdown did not return after the last share ended")
	}
}

// serveSplit serves eng with results split into up to splitCopies
// endpoints and logs analyst in.
func serveSplit(t *testing.T, eng *engine.Engine, mem memory.Allocator, opts ...func(*Config)) (*Server, *flightsql.Client, context.Context) {
	t.Helper()
	srv, addr := startServer(t, eng, mem, append([]func(*Config){func(c *Config) { c.MaxEndpoints = splitCopies }}, opts...)...)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	return srv, cl, ctx
}

// executeSplit runs sql, whose result must come in splitCopies endpoints.
func executeSplit(t *testing.T, cl *flightsql.Client, ctx context.Context, sql string) *flight.FlightInfo {
	t.Helper()
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Endpoint) != splitCopies {
		t.Fatalf("%s: %d endpoints, want %d", sql, len(info.Endpoint), splitCopies)
	}
	return info
}

// running is how many queries the server runs.
func running(srv *Server) int {
	srv.svc.mu.Lock()
	defer srv.svc.mu.Unlock()
	return len(srv.svc.running)
}

// TestSplitSharesOneClock: the shares of a split result, redeemed one
// after the other on a clock that moves at every reading, are the rows of
// one statement: they all read the now(), statement_timestamp() and 'now'
// of its split. A ticket whose clock was changed is refused: the clock is
// what row filters on now() read.
func TestSplitSharesOneClock(t *testing.T) {
	eng, mem := splitTPCHEngine(t, splitCopies, "tpch.orders_v1", ticking(time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)))
	_, cl, ctx := serveSplit(t, eng, mem)
	info := executeSplit(t, cl, ctx, "SELECT now()::text, statement_timestamp()::text, 'now'::timestamptz::text FROM tpch.orders_v1")
	_, rows, err := fetch(ctx, cl, info) // one endpoint after the other
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rows {
		seen[strings.Join(r, " | ")]++
	}
	if len(seen) != 1 {
		t.Errorf("now() | statement_timestamp() | 'now' over the shares: %v; want one instant", seen)
	}
	for k := range seen {
		if f := strings.Split(k, " | "); f[0] != f[1] || f[0] != f[2] {
			t.Errorf("now() | statement_timestamp() | 'now' = %s; want one instant", k)
		}
	}

	// The statement start, a nanosecond earlier.
	err = redeemChanged(ctx, t, cl, info.Endpoint[0].Ticket, func(h []byte) { h[2+len(queryID{})+12+7]-- })
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("share with a changed clock: %v, want InvalidArgument", err)
	}
}

// redeemChanged redeems tk after change altered its statement handle,
// reading the stream to its end, and returns the error.
func redeemChanged(ctx context.Context, t *testing.T, cl *flightsql.Client, tk *flight.Ticket, change func(handle []byte)) error {
	t.Helper()
	h := statementHandle(t, tk)
	change(h)
	return redeem(ctx, cl, handleTicket(t, h))
}

// redeem redeems tk, reading the stream to its end, and returns the error.
func redeem(ctx context.Context, cl *flightsql.Client, tk *flight.Ticket) error {
	rdr, err := cl.DoGet(ctx, tk)
	if err == nil {
		_, err = appendRows(nil, rdr)
		rdr.Release()
	}
	return err
}

// statementHandle is the statement handle of a statement ticket.
func statementHandle(t *testing.T, tk *flight.Ticket) []byte {
	t.Helper()
	q, err := flightsql.GetStatementQueryTicket(tk)
	if err != nil {
		t.Fatal(err)
	}
	return q.GetStatementHandle()
}

// handleTicket is the statement ticket of handle h.
func handleTicket(t *testing.T, h []byte) *flight.Ticket {
	t.Helper()
	tk, err := flightsql.CreateStatementQueryTicket(h)
	if err != nil {
		t.Fatal(err)
	}
	return &flight.Ticket{Ticket: tk}
}
