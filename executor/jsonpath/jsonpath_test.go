package jsonpath

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// loadCases reads a JSON list of [input..., "ok"|"err", output or
// SQLSTATE] cases whose expectations came from PostgreSQL 15.
func loadCases(t *testing.T, file string) [][]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases [][]string
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestParsePrint checks jsonpath input and output against PostgreSQL's:
// the normalized text, or the SQLSTATE of the input error.
func TestParsePrint(t *testing.T) {
	for _, c := range loadCases(t, "testdata/print.json") {
		in, kind, want := c[0], c[1], c[2]
		if in == "''" {
			in = ""
		}
		p, err := Parse(in)
		switch {
		case kind == "ok" && err != nil:
			t.Errorf("%s: error %v, want %s", in, err, want)
		case kind == "ok" && p.String() != want:
			t.Errorf("%s: got %s, want %s", in, p.String(), want)
		case kind == "err" && err == nil:
			t.Errorf("%s: got %s, want error %s", in, p.String(), want)
		case kind == "err" && sqltypes.Code(err) != want:
			t.Errorf("%s: error %v, want SQLSTATE %s", in, err, want)
		}
	}
}

// TestEval checks jsonb_path_query's rows (one per line) or SQLSTATE
// against PostgreSQL's, with vars {"x":1,"p":"ab","v":2}: hand-picked
// cases (eval.json, datetime.json, regex.json) and every path of a list over every
// document of another (matrix.json).
func TestEval(t *testing.T) {
	vars, err := sqltypes.ParseJSONB(`{"x":1,"p":"ab","v":2}`)
	if err != nil {
		t.Fatal(err)
	}
	cases := append(loadCases(t, "testdata/eval.json"), loadCases(t, "testdata/matrix.json")...)
	cases = append(cases, loadCases(t, "testdata/datetime.json")...)
	cases = append(cases, loadCases(t, "testdata/regex.json")...)
	if len(cases) < 100 {
		t.Fatalf("only %d cases", len(cases))
	}
	checkEval(t, cases, func(doc, text string) (string, error) { return query(doc, text, &vars) })
}

// TestEvalTZ checks jsonb_path_query_tz against PostgreSQL's with
// TimeZone Europe/Paris: datetimes with and without time zone compared
// in it. A time meets a timetz with the zone's offset at the statement's
// date, winter when the expectations were taken, so Now is in January.
func TestEvalTZ(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err) // sqltypes embeds the tz database
	}
	zone := &Zone{Loc: loc, Now: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
	checkEval(t, loadCases(t, "testdata/datetime_tz.json"), func(doc, text string) (string, error) {
		return queryIn(doc, text, nil, zone)
	})
}

// checkEval runs [doc, path, "ok"|"err", rows or SQLSTATE] cases.
func checkEval(t *testing.T, cases [][]string, run func(doc, text string) (string, error)) {
	t.Helper()
	for _, c := range cases {
		doc, text, kind, want := c[0], c[1], c[2], c[3]
		got, err := run(doc, text)
		switch {
		case kind == "ok" && err != nil:
			t.Errorf("%s %s: error %v, want %q", doc, text, err, want)
		case kind == "ok" && got != want:
			t.Errorf("%s %s: got %q, want %q", doc, text, got, want)
		case kind == "err" && sqltypes.Code(err) != want:
			t.Errorf("%s %s: got %q, %v; want SQLSTATE %s", doc, text, got, err, want)
		}
	}
}

func query(doc, text string, vars *sqltypes.JSONBValue) (string, error) {
	return queryIn(doc, text, vars, nil)
}

func queryIn(doc, text string, vars *sqltypes.JSONBValue, zone *Zone) (string, error) {
	d, err := sqltypes.ParseJSONB(doc)
	if err != nil {
		return "", err
	}
	p, err := Parse(text)
	if err != nil {
		return "", err
	}
	items, err := p.Query(&d, vars, 0, zone)
	if err != nil {
		return "", err
	}
	var out []byte
	for i := range items {
		if i > 0 {
			out = append(out, '\n')
		}
		out = items[i].Append(out)
	}
	return string(out), nil
}

func TestExistsAndMatch(t *testing.T) {
	doc, _ := sqltypes.ParseJSONB(`{"a":[1,2,"x"]}`)
	for _, c := range []struct {
		path      string
		exists    bool
		existsErr string
	}{
		{`$.a[*] ? (@ > 1)`, true, ""},
		{`$.b`, false, ""},
		{`strict $.b`, false, "2203A"},
		{`$.a[*] + 1`, false, "22038"},
	} {
		p, err := Parse(c.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Exists(&doc, nil, nil)
		if sqltypes.Code(err) != c.existsErr && !(err == nil && c.existsErr == "") || got != c.exists {
			t.Errorf("exists %s: %v, %v", c.path, got, err)
		}
	}
	for _, c := range []struct {
		path    string
		v, null bool
		code    string
	}{
		{`$.a[0] == 1`, true, false, ""},
		{`$.a[*] > 5`, false, true, ""}, // lax: "x" > 5 is unknown, none true
		{`$.a[*] > 1`, true, false, ""}, // lax: 2 > 1, "x" unknown
		{`strict $.a[*] > 1`, false, true, ""},
		{`$.a`, false, false, "22038"},
	} {
		p, err := Parse(c.path)
		if err != nil {
			t.Fatal(err)
		}
		v, null, err := p.Match(&doc, nil, nil)
		if v != c.v || null != c.null || c.code == "" && err != nil || c.code != "" && sqltypes.Code(err) != c.code {
			t.Errorf("match %s: %v %v %v", c.path, v, null, err)
		}
	}
}

// cmpNumText agrees with exact comparison on normalized numbers.
func TestCmpNumText(t *testing.T) {
	nums := []string{"0", "0.00", "-0.5", "0.5", "0.50", "1", "1.0", "-1", "10", "9.999", "-10.01", "-10.1", "123456789012345678901234567890", "0.0001", "-0.0001"}
	for _, a := range nums {
		for _, b := range nums {
			if got, want := cmpNumText(a, b), parseNum(a).cmp(parseNum(b)); got != want {
				t.Errorf("cmp(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// TestLongChainsAndHugeNumbers: a path whose accessor or operator chain is
// longer than the nesting limit is 54001 when parsed (evaluating or
// printing it would overflow the Go stack, which no recover catches), and
// arithmetic past numeric's range is 22003 as in PostgreSQL, instead of
// growing without limit.
func TestLongChainsAndHugeNumbers(t *testing.T) {
	for _, path := range []string{
		"$" + strings.Repeat("[*]", 5000),
		"$" + strings.Repeat(".a", 5000),
		"1" + strings.Repeat(" + 1", 5000),
		"$ ? (" + strings.Repeat("@ == 1 && ", 5000) + "true)",
	} {
		if _, err := Parse(path); sqltypes.Code(err) != sqltypes.CodeStackDepthExceeded {
			t.Errorf("%.20s…: %v, want 54001", path, err)
		}
	}
	if _, err := Parse("$" + strings.Repeat("[*]", 500)); err != nil {
		t.Errorf("a chain of 500 accessors: %v", err)
	}
	huge := strings.TrimSuffix(strings.Repeat("1e1000 * ", 200), " * ")
	if _, err := queryIn("1", huge, nil, nil); sqltypes.Code(err) != sqltypes.CodeNumericOutOfRange {
		t.Errorf("(1e1000)^200: %v, want 22003", err)
	}
	if got, err := queryIn("1", "1e1000 * 1e-1000", nil, nil); err != nil || got == "" {
		t.Errorf("1e1000 * 1e-1000: %q, %v", got, err)
	}
}
