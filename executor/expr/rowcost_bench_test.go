package expr

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/sqltypes"
)

// Per-row costs of kernels that format or parse a value per row; each
// benchmark evaluates one call over benchRows rows.

func benchCall(b *testing.B, name string, args []Expr, gen func(r *rand.Rand) any, types ...sqltypes.Type) {
	batch, done := benchBatch(b, false, gen, types...)
	defer done()
	e := must(Call(name, args))
	runBench(b, e, batch, 0)
}

// BenchmarkSubstringRegex is substring(s FROM '([0-9]+)'): the first
// group of each row's match.
func BenchmarkSubstringRegex(b *testing.B) {
	gen := func(r *rand.Rand) any { return fmt.Sprintf("order-%d-item", r.Intn(100000)) }
	benchCall(b, "substring", []Expr{Column(0, sqltypes.TypeText, "s"), Literal(sqltypes.TypeText, "([0-9]+)")}, gen, sqltypes.TypeText)
}

// BenchmarkNetText is the text of macaddr and inet columns, and inet
// cast to varchar(8).
func BenchmarkNetText(b *testing.B) {
	mac, inet := sqltypes.Type{Kind: sqltypes.Macaddr}, sqltypes.Type{Kind: sqltypes.Inet}
	for _, c := range []struct {
		name     string
		from, to sqltypes.Type
		gen      func(r *rand.Rand) any
	}{
		{"macaddr", mac, sqltypes.TypeText, func(r *rand.Rand) any {
			return fmt.Sprintf("08:00:2b:%02x:%02x:%02x", r.Intn(256), r.Intn(256), r.Intn(256))
		}},
		{"inet", inet, sqltypes.TypeText, func(r *rand.Rand) any { return fmt.Sprintf("10.%d.%d.%d/16", r.Intn(256), r.Intn(256), r.Intn(256)) }},
		{"inet_varchar8", inet, sqltypes.Type{Kind: sqltypes.Varchar, Precision: 8}, func(r *rand.Rand) any {
			return fmt.Sprintf("10.%d.%d.%d/16", r.Intn(256), r.Intn(256), r.Intn(256))
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			batch, done := benchBatch(b, false, c.gen, c.from)
			defer done()
			e := must(Cast(Column(0, c.from, "a"), c.to))
			runBench(b, e, batch, 0)
		})
	}
}

// BenchmarkLikeEscape is like_escape(p, e) over two columns.
func BenchmarkLikeEscape(b *testing.B) {
	batch, done := benchBatch(b, false, func(r *rand.Rand) any { return fmt.Sprintf("ab#_c%d%%", r.Intn(1000)) }, sqltypes.TypeText)
	defer done()
	e := must(Call("like_escape", []Expr{Column(0, sqltypes.TypeText, "p"), Literal(sqltypes.TypeText, "#")}))
	runBench(b, e, batch, 0)
}

// BenchmarkRangeConstructor is int4range(a, b, '[]').
func BenchmarkRangeConstructor(b *testing.B) {
	i4 := sqltypes.TypeInt4
	gen := func(r *rand.Rand) any { return int32(r.Intn(1000)) }
	batch, done := benchBatch(b, false, gen, i4)
	defer done()
	a := Column(0, i4, "a")
	e := must(Call("int4range", []Expr{a, must(Binary(OpAdd, a, Literal(i4, int32(10)))), Literal(sqltypes.TypeText, "[]")}))
	runBench(b, e, batch, 0)
}

// BenchmarkDatePartRowUnit is date_part(u, ts) with the unit a column.
func BenchmarkDatePartRowUnit(b *testing.B) {
	ts := sqltypes.TypeTimestamp
	units := []string{"year", "Month", "day", "hour"}
	batch, done := benchBatch(b, false, func(r *rand.Rand) any { return units[r.Intn(len(units))] }, sqltypes.TypeText)
	defer done()
	e := must(Call("date_part", []Expr{Column(0, sqltypes.TypeText, "u"), Literal(ts, int64(1_700_000_000_000_000))}))
	runBench(b, e, batch, 0)
}

// BenchmarkRangeArrayPosition is array_position(ranges, r): each row
// compares r with the elements of a ten-range array.
func BenchmarkRangeArrayPosition(b *testing.B) {
	rt := sqltypes.Type{Kind: sqltypes.DateRange}
	mk := func(lo int64) string {
		rg, err := sqltypes.MakeRange(rt, arrow.Date32(lo), arrow.Date32(lo+30), true, false)
		if err != nil {
			b.Fatal(err)
		}
		return sqltypes.FormatRange(rt, rg)
	}
	gen := func(r *rand.Rand) any {
		l := make([]any, 10)
		for i := range l {
			l[i] = mk(19000 + int64(r.Intn(50)))
		}
		return l
	}
	lt := sqltypes.ListOf(rt)
	batch, done := benchBatch(b, false, gen, lt)
	defer done()
	e := must(Call("array_position", []Expr{Column(0, lt, "a"), Literal(rt, mk(19025))}))
	runBench(b, e, batch, 0)
}
