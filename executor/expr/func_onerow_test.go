package expr

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestOneRow: the binder's check of a scalar subquery's rows per outer
// row is TRUE for counts of 0 and 1 (NULL for NULL), and fails the batch
// with 21000 for a count over one, as a single join does.
func TestOneRow(t *testing.T) {
	env := newTestEnv(t)
	ok := makeBatch(t, env, testCol{sqltypes.TypeInt8, []sqltypes.Datum{int64(0), int64(1), nil, int64(1)}})
	defer ok.Release()
	e, err := Call(OneRowFunc, []Expr{Column(0, sqltypes.TypeInt8, "rows")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := evalStrings(t, env, e, ok)
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(got, " "); g != "t t NULL t" {
		t.Errorf("got %s, want t t NULL t", g)
	}
	bad := makeBatch(t, env, testCol{sqltypes.TypeInt8, []sqltypes.Datum{int64(1), int64(2)}})
	defer bad.Release()
	if _, err := evalStrings(t, env, e, bad); sqltypes.Code(err) != sqltypes.CodeCardinalityViolation {
		t.Errorf("count 2: %v, want 21000", err)
	}
}
