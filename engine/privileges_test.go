package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestPrivilegeFunctions asks PostgreSQL's privilege inquiry functions
// what the demo users may do. Expectations follow from testdata/mesh's
// policies (see TestQueryLogRecordsReadsMasksAndDenials) and from
// PostgreSQL's documented forms: ([user,] table, [column,] privilege),
// any listed privilege suffices, WITH GRANT OPTION is never held, and
// meshql grants only SELECT and USAGE.
func TestPrivilegeFunctions(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct{ user, sql, want string }{
		{"analyst", "SELECT has_table_privilege('sales.orders_v1', 'SELECT'), has_table_privilege('marketing.cross_sell_v1', 'select')", "t|t"},
		{"sales_eu", "SELECT has_table_privilege('sales.orders_v1', 'SELECT'), has_table_privilege('marketing.cross_sell_v1', 'SELECT')", "t|f"},
		{"analyst", "SELECT has_table_privilege('sales.orders_v1', 'INSERT'), has_table_privilege('sales.orders_v1', 'SELECT WITH GRANT OPTION'), has_table_privilege('sales.orders_v1', 'UPDATE, SELECT')", "f|f|t"},
		{"analyst", "SELECT has_table_privilege('pg_class', 'SELECT'), has_table_privilege('mesh.query_log', 'SELECT')", "t|t"},
		{"marketing", "SELECT has_column_privilege('sales.customers_v1', 'signup_date', 'SELECT'), has_column_privilege('sales.customers_v1', 'email', 'SELECT'), has_column_privilege('sales.customers_v1', 7, 'SELECT')", "f|t|f"},
		{"analyst", "SELECT has_column_privilege('sales.customers_v1', 'signup_date', 'SELECT')", "t"},
		{"admin", "SELECT has_table_privilege('sales_eu', 'marketing.cross_sell_v1', 'SELECT'), has_column_privilege('marketing', 'sales.customers_v1', 'signup_date', 'SELECT'), has_table_privilege('marketing', 'sales.customers_v1', 'SELECT')", "f|f|t"},
		{"sales_eu", "SELECT has_schema_privilege('sales', 'USAGE'), has_schema_privilege('marketing', 'USAGE'), has_schema_privilege('sales', 'CREATE'), has_schema_privilege('pg_catalog', 'USAGE')", "t|f|f|t"},
		{"sales_eu", "SELECT has_any_column_privilege('sales.customers_v1', 'SELECT'), has_any_column_privilege('marketing.cross_sell_v1', 'SELECT')", "t|f"},
		{"sales_eu", "SELECT n, has_table_privilege(n, 'SELECT') FROM (VALUES ('sales.orders_v1'), ('marketing.cross_sell_v1')) v(n) ORDER BY n", "marketing.cross_sell_v1|f\nsales.orders_v1|t"},
		// Names that vary per row are read as regclass reads them: quoted
		// parts as written (Metabase's sync builds '"schema"."table"'),
		// unquoted ones lower-cased, an unqualified one on the search path.
		{"sales_eu", `SELECT n, has_any_column_privilege(current_user, n, 'select') FROM (VALUES ('"sales"."orders_v1"'), ('SALES.Orders_V1'), ('"marketing"."cross_sell_v1"'), ('orders_v1'), ('"Sales".orders_v1')) v(n) ORDER BY n`,
			"\"Sales\".orders_v1|f\n\"marketing\".\"cross_sell_v1\"|f\n\"sales\".\"orders_v1\"|t\nSALES.Orders_V1|t\norders_v1|f"},
		{"marketing", "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'customers_v1' AND NOT has_column_privilege(c.oid, a.attnum, 'SELECT')", "signup_date"},
		{"marketing", "SELECT count(*) FROM pg_class c WHERE has_table_privilege(c.oid, 'SELECT')", "5"},
		{"marketing", "SELECT column_name FROM information_schema.column_privileges WHERE table_name = 'customers_v1' ORDER BY 1", "country\ncustomer_id\nemail\nname\nregion\nsegment"},
		{"marketing", "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'customers_v1'", "customer_id,name,email,country,region,segment"},
		{"analyst", "SELECT count(*) FROM information_schema.columns WHERE table_name = 'customers_v1' AND column_name = 'signup_date'", "1"},
		{"sales_eu", "SELECT grantee, table_schema || '.' || table_name, privilege_type FROM information_schema.table_privileges ORDER BY 2", "sales|catalog.products_v1|SELECT\nsales|catalog.products_v2|SELECT\nsales|sales.customers_v1|SELECT\nsales|sales.orders_v1|SELECT"},
		// Role names answer for the role's own grants (sales is a role and
		// no user): sales reads its domain's customers raw, signup_date
		// included, but not marketing's cross-sell product.
		{"analyst", "SELECT has_table_privilege('sales', 'sales.customers_v1', 'SELECT'), has_table_privilege('sales', 'marketing.cross_sell_v1', 'SELECT'), has_column_privilege('sales', 'sales.customers_v1', 'signup_date', 'SELECT')", "t|f|t"},
		{"analyst", "SELECT has_schema_privilege('sales', 'marketing', 'USAGE'), has_schema_privilege('sales', 'sales', 'USAGE'), has_any_column_privilege('sales', 'marketing.cross_sell_v1', 'SELECT'), has_any_column_privilege('sales', 'catalog.products_v2', 'SELECT')", "f|t|f|t"},
		// A user argument per row answers for each user and role pg_roles
		// lists (users admin, analyst, marketing, sales_eu; role sales;
		// meshql, the owner of every object, is no principal of the mesh):
		// cross_sell is read by [marketing, analyst] (and admin); signup_date
		// is denied except to analyst and sales (and admin).
		{"analyst", "SELECT rolname, has_table_privilege(rolname, 'marketing.cross_sell_v1', 'SELECT'), has_column_privilege(rolname, 'sales.customers_v1', 'signup_date', 'SELECT') FROM pg_roles ORDER BY rolname",
			"admin|t|t\nanalyst|t|t\nmarketing|t|f\nmeshql|NULL|NULL\nsales|f|t\nsales_eu|f|t"},
		{"sales_eu", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE has_table_privilege(oid, 'marketing.cross_sell_v1', 'SELECT')", "admin,analyst,marketing"},
		// Per row, a name that is no user or role answers NULL (PostgreSQL: 42704).
		{"analyst", "SELECT u, has_table_privilege(u, 'sales.orders_v1', 'SELECT') IS NULL FROM (VALUES ('nobody'), ('sales')) v(u) ORDER BY u", "nobody|t\nsales|f"},
		{"marketing", fmt.Sprintf("SELECT has_table_privilege(%d, 'marketing.cross_sell_v1', 'SELECT'), has_column_privilege(%d::oid, 'sales.customers_v1', 'signup_date', 'SELECT')", stableOID("role", "sales"), stableOID("role", "sales")), "f|t"},
	}
	for _, c := range cases {
		got, err := queryErr(t, e, c.user, c.sql)
		if err != nil {
			t.Errorf("%s as %s: %v", c.sql, c.user, err)
			continue
		}
		if strings.Join(got, "\n") != c.want {
			t.Errorf("%s as %s:\ngot  %q\nwant %q", c.sql, c.user, strings.Join(got, "\n"), c.want)
		}
	}
	errs := []struct{ sql, code string }{
		{"SELECT has_table_privilege('sales.nope_v1', 'SELECT')", "42P01"},
		{"SELECT has_table_privilege('sales.orders_v1', 'FLY')", "22023"},
		{"SELECT has_column_privilege('sales.orders_v1', 'nope', 'SELECT')", "42703"},
		{"SELECT has_table_privilege('nobody', 'sales.orders_v1', 'SELECT')", "42704"},
		{"SELECT has_schema_privilege('nope', 'USAGE')", "3F000"},
	}
	for _, c := range errs {
		if _, err := queryErr(t, e, "analyst", c.sql); sqltypes.Code(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.sql, err, c.code)
		}
	}
}

