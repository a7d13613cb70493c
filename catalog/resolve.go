package catalog

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// Deprecated reports whether this version is deprecated (it still resolves
// until it is removed from the mesh; Sunset says when that is planned).
func (p *Product) Deprecated() bool { return p.Status == StatusDeprecated }

// Retired reports whether p is deprecated and its sunset day (UTC) ended
// before now: the engine then refuses to read it, lint reports it and
// check skips it. A version is served until the end of its sunset day.
func (p *Product) Retired(now time.Time) bool {
	return p.Deprecated() && !p.Sunset.IsZero() && !now.UTC().Before(p.Sunset.AddDate(0, 0, 1))
}

// Domain returns the domain named name, compared like an unquoted SQL
// identifier (case-insensitively).
func (m *Mesh) Domain(name string) (*Domain, bool) {
	name = strings.ToLower(name)
	for _, d := range m.Domains {
		if d.Name == name {
			return d, true
		}
	}
	return nil, false
}

// ProductsInDomain returns every version of every product of domain
// (compared case-insensitively), sorted by name and version; nil if none.
// The slice is new; the products are shared and must not be modified.
func (m *Mesh) ProductsInDomain(domain string) []*Product {
	domain = strings.ToLower(domain)
	var out []*Product
	for _, p := range m.Products {
		if p.Domain == domain {
			out = append(out, p)
		}
	}
	return out
}

// Lookup finds the product version that schema.name refers to. Names
// compare exactly: SQL's lexer has already folded unquoted identifiers to
// lower case, and a quoted "Sales" must not find sales, as in PostgreSQL. A name of the
// form product_vN is that exact version, whatever its status; a bare
// product name is the newest active version or, when no version is active,
// the newest deprecated one. Draft versions are reachable only by their
// versioned name.
func (m *Mesh) Lookup(schema, name string) (*Product, bool) {
	if base, v, ok := splitVersion(name); ok {
		for _, p := range m.Products {
			if p.Domain == schema && p.Name == base && p.Version == v {
				return p, true
			}
		}
	}
	p := m.current(schema, name)
	return p, p != nil
}

// current returns the version a bare product name resolves to, or nil.
func (m *Mesh) current(schema, name string) *Product {
	var active, other *Product
	for _, p := range m.Products { // sorted by version within a product
		if p.Domain != schema || p.Name != name {
			continue
		}
		switch p.Status {
		case StatusActive:
			active = p
		case StatusDraft:
		default:
			other = p
		}
	}
	if active != nil {
		return active
	}
	return other
}

// Resolve is Lookup for the binder: it returns the product schema.name
// refers to, or a *sqltypes.Error:
//   - 42P01 `relation "x.orders_v1" does not exist` when schema is not a
//     domain (PostgreSQL reports unknown schemas in FROM this way), with a
//     hint naming the closest domain;
//   - 42P01 `relation "sales.orderz" does not exist` when the domain has no
//     such product, with a hint naming the closest products.
//
// An empty schema means the name was unqualified and not found on the
// search path; Resolve then reports 42P01 with suggestions from every domain.
func (m *Mesh) Resolve(schema, name string) (*Product, error) {
	if schema == "" {
		err := sqltypes.New(sqltypes.CodeUndefinedTable, "relation %q does not exist", name)
		return nil, withSuggestions(err, nearest(m.suggest(name), 3))
	}
	if _, ok := m.Domain(schema); !ok {
		err := sqltypes.New(sqltypes.CodeUndefinedTable, "relation %q does not exist", schema+"."+name)
		names := make([]string, len(m.Domains))
		for i, d := range m.Domains {
			names[i] = d.Name
		}
		if s := closest(schema, names); s != "" {
			err = err.WithHint("There is no domain %q; perhaps you meant %q?", schema, s)
		}
		return nil, err
	}
	if p, ok := m.Lookup(schema, name); ok {
		return p, nil
	}
	qualified := schema + "." + name
	err := sqltypes.New(sqltypes.CodeUndefinedTable, "relation %q does not exist", qualified)
	if drafts := m.drafts(schema, name); len(drafts) > 0 {
		return nil, err.WithHint("%q has only draft versions; name one explicitly, like %q.", qualified, drafts[len(drafts)-1])
	}
	return nil, withSuggestions(err, nearest(m.suggest(qualified), 3))
}

