package flightsql

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestQ1MatchesInProcess runs TPC-H Q1 over Flight SQL as every demo user
// and compares it with the same query run in-process.
func TestQ1MatchesInProcess(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	q1 := readQuery(t, "q01.sql")
	want := inProcess(t, eng, "admin", q1)
	if len(want) != 4 {
		t.Fatalf("in-process Q1 returned %d rows, want 4", len(want))
	}
	for _, user := range demoUsers {
		cl, ctx, err := dial(t, addr, user, user)
		if err != nil {
			t.Fatalf("%s: login: %v", user, err)
		}
		info, err := cl.Execute(ctx, q1)
		if err != nil {
			t.Fatalf("%s: Execute: %v", user, err)
		}
		schema, got, err := fetch(ctx, cl, info)
		if err != nil {
			t.Fatalf("%s: DoGet: %v", user, err)
		}
		if !atFlightScales(got, want) {
			t.Errorf("%s: Q1 over Flight SQL =\n%v\nwant\n%v", user, got, want)
		}
		if schema.Field(0).Name != "l_returnflag" || schema.NumFields() != 10 {
			t.Errorf("%s: schema %v", user, schema)
		}
	}
}

// TestMetadataPerUser lists schemas and tables of the demo mesh as each
// user: only readable products are listed.
func TestMetadataPerUser(t *testing.T) {
	eng, mem := demoEngine(t)
	_, addr := startServer(t, eng, mem)
	for _, user := range demoUsers {
		cl, ctx, err := dial(t, addr, user, user)
		if err != nil {
			t.Fatalf("%s: login: %v", user, err)
		}
		info, err := cl.GetDBSchemas(ctx, &flightsql.GetDBSchemasOpts{})
		if err != nil {
			t.Fatal(err)
		}
		_, schemas, err := fetch(ctx, cl, info)
		if err != nil {
			t.Fatal(err)
		}
		info, err = cl.GetTables(ctx, &flightsql.GetTablesOpts{IncludeSchema: true})
		if err != nil {
			t.Fatal(err)
		}
		_, tables, err := fetch(ctx, cl, info)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range tables {
			names = append(names, r[1]+"."+r[2])
		}
		t.Logf("%s: schemas %v tables %v", user, schemas, names)
		hasCustomers := slices.Contains(names, "sales.customers_v1")
		hasCrossSell := slices.Contains(names, "marketing.cross_sell_v1")
		switch user {
		case "sales_eu":
			if !hasCustomers || hasCrossSell {
				t.Errorf("sales_eu sees %v", names)
			}
		default:
			if !hasCustomers || !hasCrossSell {
				t.Errorf("%s sees %v", user, names)
			}
		}
	}
	// include_schema carries column descriptions.
	cl, ctx, err := dial(t, addr, "admin", "admin")
	if err != nil {
		t.Fatal(err)
	}
	pattern := "orders%"
	info, err := cl.GetTables(ctx, &flightsql.GetTablesOpts{IncludeSchema: true, DbSchemaFilterPattern: ptr("sales"), TableNameFilterPattern: &pattern})
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	if !rdr.Next() || rdr.RecordBatch().NumRows() == 0 {
		t.Fatalf("no sales.orders tables: %v", rdr.Err())
	}
	b := rdr.RecordBatch()
	sc, err := flight.DeserializeSchema(b.Column(4).(*array.Binary).Value(0), memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := sc.FieldsByName("order_id")
	if len(f) != 1 {
		t.Fatalf("schema %v", sc)
	}
	if d, ok := f[0].Metadata.GetValue("description"); !ok || d == "" {
		t.Errorf("order_id has no description: %v", f[0].Metadata)
	}
	cm := flightsql.ColumnMetadata{Data: &f[0].Metadata}
	if rem, ok := cm.Remarks(); !ok || rem == "" {
		t.Errorf("order_id has no REMARKS: %v", f[0].Metadata)
	}
}

func ptr[T any](v T) *T { return &v }

func TestErrors(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	_, _, err := dial(t, addr, "analyst", "wrong")
	if status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "28P01") {
		t.Errorf("bad password: %v", err)
	}
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.Execute(ctx, "SELECT * FROM tpch.no_such_table")
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "ERROR 42P01: relation") {
		t.Errorf("unknown table: %v", err)
	}
	_, err = cl.Execute(context.Background(), "SELECT 1")
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("no token: %v", err)
	}
	// Arrow's decimal128 has no NaN or Infinity: refused, never sent as a
	// 39-digit number; as float8 they arrive.
	for sql, want := range map[string]string{
		"SELECT x FROM (VALUES (1.5), ('NaN'::numeric)) t(x)":       "0A000",
		"SELECT string_to_array('1.5,NaN', ',')::numeric[]":         "0A000",
		"SELECT 'Infinity'::numeric::float8, '-inf'::numeric::text": "",
	} {
		info, err := cl.Execute(ctx, sql)
		if err == nil {
			_, _, err = fetch(ctx, cl, info)
		}
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", sql, err, want)
		}
	}
}

