package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"

	"github.com/meshql/meshql/catalog"
)

// AdminRole is the role that bypasses every policy.
const AdminRole = "admin"

// Mask methods, as descriptors name them.
const (
	MaskNull    = "null"
	MaskRedact  = "redact"
	MaskHash    = "hash"
	MaskPartial = "partial"
	MaskRound   = "round"
)

// Default round granularities (the catalog has no field for one).
const (
	DefaultNumberGranularity = "10"
	DefaultTimeGranularity   = "month"
)

// Principal is who a query runs as: the login user, its roles with
// inheritance expanded (sorted, distinct) and its attributes.
type Principal struct {
	User       string
	Roles      []string
	Attributes map[string]string
	// Owns is the domain this principal owns ("" for users): set only
	// for a derived product's definer, which reads its own domain's
	// products as stored, as a table's owner does in PostgreSQL.
	Owns string
}

// PrincipalOf returns the principal of the mesh user named user. An
// unknown user gets no roles, so Decide denies it everything.
func PrincipalOf(m *catalog.Mesh, user string) Principal {
	p := Principal{User: user, Roles: m.RolesOf(user)}
	if u, ok := m.User(user); ok && len(u.Attributes) > 0 {
		p.Attributes = maps.Clone(u.Attributes)
	}
	return p
}

// RolePrincipal returns a principal holding only role r and what it
// inherits, with no attributes: whom PostgreSQL's privilege inquiry
// functions answer for when given a role name. ok is false when the mesh
// declares no such role.
func RolePrincipal(m *catalog.Mesh, r string) (Principal, bool) {
	if _, ok := m.Role(r); !ok {
		return Principal{}, false
	}
	return Principal{User: r, Roles: m.ExpandRoles([]string{r})}, true
}

// Definer returns whom a derived product with source.security: definer
// reads its inputs as: the owner of its domain. It reads the products of
// its own domain as stored (rule 0) and those of other domains with the
// grants of the role named like its domain (the owning team's role, as
// rule 3 knows owners) and what that role inherits. The definer has no
// attributes, so another domain's row filter that reads
// current_user_attr keeps no rows for it (fail closed).
func Definer(m *catalog.Mesh, prod *catalog.Product) Principal {
	return Principal{User: "owner of domain " + prod.Domain, Roles: m.ExpandRoles([]string{prod.Domain}), Owns: prod.Domain}
}

// HasRole reports whether the principal holds role r.
func (p Principal) HasRole(r string) bool { return slices.Contains(p.Roles, r) }

// HasAnyRole reports whether the principal holds one of rs.
func (p Principal) HasAnyRole(rs []string) bool {
	for _, r := range rs {
		if p.HasRole(r) {
			return true
		}
	}
	return false
}

// Attr returns the principal's attribute name (current_user_attr(name)).
func (p Principal) Attr(name string) (string, bool) {
	v, ok := p.Attributes[name]
	return v, ok
}

// MaskSpec is how one column is masked. Method is one of the Mask*
// constants; Param is the round granularity ("10", "0.1", "month", …) and
// empty for the other methods.
type MaskSpec struct {
	Method string
	Param  string
}

// Function returns the executor function that implements the mask,
// e.g. "mesh_mask_hash".
func (s MaskSpec) Function() string { return "mesh_mask_" + s.Method }

// String renders the mask as "hash" or "round(month)".
func (s MaskSpec) String() string {
	if s.Param != "" {
		return s.Method + "(" + s.Param + ")"
	}
	return s.Method
}

// Decision is what a principal may see of one product.
type Decision struct {
	CanRead bool
	// Denied holds the columns the principal may not reference at all.
	Denied map[string]bool
	// Masks maps each masked column to its mask.
	Masks map[string]MaskSpec
	// RowFilters are SQL predicates over the product's columns, in
	// declaration order, to be AND-ed; they may call current_user_attr.
	RowFilters []string
	// Reason explains the read decision in one line.
	Reason string
	// HashKey is the key for mesh_mask_hash, set when a hash mask is
	// present (see MaskKey). String never prints it.
	HashKey string
}

// DeniedColumns returns the denied columns, sorted.
func (d Decision) DeniedColumns() []string { return slices.Sorted(maps.Keys(d.Denied)) }

// MaskedColumns returns the masked columns, sorted.
func (d Decision) MaskedColumns() []string { return slices.Sorted(maps.Keys(d.Masks)) }

// RowFilter returns the row filters AND-ed into one predicate, each
// parenthesized, or "" when there are none.
func (d Decision) RowFilter() string {
	if len(d.RowFilters) == 0 {
		return ""
	}
	if len(d.RowFilters) == 1 {
		return d.RowFilters[0]
	}
	parts := make([]string, len(d.RowFilters))
	for i, f := range d.RowFilters {
		parts[i] = "(" + f + ")"
	}
	return strings.Join(parts, " AND ")
}

// Unrestricted reports whether the principal reads the product as stored.
func (d Decision) Unrestricted() bool {
	return d.CanRead && len(d.Denied) == 0 && len(d.Masks) == 0 && len(d.RowFilters) == 0
}

