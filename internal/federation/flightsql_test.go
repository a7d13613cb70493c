package federation

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/flightsql"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/slt"
	"github.com/meshql/meshql/internal/tpch"
	"github.com/meshql/meshql/sqltypes"
	wireflight "github.com/meshql/meshql/wire/flightsql"
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
	if want := `remote_sql="SELECT \"n_name\" FROM \"tpch\".\"nation_v1\" WHERE \"n_name\" = $1 LIMIT 3" params=['O''HARA']`; strings.Join(lines[:2], " ") != want {
		t.Errorf("EXPLAIN %s, want %s", lines, want)
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

// TestFlightSQLSourceBindsAndSplits reads a product from a meshql node
// whose result comes in several endpoints (the remote table has three
// Parquet files), with filters whose values are bound as parameters of a
// prepared statement: quotes, a "$1" inside a string and NULLs (rows
// whose segment is NULL pass no comparison) must give the rows meshql
// computes itself from the same files, where nothing is pushed.
func TestFlightSQLSourceBindsAndSplits(t *testing.T) {
	ctx := context.Background()
	remoteMesh, err := slt.GenerateFixture(ctx, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	if err := slt.CopyProductFiles(remoteMesh, t.TempDir(), 3, "sales.customers_v1"); err != nil {
		t.Fatal(err)
	}
	var files string
	for _, p := range remoteMesh.Products {
		if p.QualifiedName() == "sales.customers_v1" {
			files = p.Source.Path
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	node, err := engine.New(engine.Config{Mesh: remoteMesh, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	uri := "grpc://" + serveFlightWith(t, node, mem, wireflight.Config{MaxEndpoints: 3})
	t.Setenv("MESHQL_FS_PW", "admin")

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mesh.yaml"), strings.Replace(readFile(t, filepath.Join(tpchMesh, "mesh.yaml")), "\ndomains:\n",
		"\ndomains:\n  pq: {description: Parquet copy}\n  fs: {description: Flight SQL copy}\n", 1))
	desc := readFile(t, "../../testdata/mesh/sales/customers_v1.yaml")
	src := regexp.MustCompile(`(?m)^source:\n(  .*\n)+`)
	for dom, s := range map[string]string{
		"pq": "source: {connector: parquet, path: " + files + "}\n",
		"fs": "source: {connector: flightsql, table: sales.customers_v1, options: {uri: \"" + uri + "\", username: admin, password_env: MESHQL_FS_PW}}\n",
	} {
		d := strings.Replace(src.ReplaceAllLiteralString(desc, s), "domain: sales", "domain: "+dom, 1)
		writeFile(t, filepath.Join(dir, dom, "customers_v1.yaml"), d)
	}
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Mesh: mesh, Mem: mem, Workers: 2, Connectors: []connectors.Connector{parquet.New(), flightsql.New()}})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	some, err := tpch.Run(ctx, sess, "SELECT name FROM pq.customers_v1 ORDER BY customer_id LIMIT 1")
	if err != nil || len(some.Rows) != 1 {
		t.Fatalf("a customer name: %v %v", some, err)
	}
	name := strings.ReplaceAll(some.Rows[0][0], "'", "''")
	for _, where := range []string{
		"segment <> 'consumer'",
		"segment NOT IN ('consumer', 'enterprise')",
		"NOT (segment = 'small_business') AND customer_id > 10",
		"name IN ('O''Brien', '" + name + "', 'it''s $1 \\')",
		"name <> 'x'' OR ''1''=''1' AND signup_date >= DATE '2024-03-01'",
		"segment IS NULL OR customer_id BETWEEN 100 AND 120",
	} {
		q := "SELECT customer_id, name, email, segment, signup_date FROM {T} WHERE " + where + " ORDER BY customer_id, name"
		want, err := tpch.Run(ctx, sess, strings.ReplaceAll(q, "{T}", "pq.customers_v1"))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		sql := strings.ReplaceAll(q, "{T}", "fs.customers_v1")
		got, err := tpch.Run(ctx, sess, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if len(want.Rows) == 0 {
			t.Errorf("%s: no rows; the case tests nothing", q)
		}
		if err := tpch.Compare(sql, got, want); err != nil {
			t.Errorf("pushdown with bound values changed the answer of %s: %v", sql, err)
		}
		plan, err := tpch.Run(ctx, sess, "EXPLAIN "+sql)
		if err != nil {
			t.Fatal(err)
		}
		if text := fmt.Sprint(plan.Rows); !strings.Contains(text, "$1") || !strings.Contains(text, "params=[") {
			t.Errorf("EXPLAIN %s shows no bound values: %s", sql, text)
		}
	}
}
