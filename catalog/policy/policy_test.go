package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

func loadDemo(t *testing.T) *catalog.Mesh {
	t.Helper()
	m, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{})
	if err != nil {
		t.Fatalf("loading the demo mesh: %v", err)
	}
	return m
}

func TestPrincipalOf(t *testing.T) {
	m := loadDemo(t)
	cases := []struct {
		user  string
		roles []string
		attrs map[string]string
	}{
		{"analyst", []string{"analyst"}, nil},
		{"marketing", []string{"marketing"}, nil},
		{"sales_eu", []string{"sales"}, map[string]string{"region": "EU"}},
		{"admin", []string{"admin", "analyst", "marketing", "sales"}, nil},
		{"nobody", nil, nil},
	}
	for _, c := range cases {
		p := PrincipalOf(m, c.user)
		if p.User != c.user || !slices.Equal(p.Roles, c.roles) || len(p.Attributes) != len(c.attrs) {
			t.Errorf("PrincipalOf(%s) = %+v, want roles %v attrs %v", c.user, p, c.roles, c.attrs)
		}
		for k, v := range c.attrs {
			if got, ok := p.Attr(k); !ok || got != v {
				t.Errorf("%s: Attr(%s) = %q, %v; want %q", c.user, k, got, ok, v)
			}
		}
	}
	// The principal's attributes are a copy: changing them leaves the mesh alone.
	p := PrincipalOf(m, "sales_eu")
	p.Attributes["region"] = "NA"
	if q := PrincipalOf(m, "sales_eu"); q.Attributes["region"] != "EU" {
		t.Errorf("PrincipalOf shares the mesh's attribute map")
	}
}

// TestDecideDemo checks every demo user against every demo product. The
// expectations are written from testdata/mesh's YAML:
//
//   - admin inherits every role and bypasses policies.
//   - catalog.products_v1/v2: read [analyst marketing sales], no PII, no rules.
//   - marketing.cross_sell_v1: read [marketing analyst]; customer_id
//     {hash except marketing} (and tagged pii.indirect; marketing owns the domain).
//   - sales.customers_v1: read [analyst marketing sales]; customer_id and
//     name hash, email partial, all except sales; signup_date denied except
//     for analyst and sales; row filter region = current_user_attr('region')
//     for sales except admin.
//   - sales.orders_v1: read [analyst marketing sales]; customer_id
//     {hash except sales}; amount {round except sales, analyst}.
func TestDecideDemo(t *testing.T) {
	m := loadDemo(t)
	const salesFilter = "filter=[region = current_user_attr('region')]"
	want := map[string]map[string]string{
		"analyst": {
			"catalog.products_v1":     "read",
			"catalog.products_v2":     "read",
			"marketing.cross_sell_v1": "read mask=[customer_id:hash]",
			"sales.customers_v1":      "read mask=[customer_id:hash email:partial name:hash]",
			"sales.orders_v1":         "read mask=[customer_id:hash]",
		},
		"marketing": {
			"catalog.products_v1":     "read",
			"catalog.products_v2":     "read",
			"marketing.cross_sell_v1": "read",
			"sales.customers_v1":      "read deny=[signup_date] mask=[customer_id:hash email:partial name:hash]",
			"sales.orders_v1":         "read mask=[amount:round(10) customer_id:hash]",
		},
		"sales_eu": {
			"catalog.products_v1":     "read",
			"catalog.products_v2":     "read",
			"marketing.cross_sell_v1": "no read",
			"sales.customers_v1":      "read " + salesFilter,
			"sales.orders_v1":         "read",
		},
		"admin": {
			"catalog.products_v1":     "read",
			"catalog.products_v2":     "read",
			"marketing.cross_sell_v1": "read",
			"sales.customers_v1":      "read",
			"sales.orders_v1":         "read",
		},
	}
	seen := 0
	for _, user := range []string{"analyst", "marketing", "sales_eu", "admin"} {
		p := PrincipalOf(m, user)
		for _, prod := range m.Products {
			w, ok := want[user][prod.QualifiedName()]
			if !ok {
				t.Errorf("no expectation for %s on %s", user, prod.QualifiedName())
				continue
			}
			seen++
			d := Decide(m, p, prod)
			if got := d.String(); got != w {
				t.Errorf("Decide(%s, %s) = %q, want %q (reason %q)", user, prod.QualifiedName(), got, w, d.Reason)
			}
			if d.Reason == "" {
				t.Errorf("Decide(%s, %s): empty reason", user, prod.QualifiedName())
			}
			if _, hashed := maskMethods(d)[MaskHash]; hashed != (d.HashKey != "") {
				t.Errorf("Decide(%s, %s): HashKey %q with masks %v", user, prod.QualifiedName(), d.HashKey, d.Masks)
			}
			if strings.Contains(d.String(), d.HashKey) && d.HashKey != "" {
				t.Errorf("String prints the hash key")
			}
		}
	}
	if seen != 5*4 {
		t.Errorf("checked %d decisions, want 20 (did the demo mesh change?)", seen)
	}
}

