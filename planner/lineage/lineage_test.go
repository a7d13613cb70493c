package lineage

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

func edgeStrings(es []Edge) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("%s <- %s.%s (%s)", e.Column, e.Input, e.InputColumn, e.Transformation)
	}
	return out
}

// TestCrossSell: the demo's marketing.cross_sell_v1 passes customer_id
// through from sales.orders_v1 (grouped in a CTE, then again outside) and
// category from catalog.products_v2 (a CTE joined USING product_id);
// occurences is count(*), which reads no column. Written from its SQL.
func TestCrossSell(t *testing.T) {
	m, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := m.Lookup("marketing", "cross_sell_v1")
	if !ok {
		t.Fatal("no marketing.cross_sell_v1")
	}
	got, err := Columns(context.Background(), m, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"customer_id <- sales.orders_v1.customer_id (identity)",
		"category <- catalog.products_v2.category (identity)",
	}
	if !reflect.DeepEqual(edgeStrings(got), want) {
		t.Errorf("got  %q\nwant %q", edgeStrings(got), want)
	}
	for _, e := range got {
		if e.Product != "marketing.cross_sell_v1" {
			t.Errorf("edge of %s", e.Product)
		}
	}
	all, errs := Mesh(context.Background(), m)
	if len(errs) != 0 || !reflect.DeepEqual(all, got) {
		t.Errorf("Mesh: %v, %v", all, errs)
	}
}

func col(name string, t sqltypes.Type) *catalog.Column { return &catalog.Column{Name: name, Type: t} }

// TestTransformations covers computed, aggregated, joined, windowed and
// unioned columns, and a derived input (edges stop at it).
func TestTransformations(t *testing.T) {
	num := sqltypes.Type{Kind: sqltypes.Numeric, Precision: 12, Scale: 2}
	base := func(name string, cols ...*catalog.Column) *catalog.Product {
		return &catalog.Product{Domain: "a", Name: name, Version: 1, Status: catalog.StatusActive, Source: catalog.Source{Connector: "parquet"}, Columns: cols}
	}
	derived := func(name, sql string, cols ...*catalog.Column) *catalog.Product {
		p := base(name, cols...)
		p.Source = catalog.Source{Connector: "sql", Query: sql}
		return p
	}
	i8 := sqltypes.TypeInt8
	m := &catalog.Mesh{Domains: []*catalog.Domain{{Name: "a"}}, Products: []*catalog.Product{
		base("t", col("id", sqltypes.TypeInt8), col("x", sqltypes.TypeInt8), col("s", sqltypes.TypeText)),
		base("u", col("id", sqltypes.TypeInt8), col("y", num)),
		derived("d", `SELECT t.id, upper(t.s) AS s_up, sum(t.x * 2) AS total, max(u.y) AS top,
			rank() OVER (ORDER BY t.id) AS r, 1 AS one
			FROM a.t_v1 t JOIN a.u_v1 u ON t.id = u.id WHERE u.y > 0 GROUP BY t.id, upper(t.s)`,
			col("id", i8), col("s_up", sqltypes.TypeText), col("total", num), col("top", num), col("r", i8), col("one", sqltypes.TypeInt4)),
		derived("e", `SELECT id, (SELECT max(x) FROM a.t_v1) AS mx FROM a.d_v1 UNION ALL SELECT id, y::bigint FROM a.u_v1`, col("id", i8), col("mx", i8)),
	}}
	cases := map[string][]string{
		"d": {
			"id <- a.t_v1.id (identity)",
			"s_up <- a.t_v1.s (transformation)",
			"total <- a.t_v1.x (aggregation)",
			"top <- a.u_v1.y (aggregation)",
		},
		"e": {
			"id <- a.d_v1.id (identity)",
			"id <- a.u_v1.id (identity)",
			"mx <- a.t_v1.x (aggregation)",
			"mx <- a.u_v1.y (transformation)",
		},
	}
	for name, want := range cases {
		p, _ := m.Lookup("a", name+"_v1")
		got, err := Columns(context.Background(), m, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(edgeStrings(got), want) {
			t.Errorf("%s:\ngot  %q\nwant %q", name, edgeStrings(got), want)
		}
	}
	if got, err := Columns(context.Background(), m, m.Products[0]); got != nil || err != nil {
		t.Errorf("a source product: %v, %v", got, err)
	}
	bad := derived("f", "SELECT nope FROM a.t_v1", col("nope", i8))
	if _, err := Columns(context.Background(), m, bad); sqltypes.Code(err) != sqltypes.CodeUndefinedColumn {
		t.Errorf("a definition that does not bind: %v", err)
	}
}

// TestSharedWithChain: a WITH query read twice by the next, level after
// level, is walked once per level (sixty levels are 2^60 paths), and its
// column derives from the input column through every level.
func TestSharedWithChain(t *testing.T) {
	parts := []string{"c0 AS (SELECT x FROM a.t_v1)"}
	for i := 1; i <= 60; i++ {
		parts = append(parts, fmt.Sprintf("c%d AS (SELECT x FROM c%d UNION ALL SELECT x + 1 FROM c%d)", i, i-1, i-1))
	}
	sql := "WITH " + strings.Join(parts, ", ") + " SELECT x FROM c60"
	p := &catalog.Product{Domain: "a", Name: "chain", Version: 1, Status: catalog.StatusActive,
		Source: catalog.Source{Connector: "sql", Query: sql}, Columns: []*catalog.Column{col("x", sqltypes.TypeInt8)}}
	m := &catalog.Mesh{Domains: []*catalog.Domain{{Name: "a"}}, Products: []*catalog.Product{
		{Domain: "a", Name: "t", Version: 1, Status: catalog.StatusActive, Source: catalog.Source{Connector: "parquet"}, Columns: []*catalog.Column{col("x", sqltypes.TypeInt8)}},
		p,
	}}
	got, err := Columns(context.Background(), m, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"x <- a.t_v1.x (transformation)"}; !reflect.DeepEqual(edgeStrings(got), want) {
		t.Errorf("got %q, want %q", edgeStrings(got), want)
	}
}
