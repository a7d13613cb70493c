package flightsql

import (
	"strings"
	"testing"
)

// TestUntypedParameterRefused: a prepared statement whose parameter
// nothing types is refused with PostgreSQL's 42P18, as over pgwire,
// rather than run with a parameter of no type.
func TestUntypedParameterRefused(t *testing.T) {
	eng, _ := demoEngine(t)
	_, addr := startServer(t, eng, nil)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{"SELECT $1 IS NULL", "SELECT $2::int"} {
		prep, err := cl.Prepare(ctx, sql)
		if err == nil {
			prep.Close(ctx)
			t.Errorf("%s: prepared; want 42P18", sql)
			continue
		}
		if !strings.Contains(err.Error(), "42P18") || !strings.Contains(err.Error(), "could not determine data type of parameter $1") {
			t.Errorf("%s: %v; want 42P18 for $1", sql, err)
		}
	}
	// The null test saw $1 untyped before the cast typed it: 42P08.
	if prep, err := cl.Prepare(ctx, "SELECT $1 IS NULL, $1::int"); err == nil {
		prep.Close(ctx)
		t.Errorf("SELECT $1 IS NULL, $1::int: prepared; want 42P08")
	} else if !strings.Contains(err.Error(), "42P08") {
		t.Errorf("SELECT $1 IS NULL, $1::int: %v; want 42P08", err)
	}
	if prep, err := cl.Prepare(ctx, "SELECT $1::int IS NULL"); err != nil {
		t.Errorf("SELECT $1::int IS NULL: %v", err)
	} else {
		prep.Close(ctx)
	}
}
