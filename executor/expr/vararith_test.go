package expr

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestVarArith checks + - * / round and text casts over variable-scale
// numerics against PostgreSQL 15's answers for the same values (text
// input keeps each value's scale there too).
func TestVarArith(t *testing.T) {
	env := newTestEnv(t)
	xs := []sqltypes.Datum{"1.5", "-0.001", "123456789012345678.9", "1", "-7.50", "0.00", "99999999999999999999999999999999999", nil}
	ys := []sqltypes.Datum{"2.25", "1000", "0.0000001", "3.000", "2", "-3", "1.1", "1"}
	b := makeBatch(t, env, testCol{sqltypes.TypeText, xs}, testCol{sqltypes.TypeText, ys})
	defer b.Release()
	num := func(i int) Expr {
		e, err := Cast(Column(i, sqltypes.TypeText, "c"), sqltypes.VarNumericType(0))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	x, y := num(0), num(1)
	quo, err := VarArith(OpDiv, x, y, 16)
	if err != nil {
		t.Fatal(err)
	}
	round3, err := Call("round", []Expr{quo, Literal(sqltypes.TypeInt4, int32(3))})
	if err != nil {
		t.Fatal(err)
	}
	quoText, err := Cast(quo, sqltypes.TypeText)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"+":     {"3.75", "999.999", "123456789012345678.9000001", "4.000", "-5.50", "-3.00", "100000000000000000000000000000000000.1", "NULL"},
		"-":     {"-0.75", "-1000.001", "123456789012345678.8999999", "-2.000", "-9.50", "3.00", "99999999999999999999999999999999997.9", "NULL"},
		"*":     {"3.375", "-1.000", "12345678901.23456789", "3.000", "-15.00", "0.00", "109999999999999999999999999999999998.9", "NULL"},
		"/":     {"0.66666666666666666667", "-0.000001000000000000000000", "1234567890123456789000000.0000000", "0.33333333333333333333", "-3.7500000000000000", "0.00000000000000000000", "90909090909090909090909090909090908.2", "NULL"},
		"round": {"0.667", "0.000", "1234567890123456789000000.000", "0.333", "-3.750", "0.000", "90909090909090909090909090909090908.200", "NULL"},
		"text":  {"0.66666666666666666667", "-0.000001000000000000000000", "1234567890123456789000000.0000000", "0.33333333333333333333", "-3.7500000000000000", "0.00000000000000000000", "90909090909090909090909090909090908.2", "NULL"},
	}
	exprs := map[string]Expr{"/": quo, "round": round3, "text": quoText}
	for _, op := range []BinaryOp{OpAdd, OpSub, OpMul} {
		e, err := VarArith(op, x, y, 4)
		if err != nil {
			t.Fatal(err)
		}
		exprs[op.String()] = e
	}
	for name, e := range exprs {
		got, err := evalStrings(t, env, e, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range got {
			if got[i] != want[name][i] {
				t.Errorf("%s row %d: got %s, want %s", name, i, got[i], want[name][i])
			}
		}
	}
}

// TestVarArithWide: a product of more than 38 digits is rounded to 38
// (PostgreSQL keeps all 40 of (1/3.0)^2), a sum whose integer part does
// not fit is 22003.
func TestVarArithWide(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeText, []sqltypes.Datum{"0.33333333333333333333", "99999999999999999999999999999999999999"}})
	defer b.Release()
	x, err := Cast(Column(0, sqltypes.TypeText, "x"), sqltypes.VarNumericType(0))
	if err != nil {
		t.Fatal(err)
	}
	sq, _ := VarArith(OpMul, x, x, 16)
	one := b.NewSlice(0, 1)
	defer one.Release()
	got, err := evalStrings(t, env, sq, one)
	if err != nil || got[0] != "0.11111111111111111110888888888888888889" {
		t.Errorf("(1/3)^2 = %v, %v", got, err)
	}
	sum, _ := VarArith(OpAdd, x, x, 16)
	if _, err := evalStrings(t, env, sum, b); sqltypes.Code(err) != "22003" {
		t.Errorf("10^38 - 1 doubled: %v, want 22003", err)
	}
}
