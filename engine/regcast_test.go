package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestRegCastOfText: text cast to a reg* type is looked up when the
// statement runs (the binder cannot know a parameter's or an expression's
// value), giving the same id as the literal cast; a relation that does
// not exist is 42P01 and a schema 3F000, as in PostgreSQL; a relation
// name that varies per row is looked up per row, other reg* types refuse
// such text with 0A000 and a hint, never misreading it as a number.
func TestRegCastOfText(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	got, err := queryErr(t, e, "admin", `SELECT 'sales.orders_v1'::text::regclass = 'sales.orders_v1'::regclass,
		('sales' || '.orders_v1')::regclass = 'sales.orders_v1'::regclass, NULL::text::regclass IS NULL, 'int8'::varchar::regtype::int`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"t|t|t|20"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	perRow, err := queryErr(t, e, "admin", `SELECT count(*) FILTER (WHERE (n.nspname || '.' || c.relname)::regclass = c.oid), count(*)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace`)
	if err != nil || len(perRow) != 1 || strings.Split(perRow[0], "|")[0] != strings.Split(perRow[0], "|")[1] {
		t.Errorf("per-row regclass of every relation: %q, %v", perRow, err)
	}
	plan, err := queryErr(t, e, "admin", `EXPLAIN SELECT n::regclass FROM (VALUES ('pg_class')) v(n)`)
	if err != nil || len(plan) == 0 || !strings.Contains(plan[0], "regclass(n)") {
		t.Errorf("EXPLAIN of a per-row regclass: %q, %v", plan, err)
	}
	for sql, code := range map[string]string{
		`SELECT 'sales.no_such_v1'::text::regclass`:                                       sqltypes.CodeUndefinedTable,
		`SELECT 'no_such.orders_v1'::text::regclass`:                                      sqltypes.CodeInvalidSchemaName,
		`SELECT typname::regtype FROM pg_catalog.pg_type`:                                 sqltypes.CodeFeatureNotSupported,
		`SELECT n::regclass FROM (VALUES ('sales.orders_v1'), ('sales.no_such_v1')) v(n)`: sqltypes.CodeUndefinedTable,
		`SELECT '1259'::text::regclass`:                                                   sqltypes.CodeUndefinedTable, // regclass(text) reads no id
	} {
		if _, err := queryErr(t, e, "admin", sql); sqltypes.Code(err) != code {
			t.Errorf("%s: %v, want SQLSTATE %s", sql, err, code)
		}
	}
}

// TestViewDefinition: pg_get_viewdef of a SQL-defined product's oid, as
// psql's \d+ asks it (a constant) and as DBeaver and schema tools ask it
// (per row of pg_class), is the query its descriptor states; a product read
// from a source is no view (NULL).
func TestViewDefinition(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "admin")
	p, ok := e.Mesh().Lookup("marketing", "cross_sell_v1")
	if !ok || p.Source.Query == "" {
		t.Fatal("the demo's marketing.cross_sell_v1 is no longer defined by SQL")
	}
	views := 0
	for _, q := range e.Mesh().Products {
		if q.Source.Connector == "sql" {
			views++
		}
	}
	def := strings.TrimSpace(p.Source.Query)
	for _, c := range []struct{ sql, want string }{
		{"SELECT pg_get_viewdef('marketing.cross_sell_v1'::regclass, true), pg_get_viewdef('sales.orders_v1'::regclass)", def + "|NULL"},
		{"SELECT pg_get_viewdef(c.oid, true) FROM pg_class c WHERE c.relname = 'cross_sell_v1'", def},
		{"SELECT count(pg_get_viewdef(c.oid)) FROM pg_class c", strconv.Itoa(views)},
	} {
		rows, err := sessionRows(t, s, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
		} else if len(rows) != 1 || rows[0] != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.sql, rows, c.want)
		}
	}
}

// TestRegclassConstantAndPerRowAgree: a literal cast to regclass (looked up
// when binding) and the same text cast per row (looked up as rows run) give
// the same relation or the same error, whatever odd spelling the text has.
func TestRegclassConstantAndPerRowAgree(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	outcome := func(sql string) string {
		rows, err := sessionRows(t, s, sql)
		if err != nil {
			return sqltypes.Code(err) + " " + sqltypes.AsError(err).Msg
		}
		return strings.Join(rows, ",")
	}
	for _, name := range []string{
		"sales.orders_v1", `"sales".orders_v1`, " sales . orders_v1 ", "SALES.ORDERS_V1", `sales."ORDERS_V1"`,
		"mesh.sales.orders_v1", "a.b.c", "a.b.c.d", "sales.", ".x", "", "  ", `"a`, `""`, "sales.orders_v1 x",
		"pg_class", "pg_catalog.pg_class", "orders_v1", "no_such.orders_v1", "sales.orders_v1()",
		"sales.orders_v1" + strings.Repeat("x", 60), "information_schema.tables",
	} {
		lit := strings.ReplaceAll(name, "'", "''")
		constant := outcome("SELECT '" + lit + "'::regclass")
		perRow := outcome("SELECT n::regclass FROM (VALUES ('" + lit + "')) v(n)")
		if constant != perRow {
			t.Errorf("%q: constant %s, per row %s", name, constant, perRow)
		}
	}
}

