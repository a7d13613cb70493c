package engine

import (
	"slices"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestRegCastOfText: text cast to a reg* type is looked up when the
// statement runs (the binder cannot know a parameter's or an expression's
// value), giving the same id as the literal cast; a relation that does
// not exist is 42P01 and a schema 3F000, as in PostgreSQL; text that
// varies per row is refused with 0A000 and a hint, not misread as a number.
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
	for sql, code := range map[string]string{
		`SELECT 'sales.no_such_v1'::text::regclass`:         sqltypes.CodeUndefinedTable,
		`SELECT 'no_such.orders_v1'::text::regclass`:        sqltypes.CodeInvalidSchemaName,
		`SELECT relname::regclass FROM pg_catalog.pg_class`: sqltypes.CodeFeatureNotSupported,
	} {
		if _, err := queryErr(t, e, "admin", sql); sqltypes.Code(err) != code {
			t.Errorf("%s: %v, want SQLSTATE %s", sql, err, code)
		}
	}
}
