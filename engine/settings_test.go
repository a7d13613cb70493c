package engine

import (
	"reflect"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// Output settings meshql does not follow are refused, never stored and
// reported as in effect; the spellings of the ones it follows are
// accepted and normalized as PostgreSQL normalizes them, DateStyle
// keeping the part a value leaves out.
func TestOutputSettingsAcceptedOrRefused(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	for _, c := range []struct{ set, name, want string }{
		{"SET DateStyle = 'ISO'", "datestyle", "ISO, MDY"},
		{"SET datestyle = 'US, iso'", "datestyle", "ISO, MDY"},
		{"SET IntervalStyle = 'POSTGRES'", "intervalstyle", "postgres"},
		{"SET DateStyle = 'ISO, DMY'", "datestyle", "ISO, DMY"},
		{"SET DateStyle = 'SQL'", "datestyle", "SQL, DMY"},
		{"SET DateStyle = 'German'", "datestyle", "German, DMY"},
		{"SET DateStyle = 'postgres, us'", "datestyle", "Postgres, MDY"},
		{"SET DateStyle = 'euro'", "datestyle", "Postgres, DMY"},
		{"SET DateStyle = 'ymd'", "datestyle", "Postgres, YMD"},
		{"SET DateStyle = DEFAULT", "datestyle", "ISO, MDY"},
		{"SET IntervalStyle = 'ISO_8601'", "intervalstyle", "iso_8601"},
		{"SET IntervalStyle = sql_standard", "intervalstyle", "sql_standard"},
		{"RESET IntervalStyle", "intervalstyle", "postgres"},
		{"SET extra_float_digits = 3", "extra_float_digits", "3"},
		{"SET bytea_output = 'hex'", "bytea_output", "hex"},
	} {
		if _, err := sessionRows(t, s, c.set); err != nil {
			t.Fatalf("%s: %v", c.set, err)
		}
		if v, _ := s.Setting(c.name); v != c.want {
			t.Errorf("after %s: %s = %q, want %q", c.set, c.name, v, c.want)
		}
	}
	for _, c := range []struct{ set, code string }{
		{"SET DateStyle = 'ISO, nonsense'", sqltypes.CodeInvalidParameterValue},
		{"SET DateStyle = 'ISO, SQL'", sqltypes.CodeInvalidParameterValue},
		{"SET DateStyle = 'DMY, YMD'", sqltypes.CodeInvalidParameterValue},
		{"SET DateStyle = 'ISO DMY'", sqltypes.CodeInvalidParameterValue},
		{"SET IntervalStyle = 'x'", sqltypes.CodeInvalidParameterValue},
		{"SET extra_float_digits = 0", sqltypes.CodeFeatureNotSupported},
		{"SET extra_float_digits = 4", sqltypes.CodeInvalidParameterValue},
		{"SET extra_float_digits = 'a'", sqltypes.CodeInvalidParameterValue},
		{"SET bytea_output = 'escape'", sqltypes.CodeFeatureNotSupported},
		{"SET server_version = '1'", "55P02"},
	} {
		_, err := sessionRows(t, s, c.set)
		wantCode(t, err, c.code)
	}
	if v, _ := s.Setting("datestyle"); v != "ISO, MDY" {
		t.Errorf("a refused SET changed DateStyle to %q", v)
	}
}

// SHOW names its column with PostgreSQL's spelling of the parameter.
func TestShowColumnName(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	for sql, want := range map[string]string{"SHOW timezone": "TimeZone", "SHOW DATESTYLE": "DateStyle", "SHOW search_path": "search_path"} {
		res, err := s.Query(t.Context(), sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Columns[0].Name; got != want {
			t.Errorf("%s: column %q, want %q", sql, got, want)
		}
		if _, err := drainRows(t, res); err != nil {
			t.Fatal(err)
		}
	}
}

// RESET ALL puts back every setting a session may change, the mesh's
// own included, and leaves read-only ones alone.
func TestResetAll(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	before, _ := s.Setting("mesh.query_memory")
	for _, sql := range []string{"SET mesh.query_memory = '7MB'", "SET extra_float_digits = 2", "SET TimeZone = 'Europe/Paris'", "RESET ALL"} {
		if _, err := sessionRows(t, s, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for name, want := range map[string]string{"mesh.query_memory": before, "extra_float_digits": "1", "timezone": "UTC", "server_version": ServerVersion} {
		if v, _ := s.Setting(name); v != want {
			t.Errorf("after RESET ALL %s = %q, want %q", name, v, want)
		}
	}
}

// The startup packet's options parameter (libpq's PGOPTIONS) sets
// parameters, after the other startup parameters.
func TestStartupOptions(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	s, err := e.NewSession("analyst", map[string]string{
		"application_name": "from-param",
		"options":          `-c application_name=from\ options --statement-timeout=5s -cextra_float_digits=3 -c DateStyle=SQL,\ DMY -c IntervalStyle=iso_8601`,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, want := range map[string]string{"application_name": "from options", "statement_timeout": "5s", "extra_float_digits": "3", "datestyle": "SQL, DMY", "intervalstyle": "iso_8601"} {
		if v, _ := s.Setting(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	for opts, code := range map[string]string{
		"-c nosuch=1":              sqltypes.CodeUndefinedObject,
		"-c DateStyle=Swiss":       sqltypes.CodeInvalidParameterValue,
		"-x":                       sqltypes.CodeFeatureNotSupported,
		"-c statement_timeout":     sqltypes.CodeSyntaxError,
		"-c extra_float_digits=-1": sqltypes.CodeFeatureNotSupported,
	} {
		s, err := e.NewSession("analyst", map[string]string{"options": opts})
		if err == nil {
			s.Close()
		}
		if sqltypes.Code(err) != code {
			t.Errorf("options %q: %v, want %s", opts, err, code)
		}
	}
}

func TestParseStartupOptions(t *testing.T) {
	got, err := parseStartupOptions("  -c a=1\t-cb=x\\ y --c-d=2 -c e=  ")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"a", "1"}, {"b", "x y"}, {"c_d", "2"}, {"e", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A prepared statement reads its literals in the DateStyle and
// IntervalStyle in effect when it runs, not when it was prepared, and a
// literal's text follows the styles too: neither is folded for good
// while preparing.
func TestPreparedStatementFollowsDateStyle(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	stmts, err := s.Prepare(t.Context(), "SELECT '01/02/2024'::date, (DATE '2026-11-27')::text, '-1 2:00'::interval, (INTERVAL '1 day')::text")
	if err != nil {
		t.Fatal(err)
	}
	run := func() string {
		t.Helper()
		res, err := stmts[0].Execute(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := drainRows(t, res)
		if err != nil || len(rows) != 1 {
			t.Fatalf("rows %v, %v", rows, err)
		}
		return rows[0]
	}
	if got, want := run(), "2024-01-02|2026-11-27|-1 days +02:00:00|1 day"; got != want {
		t.Errorf("as prepared: %s, want %s", got, want)
	}
	for _, sql := range []string{"SET DateStyle = 'German'", "SET IntervalStyle = 'sql_standard'"} {
		if _, err := sessionRows(t, s, sql); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := run(), "2024-02-01|27.11.2026|-1 days -02:00:00|1 0:00:00"; got != want {
		t.Errorf("after SET: %s, want %s", got, want)
	}
}
