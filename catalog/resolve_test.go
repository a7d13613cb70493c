package catalog

import (
	"errors"
	"reflect"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

func TestResolveErrors(t *testing.T) {
	m := loadDemo(t)
	tests := []struct {
		schema, name string
		code, msg    string
		hint         string
	}{
		{"sales", "orderz", sqltypes.CodeUndefinedTable, `relation "sales.orderz" does not exist`, `Perhaps you meant "sales.orders_v1"?`},
		{"sales", "orders_v2", sqltypes.CodeUndefinedTable, `relation "sales.orders_v2" does not exist`, `Perhaps you meant "sales.orders_v1"?`},
		{"sales", "customer", sqltypes.CodeUndefinedTable, `relation "sales.customer" does not exist`, `Perhaps you meant "sales.customers_v1"?`},
		{"sales", "products_v2", sqltypes.CodeUndefinedTable, `relation "sales.products_v2" does not exist`, `Perhaps you meant "catalog.products_v2"?`},
		{"catalog", "product", sqltypes.CodeUndefinedTable, `relation "catalog.product" does not exist`, `Perhaps you meant "catalog.products_v2"?`},
		{"marketing", "zzzzzzzz", sqltypes.CodeUndefinedTable, `relation "marketing.zzzzzzzz" does not exist`, ""},
		{"", "orderz", sqltypes.CodeUndefinedTable, `relation "orderz" does not exist`, `Perhaps you meant "sales.orders_v1"?`},
		// PostgreSQL reports an unknown schema in FROM as an unknown relation.
		{"sals", "orders", sqltypes.CodeUndefinedTable, `relation "sals.orders" does not exist`, `There is no domain "sals"; perhaps you meant "sales"?`},
		{"x", "orders", sqltypes.CodeUndefinedTable, `relation "x.orders" does not exist`, ""},
	}
	for _, tc := range tests {
		p, err := m.Resolve(tc.schema, tc.name)
		var se *sqltypes.Error
		if !errors.As(err, &se) {
			t.Errorf("Resolve(%q, %q) = %v, %v; want *sqltypes.Error", tc.schema, tc.name, p, err)
			continue
		}
		if se.Code != tc.code || se.Msg != tc.msg || se.Hint != tc.hint {
			t.Errorf("Resolve(%q, %q) = %s %q hint %q; want %s %q hint %q", tc.schema, tc.name, se.Code, se.Msg, se.Hint, tc.code, tc.msg, tc.hint)
		}
	}
}

func TestResolveDraftOnly(t *testing.T) {
	m := &Mesh{
		Domains: []*Domain{{Name: "sales"}},
		Products: []*Product{
			{Domain: "sales", Name: "leads", Version: 1, Status: StatusDraft},
			{Domain: "sales", Name: "refunds", Version: 1, Status: StatusDeprecated},
			{Domain: "sales", Name: "refunds", Version: 2, Status: StatusActive},
			{Domain: "sales", Name: "refunds", Version: 3, Status: StatusDraft},
		},
	}
	_, err := m.Resolve("sales", "leads")
	if se := sqltypes.AsError(err); se.Code != sqltypes.CodeUndefinedTable ||
		se.Hint != `"sales.leads" has only draft versions; name one explicitly, like "sales.leads_v1".` {
		t.Errorf("Resolve(sales.leads) = %+v", se)
	}
	if p, err := m.Resolve("sales", "leads_v1"); err != nil || p.Version != 1 {
		t.Errorf("Resolve(sales.leads_v1) = %v, %v", p, err)
	}
	if p, _ := m.Lookup("sales", "refunds"); p.Version != 2 {
		t.Errorf("Lookup(sales.refunds) = v%d, want the active v2", p.Version)
	}
	m.Products[2].Status = StatusDeprecated
	if p, _ := m.Lookup("sales", "refunds"); p.Version != 2 {
		t.Errorf("Lookup(sales.refunds) with none active = v%d, want the newest non-draft v2", p.Version)
	}
}

func TestSuggest(t *testing.T) {
	m := loadDemo(t)
	tests := []struct {
		in   string
		n    int
		want []string
	}{
		{"sales.orderz", 3, []string{"sales.orders_v1"}},
		{"orders", 3, []string{"sales.orders_v1"}},
		{"catalog.products_v3", 3, []string{"catalog.products_v1", "catalog.products_v2"}},
		{"catalog.products_v3", 1, []string{"catalog.products_v1"}},
		{"crosssell", 3, []string{"marketing.cross_sell_v1"}},
		{"nothing_like_it", 3, []string{}},
	}
	for _, tc := range tests {
		if got := m.Suggest(tc.in, tc.n); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Suggest(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"type", "tpye", 1}, {"orderz", "orders", 1}, {"héllo", "hello", 1},
	}
	for _, tc := range tests {
		if got := levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
