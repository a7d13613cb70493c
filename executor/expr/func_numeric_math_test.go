package expr

import (
	"slices"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// The digits are PostgreSQL 15's: exp, sqrt and ln of numeric(…, 2)
// values, per value and rounded to the static nominal scale.
func TestNumericMathScales(t *testing.T) {
	env := newTestEnv(t)
	nt := sqltypes.NumericType(10, 2)
	b := makeBatch(t, env, testCol{t: nt, vals: []sqltypes.Datum{"0.50", nil, "80.25", "2.00"}})
	defer b.Release()
	x := Column(0, nt, "x")
	for _, c := range []struct {
		fn       string
		varScale bool
		want     []string
	}{
		{"exp", true, []string{"1.6487212707001281", "NULL", "71142999658303045142860894755967210.46", "7.3890560989306502"}},
		{"sqrt", true, []string{"0.70710678118654752", "NULL", "8.958236433584459", "1.414213562373095"}},
		{"sqrt", false, []string{"0.707106781186548", "NULL", "8.958236433584459", "1.414213562373095"}},
	} {
		var e Expr
		var err error
		if c.varScale {
			e, err = CallVarScale(c.fn, []Expr{x})
		} else {
			e, err = Call(c.fn, []Expr{x})
		}
		if err != nil {
			t.Fatal(err)
		}
		if e.Type().VarScale != c.varScale || e.Type().Kind != sqltypes.Numeric {
			t.Fatalf("%s: type %s", c.fn, e.Type())
		}
		got, err := evalStrings(t, env, e, b)
		if err != nil {
			t.Fatalf("%s: %v", c.fn, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s (per-value scale %v) = %v, want %v", c.fn, c.varScale, got, c.want)
		}
	}
	// exp(80.25) has 36 integer digits: more than the static scale 16
	// leaves room for in 38 digits.
	e, err := Call("exp", []Expr{x})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evalStrings(t, env, e, b); sqltypes.Code(err) != sqltypes.CodeNumericOutOfRange {
		t.Errorf("static exp(80.25): %v, want 22003", err)
	}
}

// Results PostgreSQL prints but meshql's numerics cannot hold (more than
// 38 digits, or more than 127 places at a per-value scale) are 22003,
// never a rounded value.
func TestNumericMathLimits(t *testing.T) {
	env := newTestEnv(t)
	b := emptyBatch(1)
	defer b.Release()
	for _, c := range []struct {
		fn   string
		args []Expr
	}{
		{"exp", []Expr{Literal(sqltypes.NumericType(0, 1), "-300.0")}},
		{"power", []Expr{Literal(sqltypes.NumericType(0, 1), "10.0"), Literal(sqltypes.TypeInt4, int32(40))}},
	} {
		e, err := CallVarScale(c.fn, c.args)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := evalStrings(t, env, e, b); sqltypes.Code(err) != sqltypes.CodeNumericOutOfRange {
			t.Errorf("%s: %v, want 22003", e, err)
		}
	}
}

// PostgreSQL resolves these to the double precision functions or to
// none.
func TestNumericMathResolution(t *testing.T) {
	f8 := Column(0, sqltypes.TypeFloat8, "f")
	n := Column(1, sqltypes.NumericType(0, 1), "n")
	i := Column(2, sqltypes.TypeInt4, "i")
	for _, c := range []struct {
		fn   string
		args []Expr
		want sqltypes.Kind
	}{
		{"power", []Expr{f8, n}, sqltypes.Float8},
		{"power", []Expr{i, n}, sqltypes.Numeric},
		{"power", []Expr{i, i}, sqltypes.Float8},
		{"ln", []Expr{i}, sqltypes.Float8},
		{"ln", []Expr{n}, sqltypes.Numeric},
		{"log", []Expr{i, i}, sqltypes.Numeric},
	} {
		e, err := Call(c.fn, c.args)
		if err != nil {
			t.Fatalf("%s: %v", c.fn, err)
		}
		if e.Type().Kind != c.want {
			t.Errorf("%s: %s, want %v", e, e.Type(), c.want)
		}
	}
	if _, err := Call("log", []Expr{f8, n}); sqltypes.Code(err) != sqltypes.CodeUndefinedFunction {
		t.Errorf("log(float8, numeric): %v, want 42883", err)
	}
}
