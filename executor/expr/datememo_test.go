package expr

import (
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// dateBatch returns a batch of one date column (NULL where valid is
// false) and one int8 column.
func dateBatch(env *executor.Env, days []arrow.Date32, valid []bool) arrow.RecordBatch {
	db := array.NewDate32Builder(env.Mem)
	defer db.Release()
	db.AppendValues(days, valid)
	ib := array.NewInt64Builder(env.Mem)
	defer ib.Release()
	for i := range days {
		ib.Append(int64(i))
	}
	d, i := db.NewArray(), ib.NewArray()
	defer d.Release()
	defer i.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true}, {Name: "i", Type: arrow.PrimitiveTypes.Int64}}, nil)
	return array.NewRecordBatch(schema, []arrow.Array{d, i}, int64(len(days)))
}

// TestOverDates: an expression of one date column computed per distinct
// date of a batch gives what it gives row by row, in UTC and in a zone
// whose DST changes at midnight, with NULL rows mapped through the
// expression (coalesce) and the same first error; expressions of other
// columns, of two columns, without a call or cast but extract (cheaper
// than gathering), or volatile ones are not wrapped.
func TestOverDates(t *testing.T) {
	env := newTestEnv(t)
	d := Column(0, sqltypes.TypeDate, "d")
	i := Column(1, sqltypes.TypeInt8, "i")
	call := func(name string, args ...Expr) Expr {
		t.Helper()
		e, err := Call(name, args)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	cast := func(e Expr, to sqltypes.Type) Expr {
		t.Helper()
		c, err := Cast(e, to)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	month := Literal(sqltypes.TypeText, "month")
	// 2018-11-04 began at 01:00 in America/Sao_Paulo (no midnight).
	base := arrow.Date32(17839)
	n := 3000
	days := make([]arrow.Date32, n)
	valid := make([]bool, n)
	for r := range days {
		days[r] = base - 400 + arrow.Date32((r*7919)%800)
		valid[r] = r%37 != 5
	}
	b := dateBatch(env, days, valid)
	defer b.Release()
	exprs := []Expr{
		cast(call("date_trunc", month, d), sqltypes.TypeDate),
		call("date_trunc", Literal(sqltypes.TypeText, "week"), d),
		call("to_char", d, Literal(sqltypes.TypeText, "YYYY-MM Dy")),
		call("coalesce", cast(d, sqltypes.TypeText), Literal(sqltypes.TypeText, "none")),
		cast(call("extract", Literal(sqltypes.TypeText, "year"), d), sqltypes.TypeText),
	}
	sao, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	for _, loc := range []*time.Location{time.UTC, sao} {
		env.Location = loc
		for _, e := range exprs {
			m := OverDates(e)
			if _, ok := m.(*dateMemo); !ok {
				t.Fatalf("%s: not computed per date", e)
			}
			want, err := evalStrings(t, env, e, b)
			if err != nil {
				t.Fatal(err)
			}
			got, err := evalStrings(t, env, m, b)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("%s in %s per date: %v (%v), want %v", e, loc, got[:8], err, want[:8])
			}
		}
	}
	env.Location = time.UTC

	// Dates past timestamp's range fail the cast to timestamptz: the
	// first such row's error, either way.
	far := slices.Clone(days)
	far[700], far[900] = 120_000_000, -120_000_000
	fb := dateBatch(env, far, nil)
	defer fb.Release()
	e := exprs[0]
	_, want := evalStrings(t, env, e, fb)
	_, got := evalStrings(t, env, OverDates(e), fb)
	if want == nil || errString(got) != errString(want) {
		t.Errorf("%s over dates out of range: %v, want %v", e, got, want)
	}

	for _, e := range []Expr{
		d,
		call("to_char", i, Literal(sqltypes.TypeText, "999")),
		call("concat", d, i),
		call("concat", d, call("random")),
		call("extract", Literal(sqltypes.TypeText, "year"), d),
	} {
		if _, ok := OverDates(e).(*dateMemo); ok {
			t.Errorf("%s computed per date", e)
		}
	}
}
