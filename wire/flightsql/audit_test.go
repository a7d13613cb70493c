package flightsql

import (
	"context"
	"crypto/tls"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"

	"github.com/meshql/meshql/internal/testcert"
)

// sqlInfoValues decodes a GetSqlInfo result: info id → value.
func sqlInfoValues(t *testing.T, b arrow.RecordBatch) map[uint32]any {
	t.Helper()
	out := map[uint32]any{}
	ids := b.Column(0).(*array.Uint32)
	u := b.Column(1).(*array.DenseUnion)
	for i := 0; i < int(b.NumRows()); i++ {
		off := int(u.ValueOffset(i))
		switch c := u.Field(u.ChildID(i)).(type) {
		case *array.String:
			out[ids.Value(i)] = c.Value(off)
		case *array.Boolean:
			out[ids.Value(i)] = c.Value(off)
		case *array.Int64:
			out[ids.Value(i)] = c.Value(off)
		case *array.Int32:
			out[ids.Value(i)] = c.Value(off)
		case *array.List:
			s, e := c.ValueOffsets(off)
			var list []string
			for j := s; j < e; j++ {
				list = append(list, c.ListValues().(*array.String).Value(int(j)))
			}
			out[ids.Value(i)] = list
		default:
			t.Fatalf("info %d: unexpected %T", ids.Value(i), c)
		}
	}
	return out
}

// TestSqlInfoFacts reads the facts a JDBC or ODBC bridge asks for and
// checks them against what meshql is: a read-only PostgreSQL dialect.
func TestSqlInfoFacts(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem, func(c *Config) { c.ServerVersion = "9.8.7" })
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.GetSqlInfo(ctx, []flightsql.SqlInfo{
		flightsql.SqlInfoFlightSqlServerName, flightsql.SqlInfoFlightSqlServerVersion, flightsql.SqlInfoFlightSqlServerReadOnly,
		flightsql.SqlInfoFlightSqlServerCancel, flightsql.SqlInfoIdentifierQuoteChar, flightsql.SqlInfoKeywords,
		flightsql.SqlInfoFlightSqlServerTransaction, flightsql.SqlInfoMaxRowSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	got := map[uint32]any{}
	for rdr.Next() {
		for k, v := range sqlInfoValues(t, rdr.RecordBatch()) {
			got[k] = v
		}
	}
	if err := rdr.Err(); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[flightsql.SqlInfo]any{
		flightsql.SqlInfoFlightSqlServerName: "meshql", flightsql.SqlInfoFlightSqlServerVersion: "9.8.7",
		flightsql.SqlInfoFlightSqlServerReadOnly: true, flightsql.SqlInfoFlightSqlServerCancel: true,
		flightsql.SqlInfoIdentifierQuoteChar: `"`, flightsql.SqlInfoFlightSqlServerTransaction: int32(pb.SqlSupportedTransaction_SQL_SUPPORTED_TRANSACTION_NONE),
	} {
		if got[uint32(id)] != want {
			t.Errorf("info %v = %v (%T), want %v", id, got[uint32(id)], got[uint32(id)], want)
		}
	}
	if kw, _ := got[uint32(flightsql.SqlInfoKeywords)].([]string); !slices.Contains(kw, "LATERAL") || !slices.Contains(kw, "SELECT") {
		t.Errorf("keywords %v", kw)
	}
	if _, ok := got[uint32(flightsql.SqlInfoMaxRowSize)]; ok || len(got) != 7 {
		t.Errorf("facts %v: want the 7 known ones, and no row for an unknown one", got)
	}
}

// TestXdbcTypeInfo checks the type list against the ODBC/JDBC type codes
// of Flight SQL's XdbcDataType, and the filter by code.
func TestXdbcTypeInfo(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	types := func(dt *int32) map[string]string {
		t.Helper()
		info, err := cl.GetXdbcTypeInfo(ctx, dt)
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := fetch(ctx, cl, info)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rows {
			out[r[0]] = r[1]
		}
		return out
	}
	all := types(nil)
	for name, code := range map[string]pb.XdbcDataType{
		"bigint": pb.XdbcDataType_XDBC_BIGINT, "integer": pb.XdbcDataType_XDBC_INTEGER, "smallint": pb.XdbcDataType_XDBC_SMALLINT,
		"double precision": pb.XdbcDataType_XDBC_DOUBLE, "numeric": pb.XdbcDataType_XDBC_NUMERIC, "text": pb.XdbcDataType_XDBC_VARCHAR,
		"date": pb.XdbcDataType_XDBC_DATE, "timestamp without time zone": pb.XdbcDataType_XDBC_TIMESTAMP, "bytea": pb.XdbcDataType_XDBC_VARBINARY,
		"bpchar": pb.XdbcDataType_XDBC_CHAR,
	} {
		if all[name] != code.String() && all[name] != strconv.Itoa(int(code)) {
			t.Errorf("type %s has code %q, want %d (%s)", name, all[name], code, code)
		}
	}
	bigint := int32(pb.XdbcDataType_XDBC_BIGINT)
	if got := types(&bigint); len(got) != 1 || got["bigint"] == "" {
		t.Errorf("types with code BIGINT: %v", got)
	}
}

// TestPrimaryKeys lists the columns declared primary_key, for a readable
// table only.
func TestPrimaryKeys(t *testing.T) {
	mesh := loadMesh(t, tpchMesh)
	for _, p := range mesh.Products {
		if p.QualifiedName() == "tpch.nation_v1" {
			p.Columns[0].Constraints = append(p.Columns[0].Constraints, "primary_key")
		}
	}
	eng, mem := newEngine(t, mesh)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string][][]string{
		"nation_v1":   {{"mesh", "tpch", "nation_v1", "n_nationkey", "1", "nation_v1_pkey"}},
		"lineitem_v1": nil,
		"nowhere_v1":  nil,
	} {
		info, err := cl.GetPrimaryKeys(ctx, flightsql.TableRef{Table: table, DBSchema: ptr("tpch")})
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := fetch(ctx, cl, info)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("primary key of %s: %v, want %v", table, got, want)
		}
	}
}

