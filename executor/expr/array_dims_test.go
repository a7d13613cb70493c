package expr

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestMultidimArrayKernels runs the kernels that read a multidimensional
// array (nested lists) on a sliced batch, so that every level's offsets
// start past zero, with NULL, empty and NULL-element rows. The expected
// values are PostgreSQL 15's for the same arrays.
func TestMultidimArrayKernels(t *testing.T) {
	env := newTestEnv(t)
	int2D := sqltypes.ArrayOf(sqltypes.TypeInt4, 2)
	row := func(rs ...any) []any { return rs }
	full := makeBatch(t, env, testCol{int2D, []sqltypes.Datum{
		row([]any{int32(9)}),
		row([]any{int32(1), int32(2)}, []any{int32(3), int32(4)}),
		nil,
		[]any{},
		row([]any{int32(5), int32(6), int32(7)}),
		row([]any{nil, int32(8)}),
		row([]any{int32(10)}, []any{int32(11)}),
	}})
	defer full.Release()
	b := full.NewSlice(1, 6)
	defer b.Release()
	col := Column(0, int2D, "a")
	call := func(name string, args ...Expr) Expr {
		e, err := Call(name, args)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return e
	}
	i4 := func(v int32) Expr { return Literal(sqltypes.TypeInt4, v) }
	anyEq, err := AnyArray(OpEq, i4(8), col, false)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		e    Expr
		want string
	}{
		{col, "{{1,2},{3,4}} NULL {} {{5,6,7}} {{NULL,8}}"},
		{call("cardinality", col), "4 NULL 0 3 2"},
		{call("array_ndims", col), "2 NULL NULL 2 2"},
		{call("array_dims", col), "[1:2][1:2] NULL NULL [1:1][1:3] [1:1][1:2]"},
		{call("array_length", col, i4(2)), "2 NULL NULL 3 2"},
		{call("array_upper", col, i4(1)), "2 NULL NULL 1 1"},
		{call("array_to_string", col, Literal(sqltypes.TypeText, ","), Literal(sqltypes.TypeText, "*")), "1,2,3,4 NULL (empty) 5,6,7 *,8"},
		{call("array_element", col, i4(1), i4(2)), "2 NULL NULL 6 8"},
		{call("array_element", col, i4(2), i4(1)), "3 NULL NULL NULL NULL"},
		{call("array_slice", col, i4(1), i4(1), i4(2), i4(3)), "{{2}} NULL {} {{6,7}} {{8}}"},
		{FlattenArray(col), "{1,2,3,4} NULL {} {5,6,7} {NULL,8}"},
		{anyEq, "f NULL f f t"},
	}
	for _, tc := range cases {
		got, err := evalStrings(t, env, tc.e, b)
		if err != nil {
			t.Errorf("%s: %v", tc.e, err)
			continue
		}
		for i, s := range got {
			if s == "" {
				got[i] = "(empty)"
			}
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.e, g, tc.want)
		}
	}
}
