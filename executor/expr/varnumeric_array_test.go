package expr

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestVarNumericArrayCasts checks casts of arrays to arrays of
// variable-scale numerics against PostgreSQL 15 (SELECT
// string_to_array('12.50,1.5', ',')::numeric[] is {12.50,1.5}): each
// element keeps the scale of its text, a float element that of its 15
// significant digits, a multidimensional array each of its elements';
// back to text[] each prints its own scale.
func TestVarNumericArrayCasts(t *testing.T) {
	env := newTestEnv(t)
	textArr, floatArr := sqltypes.ListOf(sqltypes.TypeText), sqltypes.ListOf(sqltypes.TypeFloat8)
	b := makeBatch(t, env,
		testCol{textArr, []sqltypes.Datum{[]any{"12.50", "1.5", nil}, nil, []any{}, []any{" -0.10 ", "1e3", "1.5e-2"}}},
		testCol{floatArr, []sqltypes.Datum{[]any{1.5, 0.1}, []any{1e20}, nil, []any{-2.25}}},
		testCol{sqltypes.TypeText, []sqltypes.Datum{"{{1.5,2.25},{3,4.000}}", "{{NaN}}", nil, "{}"}},
	)
	defer b.Release()
	varArr := sqltypes.ListOf(sqltypes.VarNumericType(15))
	cast := func(e Expr, to sqltypes.Type) Expr {
		c, err := Cast(e, to)
		if err != nil {
			t.Fatalf("cast %s to %s: %v", e.Type(), to, err)
		}
		return c
	}
	fromText := cast(Column(0, textArr, "a"), varArr)
	for _, tc := range []struct {
		name string
		e    Expr
		want []string
	}{
		{"text[]", fromText, []string{"{12.50,1.5,NULL}", "NULL", "{}", "{-0.10,1000,0.015}"}},
		{"float8[]", cast(Column(1, floatArr, "b"), varArr), []string{"{1.5,0.1}", "{100000000000000000000}", "NULL", "{-2.25}"}},
		{"text", cast(Column(2, sqltypes.TypeText, "c"), sqltypes.ArrayOf(sqltypes.VarNumericType(3), 2)),
			[]string{"{{1.5,2.25},{3,4.000}}", "{{NaN}}", "NULL", "{}"}},
		{"to text[]", cast(fromText, textArr), []string{"{12.50,1.5,NULL}", "NULL", "{}", "{-0.10,1000,0.015}"}},
		{"relabel", cast(fromText, sqltypes.ListOf(sqltypes.VarNumericType(3))), []string{"{12.50,1.5,NULL}", "NULL", "{}", "{-0.10,1000,0.015}"}},
		{"typmod", cast(Column(0, textArr, "a"), sqltypes.ListOf(sqltypes.NumericType(5, 1))), []string{"{12.5,1.5,NULL}", "NULL", "{}", "{-0.1,1000.0,0.0}"}},
	} {
		expectRows(t, env, tc.name, tc.e, b, tc.want)
	}
	bad := makeBatch(t, env, testCol{textArr, []sqltypes.Datum{[]any{"1.5", "abc"}}}, testCol{textArr, []sqltypes.Datum{[]any{"123456.5"}}})
	defer bad.Release()
	if _, err := evalStrings(t, env, cast(Column(0, textArr, "a"), varArr), bad); sqltypes.Code(err) != sqltypes.CodeInvalidTextRepr {
		t.Errorf("'abc' as numeric: %v, want 22P02", err)
	}
	if _, err := evalStrings(t, env, cast(Column(1, textArr, "b"), sqltypes.ListOf(sqltypes.NumericType(5, 2))), bad); sqltypes.Code(err) != sqltypes.CodeNumericOutOfRange {
		t.Errorf("123456.5 as numeric(5,2): %v, want 22003", err)
	}
}

// TestVarNumericToFloat: a variable-scale numeric cast to double
// precision or real reads each value's own digits, so that a column
// whose nominal scale cannot hold all its values (1e-29 next to
// 12345678901234567890123 at 29 places) converts as PostgreSQL 15 does.
func TestVarNumericToFloat(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeText, []sqltypes.Datum{"0.00000000000000000000000000001", "12345678901234567890123", nil, "-2.5"}})
	defer b.Release()
	v, err := Cast(Column(0, sqltypes.TypeText, "a"), sqltypes.VarNumericType(29))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		to   sqltypes.Type
		want []string
	}{
		{sqltypes.TypeFloat8, []string{"1e-29", "1.2345678901234568e+22", "NULL", "-2.5"}},
		{sqltypes.TypeFloat4, []string{"1e-29", "1.2345679e+22", "NULL", "-2.5"}},
	} {
		f, err := Cast(v, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		expectRows(t, env, tc.to.String(), f, b, tc.want)
	}
}
