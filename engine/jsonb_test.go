package engine

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestJSONBOrderingRefused: jsonb compares with = and <> (checked against
// PostgreSQL in testdata/sql/json.slt), but PostgreSQL's jsonb order
// (objects > arrays > booleans > numbers > strings > null, then by size)
// is not its text's order, so ordering is 0A000 rather than a different
// answer; sorting by the text works.
func TestJSONBOrderingRefused(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	for _, sql := range []string{
		`SELECT '[1]'::jsonb < '{}'::jsonb`,
		`SELECT j FROM (VALUES ('[1]'::jsonb), ('{}')) v(j) ORDER BY j`,
		`SELECT max(j::text) OVER (ORDER BY j) FROM (VALUES ('[1]'::jsonb)) v(j)`,
	} {
		if _, err := queryErr(t, e, "admin", sql); sqltypes.Code(err) != sqltypes.CodeFeatureNotSupported {
			t.Errorf("%s: %v, want SQLSTATE 0A000", sql, err)
		}
	}
	got, err := queryErr(t, e, "admin", `SELECT j FROM (VALUES ('{"b": 1}'::jsonb), ('[1]')) v(j) ORDER BY j::text`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "[1]" || got[1] != `{"b": 1}` {
		t.Errorf("ORDER BY j::text: %q", got)
	}
}