// TestRegclassHidesProducts: a user cannot tell a product it may not read
// from one that does not exist through regclass, constant or per row: the
// demo's sales_eu reads nothing in marketing, so the schema is unknown to
// it as a made-up one is, while analyst finds the product.
func TestRegclassHidesProducts(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	for _, sql := range []string{
		`SELECT 'marketing.cross_sell_v1'::regclass`,
		`SELECT n::regclass FROM (VALUES ('marketing.cross_sell_v1')) v(n)`,
		`SELECT 'marketing.cross_sell_v1'::text::regclass`,
	} {
		if _, err := queryErr(t, e, "sales_eu", sql); sqltypes.Code(err) != sqltypes.CodeInvalidSchemaName {
			t.Errorf("sales_eu: %s: %v, want 3F000 as for a schema that does not exist", sql, err)
		}
		if rows, err := queryErr(t, e, "analyst", sql); err != nil || len(rows) != 1 {
			t.Errorf("analyst: %s: %q, %v", sql, rows, err)
		}
	}
	if _, err := queryErr(t, e, "sales_eu", `SELECT 'no_such.cross_sell_v1'::regclass`); sqltypes.Code(err) != sqltypes.CodeInvalidSchemaName {
		t.Errorf("a made-up schema: %v, want 3F000", err)
	}
}

// TestExplainActions: EXPLAIN plans a statement calling the functions the
// engine answers without a side effect (current_setting, also per row,
// to_regclass), and refuses one that would act (SET, cancel, signal).
func TestExplainActions(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	for _, sql := range []string{
		`EXPLAIN SELECT current_setting('TimeZone')`,
		`EXPLAIN SELECT current_setting(name) FROM pg_settings`,
		`EXPLAIN SELECT to_regclass('sales.orders_v1')`,
	} {
		if plan, err := queryErr(t, e, "admin", sql); err != nil || len(plan) == 0 {
			t.Errorf("%s: %q, %v", sql, plan, err)
		}
	}
	for _, sql := range []string{
		`EXPLAIN SELECT set_config('application_name', 'x', false)`,
		`EXPLAIN ANALYZE SELECT pg_cancel_backend(1)`,
		`EXPLAIN SELECT meshql_cancel(1)`,
		`EXPLAIN SELECT meshql_cancel(query_id) FROM mesh.running_queries`,
		`EXPLAIN SELECT pg_terminate_backend(pid) FROM pg_stat_activity`,
	} {
		if _, err := queryErr(t, e, "admin", sql); sqltypes.Code(err) != sqltypes.CodeFeatureNotSupported {
			t.Errorf("%s: %v, want SQLSTATE 0A000", sql, err)
		}
	}
	if got, err := queryErr(t, e, "admin", `SHOW application_name`); err != nil || len(got) != 1 || got[0] == "x" {
		t.Errorf("EXPLAIN of set_config changed the setting: %q, %v", got, err)
	}
}

// TestRegclassNameHidesProducts: x::regclass::text and a result column
// of type regclass name a relation the session sees and print any other
// id as its number, so that the name of a product the user may not read
// does not show, nor through a column of pg_class ids.
func TestRegclassNameHidesProducts(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	oid := stableOID("class", "marketing.cross_sell_v1")
	for _, sql := range []string{fmt.Sprintf("SELECT %d::regclass::text", oid), fmt.Sprintf("SELECT %d::regclass", oid),
		fmt.Sprintf("SELECT x::regclass FROM (VALUES (%d)) v(x)", oid)} {
		for user, want := range map[string]string{"analyst": "marketing.cross_sell_v1", "sales_eu": strconv.FormatInt(oid, 10)} {
			if got, err := queryErr(t, e, user, sql); err != nil || !slices.Equal(got, []string{want}) {
				t.Errorf("%s as %s: %q, %v; want %q", sql, user, got, err, want)
			}
		}
	}
}

// TestRelationsFollowGrantsAndSearchPath: the relation index reg* casts,
// to_regclass and regclass output read is built once and reused while
// the catalog and search_path stay, and never outlives either: a reload
// that grants a product makes it nameable in the same session, one that
// revokes the grant hides it again (42P01/3F000, NULL, the number), and
// SET search_path changes how names print.
func TestRelationsFollowGrantsAndSearchPath(t *testing.T) {
	e, dir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	s, err := e.NewSession("sales_eu", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seen := func(want bool) {
		t.Helper()
		_, err := sessionRows(t, s, "SELECT 'marketing.cross_sell_v1'::regclass")
		if got, _ := sessionRows(t, s, "SELECT to_regclass('marketing.cross_sell_v1') IS NOT NULL"); (err == nil) != want || strings.Join(got, ",") != strconv.FormatBool(want)[:1] {
			t.Errorf("marketing.cross_sell_v1 seen: cast %v, to_regclass %v; want seen %v", err, got, want)
		}
	}
	seen(false)
	if a, b := s.relations(), s.relations(); a != b {
		t.Error("the relation index was rebuilt with nothing changed")
	}
	yaml := filepath.Join(dir, "marketing", "cross_sell_v1.yaml")
	editFile(t, yaml, "read: [marketing, analyst]", "read: [marketing, analyst, sales]")
	if err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen(true)
	id, err := sessionRows(t, s, "SELECT 'marketing.cross_sell_v1'::regclass::int")
	if err != nil {
		t.Fatal(err)
	}
	editFile(t, yaml, "read: [marketing, analyst, sales]", "read: [marketing, analyst]")
	if err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen(false)
	if got, err := sessionRows(t, s, "SELECT "+id[0]+"::regclass::text"); err != nil || got[0] != id[0] {
		t.Errorf("a revoked relation's id printed as %v, %v; want the number %s", got, err, id[0])
	}

	for _, c := range []struct{ set, want string }{
		{"SET search_path = sales", "orders_v1"},
		{"RESET search_path", "sales.orders_v1"},
	} {
		if _, err := sessionRows(t, s, c.set); err != nil {
			t.Fatal(err)
		}
		if got, err := sessionRows(t, s, "SELECT 'sales.orders_v1'::regclass::text"); err != nil || got[0] != c.want {
			t.Errorf("after %s: %v, %v; want %s", c.set, got, err, c.want)
		}
	}
}
