package federation

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/flightsql"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// TestFlightSQLSource opens products on a meshql node through the Flight
// SQL connector: the schema comes from the server, a string range filter
// stays in meshql (a remote collation may order strings differently),
// and a bad login, an unset password variable, an unknown table (HV00R,
// from the server's 42P01) and an unreachable server are typed errors.
func TestFlightSQLSource(t *testing.T) {
	ctx := context.Background()
	base, err := catalog.Load(tpchMesh, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	node, err := engine.New(engine.Config{Mesh: base, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	uri := "grpc://" + serveFlight(t, node, mem)
	t.Setenv("MESHQL_FS_PW", "admin")
	t.Setenv("MESHQL_FS_BAD_PW", "nope")
	src := func(table, pwEnv, uri string) catalog.Source {
		return catalog.Source{Connector: "flightsql", Table: table,
			Options: map[string]string{"uri": uri, "username": "admin", "password_env": pwEnv}}
	}

	tbl, err := flightsql.New().OpenTable(ctx, src("tpch.nation_v1", "MESHQL_FS_PW", uri))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range tbl.Schema().Fields() {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "n_nationkey,n_name,n_regionkey,n_comment" {
		t.Errorf("remote columns %s", got)
	}
	eq := connectors.Compare{Column: "n_name", Op: connectors.OpEq, Value: connectors.Literal{Type: sqltypes.TypeText, Value: "O'HARA"}}
	lt := connectors.Compare{Column: "n_name", Op: connectors.OpLt, Value: connectors.Literal{Type: sqltypes.TypeText, Value: "B"}}
	if got := tbl.SupportsFilters([]connectors.Filter{eq, lt}); got[0] != connectors.Exact || got[1] != connectors.Unsupported {
		t.Errorf("SupportsFilters(=, < on text) = %v, want [exact unsupported]", got)
	}
	lines := tbl.ExplainScan(ctx, connectors.ScanRequest{Columns: []int{1}, Filters: []connectors.Filter{eq}, Limit: 3})
	if want := `remote_sql="SELECT \"n_name\" FROM \"tpch\".\"nation_v1\" WHERE \"n_name\" = 'O''HARA' LIMIT 3"`; lines[0] != want {
		t.Errorf("EXPLAIN %s, want %s", lines[0], want)
	}

	for name, tc := range map[string]struct {
		src  catalog.Source
		code string
		msg  string
	}{
		"wrong password":   {src("tpch.nation_v1", "MESHQL_FS_BAD_PW", uri), sqltypes.CodeFDWUnableToConnect, ""},
		"unset variable":   {src("tpch.nation_v1", "MESHQL_FS_UNSET", uri), sqltypes.CodeFDWError, "MESHQL_FS_UNSET"},
		"unknown table":    {src("tpch.nowhere_v1", "MESHQL_FS_PW", uri), sqltypes.CodeFDWTableNotFound, "nowhere_v1"},
		"unreachable node": {src("tpch.nation_v1", "MESHQL_FS_PW", "grpc://127.0.0.1:1"), sqltypes.CodeFDWUnableToConnect, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := flightsql.New().OpenTable(ctx, tc.src)
			if sqltypes.Code(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v (SQLSTATE %s), want SQLSTATE %s mentioning %q", err, sqltypes.Code(err), tc.code, tc.msg)
			}
		})
	}
}
