package expr

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/meshql/meshql/executor/jsonpath"
	"github.com/meshql/meshql/sqltypes"
)

// jsonPathBatch holds per-row documents, paths (a column, so parsed per
// row with the batch's cache), vars and silent flags, NULLs among them.
func jsonPathArgs() []Expr {
	return []Expr{Column(0, sqltypes.TypeJSONB, "doc"), Column(1, sqltypes.TypeJSONPath, "path"),
		Column(2, sqltypes.TypeJSONB, "vars"), Column(3, sqltypes.TypeBool, "silent")}
}

// The jsonb_path kernels over columns: each row's own path (two rows
// sharing one text), vars and silent; a NULL argument gives NULL (no
// rows for jsonb_path_query); silent hides a row's error and keeps the
// items found before it. Expected values are PostgreSQL 15's.
func TestJSONPathKernelsPerRow(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeJSONB, []any{`{"a": [1, 2, 3]}`, `{"a": [1, 2, 3]}`, `[{"a": 1}, 2, {"a": 3}]`, nil, `{"a": 5}`, `{"a": 1}`}},
		testCol{sqltypes.TypeJSONPath, []any{`$."a"[*]?(@ > $"m")`, `$."a"[*]?(@ > $"m")`, `strict $[*]."a"`, `$`, nil, `$."a"`}},
		testCol{sqltypes.TypeJSONB, []any{`{"m": 1}`, `{"m": 2}`, `{}`, `{}`, `{}`, nil}},
		testCol{sqltypes.TypeBool, []any{false, false, true, false, false, false}})
	defer b.Release()
	for _, c := range []struct{ fn, want string }{
		{"jsonb_path_query", `{2,3}|{3}|{1}|NULL|NULL|NULL`},
		{"jsonb_path_query_array", `[2, 3]|[3]|[1]|NULL|NULL|NULL`},
		{"jsonb_path_query_first", `2|3|1|NULL|NULL|NULL`},
		{"jsonb_path_exists", `t|t|NULL|NULL|NULL|NULL`},
	} {
		e := must(Call(c.fn, jsonPathArgs()))
		got, err := evalStrings(t, env, e, b)
		if err != nil {
			t.Fatalf("%s: %v", c.fn, errString(err))
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%s: got %s, want %s", c.fn, g, c.want)
		}
	}
	// Without silent the strict path's error is the query's (2203A), and
	// nothing leaks (the checked allocator asserts it at cleanup).
	loud := makeBatch(t, env,
		testCol{sqltypes.TypeJSONB, []any{`[{"a": 1}, 2]`}}, testCol{sqltypes.TypeJSONPath, []any{`strict $[*]."a"`}},
		testCol{sqltypes.TypeJSONB, []any{`{}`}}, testCol{sqltypes.TypeBool, []any{false}})
	defer loud.Release()
	for _, fn := range []string{"jsonb_path_query", "jsonb_path_query_array", "jsonb_path_exists"} {
		if _, err := evalStrings(t, env, must(Call(fn, jsonPathArgs())), loud); sqltypes.Code(err) != "2203A" {
			t.Errorf("%s: got %v, want 2203A", fn, errString(err))
		}
	}
}

// A constant path is parsed when the call is built: its syntax error
// surfaces then, before any row.
func TestJSONPathConstantPathParsedOnce(t *testing.T) {
	args := jsonPathArgs()
	args[1] = Literal(sqltypes.TypeJSONPath, `$."a"`)
	e := must(Call("jsonb_path_query_first", args))
	if c := e.(*callExpr); c.k == nil {
		t.Fatal("no kernel")
	}
	args[1] = &LiteralExpr{t: sqltypes.TypeJSONPath, v: `$.a ?`}
	if _, err := Call("jsonb_path_exists", args); sqltypes.Code(err) != sqltypes.CodeSyntaxError {
		t.Fatalf("got %v, want 42601", err)
	}
	if _, err := Call("jsonb_path_exists", jsonPathArgs()[:2]); sqltypes.Code(err) != sqltypes.CodeUndefinedFunction {
		t.Fatalf("two arguments: got %v, want 42883 (the planner fills vars and silent)", err)
	}
}

func TestJSONPathCasts(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeText, []any{`$.a[*] ? (@.b > 1)`, nil, `strict $.** ? (@ == "x")`}})
	defer b.Release()
	e := must(Cast(must(Cast(Column(0, sqltypes.TypeText, "t"), sqltypes.TypeJSONPath)), sqltypes.TypeText))
	expectRows(t, env, "jsonpath text", e, b, []string{`$."a"[*]?(@."b" > 1)`, "NULL", `strict $.**?(@ == "x")`})
	bad := makeBatch(t, env, testCol{sqltypes.TypeText, []any{`$.a ? (`}})
	defer bad.Release()
	if _, err := evalStrings(t, env, must(Cast(Column(0, sqltypes.TypeText, "t"), sqltypes.TypeJSONPath)), bad); sqltypes.Code(err) != sqltypes.CodeSyntaxError {
		t.Fatalf("got %v, want 42601", errString(err))
	}
	if _, err := Cast(Column(0, sqltypes.TypeJSONPath, "p"), sqltypes.TypeJSONB); err == nil {
		t.Fatal("jsonpath casts to jsonb")
	}
}

// TestJSONPathExistsMatchSilent checks jsonb_path_exists and
// jsonb_path_match, loud and silent, against PostgreSQL 15's answers
// (testdata/jsonpath_funcs.json: document, path, then exists, exists
// silent, match, match silent as t, f, NULL or ERR:<SQLSTATE>).
func TestJSONPathExistsMatchSilent(t *testing.T) {
	raw, err := os.ReadFile("testdata/jsonpath_funcs.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][]string
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases", len(cases))
	}
	env := newTestEnv(t)
	for _, c := range cases {
		p, err := jsonpath.Parse(c[1])
		if err != nil {
			if want := "ERR:" + sqltypes.Code(err); c[2] != want {
				t.Errorf("%s: got %v, want %s", c[1], err, c[2])
			}
			continue
		}
		doc, err := sqltypes.NormalizeJSONB(c[0])
		if err != nil {
			t.Fatal(err)
		}
		b := makeBatch(t, env, testCol{sqltypes.TypeJSONB, []any{doc}})
		i := 2
		for _, fn := range []string{"jsonb_path_exists", "jsonb_path_match"} {
			for _, silent := range []bool{false, true} {
				e := must(Call(fn, []Expr{Column(0, sqltypes.TypeJSONB, "doc"), Literal(sqltypes.TypeJSONPath, p.String()),
					Literal(sqltypes.TypeJSONB, "{}"), Literal(sqltypes.TypeBool, silent)}))
				got, err := evalStrings(t, env, e, b)
				g := ""
				if err != nil {
					g = "ERR:" + sqltypes.Code(err)
				} else {
					g = got[0]
				}
				if g != c[i] {
					t.Errorf("%s(%s, %s, silent => %v): got %s, want %s", fn, c[0], c[1], silent, g, c[i])
				}
				i++
			}
		}
		b.Release()
	}
}