func TestPreparedStatement(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := cl.Prepare(ctx, "SELECT l_orderkey, l_linenumber, l_quantity FROM lineitem WHERE l_orderkey = $1 ORDER BY l_linenumber")
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close(ctx)
	ps := prep.ParameterSchema()
	if ps.NumFields() != 1 {
		t.Fatalf("parameter schema %v", ps)
	}
	bind := func(key int64) *flight.FlightInfo {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.PrimitiveTypes.Int64}}, nil))
		bld.Field(0).(*array.Int64Builder).Append(key)
		params := bld.NewRecordBatch()
		bld.Release()
		prep.SetParameters(params)
		params.Release()
		info, err := prep.Execute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	for _, key := range []int64{1, 7} {
		_, got, err := fetch(ctx, cl, bind(key))
		if err != nil {
			t.Fatal(err)
		}
		want := inProcess(t, eng, "analyst", "SELECT l_orderkey, l_linenumber, l_quantity FROM lineitem WHERE l_orderkey = "+
			map[int64]string{1: "1", 7: "7"}[key]+" ORDER BY l_linenumber")
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("key %d: got %v want %v", key, got, want)
		}
	}
	// A ticket is for the values bound when GetFlightInfo issued it:
	// after another DoPut it fails (40001), so the shares of one result
	// never mix two bindings.
	stale := bind(1)
	bind(7)
	checkStatus(t, "ticket redeemed after another binding", redeem(ctx, cl, stale.Endpoint[0].Ticket), codes.Aborted, "40001")
}

// TestCancel starts a query that runs for minutes, cancels it with
// CancelFlightInfo and sees its DoGet fail with Canceled promptly.
func TestCancel(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	srv, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, errc := startLongQuery(t, srv, cl, ctx)
	time.Sleep(100 * time.Millisecond)
	res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != flight.CancelStatusCancelled {
		t.Errorf("cancel status %v", res.Status)
	}
	select {
	case err := <-errc:
		if status.Code(err) != codes.Canceled {
			var se interface{ GRPCStatus() *status.Status }
			t.Errorf("DoGet after cancel: %v (%v)", err, errors.As(err, &se))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the query did not stop within 20s of CancelFlightInfo")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		srv.svc.mu.Lock()
		n := len(srv.svc.running)
		srv.svc.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cancelled query is still running")
		}
	}
}

// startLongQuery starts a query that runs for minutes and returns nothing
// (a cross product of lineitem with a filter no pair passes), fetches it
// in the background and waits until the server runs it; the channel gets
// the fetch's error.
func startLongQuery(t *testing.T, srv *Server, cl *flightsql.Client, ctx context.Context) (*flight.FlightInfo, <-chan error) {
	t.Helper()
	info, err := cl.Execute(ctx, "SELECT a.l_orderkey, b.l_partkey FROM lineitem a, lineitem b WHERE a.l_quantity + b.l_quantity < 0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, _, err := fetch(ctx, cl, info)
		errc <- err
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		srv.svc.mu.Lock()
		n := len(srv.svc.running)
		srv.svc.mu.Unlock()
		if n > 0 {
			return info, errc
		}
		if time.Now().After(deadline) {
			t.Fatal("the query did not start")
		}
	}
}
