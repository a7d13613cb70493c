package flightsql

import (
	"context"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/flightsql/flightdial"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/slt"
	"github.com/meshql/meshql/internal/testclock"
	"github.com/meshql/meshql/sqltypes"
)

const tpchMesh = "../../testdata/mesh-tpch"

// demoUsers are the demo mesh's users; each has its name as password.
var demoUsers = []string{"analyst", "marketing", "sales_eu", "admin"}

// newEngine builds an engine over a mesh folder (dataDir "" = the mesh's
// own paths) with a checked allocator that must be empty when t ends;
// opts change its Config.
func newEngine(t testing.TB, mesh *catalog.Mesh, opts ...func(*engine.Config)) (*engine.Engine, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() {
		drained(mem)
		mem.AssertSize(t, 0)
	})
	cfg := engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2}
	for _, o := range opts {
		o(&cfg)
	}
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return eng, mem
}

// tpchEngine builds an engine over the TPC-H mesh in dir; opts change its
// Config.
func tpchEngine(t testing.TB, dir string, opts ...func(*engine.Config)) (*engine.Engine, *memory.CheckedAllocator) {
	t.Helper()
	return newEngine(t, loadMesh(t, dir), opts...)
}

func loadMesh(t testing.TB, dir string) *catalog.Mesh {
	t.Helper()
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return mesh
}