func maskMethods(d Decision) map[string]bool {
	out := map[string]bool{}
	for _, s := range d.Masks {
		out[s.Method] = true
	}
	return out
}

// TestDecideRules covers what the demo lacks: deny, round parameters,
// layering of column policies over the global PII rule, row filters for
// everyone, several filters, unknown users.
func TestDecideRules(t *testing.T) {
	m := &catalog.Mesh{
		Name:   "t",
		Access: catalog.DefaultAccess(), // what Load gives a mesh.yaml without access
		Roles: []*catalog.Role{
			{Name: "admin", Inherits: []string{"ops"}}, {Name: "hr"}, {Name: "ops"}, {Name: "sales"},
		},
		Users: []*catalog.User{
			{Name: "ann", Roles: []string{"ops"}, Attributes: map[string]string{"region": "EU"}},
			{Name: "bob", Roles: []string{"hr"}},
			{Name: "root", Roles: []string{"admin"}},
			{Name: "sam", Roles: []string{"sales"}},
		},
	}
	prod := &catalog.Product{
		Domain: "hr", Name: "people", Version: 1,
		Columns: []*catalog.Column{
			{Name: "id", Type: sqltypes.TypeInt8, Tags: []string{"pii.indirect"}},
			{Name: "email", Type: sqltypes.TypeText, Tags: []string{"pii"}},
			{Name: "phone", Type: sqltypes.TypeText, Tags: []string{"pii.contact"}},
			{Name: "salary", Type: sqltypes.NumericType(10, 2)},
			{Name: "born", Type: sqltypes.TypeDate, Tags: []string{"pii"}},
			{Name: "hired", Type: sqltypes.TypeTimestamp},
			{Name: "note", Type: sqltypes.TypeText, Tags: []string{"piiish"}},
			{Name: "region", Type: sqltypes.TypeText},
		},
		Policies: catalog.Policies{
			Read: []string{"hr", "ops", "sales"},
			Columns: map[string]catalog.ColumnPolicy{
				"email":  {Mask: "partial"},                           // weaker than the global hash, for everyone
				"phone":  {Deny: true, Except: []string{"ops"}},       // ops falls back to the global hash
				"salary": {Mask: "round", Except: []string{"hr"}},     // numbers round to 10
				"born":   {Mask: "round"},                             // dates to the month, even for hr
				"hired":  {Mask: "null", Except: []string{"sales"}},   // sales is not hr: no PII, raw
				"region": {Deny: true, Except: []string{"hr", "ops"}}, // not PII: excepted roles see it raw
			},
			RowFilters: []catalog.RowFilter{
				{Predicate: " active "},
				{Roles: []string{"ops", "sales"}, Except: []string{"hr"}, Predicate: "region = current_user_attr('region')"},
				{Roles: []string{"hr"}, Predicate: "dept = 'hr'"},
			},
		},
	}
	cases := []struct{ user, want string }{
		{"root", "read"},
		{"nobody", "no read"},
		{"bob", "read deny=[phone] mask=[born:round(month) email:partial hired:null] filter=[(active) AND (dept = 'hr')]"},
		{"ann", "read mask=[born:round(month) email:partial hired:null id:hash phone:hash salary:round(10)] " +
			"filter=[(active) AND (region = current_user_attr('region'))]"},
		{"sam", "read deny=[phone region] mask=[born:round(month) email:partial id:hash salary:round(10)] " +
			"filter=[(active) AND (region = current_user_attr('region'))]"},
	}
	for _, c := range cases {
		d := Decide(m, PrincipalOf(m, c.user), prod)
		if got := d.String(); got != c.want {
			t.Errorf("%s: got  %q\nwant %q", c.user, got, c.want)
		}
	}
	if d := Decide(m, PrincipalOf(m, "nobody"), prod); !strings.Contains(d.Reason, "read: hr, ops, sales") {
		t.Errorf("reason %q does not list the read roles", d.Reason)
	}
	if d := Decide(m, PrincipalOf(m, "bob"), prod); d.HashKey != "" {
		t.Errorf("HashKey set without a hash mask")
	}
	if d := Decide(m, PrincipalOf(m, "ann"), prod); d.HashKey != MaskKey(m) || len(d.HashKey) != 64 {
		t.Errorf("HashKey = %q, want MaskKey", d.HashKey)
	}
}

