package ops

import (
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// divBy is 100 / (column 0 - k) over int8, PostgreSQL's 22012 where
// column 0 is k.
func divBy(t *testing.T, k int64) expr.Expr {
	t.Helper()
	d, err := expr.Binary(expr.OpSub, expr.Column(0, tI8, "x"), expr.Literal(tI8, k))
	if err != nil {
		t.Fatal(err)
	}
	e, err := expr.Binary(expr.OpDiv, expr.Literal(tI8, int64(100)), d)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestProjectRowsBeforeError: a projection that fails at a row of a
// batch returns the rows before it, then that row's error (the first of
// its failing expressions'), as PostgreSQL sends them; a volatile
// expression fails the batch as a whole.
func TestProjectRowsBeforeError(t *testing.T) {
	rows := intRows(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	t.Run("mid-batch", func(t *testing.T) {
		mem := checked(t)
		op, err := NewProject(testEnv(mem, 4), source(mem, schemaOf(i64), rows, 4, true), []expr.Expr{expr.Column(0, tI8, "x"), divBy(t, 7)}, []string{"x", "d"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, op)
		wantCode(t, err, sqltypes.CodeDivisionByZero)
		sameOrdered(t, fmtRows(got), fmtRows([][]any{{int64(1), int64(-16)}, {int64(2), int64(-20)}, {int64(3), int64(-25)}, {int64(4), int64(-33)}, {int64(5), int64(-50)}, {int64(6), int64(-100)}}))
	})
	t.Run("first row of a batch", func(t *testing.T) {
		mem := checked(t)
		op, _ := NewProject(testEnv(mem, 4), source(mem, schemaOf(i64), rows, 4, false), []expr.Expr{divBy(t, 5)}, []string{"d"})
		got, err := drain(t, op)
		wantCode(t, err, sqltypes.CodeDivisionByZero)
		if len(got) != 4 {
			t.Errorf("got %d rows before the error, want 4", len(got))
		}
	})
	t.Run("earliest row's error", func(t *testing.T) {
		mem := checked(t)
		bad, err := expr.Cast(expr.Literal(sqltypes.TypeText, "x"), tI8)
		if err != nil {
			t.Fatal(err)
		}
		// The cast fails at row 3 only, the division from row 5 on.
		when, _ := expr.Binary(expr.OpEq, expr.Column(0, tI8, "x"), expr.Literal(tI8, int64(3)))
		cond := expr.Case([]expr.When{{Cond: when, Then: bad}}, expr.Literal(tI8, int64(0)), tI8)
		op, _ := NewProject(testEnv(mem, 16), source(mem, schemaOf(i64), rows, 16, false), []expr.Expr{divBy(t, 5), cond}, []string{"d", "c"})
		got, err := drain(t, op)
		wantCode(t, err, sqltypes.CodeInvalidTextRepr)
		if len(got) != 2 {
			t.Errorf("got %d rows before the error, want 2", len(got))
		}
	})
	t.Run("volatile", func(t *testing.T) {
		mem := checked(t)
		r, err := expr.Call("random", nil)
		if err != nil {
			t.Fatal(err)
		}
		op, _ := NewProject(testEnv(mem, 16), source(mem, schemaOf(i64), rows, 16, false), []expr.Expr{divBy(t, 5), r}, []string{"d", "r"})
		got, err := drain(t, op)
		wantCode(t, err, sqltypes.CodeDivisionByZero)
		if len(got) != 0 {
			t.Errorf("got %d rows before the error, want none", len(got))
		}
	})
}

// TestFilterRowsBeforeError: a WHERE clause that fails at a row returns
// the rows before it that pass, then the error.
func TestFilterRowsBeforeError(t *testing.T) {
	mem := checked(t)
	rows := intRows(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	pos, _ := expr.Binary(expr.OpLt, divBy(t, 8), expr.Literal(tI8, int64(-30)))
	op, err := NewFilter(testEnv(mem, 16), source(mem, schemaOf(i64), rows, 16, false), pos)
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(t, op)
	wantCode(t, err, sqltypes.CodeDivisionByZero)
	sameOrdered(t, fmtRows(got), fmtRows(intRows(5, 6, 7)))
}