// TestErrorStatus checks the gRPC code of each kind of error, and that
// the SQLSTATE, message and position travel in an ErrorInfo detail, for
// errors at GetFlightInfo and in the middle of a DoGet stream.
func TestErrorStatus(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	run := func(sql string) error {
		info, err := cl.Execute(ctx, sql)
		if err != nil {
			return err
		}
		_, _, err = fetch(ctx, cl, info)
		return err
	}
	for _, c := range []struct {
		sql      string
		code     codes.Code
		sqlstate string
		position bool
	}{
		{"SELECT * FROM tpch.no_such_table", codes.InvalidArgument, "42P01", true},
		{"SELECT n_nme FROM nation", codes.InvalidArgument, "42703", true},
		{"SELEC 1", codes.InvalidArgument, "42601", true},
		{"SELECT 1; SELECT 2", codes.Unimplemented, "0A000", false},
		{"SELECT n_nationkey / (n_nationkey - 3) FROM nation", codes.InvalidArgument, "22012", false},
		// A query over meshql's limits asks too much; a subquery of many
		// rows and an unknown schema are the query's fault, as 42P01.
		{"SELECT count(*) FROM generate_series(1, 300000000)", codes.ResourceExhausted, "54000", false},
		{"SELECT (SELECT n_nationkey FROM nation)", codes.InvalidArgument, "21000", false},
		{"SELECT 'nosuch.t'::regclass", codes.InvalidArgument, "3F000", true},
		{"SELECT 'other.tpch.t'::regclass", codes.Unimplemented, "0A000", true},
		{"SAVEPOINT a", codes.FailedPrecondition, "25P01", false},
	} {
		info := checkStatus(t, c.sql, run(c.sql), c.code, c.sqlstate)
		if info == nil {
			continue
		}
		if _, ok := info.Metadata["position"]; ok != c.position {
			t.Errorf("%s: position %q", c.sql, info.Metadata["position"])
		}
	}
}

// TestTLS serves Flight SQL over TLS: a client that trusts the
// certificate (arrow-go's, and ADBC's with grpc+tls://) runs a query, a
// plaintext client cannot.
func TestTLS(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	serverTLS, pool := testcert.SelfSigned(t)
	_, addr := startServer(t, eng, mem, func(c *Config) { c.TLSConfig = serverTLS })
	cl, err := flightsql.NewClient(addr, nil, nil, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, err := cl.Client.AuthenticateBasicToken(context.Background(), "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "SELECT n_name FROM nation WHERE n_nationkey = 3")
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, err := fetch(ctx, cl, info); err != nil || len(rows) != 1 || rows[0][0] != "CANADA" {
		t.Errorf("over TLS: %v %v", rows, err)
	}
	if _, _, err := dial(t, addr, "analyst", "analyst"); err == nil {
		t.Error("a plaintext client logged in to a TLS server")
	}
	cnxn, err := adbcConnectWith(t, "grpc+tls://"+addr, "analyst", map[string]string{"adbc.flight.sql.client_option.tls_skip_verify": "true"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := adbcQuery(context.Background(), cnxn, "SELECT n_name FROM nation WHERE n_nationkey = 3", nil)
	if err != nil || len(got) != 1 || got[0][0] != "CANADA" {
		t.Errorf("ADBC over TLS: %v %v", got, err)
	}
}