// demoEngine builds an engine over testdata/mesh with the .slt fixture
// data (scale 0.01), each product named in split read from splitCopies
// copies of its files.
func demoEngine(t testing.TB, split ...string) (*engine.Engine, *memory.CheckedAllocator) {
	t.Helper()
	mesh, err := slt.GenerateFixture(context.Background(), filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	if len(split) > 0 {
		splitProducts(t, mesh, splitCopies, split...)
	}
	return newEngine(t, mesh)
}

// ticking is an engine option: a clock that starts at start and moves a
// second at every reading, so that values that agree were read once.
func ticking(start time.Time) func(*engine.Config) {
	return func(c *engine.Config) { c.Clock = testclock.Ticking(start, time.Second) }
}

// startServer serves eng on 127.0.0.1:0 until t ends; it returns the
// server and its address.
func startServer(t testing.TB, eng *engine.Engine, mem memory.Allocator, opts ...func(*Config)) (*Server, string) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cfg := Config{Logger: log, Mem: mem}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := NewServer(eng, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, ln.Addr().String()
}

// dial connects arrow-go's Flight SQL client with the dial options
// meshql recommends to Go clients (connectors/flightsql/flightdial) and
// logs in.
func dial(t testing.TB, addr, user, password string) (*flightsql.Client, context.Context, error) {
	t.Helper()
	return dialWith(t, addr, user, password, flightdial.Options()...)
}

// dialWith is dial with the given dial options instead of flightdial's.
func dialWith(t testing.TB, addr, user, password string, opts ...grpc.DialOption) (*flightsql.Client, context.Context, error) {
	t.Helper()
	cl, err := flightsql.NewClient(addr, nil, nil, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	ctx, err := cl.Client.AuthenticateBasicToken(context.Background(), user, password)
	return cl, ctx, err
}

// fetch runs a FlightInfo's endpoints and returns the rows as text.
func fetch(ctx context.Context, cl *flightsql.Client, info *flight.FlightInfo) (*arrow.Schema, [][]string, error) {
	var rows [][]string
	var schema *arrow.Schema
	for _, ep := range info.Endpoint {
		rdr, err := cl.DoGet(ctx, ep.Ticket)
		if err != nil {
			return nil, nil, err
		}
		schema = rdr.Schema()
		rows, err = appendRows(rows, rdr)
		rdr.Release()
		if err != nil {
			return nil, nil, err
		}
	}
	return schema, rows, nil
}

// appendRows reads a record reader to its end, formatting each value.
func appendRows(rows [][]string, rdr array.RecordReader) ([][]string, error) {
	for rdr.Next() {
		rows = append(rows, formatBatch(rdr.RecordBatch())...)
	}
	return rows, rdr.Err()
}

// formatBatch formats b's values; types default to the Arrow types' SQL
// types.
func formatBatch(b arrow.RecordBatch, types ...sqltypes.Type) [][]string {
	out := make([][]string, b.NumRows())
	if len(types) == 0 {
		types = make([]sqltypes.Type, b.NumCols())
		for j, c := range b.Columns() {
			types[j], _ = sqltypes.FromArrow(c.DataType())
		}
	}
	for i := range out {
		out[i] = make([]string, b.NumCols())
		for j, c := range b.Columns() {
			out[i][j] = sqltypes.FormatValue(types[j], expr.DatumAt(c, types[j], i))
		}
	}
	return out
}

// inProcess runs sql through an engine session, as the reference.
func inProcess(t testing.TB, eng *engine.Engine, user, sql string) [][]string {
	t.Helper()
	sess, err := eng.NewSession(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := sess.Query(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var rows [][]string
	for {
		b, err := res.Next(ctx)
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		types := make([]sqltypes.Type, len(res.Columns))
		for j, c := range res.Columns {
			types[j] = c.Type
		}
		rows = append(rows, formatBatch(b, types...)...)
		b.Release()
	}
}

func readQuery(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata/tpch/queries", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(string(b)), ";"))
}

// TestMain stops internal/pgtest's PostgreSQL (started only by the
// benchmark's postgres fronts) when the tests end.
func TestMain(m *testing.M) { pgtest.Main(m) }

// atFlightScales reports whether got (rows read over Flight SQL) are want
// (rows as PostgreSQL prints them) where every numeric whose scale varies
// per value (avg, quotients) is rounded half away from zero to the fixed
// scale of the Flight column, as Arrow's decimal128 can carry no other.
func atFlightScales(got, want [][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j, g := range got[i] {
			if g != want[i][j] && !roundsTo(want[i][j], g) {
				return false
			}
		}
	}
	return true
}

// roundsTo reports whether the decimal text w rounded to the number of
// places of the decimal text g is g.
func roundsTo(w, g string) bool {
	wr, ok1 := new(big.Rat).SetString(w)
	gr, ok2 := new(big.Rat).SetString(g)
	if !ok1 || !ok2 {
		return false
	}
	places := 0
	if dot := strings.IndexByte(g, '.'); dot >= 0 {
		places = len(g) - dot - 1
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	x := new(big.Rat).Mul(wr, new(big.Rat).SetInt(p))
	q, r := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(x.Denom()) >= 0 {
		q.Add(q, big.NewInt(int64(x.Sign())))
	}
	return new(big.Rat).SetFrac(q, p).Cmp(gr) == 0
}

// checkTextTypeNames checks that the columns of types meshql sends as
// text (inet, ranges, …) are utf8 (a list of utf8 for an array type)
// whose Flight SQL type name is names[i].
func checkTextTypeNames(t *testing.T, schema *arrow.Schema, names ...string) {
	t.Helper()
	for i, name := range names {
		f := schema.Field(i)
		md := flightsql.ColumnMetadata{Data: &f.Metadata}
		if got, _ := md.TypeName(); got != name {
			t.Errorf("column %s: type name %q, want %q", f.Name, got, name)
		}
		want := arrow.DataType(arrow.BinaryTypes.String)
		if strings.HasSuffix(name, "[]") {
			want = arrow.ListOf(arrow.BinaryTypes.String)
		}
		if !arrow.TypeEqual(f.Type, want) {
			t.Errorf("column %s: Arrow type %s, want %s", f.Name, f.Type, want)
		}
	}
}

// checkStatus checks that err is a gRPC status of code whose message is
// "ERROR <sqlstate>: " and the message, and whose ErrorInfo detail
// carries the SQLSTATE and the message; it returns the detail, nil when
// the check failed.
func checkStatus(t *testing.T, what string, err error, code codes.Code, sqlstate string) *errdetails.ErrorInfo {
	t.Helper()
	st, _ := status.FromError(err)
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			info = ei
		}
	}
	if st.Code() != code || !strings.HasPrefix(st.Message(), "ERROR "+sqlstate+": ") || info == nil ||
		info.Reason != sqlstate || info.Domain != errorDomain || info.Metadata["sqlstate"] != sqlstate ||
		!strings.HasSuffix(st.Message(), info.Metadata["message"]) && !strings.Contains(st.Message(), info.Metadata["message"]+"\n") {
		t.Errorf("%s: %v (details %v), want %v with SQLSTATE %s", what, err, info, code, sqlstate)
		return nil
	}
	return info
}
