package datetmpl

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// Standard mode (jsonpath's .datetime(template)) refuses what to_date
// accepts; the answers are PostgreSQL 15's (to_date and
// jsonb_path_query('"..."', '$.datetime("...")')).
func TestParseStd(t *testing.T) {
	for _, c := range []struct {
		in, format string
		code       string // "" for success, in standard mode
		lenient    bool   // to_date reads it
	}{
		{"05/01/2024", "dd-mm-yyyy", "22007", true},      // unmatched format separator "-"
		{"05-01-2024 x", "dd-mm-yyyy", "22007", true},    // trailing characters remain
		{"05-01-2024", "dd-mm-yyyy HH24", "22007", true}, // input string is too short
		{"05-01-2024 +03", "dd-mm-yyyy TZH", "22007", true},
		{"2024-01-05", "xyz", "22007", true},
		{"2024-01-05T10:00", "yyyy-mm-dd HH24:MI", "", false},
		{" 2024-01-05 ", "yyyy-mm-dd", "", true},
		{"2024-13-05", "yyyy-mm-dd", "22008", false},
	} {
		_, err := Parse(c.in, c.format, true)
		if sqltypes.Code(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("std %q %q: %v, want %q", c.in, c.format, err, c.code)
		}
		if _, err := Parse(c.in, c.format, false); (err == nil) != c.lenient {
			t.Errorf("to_date %q %q: %v", c.in, c.format, err)
		}
	}
}

func TestParseKinds(t *testing.T) {
	v, err := Parse("2024-01-05 10:30:00.25 -03:30", "yyyy-mm-dd HH24:MI:SS.US TZH:TZM", true)
	if err != nil {
		t.Fatal(err)
	}
	want := Value{Days: sqltypes.DaysFromCivil(2024, 1, 5), Micros: (10*3600+30*60)*1_000_000 + 250_000, TZSec: -(3*3600 + 30*60), Dated: true, Timed: true, Zoned: true}
	if v != want {
		t.Errorf("got %+v, want %+v", v, want)
	}
	if v, err := Parse("10:30", "HH24:MI", true); err != nil || v.Dated || !v.Timed || v.Zoned {
		t.Errorf("time: %+v %v", v, err)
	}
}