// drafts returns the qualified names of the draft versions of schema.name.
func (m *Mesh) drafts(schema, name string) []string {
	var out []string
	for _, p := range m.Products {
		if p.Domain == schema && p.Name == name && p.Status == StatusDraft {
			out = append(out, p.QualifiedName())
		}
	}
	return out
}

func withSuggestions(err *sqltypes.Error, names []string) *sqltypes.Error {
	if len(names) == 0 {
		return err
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return err.WithHint("Perhaps you meant %s?", strings.Join(quoted, " or "))
}

// Suggest returns up to n qualified product names ("sales.orders_v1")
// closest to name by edit distance, nearest first, ties by name; only names
// within a few edits are returned, so the result may be empty. name may be
// qualified ("sales.orderz") or bare ("orderz"); a bare product name counts
// as close to the version it resolves to, and a qualified name matching a
// product in another domain counts as two edits away.
func (m *Mesh) Suggest(name string, n int) []string {
	ranked := m.suggest(name)
	out := make([]string, 0, min(max(n, 0), len(ranked)))
	for _, s := range ranked[:cap(out)] {
		out = append(out, s.name)
	}
	return out
}

// nearest returns up to n of the names tied at the smallest distance.
func nearest(ranked []scored, n int) []string {
	var out []string
	for _, s := range ranked {
		if len(out) == n || s.dist > ranked[0].dist {
			break
		}
		out = append(out, s.name)
	}
	return out
}

// suggest ranks every product by its distance to name, for Suggest.
func (m *Mesh) suggest(name string) []scored {
	name = strings.ToLower(name)
	schema, rel, qualified := strings.Cut(name, ".")
	if !qualified {
		rel = name
	}
	var cands []scored
	for _, p := range m.Products {
		forms := []string{p.TableName()}
		if cur := m.current(p.Domain, p.Name); cur == p {
			forms = append(forms, p.Name)
		}
		for _, f := range forms {
			d := levenshtein(rel, f)
			if qualified {
				d = min(levenshtein(name, p.Domain+"."+f), d+levenshtein(schema, p.Domain), d+2)
			}
			cands = append(cands, scored{p.QualifiedName(), d})
		}
	}
	return rank(cands, closeEnough(len([]rune(name))))
}

// User returns the user named name (compared exactly, as login names are).
func (m *Mesh) User(name string) (*User, bool) {
	for _, u := range m.Users {
		if u.Name == name {
			return u, true
		}
	}
	return nil, false
}

// RolesOf returns the roles of the user named user, with inherited roles
// expanded transitively, sorted and without duplicates; nil for an unknown
// user. Inheritance cycles (rejected by Load) do not loop.
func (m *Mesh) RolesOf(user string) []string {
	u, ok := m.User(user)
	if !ok {
		return nil
	}
	return m.ExpandRoles(u.Roles)
}

// Role returns the role named name.
func (m *Mesh) Role(name string) (*Role, bool) {
	for _, r := range m.Roles {
		if r.Name == name {
			return r, true
		}
	}
	return nil, false
}

// ExpandRoles returns roles with the roles they inherit, transitively,
// sorted and without duplicates. Inheritance cycles (rejected by Load) do
// not loop.
func (m *Mesh) ExpandRoles(roles []string) []string {
	inherits := make(map[string][]string, len(m.Roles))
	for _, r := range m.Roles {
		inherits[r.Name] = r.Inherits
	}
	seen := map[string]bool{}
	var walk func(string)
	walk = func(r string) {
		if seen[r] {
			return
		}
		seen[r] = true
		for _, in := range inherits[r] {
			walk(in)
		}
	}
	for _, r := range roles {
		walk(r)
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
