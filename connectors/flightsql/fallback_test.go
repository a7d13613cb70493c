package flightsql

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// plainServer is a Flight SQL server without prepared statements (the
// BaseServer answers Unimplemented) that serves one column x = 1…3 for
// any query and records the SQL it was sent.
type plainServer struct {
	flightsql.BaseServer
	mem    memory.Allocator
	schema *arrow.Schema

	mu  sync.Mutex
	sql []string
}

func (s *plainServer) GetFlightInfoStatement(_ context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	s.mu.Lock()
	s.sql = append(s.sql, cmd.GetQuery())
	s.mu.Unlock()
	tk, err := flightsql.CreateStatementQueryTicket([]byte(cmd.GetQuery()))
	if err != nil {
		return nil, err
	}
	return &flight.FlightInfo{Schema: flight.SerializeSchema(s.schema, s.mem), FlightDescriptor: desc,
		Endpoint: []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: tk}}}, TotalRecords: -1, TotalBytes: -1}, nil
}

func (s *plainServer) DoGetStatement(context.Context, flightsql.StatementQueryTicket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewInt64Builder(s.mem)
	defer b.Release()
	b.AppendValues([]int64{1, 2, 3}, nil)
	col := b.NewArray()
	defer col.Release()
	ch := make(chan flight.StreamChunk, 1)
	ch <- flight.StreamChunk{Data: array.NewRecordBatch(s.schema, []arrow.Array{col}, 3)}
	close(ch)
	return s.schema, ch, nil
}

// TestLiteralsWhenNoPrepare checks that filter values go inline as SQL
// literals to a server that cannot prepare statements, and that EXPLAIN
// then shows that SQL.
func TestLiteralsWhenNoPrepare(t *testing.T) {
	// The checked allocator is the connector's alone: the test server's
	// record is freed by arrow-go's server and grpc's transport, on their
	// own goroutines and timing (under load a 5 s wait for them was not
	// enough), and is not meshql's memory to account for.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srvMem := memory.NewGoAllocator()
	srv := &plainServer{mem: srvMem, schema: arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)}
	srv.Alloc = srvMem
	g := grpc.NewServer(grpc.WaitForHandlers(true))
	flight.RegisterFlightServiceServer(g, flightsql.NewFlightServerWithAllocator(srv, srvMem))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go g.Serve(ln)
	defer g.Stop()

	ctx := context.Background()
	tbl, err := New().OpenTable(ctx, catalog.Source{Connector: "flightsql", Table: "t", Options: map[string]string{"uri": "grpc://" + ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	req := connectors.ScanRequest{Columns: []int{0}, Limit: -1, Filters: []connectors.Filter{
		connectors.Compare{Column: "x", Op: connectors.OpGe, Value: connectors.Literal{Type: sqltypes.TypeInt8, Value: int64(2)}}}}
	parts, err := tbl.Partitions(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := parts[0].Open(ctx, mem)
	if err != nil {
		t.Fatal(err)
	}
	rows := int64(0)
	for rdr.Next() {
		rows += rdr.RecordBatch().NumRows()
	}
	if err := rdr.Err(); err != nil {
		t.Fatal(err)
	}
	rdr.Release()
	if rows != 3 {
		t.Errorf("%d rows, want the server's 3", rows)
	}
	srv.mu.Lock()
	last := srv.sql[len(srv.sql)-1]
	srv.mu.Unlock()
	if want := `SELECT "x" FROM "t" WHERE "x" >= 2`; last != want {
		t.Errorf("the server got %q, want %q", last, want)
	}
	if ex := strings.Join(tbl.ExplainScan(ctx, req), " "); !strings.Contains(ex, `\"x\" >= 2`) || strings.Contains(ex, "params=") {
		t.Errorf("EXPLAIN after the fallback: %s", ex)
	}
}
