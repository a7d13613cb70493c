package expr

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// json_each's list of members holds each member's key and value from one
// pass over the document: keys decoded, values as written (json), as
// normalized (jsonb) or as ->> renders them (_text, JSON null is NULL);
// duplicate keys kept by json; a NULL document is a NULL list; another
// kind of document is PostgreSQL's 22023, a malformed one 22P02.
func TestJSONSetPairs(t *testing.T) {
	env := newTestEnv(t)
	for _, tc := range []struct {
		srf  string
		t    sqltypes.Type
		docs []any
		want string
	}{
		{"json_each", sqltypes.TypeJSON, []any{`{"a": 1, "\u0062":"x\"y", "a": null}`, nil, `{}`},
			`{{a,1},{b,"\"x\\\"y\""},{a,"null"}}|NULL|{}`},
		{"json_each_text", sqltypes.TypeJSON, []any{`{"a": 1, "\u0062":"x\"y", "a": null}`},
			`{{a,1},{b,"x\"y"},{a,NULL}}`},
		{"jsonb_each", sqltypes.TypeJSONB, []any{`{"a": [1, 2], "b": {"c": null}}`},
			`{{a,"[1, 2]"},{b,"{\"c\": null}"}}`},
		{"jsonb_each_text", sqltypes.TypeJSONB, []any{`{"a": "s", "b": null}`},
			`{{a,s},{b,NULL}}`},
	} {
		b := makeBatch(t, env, testCol{tc.t, tc.docs})
		e, err := Call(JSONSetPairsFunc(tc.srf), []Expr{Column(0, tc.t, "doc")})
		if err != nil {
			t.Fatal(err)
		}
		got, err := evalStrings(t, env, e, b)
		b.Release()
		if err != nil {
			t.Fatalf("%s: %v", tc.srf, errString(err))
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("%s: got %s, want %s", tc.srf, g, tc.want)
		}
	}
	for _, tc := range []struct{ srf, doc, code string }{
		{"json_each", `[1]`, "22023"},
		{"jsonb_each_text", `5`, "22023"},
		{"json_each", `{"a": }`, "22P02"},
		{"json_each_text", `{"a": 1} x`, "22P02"},
	} {
		typ := JSONSetArgType(tc.srf)
		b := makeBatch(t, env, testCol{sqltypes.TypeText, []any{tc.doc}})
		e, err := Call(JSONSetPairsFunc(tc.srf), []Expr{Column(0, typ, "doc")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = evalStrings(t, env, e, b)
		b.Release()
		if code := sqltypes.Code(err); code != tc.code {
			t.Errorf("%s(%s): got %v, want %s", tc.srf, tc.doc, err, tc.code)
		}
	}
}
