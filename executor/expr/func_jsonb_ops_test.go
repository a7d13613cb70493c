package expr

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// jsonb - text deletes row i's own key (the kernel reuses its key list
// from row to row); a scalar document is 22023.
func TestJSONBDeleteKeyPerRow(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeJSONB, []any{`{"a":1,"b":2}`, `{"a":1,"b":2}`, `["a","b","a"]`, nil, `{"a":1}`}},
		testCol{sqltypes.TypeText, []any{"a", "b", "a", "a", nil}})
	defer b.Release()
	e := must(Call("jsonb_delete", []Expr{Column(0, sqltypes.TypeJSONB, "j"), Column(1, sqltypes.TypeText, "k")}))
	got, err := evalStrings(t, env, e, b)
	if err != nil {
		t.Fatal(errString(err))
	}
	if want := `{"b": 2}|{"a": 1}|["b"]|NULL|NULL`; strings.Join(got, "|") != want {
		t.Fatalf("got %s, want %s", strings.Join(got, "|"), want)
	}
	s := makeBatch(t, env, testCol{sqltypes.TypeJSONB, []any{`3`}}, testCol{sqltypes.TypeText, []any{"a"}})
	defer s.Release()
	if _, err := evalStrings(t, env, e, s); sqltypes.Code(err) != sqltypes.CodeInvalidParameterValue {
		t.Fatalf("scalar: got %v, want 22023", errString(err))
	}
}