// TestCatalogsAgreeOnDeniedColumns: a denied column is left out of what a
// query can name — SELECT * and information_schema.columns (PostgreSQL
// lists only columns the user holds a privilege on) — while mesh.columns
// lists it with access 'denied' and pg_attribute, as in PostgreSQL, lists
// it without SELECT privilege. Every front agrees, for every demo user
// and product; marketing's view of sales.customers_v1 is spelled out from
// the descriptor.
func TestCatalogsAgreeOnDeniedColumns(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	got := rows(t, e, "marketing", "SELECT column_name || ':' || access || coalesce(':' || mask, '') FROM mesh.columns WHERE product = 'sales.customers_v1' ORDER BY ordinal")
	want := "customer_id:masked:hash name:masked:hash email:masked:partial country:read region:read segment:read signup_date:denied"
	if strings.Join(got, " ") != want {
		t.Errorf("mesh.columns as marketing:\ngot  %s\nwant %s", strings.Join(got, " "), want)
	}
	if got := rows(t, e, "marketing", "SELECT mask FROM mesh.columns WHERE product = 'sales.orders_v1' AND column_name = 'amount'"); strings.Join(got, "") != "round(10)" {
		t.Errorf("marketing's mask of orders.amount: %v, want round(10)", got)
	}
	denied := 0
	for _, user := range []string{"analyst", "marketing", "sales_eu", "admin"} {
		for _, p := range rows(t, e, user, "SELECT name FROM mesh.data_products ORDER BY 1") {
			schema, table, _ := strings.Cut(p, ".")
			s, err := e.NewSession(user, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Query(context.Background(), "SELECT * FROM "+p+" LIMIT 0")
			if err != nil {
				t.Fatalf("SELECT * FROM %s as %s: %v", p, user, err)
			}
			var star []string
			for _, c := range res.Columns {
				star = append(star, c.Name)
			}
			if _, err := drainRows(t, res); err != nil {
				t.Fatal(err)
			}
			s.Close()
			readable := rows(t, e, user, "SELECT column_name FROM mesh.columns WHERE product = '"+p+"' AND access <> 'denied' ORDER BY ordinal")
			infoSchema := rows(t, e, user, "SELECT column_name FROM information_schema.columns WHERE table_schema = '"+schema+"' AND table_name = '"+table+"' ORDER BY ordinal_position")
			hidden := rows(t, e, user, "SELECT column_name FROM mesh.columns WHERE product = '"+p+"' AND access = 'denied' ORDER BY ordinal")
			noPrivilege := rows(t, e, user, "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"+schema+"' AND c.relname = '"+table+"' AND NOT has_column_privilege(c.oid, a.attnum, 'SELECT') ORDER BY a.attnum")
			for name, list := range map[string][]string{"mesh.columns": readable, "information_schema.columns": infoSchema} {
				if strings.Join(list, ",") != strings.Join(star, ",") {
					t.Errorf("%s as %s: SELECT * returns %v, %s lists %v", p, user, star, name, list)
				}
			}
			if strings.Join(hidden, ",") != strings.Join(noPrivilege, ",") {
				t.Errorf("%s as %s: mesh.columns denies %v, pg_attribute without privilege %v", p, user, hidden, noPrivilege)
			}
			denied += len(hidden)
		}
	}
	if denied != 1 {
		t.Errorf("the demo denies marketing signup_date and nothing else; found %d denied columns", denied)
	}
}
