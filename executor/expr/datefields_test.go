package expr

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// literalUnitMatches evaluates fn(unit, vals) with unit a literal and
// with unit read from a column, on the whole batch and on a slice of
// it, and fails on the first row where the two differ (after want
// passes through norm).
func literalUnitMatches(t *testing.T, env *executor.Env, fn, unit string, vals arrow.Array, valType sqltypes.Type, norm func(string) string) {
	t.Helper()
	n := vals.Len()
	ub := array.NewStringBuilder(env.Mem)
	for range n {
		ub.Append(unit)
	}
	units := ub.NewArray()
	ub.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: vals.DataType(), Nullable: true}, {Name: "u", Type: arrow.BinaryTypes.String}}, nil)
	whole := array.NewRecordBatch(schema, []arrow.Array{vals, units}, int64(n))
	units.Release()
	defer whole.Release()
	v := Column(0, valType, "v")
	lit, err := Call(fn, []Expr{Literal(sqltypes.TypeText, unit), v})
	if err != nil {
		t.Fatal(err)
	}
	general, err := Call(fn, []Expr{Column(1, sqltypes.TypeText, "u"), v})
	if err != nil {
		t.Fatal(err)
	}
	slice := whole.NewSlice(3, int64(n))
	defer slice.Release()
	for _, b := range []arrow.RecordBatch{whole, slice} {
		got, err := evalStrings(t, env, lit, b)
		if err != nil {
			t.Fatalf("%s(%s): %v", fn, unit, err)
		}
		want, err := evalStrings(t, env, general, b)
		if err != nil {
			t.Fatalf("%s(%s) (unit from a column): %v", fn, unit, err)
		}
		for i := range got {
			if got[i] != norm(want[i]) {
				t.Fatalf("%s(%s, %s row %d of %d): got %s, want %s", fn, unit, valType, i, b.NumRows(), got[i], want[i])
			}
		}
	}
}

// TestExtractDateFieldFast checks extract(unit FROM date) with a literal
// unit (the per-field loop) against the same call with the unit read
// from a column (the general kernel), row for row: dates across the
// whole range (BC years, leap days, year ends), NULLs, a sliced batch,
// and ±infinity, which leave the fast loop to the general kernel.
func TestExtractDateFieldFast(t *testing.T) {
	env := newTestEnv(t)
	r := rand.New(rand.NewPCG(1, 2))
	var days []int32
	for y := int64(-4712); y <= 5874897; y += 1 + max(y, -y)/50 + r.Int64N(7) {
		for _, md := range [][2]int{{1, 1}, {2, 28}, {2, 29}, {3, 1}, {12, 31}} {
			if md[1] == 29 && !sqltypes.IsLeapYear(y) {
				continue
			}
			days = append(days, int32(sqltypes.DaysFromCivil(y, md[0], md[1])))
		}
	}
	for range 2000 {
		days = append(days, int32(r.Int64N(80000)-40000))
	}
	// A unit read from a column gives numeric(…, 6).
	norm := func(s string) string { return strings.TrimSuffix(s, ".000000") }
	for _, withInf := range []bool{false, true} {
		db := array.NewDate32Builder(env.Mem)
		for i, d := range days {
			if i%97 == 5 {
				db.AppendNull()
				continue
			}
			db.Append(arrow.Date32(d))
		}
		tail := []int32{0, 1, 2}
		if withInf {
			tail[1] = int32(sqltypes.DateInfinity)
		}
		for _, d := range tail {
			db.Append(arrow.Date32(d))
		}
		vals := db.NewArray()
		db.Release()
		for _, unit := range []string{"year", "YEARS", "quarter", "month", "mon", "day", "dow"} {
			literalUnitMatches(t, env, "extract", unit, vals, sqltypes.TypeDate, norm)
		}
		vals.Release()
	}
}

// TestYearFromDays checks YearFromDays against CivilFromDays on every day
// around the years where the formula's eras and leap rules turn.
func TestYearFromDays(t *testing.T) {
	for _, y := range []int64{-4713, -401, -400, -1, 0, 1, 99, 100, 1600, 1900, 1970, 2000, 2100, 294276, 5874897} {
		start := sqltypes.DaysFromCivil(y, 1, 1)
		for z := start - 400; z < start+400; z++ {
			want, _, _ := sqltypes.CivilFromDays(z)
			if got := sqltypes.YearFromDays(z); got != want {
				t.Fatalf("YearFromDays(%d) = %d, want %d", z, got, want)
			}
		}
	}
}

// TestDateTruncLiteralUnit checks date_trunc with a literal unit (resolved
// once) against the same call with the unit read from a column, row for
// row, on timestamps and timestamptz (in a zone with daylight saving
// time) from BC to far future, ±infinity and NULLs among them.
func TestDateTruncLiteralUnit(t *testing.T) {
	env := newTestEnv(t)
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	env.Location = loc
	r := rand.New(rand.NewPCG(3, 4))
	us := []int64{sqltypes.TimestampInfinity, sqltypes.TimestampNegInfinity, 0, -1}
	for range 3000 {
		switch r.IntN(3) {
		case 0: // anywhere from 4713 BC to 294276 AD
			us = append(us, r.Int64N(9_000_000_000_000_000_000)-200_000_000_000_000_000)
		default: // around now, where zones have DST
			us = append(us, r.Int64N(100*365*sqltypes.MicrosPerDay)-50*365*sqltypes.MicrosPerDay)
		}
	}
	for _, kind := range []sqltypes.Type{sqltypes.TypeTimestamp, sqltypes.TypeTimestampTZ} {
		tb := array.NewBuilder(env.Mem, kind.Arrow()).(*array.TimestampBuilder)
		for i, v := range us {
			if i%89 == 7 {
				tb.AppendNull()
				continue
			}
			tb.Append(arrow.Timestamp(v))
		}
		vals := tb.NewArray()
		tb.Release()
		for _, unit := range []string{"month", "MON", "quarter", "year", "week", "day", "hour", "decade", "century", "millennium"} {
			literalUnitMatches(t, env, "date_trunc", unit, vals, kind, func(s string) string { return s })
		}
		vals.Release()
	}
}

// TestTruncDaysMonth checks that a month starts d-1 days before day d of
// it, every day from 4713 BC to 5874897 AD at year and era turns.
func TestTruncDaysMonth(t *testing.T) {
	for _, y := range []int64{-4712, -401, -400, -1, 0, 1, 1600, 1900, 1970, 2000, 2024, 2100, 294276, 5874896} {
		start := sqltypes.DaysFromCivil(y, 1, 1)
		for z := start - 400; z < start+400; z++ {
			yy, m, _ := sqltypes.CivilFromDays(z)
			got, ok := truncDays("month", z)
			if want := sqltypes.DaysFromCivil(yy, m, 1); !ok || got != want {
				t.Fatalf("truncDays(month, %d) = %d, want %d", z, got, want)
			}
		}
	}
}
