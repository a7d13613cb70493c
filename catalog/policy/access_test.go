package policy

import (
	"testing"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

func TestAccessRuleMatches(t *testing.T) {
	r := &catalog.AccessRule{Tags: []string{"pii", "pii.*", "finance"}}
	for tags, want := range map[string]bool{
		"pii": true, "pii.contact": true, "pii.indirect": true, "finance": true,
		"piiish": false, "finance.cost": false, "pi": false, "": false,
	} {
		c := &catalog.Column{Name: "c"}
		if tags != "" {
			c.Tags = []string{"other", tags}
		}
		if got := r.Matches(c); got != want {
			t.Errorf("tags [other %s]: Matches = %v, want %v", tags, got, want)
		}
	}
}

// TestDecideAccessPrecedence: mesh-wide rules by role, except and
// except_domain; a deny of any applicable rule beats every mask; among
// masks the first rule in file order wins; a product column policy
// replaces the mesh-wide decision where it applies and leaves it where the
// principal is excepted. Expectations are written from the rules below.
func TestDecideAccessPrecedence(t *testing.T) {
	m := &catalog.Mesh{
		Name:  "t",
		Roles: []*catalog.Role{{Name: "hr"}, {Name: "mkt"}, {Name: "ops"}, {Name: "audit"}},
		Users: []*catalog.User{
			{Name: "hana", Roles: []string{"hr"}}, {Name: "mia", Roles: []string{"mkt"}},
			{Name: "otto", Roles: []string{"ops"}}, {Name: "ava", Roles: []string{"audit"}},
		},
		Access: []catalog.AccessRule{
			{ID: "pii", Tags: []string{"pii", "pii.*"}, ExceptDomain: true, Mask: MaskHash},
			{ID: "finance-deny", Tags: []string{"finance"}, Roles: []string{"mkt"}, Deny: true},
			{ID: "finance-null", Tags: []string{"finance"}, Except: []string{"audit"}, Mask: MaskNull},
			{ID: "contact", Tags: []string{"pii.contact"}, Except: []string{"ops"}, Mask: MaskRedact},
		},
	}
	prod := &catalog.Product{
		Domain: "hr", Name: "staff", Version: 1,
		Columns: []*catalog.Column{
			{Name: "id", Type: sqltypes.TypeInt8},
			{Name: "email", Type: sqltypes.TypeText, Tags: []string{"pii.contact"}},
			{Name: "salary", Type: sqltypes.NumericType(10, 2), Tags: []string{"finance"}},
			{Name: "bank", Type: sqltypes.TypeText, Tags: []string{"pii", "finance"}},
			{Name: "bonus", Type: sqltypes.NumericType(10, 2), Tags: []string{"finance"}},
		},
		Policies: catalog.Policies{
			Read: []string{"hr", "mkt", "ops", "audit"},
			Columns: map[string]catalog.ColumnPolicy{
				// Refines the mesh-wide rules: rounded for everyone but ops,
				// who keeps what the mesh-wide rules say.
				"bonus": {Mask: MaskRound, Except: []string{"ops"}},
			},
		},
	}
	cases := []struct{ user, want string }{
		// hr owns the domain: no pii hash; finance-null and contact apply.
		{"hana", "read mask=[bank:null bonus:round(10) email:redact salary:null]"},
		// mkt: finance-deny beats the pii hash and finance-null on bank
		// and salary; the product's round replaces the deny on bonus.
		{"mia", "read deny=[bank salary] mask=[bonus:round(10) email:hash]"},
		// ops: pii hash comes first on bank and email; excepted from the
		// product's bonus policy, so finance-null stays.
		{"otto", "read mask=[bank:hash bonus:null email:hash salary:null]"},
		// audit: excepted from finance-null; pii hash first on email.
		{"ava", "read mask=[bank:hash bonus:round(10) email:hash]"},
	}
	for _, c := range cases {
		if got := Decide(m, PrincipalOf(m, c.user), prod).String(); got != c.want {
			t.Errorf("%s: got  %q\nwant %q", c.user, got, c.want)
		}
	}

	// No mesh-wide rule (access: []): PII columns without a product
	// policy are read as stored.
	m.Access = []catalog.AccessRule{}
	if got := Decide(m, PrincipalOf(m, "mia"), prod).String(); got != "read mask=[bonus:round(10)]" {
		t.Errorf("without access rules: %q", got)
	}
}
