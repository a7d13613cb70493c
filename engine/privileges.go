package engine

import (
	"slices"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/planner/bind"
)

// Privileges as PostgreSQL clients ask for them (has_table_privilege and
// friends, information_schema.table_privileges / column_privileges),
// answered from the policy decision point, so that what a tool shows as
// grantable is what a query would get.

// grantsFor returns the grants of a mesh user or role in the session's
// catalog snapshot: the session's own principal for its user, another
// user's principal, or else a role's (what the role and the roles it
// inherits are granted); ok false for a name that is neither. A name that
// is both a user and a role answers for the user, who holds the role.
func (s *Session) grantsFor(snap catalogSnapshot) func(user string) (*bind.Grants, bool) {
	return func(user string) (*bind.Grants, bool) {
		who := snap.who
		if user != s.user {
			if _, ok := snap.mesh.User(user); ok {
				who = policy.PrincipalOf(snap.mesh, user)
			} else if who, ok = policy.RolePrincipal(snap.mesh, user); !ok {
				return nil, false
			}
		}
		g := &bind.Grants{SearchPath: s.searchPath()}
		usage := map[string]bool{"pg_catalog": true, "information_schema": true, "mesh": true}
		for _, p := range snap.mesh.Products {
			dec := policy.Decide(snap.mesh, who, p)
			t := bind.TableGrant{Schema: p.Domain, Name: p.TableName(), OID: stableOID("class", p.QualifiedName()), Select: dec.CanRead}
			for _, c := range p.Columns {
				t.Columns = append(t.Columns, bind.ColumnGrant{Name: c.Name, Select: dec.CanRead && !dec.Denied[c.Name]})
			}
			g.Tables = append(g.Tables, t)
			usage[p.Domain] = usage[p.Domain] || dec.CanRead
		}
		for _, st := range systemTables() {
			t := bind.TableGrant{Schema: st.schema, Name: st.name, Select: true}
			for _, c := range st.cols {
				t.Columns = append(t.Columns, bind.ColumnGrant{Name: c.name, Select: true})
			}
			g.Tables = append(g.Tables, t)
		}
		oids := map[string]int64{"pg_catalog": pgCatalogOID, "information_schema": infoSchemaOID, "mesh": meshSchemaOID}
		for _, d := range snap.mesh.Domains {
			oids[d.Name] = stableOID("namespace", d.Name)
		}
		for name, oid := range oids {
			g.Schemas = append(g.Schemas, bind.SchemaGrant{Name: name, OID: oid, Usage: usage[name]})
		}
		slices.SortFunc(g.Schemas, func(a, b bind.SchemaGrant) int { return int(a.OID - b.OID) })
		g.Databases = []bind.SchemaGrant{{Name: databaseName, OID: databaseOID, Usage: true}}
		return g, true
	}
}

// roleByOID resolves a user's or a role's pg_roles oid.
func roleByOID(snap catalogSnapshot) func(oid int64) (string, bool) {
	return func(oid int64) (string, bool) {
		for _, u := range snap.mesh.Users {
			if stableOID("role", u.Name) == oid {
				return u.Name, true
			}
		}
		for _, r := range snap.mesh.Roles {
			if stableOID("role", r.Name) == oid {
				return r.Name, true
			}
		}
		return "", false
	}
}

// rolesOf lists who pg_roles lists (users, then the roles that are not
// also users), for inquiries whose user argument varies per row.
func rolesOf(snap catalogSnapshot) func() []bind.RoleRef {
	return func() []bind.RoleRef {
		var out []bind.RoleRef
		seen := map[string]bool{}
		for _, u := range snap.mesh.Users {
			seen[u.Name] = true
			out = append(out, bind.RoleRef{Name: u.Name, OID: stableOID("role", u.Name)})
		}
		for _, r := range snap.mesh.Roles {
			if !seen[r.Name] {
				out = append(out, bind.RoleRef{Name: r.Name, OID: stableOID("role", r.Name)})
			}
		}
		return out
	}
}

// grantees returns who a product's read grant is held through for the
// session: the session's roles named in policies.read, or admin.
func grantees(who policy.Principal, read []string) []string {
	if who.HasRole(policy.AdminRole) {
		return []string{policy.AdminRole}
	}
	var out []string
	for _, r := range read {
		if who.HasRole(r) {
			out = append(out, r)
		}
	}
	return out
}

// privilegeTables are information_schema.table_privileges and
// column_privileges: one SELECT row per readable product (per column not
// denied), for each role of the session that holds the grant.
func privilegeTables() []sysTable {
	return []sysTable{
		// No grants on routines, domains or sequences: meshql has none of
		// its own. DBeaver reads both for a role's privileges.
		{schema: "information_schema", name: "routine_privileges", cols: []sysColumn{
			{"grantor", tText}, {"grantee", tText}, {"specific_catalog", tText}, {"specific_schema", tText}, {"specific_name", tText},
			{"routine_catalog", tText}, {"routine_schema", tText}, {"routine_name", tText}, {"privilege_type", tText}, {"is_grantable", tText},
		}, rows: func(*Session) [][]any { return nil }},
		{schema: "information_schema", name: "usage_privileges", cols: []sysColumn{
			{"grantor", tText}, {"grantee", tText}, {"object_catalog", tText}, {"object_schema", tText}, {"object_name", tText},
			{"object_type", tText}, {"privilege_type", tText}, {"is_grantable", tText},
		}, rows: func(*Session) [][]any { return nil }},
		{schema: "information_schema", name: "table_privileges", cols: []sysColumn{
			{"grantor", tText}, {"grantee", tText}, {"table_catalog", tText}, {"table_schema", tText}, {"table_name", tText},
			{"privilege_type", tText}, {"is_grantable", tText}, {"with_hierarchy", tText},
		}, rows: func(s *Session) [][]any {
			v := s.current()
			var out [][]any
			for _, p := range s.visibleProducts() {
				for _, g := range grantees(v.who, p.Policies.Read) {
					out = append(out, []any{p.Owner.Team, g, "mesh", p.Domain, p.TableName(), "SELECT", "NO", "YES"})
				}
			}
			return out
		}},
		{schema: "information_schema", name: "column_privileges", cols: []sysColumn{
			{"grantor", tText}, {"grantee", tText}, {"table_catalog", tText}, {"table_schema", tText}, {"table_name", tText},
			{"column_name", tText}, {"privilege_type", tText}, {"is_grantable", tText},
		}, rows: func(s *Session) [][]any {
			v := s.current()
			var out [][]any
			for _, p := range s.visibleProducts() {
				dec := policy.Decide(v.mesh, v.who, p)
				for _, g := range grantees(v.who, p.Policies.Read) {
					for _, c := range p.Columns {
						if !dec.Denied[c.Name] {
							out = append(out, []any{p.Owner.Team, g, "mesh", p.Domain, p.TableName(), c.Name, "SELECT", "NO"})
						}
					}
				}
			}
			return out
		}},
	}
}