func TestMaskKeyPerMesh(t *testing.T) {
	a, b := MaskKey(&catalog.Mesh{Name: "a"}), MaskKey(&catalog.Mesh{Name: "b"})
	if a == b || a != MaskKey(&catalog.Mesh{Name: "a"}) {
		t.Errorf("MaskKey is not a stable per-mesh value: %s %s", a, b)
	}
	// With a secret, the key depends on the secret only: it cannot be
	// recomputed from the mesh name, and it stays put across renames.
	s1 := MaskKey(&catalog.Mesh{Name: "a", MaskKey: "secret-one-0123456789"})
	s2 := MaskKey(&catalog.Mesh{Name: "a", MaskKey: "secret-two-0123456789"})
	s1b := MaskKey(&catalog.Mesh{Name: "b", MaskKey: "secret-one-0123456789"})
	if s1 == a || s1 == s2 || s1 != s1b || len(s1) != 64 || strings.Contains(s1, "secret") {
		t.Errorf("keyed MaskKey: %s %s %s (unkeyed %s)", s1, s2, s1b, a)
	}
}

func TestMaskSpec(t *testing.T) {
	s := MaskSpec{Method: MaskRound, Param: "month"}
	if s.Function() != "mesh_mask_round" || s.String() != "round(month)" {
		t.Errorf("got %s %s", s.Function(), s)
	}
}

// TestDefinerAndRolePrincipal: a derived product's definer owns its
// domain (reads it as stored) and holds only the domain's role elsewhere;
// a role name stands for that role and what it inherits. Expectations
// follow from testdata/mesh (see TestDecideDemo).
func TestDefinerAndRolePrincipal(t *testing.T) {
	m := loadDemo(t)
	product := func(name string) *catalog.Product {
		for _, p := range m.Products {
			if p.QualifiedName() == name {
				return p
			}
		}
		t.Fatalf("no product %s", name)
		return nil
	}
	mkt := Definer(m, product("marketing.cross_sell_v1"))
	if !slices.Equal(mkt.Roles, []string{"marketing"}) || len(mkt.Attributes) != 0 {
		t.Errorf("definer of marketing.cross_sell_v1 = %+v, want role marketing and no attributes", mkt)
	}
	sales := Definer(m, product("sales.orders_v1"))
	for prod, want := range map[string]string{
		"marketing.cross_sell_v1": "read",                                          // owns its domain
		"sales.orders_v1":         "read mask=[amount:round(10) customer_id:hash]", // marketing's grants
	} {
		if got := Decide(m, mkt, product(prod)).String(); got != want {
			t.Errorf("marketing's definer on %s: %q, want %q", prod, got, want)
		}
	}
	// sales owns sales: no row filter, no mask, signup_date readable.
	if got := Decide(m, sales, product("sales.customers_v1")).String(); got != "read" {
		t.Errorf("sales' definer on sales.customers_v1: %q, want read", got)
	}
	if got := Decide(m, sales, product("marketing.cross_sell_v1")).String(); got != "no read" {
		t.Errorf("sales' definer on marketing.cross_sell_v1: %q, want no read", got)
	}

	r, ok := RolePrincipal(m, "sales")
	if !ok || !slices.Equal(r.Roles, []string{"sales"}) {
		t.Fatalf("RolePrincipal(sales) = %+v, %v", r, ok)
	}
	if got := Decide(m, r, product("sales.customers_v1")).String(); got != "read filter=[region = current_user_attr('region')]" {
		t.Errorf("role sales on customers: %q", got)
	}
	if a, _ := RolePrincipal(m, "admin"); !slices.Equal(a.Roles, []string{"admin", "analyst", "marketing", "sales"}) {
		t.Errorf("RolePrincipal(admin) roles %v, want admin and what it inherits", a.Roles)
	}
	if _, ok := RolePrincipal(m, "sales_eu"); ok {
		t.Error("sales_eu is a user, not a role")
	}
}
