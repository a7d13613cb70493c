package flightsql

import (
	"reflect"
	"testing"
)

// Range columns reach Flight SQL clients as their canonical text (utf8:
// tstzrange bounds in UTC, whatever the session's TimeZone) with the
// range type in the column's Flight SQL type name.
func TestRangesOverFlightSQL(t *testing.T) {
	eng, mem := demoEngine(t)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, `SELECT int4range(1, 5, '[]') AS i, numrange(1.50, NULL) AS n, 'empty'::daterange AS d, `+
		`tstzrange('2024-01-01 10:00+02', NULL) AS tz, NULL::tsrange AS ts`)
	if err != nil {
		t.Fatal(err)
	}
	schema, rows, err := fetch(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"[1,6)", "[1.50,)", "empty", `["2024-01-01 08:00:00+00",)`, "NULL"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	checkTextTypeNames(t, schema, "int4range", "numrange", "daterange", "tstzrange", "tsrange")
}
