package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestLoadAccess: an absent access key means DefaultAccess, an empty list
// means no rule, and a declared rule is decoded as written.
func TestLoadAccess(t *testing.T) {
	load := func(mesh string) *Mesh {
		t.Helper()
		m, err := Load(writeMesh(t, map[string]string{"mesh.yaml": mesh, "sales/orders_v1.yaml": baseOrders}), LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := load(baseMesh); len(m.Access) != 1 || m.Access[0].ID != "pii-outside-domain" || !m.Access[0].ExceptDomain ||
		m.Access[0].Mask != "hash" || !slices.Equal(m.Access[0].Tags, []string{"pii", "pii.*"}) {
		t.Errorf("no access key: %+v, want the built-in pii rule", m.Access)
	}
	if m := load(baseMesh + "access: []\n"); m.Access == nil || len(m.Access) != 0 {
		t.Errorf("access: []: %+v, want no rule", m.Access)
	}
	m := load(baseMesh + `access:
  - id: finance-deny
    description: Money stays with sales.
    columns: {tags: [finance, money.*]}
    roles: [analyst]
    except: [sales]
    deny: true
  - {id: pii, columns: {tags: [pii]}, except_domain: true, mask: round}
`)
	want := []AccessRule{
		{ID: "finance-deny", Description: "Money stays with sales.", Tags: []string{"finance", "money.*"},
			Roles: []string{"analyst"}, Except: []string{"sales"}, Deny: true, Line: 10},
		{ID: "pii", Tags: []string{"pii"}, ExceptDomain: true, Mask: "round", Line: 16},
	}
	if len(m.Access) != len(want) {
		t.Fatalf("access = %+v, want %+v", m.Access, want)
	}
	for i, w := range want {
		g := m.Access[i]
		if g.ID != w.ID || g.Description != w.Description || !slices.Equal(g.Tags, w.Tags) || !slices.Equal(g.Roles, w.Roles) ||
			!slices.Equal(g.Except, w.Except) || g.ExceptDomain != w.ExceptDomain || g.Deny != w.Deny || g.Mask != w.Mask ||
			g.Line != w.Line || !strings.HasSuffix(g.File, "mesh.yaml") {
			t.Errorf("access[%d] = %+v, want %+v", i, g, w)
		}
	}
}

// TestLoadAccessErrors: every bad key and value of an access rule is a
// located problem. baseMesh has 8 lines, so access: is line 9.
func TestLoadAccessErrors(t *testing.T) {
	tagged := strings.Replace(baseOrders, "  - {name: order_id, type: bigint}", "  - {name: order_id, type: bigint, tags: [ref]}", 1)
	tests := []struct{ name, access, want string }{
		{"unknown key", "  - {id: a, columns: {tags: [pii]}, mask: hash, exept: [sales]}",
			`mesh.yaml:10: access[0].exept: unknown field "exept" (did you mean "except"?)`},
		{"bad mask", "  - {id: a, columns: {tags: [pii]}, mask: blur}",
			`mesh.yaml:10: access[0].mask: "blur" is not one of null, redact, hash, partial, round`},
		{"neither deny nor mask", "  - {id: a, columns: {tags: [pii]}}", `mesh.yaml:10: access[0]: needs deny: true or a mask`},
		{"deny and mask", "  - {id: a, columns: {tags: [pii]}, deny: true, mask: hash}", `mesh.yaml:10: access[0]: deny and mask exclude each other`},
		{"unknown role", "  - {id: a, columns: {tags: [pii]}, mask: hash, roles: [analist]}",
			`mesh.yaml:10: access[0].roles[0]: role "analist" is not defined in mesh.yaml (did you mean "analyst"?)`},
		{"bad except_domain", "  - {id: a, columns: {tags: [pii]}, mask: hash, except_domain: sometimes}",
			`mesh.yaml:10: access[0].except_domain: must be true or false, not "sometimes"`},
		{"missing id", "  - {columns: {tags: [pii]}, mask: hash}", `mesh.yaml:10: access[0].id: is required`},
		{"bad id", "  - {id: Pii Rule, columns: {tags: [pii]}, mask: hash}", `mesh.yaml:10: access[0].id: "Pii Rule" is not an id`},
		{"duplicate id", "  - {id: a, columns: {tags: [pii]}, mask: hash}\n  - {id: a, columns: {tags: [x]}, deny: true}",
			`mesh.yaml:11: access[1].id: "a" is also the id of an earlier rule`},
		{"missing columns", "  - {id: a, mask: hash}", `mesh.yaml:10: access[0].columns: is required`},
		{"no tags", "  - {id: a, columns: {}, mask: hash}", `mesh.yaml:10: access[0].columns.tags: needs at least one tag`},
		{"columns by name", "  - {id: a, columns: {names: [email]}, mask: hash}", `mesh.yaml:10: access[0].columns.names: unknown field "names"`},
		{"bad tag pattern", "  - {id: a, columns: {tags: [\"pii*\"]}, mask: hash}",
			`mesh.yaml:10: access[0].columns.tags: "pii*" is not a tag or a tag prefix followed by .*`},
		{"not a list", " {id: a}", `mesh.yaml:10: access: must be a list, not a mapping`},
		{"round on text", "  - {id: a, columns: {tags: [ref, pii]}, mask: round}\n  - {id: b, columns: {tags: [ref]}, mask: round}",
			`mesh.yaml:11: access[1].mask: round masks numbers, dates and timestamps, but the rule matches column order_id of sales.orders_v1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orders := baseOrders
			if tc.name == "round on text" {
				orders = strings.Replace(tagged, "type: bigint, tags: [ref]", "type: text, tags: [ref]", 1)
			}
			dir := writeMesh(t, map[string]string{"mesh.yaml": baseMesh + "access:\n" + tc.access + "\n", "sales/orders_v1.yaml": orders})
			_, err := Load(dir, LoadOptions{})
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load = %v, want a *LoadError", err)
			}
			msg := strings.ReplaceAll(le.Error(), dir+"/", "")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("problems:\n%s\nwant one containing\n%s", msg, tc.want)
			}
		})
	}
}
