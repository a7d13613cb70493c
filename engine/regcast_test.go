package engine

import (
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
	for sql, code := range map[string]string{
		`SELECT 'sales.no_such_v1'::text::regclass`:                                       sqltypes.CodeUndefinedTable,
		`SELECT 'no_such.orders_v1'::text::regclass`:                                      sqltypes.CodeInvalidSchemaName,
		`SELECT typname::regtype FROM pg_catalog.pg_type`:                                 sqltypes.CodeFeatureNotSupported,
		`SELECT n::regclass FROM (VALUES ('sales.orders_v1'), ('sales.no_such_v1')) v(n)`: sqltypes.CodeUndefinedTable,
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
