package flightsql

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
)

// TestOidColumnsAsUint32: oid and reg* results reach Flight SQL clients
// as Arrow uint32 ids (unsigned: 4294967295 stays positive), the SQL
// type's name in the column metadata; a regclass cast to text is the
// relation's name.
func TestOidColumnsAsUint32(t *testing.T) {
	eng, mem := demoEngine(t)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "SELECT '4294967295'::oid AS o, 'pg_class'::regclass AS r, 'int4'::regtype AS t, 'pg_class'::regclass::text AS n")
	if err != nil {
		t.Fatal(err)
	}
	schema, got, err := fetch(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"4294967295", "1259", "23", "pg_class"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, name := range []string{"oid", "regclass", "regtype"} {
		f := schema.Field(i)
		md := flightsql.ColumnMetadata{Data: &f.Metadata}
		if tn, _ := md.TypeName(); tn != name || !arrow.TypeEqual(f.Type, arrow.PrimitiveTypes.Uint32) {
			t.Errorf("column %s: %s named %q, want uint32 named %q", f.Name, f.Type, tn, name)
		}
	}
}

// TestNameColumnsAsUtf8: name results (a literal, pg_catalog's
// identifiers) reach Flight SQL clients as Arrow utf8 with "name" as the
// column's type name in its metadata; name || text is text.
func TestNameColumnsAsUtf8(t *testing.T) {
	eng, mem := demoEngine(t)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "SELECT 'abc'::name AS n, relname, relname || '.x' AS t FROM pg_catalog.pg_class WHERE relname = 'pg_class'")
	if err != nil {
		t.Fatal(err)
	}
	schema, got, err := fetch(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"abc", "pg_class", "pg_class.x"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, name := range []string{"name", "name", "text"} {
		f := schema.Field(i)
		md := flightsql.ColumnMetadata{Data: &f.Metadata}
		if tn, _ := md.TypeName(); tn != name || !arrow.TypeEqual(f.Type, arrow.BinaryTypes.String) {
			t.Errorf("column %s: %s named %q, want utf8 named %q", f.Name, f.Type, tn, name)
		}
	}
}
