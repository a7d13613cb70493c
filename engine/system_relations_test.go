package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// Every column of every system table has a type: a misspelled type in a
// catalog spec is caught here, and at run time it is that table's XX000
// error, never a panic of the server.
func TestSystemTableColumns(t *testing.T) {
	for _, st := range systemTables() {
		if err := st.checkColumns(); err != nil {
			t.Errorf("%s.%s: %v", st.schema, st.name, err)
		}
	}
	e, _ := demoEngine(t)
	s := session(t, e, "admin")
	bad := catalogTable("pg_misspelled", `oid:oid name:nmae flags:boolen[]`)
	_, err := s.bindSystem(context.Background(), bad)
	if se := wantCode(t, err, sqltypes.CodeInternal); se != nil && !strings.Contains(se.Msg, "pg_catalog.pg_misspelled: column name has no type") {
		t.Errorf("binding a misspelled spec: %v", se)
	}
}

// Every relation of pg_catalog meshql implements is one of PostgreSQL's,
// whose id, kind and row type it takes: the kind decides whether it has
// the system columns (tables do, views do not), so a new catalog must say
// which it is. pg_get_keywords and pg_show_all_settings are functions
// PostgreSQL lists in pg_proc.
func TestCatalogRelationsArePostgres(t *testing.T) {
	for _, st := range systemTables() {
		if _, ok := pgCatalogRelations[st.name]; !ok && st.schema == "pg_catalog" && st.name != "pg_get_keywords" && st.name != "pg_show_all_settings" {
			t.Errorf("pg_catalog.%s is missing from pgCatalogRelations", st.name)
		}
	}
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct{ sql, want string }{
		// An index has no row type.
		{`SELECT relname, reltype FROM pg_class WHERE relkind = 'i'`, "products_v2_pkey|0"},
		{`SELECT count(*) FROM pg_class c LEFT JOIN pg_type t ON t.oid = c.reltype WHERE c.relkind <> 'i' AND t.typrelid IS DISTINCT FROM c.oid`, "0"},
		{`SELECT count(*) > 70, count(*) FILTER (WHERE relkind = 'v') > 10 FROM pg_class WHERE relnamespace = 11`, "t|t"},
	}
	for _, c := range cases {
		if got := strings.Join(rows(t, e, "admin", c.sql), "\n"); got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.sql, got, c.want)
		}
	}
}

// The catalogs only a superuser may read in PostgreSQL are listed but
// not readable: no meshql user is a superuser. The errors are
// PostgreSQL 15's for a role without the privilege.
func TestSuperuserCatalogs(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "admin")
	for q, msg := range map[string]string{
		"SELECT * FROM pg_authid":                   "permission denied for table pg_authid",
		"SELECT count(*) FROM pg_catalog.pg_shadow": "permission denied for view pg_shadow",
		"SELECT starelid FROM pg_statistic":         "permission denied for table pg_statistic",
	} {
		_, err := s.Query(context.Background(), q)
		if se := wantCode(t, err, sqltypes.CodeInsufficientPrivilege); se != nil && se.Msg != msg {
			t.Errorf("%s: %q, want %q", q, se.Msg, msg)
		}
	}
	got := rows(t, e, "analyst", `SELECT relname, oid::int, relkind FROM pg_class WHERE relname IN ('pg_authid', 'pg_shadow', 'pg_statistic') ORDER BY 1`)
	if want := "pg_authid|1260|r\npg_shadow|12005|v\npg_statistic|2619|r"; strings.Join(got, "\n") != want {
		t.Errorf("pg_class:\ngot  %q\nwant %q", got, want)
	}
	// information_schema lists only what the user may read.
	got = rows(t, e, "analyst", `SELECT (SELECT count(*) FROM information_schema.tables WHERE table_name IN ('pg_authid', 'pg_shadow', 'pg_statistic')),
		(SELECT count(*) FROM information_schema.columns WHERE table_name IN ('pg_authid', 'pg_shadow', 'pg_statistic'))`)
	if want := "0|0"; strings.Join(got, "\n") != want {
		t.Errorf("information_schema: %q, want %q", got, want)
	}
}

// information_schema.enabled_roles lists the session's user and the
// roles it holds, transitively; applicable_roles their memberships, as
// pg_auth_members lists them.
func TestInfoSchemaRoles(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct{ user, sql, want string }{
		{"admin", "SELECT role_name FROM information_schema.enabled_roles ORDER BY 1", "admin\nanalyst\nmarketing\nsales"},
		{"sales_eu", "SELECT role_name FROM information_schema.enabled_roles ORDER BY 1", "sales\nsales_eu"},
		{"admin", "SELECT grantee, role_name, is_grantable FROM information_schema.applicable_roles ORDER BY 2",
			"admin|analyst|NO\nadmin|marketing|NO\nadmin|sales|NO"},
		{"sales_eu", "SELECT grantee, role_name FROM information_schema.applicable_roles", "sales_eu|sales"},
	}
	for _, c := range cases {
		if got := strings.Join(rows(t, e, c.user, c.sql), "\n"); got != c.want {
			t.Errorf("%s as %s:\ngot  %q\nwant %q", c.sql, c.user, got, c.want)
		}
	}
}

// pg_policies shows pg_policy's rows (the row filters) as PostgreSQL's
// view does: by schema, table and name, the command spelled out, the
// roles by name and the predicate as the qual.
func TestPgPoliciesMatchesPgPolicy(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	q := `SELECT count(*) > 0, count(*) FILTER (WHERE pol.oid IS NULL OR v.cmd <> 'SELECT' OR v.permissive <> 'RESTRICTIVE'
	  OR v.qual IS DISTINCT FROM pg_get_expr(pol.polqual, pol.polrelid))
	FROM pg_policies v LEFT JOIN pg_namespace n ON n.nspname = v.schemaname
	LEFT JOIN pg_class c ON c.relname = v.tablename AND c.relnamespace = n.oid
	LEFT JOIN pg_policy pol ON pol.polrelid = c.oid AND pol.polname = v.policyname`
	if got := strings.Join(rows(t, e, "admin", q), "\n"); got != "t|0" {
		t.Errorf("pg_policies against pg_policy: %q, want t|0", got)
	}
	if got := strings.Join(rows(t, e, "admin", "SELECT (SELECT count(*) FROM pg_policies) = (SELECT count(*) FROM pg_policy)"), "\n"); got != "t" {
		t.Errorf("pg_policies and pg_policy differ in count")
	}
}
