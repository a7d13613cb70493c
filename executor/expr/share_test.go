package expr

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// TestShareSubexpressions: TPC-H Q1's arguments computed through shared
// columns give a*(1-b) and a*(1-b)*(1+c) row for row; columns of one
// name but different positions, and arithmetic that occurs once, are not
// shared.
func TestShareSubexpressions(t *testing.T) {
	env := newTestEnv(t)
	i8 := sqltypes.TypeInt8
	a, b, c := Column(0, i8, "x"), Column(1, i8, "x"), Column(2, i8, "c")
	one := Literal(i8, int64(1))
	must := func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	disc := must(Binary(OpMul, a, must(Binary(OpSub, one, b))))
	charge := must(Binary(OpMul, must(Binary(OpMul, a, must(Binary(OpSub, one, b)))), must(Binary(OpAdd, one, c))))
	exprs := []Expr{a, disc, charge, b}
	shared, out := ShareSubexpressions(exprs, 3)
	if len(shared) != 2 {
		t.Fatalf("shared %v, want (1 - x) and x * (1 - x)", shared)
	}
	var vals [3][]sqltypes.Datum
	for i := range 50 {
		vals[0] = append(vals[0], int64(i-20))
		vals[1] = append(vals[1], int64(i%7-3))
		vals[2] = append(vals[2], int64(i%5))
	}
	vals[2][4] = nil
	batch := makeBatch(t, env, testCol{i8, vals[0]}, testCol{i8, vals[1]}, testCol{i8, vals[2]})
	defer batch.Release()
	cols := batch.Columns()
	fields := batch.Schema().Fields()
	for _, e := range shared {
		cur := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, batch.NumRows())
		v, err := e.Eval(ctxBG, env, cur)
		cur.Release()
		if err != nil {
			t.Fatal(err)
		}
		defer v.Release()
		cols = append(cols, v)
		fields = append(fields, arrow.Field{Name: e.String(), Type: v.DataType(), Nullable: true})
	}
	ext := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, batch.NumRows())
	defer ext.Release()
	for k, e := range out {
		got, err := evalStrings(t, env, e, ext)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			x, y := int64(i-20), int64(i%7-3)
			var want string
			switch k {
			case 0:
				want = fmt.Sprint(x)
			case 1:
				want = fmt.Sprint(x * (1 - y))
			case 2:
				if i == 4 {
					want = "NULL"
				} else {
					want = fmt.Sprint(x * (1 - y) * (1 + int64(i%5)))
				}
			case 3:
				want = fmt.Sprint(y)
			}
			if got[i] != want {
				t.Fatalf("%s (was %s) row %d = %s, want %s", e, exprs[k], i, got[i], want)
			}
		}
	}
	// Same text, different columns; arithmetic that occurs once.
	if shared, _ := ShareSubexpressions([]Expr{must(Binary(OpAdd, a, one)), must(Binary(OpAdd, b, one)), disc}, 3); len(shared) != 0 {
		t.Errorf("shared %v, want nothing", shared)
	}
}
