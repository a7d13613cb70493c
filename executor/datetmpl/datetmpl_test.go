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

// to_date's reading of the fields PostgreSQL 15 reads; the answers are
// its to_date(in, format).
func TestParseLenient(t *testing.T) {
	for _, c := range []struct {
		in, format string
		y          int64
		m, d       int
		code       string
	}{
		{"2024 10 3", "IYYY IW ID", 2024, 3, 6, ""},
		{"2024 10 3", "YYYY WW D", 2024, 3, 4, ""},
		{"2024 3 2", "YYYY MM W", 2024, 3, 8, ""},
		{"2458849", "J", 2019, 12, 31, ""},
		{"21 05", "CC YY", 2005, 1, 1, ""},
		{"024-03-05", "YYY-MM-DD", 2024, 3, 5, ""},
		{"12024-03-05", "YYYY-MM-DD", 12024, 3, 5, ""},
		{"2024035", "YYYYMMDD", 2024, 3, 5, ""},
		{"2024 xii 05", "YYYY rm DD", 2024, 12, 5, ""},
		{"2024-01-32", "YYYY-MM-DD", 0, 0, 0, "22008"},
		{"2023 366", "YYYY DDD", 0, 0, 0, "22008"},
		{"10 +25", "HH24 TZH", 0, 0, 0, "22009"},
		{"10:00 PST", "HH24:MI TZ", 0, 0, 0, "0A000"},
		{"2024 5", "YYYY ID", 0, 0, 0, "22007"},
	} {
		v, err := Parse(c.in, c.format, false)
		if c.code != "" {
			if sqltypes.Code(err) != c.code {
				t.Errorf("%q %q: %v, want %s", c.in, c.format, err, c.code)
			}
			continue
		}
		if want := sqltypes.DaysFromCivil(c.y, c.m, c.d); err != nil || v.Days != want {
			y, m, d := sqltypes.CivilFromDays(v.Days)
			t.Errorf("%q %q: %d-%d-%d %v", c.in, c.format, y, m, d, err)
		}
	}
}
