package engine

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestMeshAccessRulesApplyFirstAndReload: a mesh-wide rule added to
// mesh.yaml (deny columns tagged finance to analyst and marketing) takes
// effect on reload, in open sessions, and the product's own column policy
// refines it. Expectations follow from testdata/mesh as edited here:
// sales.orders_v1 declares amount {mask: round, except: [sales, analyst]}
// and no policy for quantity, so after the edit
//   - marketing: amount is the product's round (it replaces the deny),
//     quantity is denied (mesh-wide rule only);
//   - analyst: excepted from the product's policy, so the deny remains on
//     amount, and quantity is denied;
//   - sales_eu: the rule names neither sales nor what it inherits: raw.
func TestMeshAccessRulesApplyFirstAndReload(t *testing.T) {
	e, dir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	sessions := map[string]*Session{}
	for _, u := range []string{"analyst", "marketing", "sales_eu", "admin"} {
		s, err := e.NewSession(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sessions[u] = s
	}
	const (
		roundAmounts = "SELECT bool_and(amount % 10 = 0) FROM sales.orders_v1"
		quantities   = "SELECT count(quantity) > 0 FROM sales.orders_v1"
	)
	expect := func(when, user, sql, want string) {
		t.Helper()
		got, err := sessionRows(t, sessions[user], sql)
		if want == "42501" {
			if sqltypes.Code(err) != "42501" {
				t.Errorf("%s, %s: %s = %v, %v; want 42501", when, user, sql, got, err)
			}
			return
		}
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("%s, %s: %s = %v, %v; want %s", when, user, sql, got, err, want)
		}
	}
	// The stored amounts are not all multiples of 10, so "f" means raw.
	expect("before", "admin", roundAmounts, "f")
	expect("before", "analyst", roundAmounts, "f")
	expect("before", "analyst", quantities, "t")
	expect("before", "marketing", roundAmounts, "t")
	expect("before", "marketing", quantities, "t")

	orders := filepath.Join(dir, "sales", "orders_v1.yaml")
	for _, desc := range []string{"Line total in EUR (unit price times quantity, after discounts).", "Units bought on this line, at least 1."} {
		editFile(t, orders, "    description: "+desc+"\n", "    description: "+desc+"\n    tags: [finance]\n")
	}
	editFile(t, filepath.Join(dir, "mesh.yaml"), "    mask: hash\n",
		"    mask: hash\n  - id: finance-deny\n    columns: {tags: [finance]}\n    roles: [analyst, marketing]\n    deny: true\n")
	if err := e.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}

	expect("after", "admin", roundAmounts, "f")
	expect("after", "admin", quantities, "t")
	expect("after", "marketing", roundAmounts, "t")
	expect("after", "marketing", quantities, "42501")
	expect("after", "analyst", roundAmounts, "42501")
	expect("after", "analyst", quantities, "42501")
	expect("after", "sales_eu", roundAmounts, "f")
	expect("after", "sales_eu", quantities, "t")
	// The pii rule still applies: marketing reads customer_id hashed (not
	// a bigint's text), as before.
	expect("after", "marketing", "SELECT bool_and(customer_id::text ~ '^[0-9]+$') FROM sales.orders_v1", "f")
	// SELECT * leaves the denied columns out instead of failing.
	if got, err := sessionRows(t, sessions["analyst"], "SELECT * FROM sales.orders_v1 LIMIT 1"); err != nil || len(got) != 1 || strings.Count(got[0], "|") != 4 {
		t.Errorf("after, analyst: SELECT * = %v, %v; want one row of the 5 columns left", got, err)
	}
}
