package catalog

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

const demoDir = "../testdata/mesh"

func loadDemo(t *testing.T) *Mesh {
	t.Helper()
	m, err := Load(demoDir, LoadOptions{})
	if err != nil {
		t.Fatalf("Load(%s): %v", demoDir, err)
	}
	return m
}

func TestLoadDemoMesh(t *testing.T) {
	m := loadDemo(t)
	if m.Name != "demo" {
		t.Errorf("Name = %q, want demo", m.Name)
	}
	abs, _ := filepath.Abs(demoDir)
	if m.Dir != abs {
		t.Errorf("Dir = %q, want %q", m.Dir, abs)
	}
	var got []string
	for _, p := range m.Products {
		got = append(got, p.QualifiedName())
	}
	want := []string{"catalog.products_v1", "catalog.products_v2", "marketing.cross_sell_v1", "sales.customers_v1", "sales.orders_v1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("products = %v, want %v", got, want)
	}
	for _, p := range m.Products {
		if p.Owner.Team == "" || p.Description == "" || p.SLA.Freshness == 0 {
			t.Errorf("%s: owner, description and SLA freshness must be declared", p.QualifiedName())
		}
		for _, c := range p.Columns {
			if c.Description == "" {
				t.Errorf("%s.%s: no description", p.QualifiedName(), c.Name)
			}
		}
		if p.Source.Connector == "parquet" && p.Source.BaseDir != abs {
			t.Errorf("%s: BaseDir = %q, want %q", p.QualifiedName(), p.Source.BaseDir, abs)
		}
	}
	var doms []string
	for _, d := range m.Domains {
		doms = append(doms, d.Name)
	}
	if !reflect.DeepEqual(doms, []string{"catalog", "marketing", "sales"}) {
		t.Errorf("domains = %v", doms)
	}

	orders, ok := m.Lookup("sales", "orders_v1")
	if !ok {
		t.Fatal("sales.orders_v1 not found")
	}
	if c := orders.Column("amount"); c == nil || c.Type.String() != "numeric(12,2)" {
		t.Errorf("orders_v1.amount = %+v", c)
	}
	if orders.SLA.Freshness != 24*time.Hour || orders.SLA.FreshnessColumn != "order_date" {
		t.Errorf("orders SLA = %+v", orders.SLA)
	}
	if got := orders.Policies.Columns["customer_id"]; got.Mask != "hash" || !reflect.DeepEqual(got.Except, []string{"sales"}) {
		t.Errorf("orders customer_id policy = %+v", got)
	}
	v1, _ := m.Lookup("catalog", "products_v1")
	if !v1.Deprecated() || v1.Sunset.IsZero() || v1.Column("category_name") == nil {
		t.Errorf("products_v1 = %+v", v1)
	}
	cs, _ := m.Lookup("marketing", "cross_sell")
	if cs.Source.Connector != "sql" || cs.Source.Query == "" ||
		!reflect.DeepEqual(cs.Inputs, []string{"sales.orders_v1", "catalog.products_v2"}) {
		t.Errorf("cross_sell = %+v", cs)
	}
	cust, _ := m.Lookup("sales", "customers")
	for _, col := range []string{"name", "email"} {
		if c := cust.Column(col); c == nil || !reflect.DeepEqual(c.Tags, []string{"pii"}) {
			t.Errorf("customers.%s tags = %+v", col, c)
		}
	}
}

func TestLoadDataDir(t *testing.T) {
	data := t.TempDir()
	m, err := Load(demoDir, LoadOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := m.Lookup("sales", "orders")
	if p.Source.BaseDir != data || p.Source.Path != "sales/orders/*.parquet" {
		t.Errorf("source = %+v, want BaseDir %s", p.Source, data)
	}
}

func TestLookupForms(t *testing.T) {
	m := loadDemo(t)
	tests := []struct {
		schema, name string
		want         string // qualified name, "" = not found
	}{
		{"sales", "orders_v1", "sales.orders_v1"},
		{"sales", "orders", "sales.orders_v1"},
		{"SALES", "Orders", ""}, // quoted identifiers keep their case, as in PostgreSQL
		{"Sales", "orders_v1", ""},
		{"catalog", "products", "catalog.products_v2"},
		{"catalog", "products_v1", "catalog.products_v1"},
		{"catalog", "products_v2", "catalog.products_v2"},
		{"catalog", "products_v3", ""},
		{"catalog", "products_v01", ""},
		{"marketing", "cross_sell", "marketing.cross_sell_v1"},
		{"marketing", "cross_sell_v1", "marketing.cross_sell_v1"},
		{"sales", "products", ""},
		{"nope", "orders", ""},
	}
	for _, tc := range tests {
		p, ok := m.Lookup(tc.schema, tc.name)
		got := ""
		if ok {
			got = p.QualifiedName()
		}
		if got != tc.want {
			t.Errorf("Lookup(%q, %q) = %q, want %q", tc.schema, tc.name, got, tc.want)
		}
	}
	// Every product resolves under its own versioned name.
	for _, p := range m.Products {
		if got, err := m.Resolve(p.Domain, p.TableName()); err != nil || got != p {
			t.Errorf("Resolve(%s) = %v, %v", p.QualifiedName(), got, err)
		}
	}
	if d, ok := m.Domain("Catalog"); !ok || d.Owner.Team != "catalog" {
		t.Errorf("Domain(Catalog) = %+v, %v", d, ok)
	}
	if _, ok := m.Domain("mesh"); ok {
		t.Error("Domain(mesh) found")
	}
	var names []string
	for _, p := range m.ProductsInDomain("CATALOG") {
		names = append(names, p.TableName())
	}
	if !reflect.DeepEqual(names, []string{"products_v1", "products_v2"}) {
		t.Errorf("ProductsInDomain(catalog) = %v", names)
	}
	if m.ProductsInDomain("nope") != nil {
		t.Error("ProductsInDomain(nope) is not nil")
	}
}

func TestUsersAndRoles(t *testing.T) {
	m := loadDemo(t)
	for _, name := range []string{"analyst", "marketing", "sales_eu", "admin"} {
		u, ok := m.User(name)
		if !ok || u.Password != name {
			t.Errorf("User(%q) = %+v, %v; want password = name", name, u, ok)
		}
	}
	if u, _ := m.User("sales_eu"); u.Attributes["region"] != "EU" {
		t.Errorf("sales_eu attributes = %v", u.Attributes)
	}
	tests := map[string][]string{
		"analyst":  {"analyst"},
		"sales_eu": {"sales"},
		"admin":    {"admin", "analyst", "marketing", "sales"},
		"nobody":   nil,
	}
	for user, want := range tests {
		if got := m.RolesOf(user); !reflect.DeepEqual(got, want) {
			t.Errorf("RolesOf(%q) = %v, want %v", user, got, want)
		}
	}
}