// String renders the decision deterministically, for EXPLAIN and tests:
// "read deny=[email] mask=[customer_id:hash name:redact] filter=[…]", or
// "no read".
func (d Decision) String() string {
	if !d.CanRead {
		return "no read"
	}
	var sb strings.Builder
	sb.WriteString("read")
	if len(d.Denied) > 0 {
		sb.WriteString(" deny=[" + strings.Join(d.DeniedColumns(), " ") + "]")
	}
	if len(d.Masks) > 0 {
		cols := d.MaskedColumns()
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = c + ":" + d.Masks[c].String()
		}
		sb.WriteString(" mask=[" + strings.Join(parts, " ") + "]")
	}
	if len(d.RowFilters) > 0 {
		sb.WriteString(" filter=[" + d.RowFilter() + "]")
	}
	return sb.String()
}

// MaskKey returns the key mesh_mask_hash uses for the mesh: derived from
// the mesh's secret (catalog.Mesh.MaskKey: mesh.yaml's mask_key_env or
// mask_key_file, or the installation's key), so that it is the same for
// every product and across restarts (hashed keys still join) and cannot be
// recomputed without the secret. Hashing the secret with a label keeps the
// raw secret out of plans and the key a fixed 64 hex digits.
//
// A mesh loaded without any key (library use and tests only: meshql serve
// and query always supply one) falls back to a key derived from the mesh
// name, which is stable but not secret.
func MaskKey(m *catalog.Mesh) string {
	secret := "name\x00" + m.Name
	if m.MaskKey != "" {
		secret = "secret\x00" + m.MaskKey
	}
	sum := sha256.Sum256([]byte("meshql/mask-key/v1\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// Decide applies the mesh's and the product's policies for p (see the
// package documentation for the rules).
func Decide(m *catalog.Mesh, p Principal, prod *catalog.Product) Decision {
	if p.HasRole(AdminRole) {
		return Decision{CanRead: true, Reason: "role " + AdminRole + " reads everything"}
	}
	if p.Owns != "" && p.Owns == prod.Domain {
		return Decision{CanRead: true, Reason: "the owner of domain " + p.Owns + " reads its products"}
	}
	pol := prod.Policies
	grant := ""
	for _, r := range pol.Read {
		if p.HasRole(r) {
			grant = r
			break
		}
	}
	if grant == "" {
		reason := "no role of " + quoteUser(p.User) + " may read " + prod.QualifiedName()
		if len(pol.Read) > 0 {
			reason += " (read: " + strings.Join(pol.Read, ", ") + ")"
		}
		return Decision{Reason: reason}
	}
	d := Decision{CanRead: true, Reason: "read granted by role " + grant}

	for _, c := range prod.Columns {
		deny, mask := globalRule(m.Access, p, prod, c)
		if cp, ok := pol.Columns[c.Name]; ok && !p.HasAnyRole(cp.Except) {
			deny, mask = cp.Deny, cp.Mask
		}
		switch {
		case deny:
			if d.Denied == nil {
				d.Denied = map[string]bool{}
			}
			d.Denied[c.Name] = true
		case mask != "":
			if d.Masks == nil {
				d.Masks = map[string]MaskSpec{}
			}
			d.Masks[c.Name] = maskSpec(mask, c)
		}
	}
	for _, mk := range d.Masks {
		if mk.Method == MaskHash {
			d.HashKey = MaskKey(m)
			break
		}
	}

	for _, rf := range pol.RowFilters {
		if (len(rf.Roles) == 0 || p.HasAnyRole(rf.Roles)) && !p.HasAnyRole(rf.Except) {
			d.RowFilters = append(d.RowFilters, strings.TrimSpace(rf.Predicate))
		}
	}
	return d
}

// globalRule returns what the mesh-wide rules (rule 3) decide for column
// c of prod: a deny of any applicable rule wins; otherwise the mask of the
// first applicable rule in file order; otherwise neither.
func globalRule(rules []catalog.AccessRule, p Principal, prod *catalog.Product, c *catalog.Column) (deny bool, mask string) {
	for i := range rules {
		r := &rules[i]
		if !applies(r, p, prod.Domain) || !r.Matches(c) {
			continue
		}
		if r.Deny {
			return true, ""
		}
		if mask == "" {
			mask = r.Mask
		}
	}
	return false, mask
}

// applies reports whether the mesh-wide rule r applies to principal p on a
// product of domain: p holds one of r.Roles (any principal when empty)
// and none of r.Except, nor, with r.ExceptDomain, the role named domain.
func applies(r *catalog.AccessRule, p Principal, domain string) bool {
	if len(r.Roles) > 0 && !p.HasAnyRole(r.Roles) {
		return false
	}
	return !p.HasAnyRole(r.Except) && !(r.ExceptDomain && p.HasRole(domain))
}

// maskSpec fills in the parameter a method needs for column c.
func maskSpec(method string, c *catalog.Column) MaskSpec {
	s := MaskSpec{Method: method}
	if method == MaskRound {
		switch {
		case c.Type.IsNumeric():
			s.Param = DefaultNumberGranularity
		case c.Type.IsTemporal():
			s.Param = DefaultTimeGranularity
		}
	}
	return s
}

func quoteUser(u string) string { return `"` + u + `"` }
