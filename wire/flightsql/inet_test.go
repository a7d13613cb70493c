package flightsql

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestInetAsText: inet, cidr and macaddr results (and arrays of them)
// reach Flight SQL clients as their text in string columns whose type
// name says which, and an inet parameter is given as text.
func TestInetAsText(t *testing.T) {
	eng, mem := demoEngine(t)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "SELECT '10.1.2.3'::inet AS a, '10/8'::cidr AS b, NULL::inet AS c, ARRAY['::1'::inet, NULL, '1.2.3.4/24'] AS d, network('2001:db8::1/32') AS e, '08-00-2b-01-02-03'::macaddr AS f")
	if err != nil {
		t.Fatal(err)
	}
	schema, got, err := fetch(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"10.1.2.3", "10.0.0.0/8", "NULL", "{::1,NULL,1.2.3.4/24}", "2001:db8::/32", "08:00:2b:01:02:03"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	checkTextTypeNames(t, schema, "inet", "cidr", "inet", "inet[]", "cidr", "macaddr")

	prep, err := cl.Prepare(ctx, "SELECT $1::inet << '10.0.0.0/8', host($1::inet)")
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close(ctx)
	if ps := prep.ParameterSchema(); ps.NumFields() != 1 || !arrow.TypeEqual(ps.Field(0).Type, arrow.BinaryTypes.String) {
		t.Fatalf("parameter schema %v", ps)
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.BinaryTypes.String}}, nil))
	bld.Field(0).(*array.StringBuilder).Append("10.9.8.7/16")
	params := bld.NewRecordBatch()
	bld.Release()
	prep.SetParameters(params)
	params.Release()
	info, err = prep.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err = fetch(ctx, cl, info); err != nil || !reflect.DeepEqual(got, [][]string{{"t", "10.9.8.7"}}) {
		t.Fatalf("prepared: got %v, %v", got, err)
	}
}
