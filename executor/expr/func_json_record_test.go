package expr

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// A record column reads its field from each object, rows after rows
// of differently shaped documents in one batch (the kernel reuses its
// scratch space from row to row); malformed documents are 22P02 or
// 22023, never a panic.
func TestJSONRecordField(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeJSON, []any{
		`[{"a":1,"b":"x"},{"b":"y\u0041"},{"a":null}]`, `[]`, nil, `[{"a":"long text value"}]`,
	}})
	defer b.Release()
	doc := Column(0, sqltypes.TypeJSON, "doc")
	field := func(key string, raw bool) Expr {
		return must(Call(JSONRecordFieldFunc("json_to_recordset"), []Expr{doc, lit(sqltypes.TypeText, key), lit(sqltypes.TypeBool, raw)}))
	}
	for _, tc := range []struct {
		e    Expr
		want string
	}{
		{field("b", false), `{x,yA,NULL}|{}|NULL|{NULL}`},
		{field("a", true), `{1,NULL,NULL}|{}|NULL|{"\"long text value\""}`},
	} {
		got, err := evalStrings(t, env, tc.e, b)
		if err != nil {
			t.Fatal(errString(err))
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("%s: got %s, want %s", tc.e, g, tc.want)
		}
	}
	for _, in := range []string{``, ` `, `{"a":`, `"\`, `[{"a":1},2]`, `{"a":1}`} {
		bad := makeBatch(t, env, testCol{sqltypes.TypeJSON, []any{in}})
		_, err := evalStrings(t, env, field("a", false), bad)
		bad.Release()
		if c := sqltypes.Code(err); c != sqltypes.CodeInvalidParameterValue && c != "22P02" {
			t.Errorf("%q: got %v, want 22023 or 22P02", in, errString(err))
		}
	}
}
