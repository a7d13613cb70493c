package parquet

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// tv is a three-valued truth value.
type tv int8

const (
	tFalse tv = iota
	tTrue
	tNull
)

func (v tv) not() tv {
	switch v {
	case tTrue:
		return tFalse
	case tFalse:
		return tTrue
	}
	return tNull
}

// evalRow is the row-at-a-time reference: SQL three-valued logic, with
// NaN ordered as PostgreSQL does (ieee=false) or by IEEE rules (ieee=true),
// and nanosecond timestamps compared exactly (ieee=false) or after
// truncation to microseconds (ieee=true).
func evalRow(f connectors.Filter, row int, ieee bool) tv {
	switch f := f.(type) {
	case connectors.Compare:
		return evalCmp(f.Column, f.Op, f.Value, row, ieee)
	case connectors.InList:
		out := tFalse
		for _, v := range f.Values {
			switch evalCmp(f.Column, connectors.OpEq, v, row, ieee) {
			case tTrue:
				out = tTrue
			case tNull:
				if out == tFalse {
					out = tNull
				}
			}
		}
		if f.Negated {
			return out.not()
		}
		return out
	case connectors.IsNull:
		isNull := cachedValue(colIndex(f.Column), row) == nil
		if isNull != f.Negated {
			return tTrue
		}
		return tFalse
	case connectors.And:
		out := tTrue
		for _, c := range f.Filters {
			switch evalRow(c, row, ieee) {
			case tFalse:
				return tFalse
			case tNull:
				out = tNull
			}
		}
		return out
	case connectors.Or:
		out := tFalse
		for _, c := range f.Filters {
			switch evalRow(c, row, ieee) {
			case tTrue:
				return tTrue
			case tNull:
				out = tNull
			}
		}
		return out
	case connectors.Not:
		return evalRow(f.Filter, row, ieee).not()
	}
	panic("unexpected filter")
}

var colIndexes = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	for i, f := range testSchema.Fields() {
		m[f.Name] = i
	}
	return m
})

func colIndex(name string) int { return colIndexes()[name] }

// cachedValues holds testValue for every column and row: the reference
// evaluator runs over all rows for every random filter.
var cachedValues = sync.OnceValue(func() [][]any {
	out := make([][]any, testSchema.NumFields())
	for c := range out {
		out[c] = make([]any, testRows)
		for i := range testRows {
			out[c][i] = testValue(c, i)
		}
	}
	return out
})

func cachedValue(c, row int) any { return cachedValues()[c][row] }

func evalCmp(col string, op connectors.CmpOp, l connectors.Literal, row int, ieee bool) tv {
	c := colIndex(col)
	v := cachedValue(c, row)
	if v == nil {
		return tNull
	}
	ct, _ := sqltypes.FromArrow(testSchema.Field(c).Type)
	var r int
	switch {
	case c == 10: // ts: ns values against a µs literal
		ns, us := v.(int64), int64(l.Value.(arrow.Timestamp))
		if ieee {
			r = cmpInt(ns/1000, us)
		} else {
			r = cmpInt(ns, us*1000)
		}
	case ieee && (isNaNAny(v) || isNaNAny(l.Value)):
		if op == connectors.OpNe {
			return tTrue
		}
		return tFalse
	default:
		var ok bool
		if r, ok = connectors.CompareDatums(ct, v, l.Type, l.Value); !ok {
			panic("incomparable literal in test")
		}
	}
	var b bool
	switch op {
	case connectors.OpEq:
		b = r == 0
	case connectors.OpNe:
		b = r != 0
	case connectors.OpLt:
		b = r < 0
	case connectors.OpLe:
		b = r <= 0
	case connectors.OpGt:
		b = r > 0
	case connectors.OpGe:
		b = r >= 0
	}
	if b {
		return tTrue
	}
	return tFalse
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isNaNAny(v any) bool { f, ok := v.(float64); return ok && math.IsNaN(f) }

// checkScan scans with filters and asserts that no row passing them (under
// either NaN semantics) was pruned and that no row came back twice; it
// returns the number of row groups kept.
func checkScan(t *testing.T, tbl *Table, mem memory.Allocator, filters []connectors.Filter) int {
	t.Helper()
	req := connectors.ScanRequest{Columns: []int{0}, Filters: filters, Limit: -1}
	bs := scanAll(t, tbl, req, mem)
	got := ids(bs)
	releaseAll(bs)
	seen := make(map[int64]bool, len(got))
	for _, id := range got {
		if seen[id] {
			t.Fatalf("%v: row %d returned twice", filters, id)
		}
		seen[id] = true
	}
	for row := range testRows {
		for _, ieee := range []bool{false, true} {
			pass := true
			for _, f := range filters {
				pass = pass && evalRow(f, row, ieee) == tTrue
			}
			if pass && !seen[int64(row)] {
				t.Fatalf("%v (ieee=%v): matching row %d was pruned", filters, ieee, row)
			}
		}
	}
	p, err := tbl.plan(req)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != int64(p.kept)*rowGroupRows {
		t.Fatalf("%v: %d rows from %d row groups", filters, len(got), p.kept)
	}
	return p.kept
}

func TestPruning(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := openFixture(t, writeFixture(t))
	i8 := func(v int64) connectors.Literal { return lit(sqltypes.TypeInt8, v) }
	date := func(day int) connectors.Literal { return lit(sqltypes.TypeDate, arrow.Date32(baseDate+day)) }
	txt := func(s string) connectors.Literal { return lit(sqltypes.TypeText, s) }
	f8 := func(f float64) connectors.Literal { return lit(sqltypes.TypeFloat8, f) }
	us := func(row int) connectors.Literal {
		return lit(sqltypes.TypeTimestamp, arrow.Timestamp((tsBase+int64(row)*1500)/1000))
	}
	type F = []connectors.Filter
	cases := []struct {
		name    string
		filters F
		kept    int
	}{
		{"none", nil, 10},
		{"id >= 9500", F{cmp("id", connectors.OpGe, i8(9500))}, 1},
		{"id > 9999", F{cmp("id", connectors.OpGt, i8(9999))}, 0},
		{"id = 4321 as numeric(12,3)", F{cmp("id", connectors.OpEq, dec(4_321_000, 3))}, 1},
		{"id = 4321.5", F{cmp("id", connectors.OpEq, dec(43_215, 1))}, 1}, // no row, but within bounds
		{"id < 2000.0 float", F{cmp("id", connectors.OpLt, f8(2000))}, 2},
		{"d >= day 180 (row 9000)", F{cmp("d", connectors.OpGe, date(180))}, 1},
		{"d between", F{cmp("d", connectors.OpGe, date(20)), cmp("d", connectors.OpLt, date(40))}, 1},
		{"opt IS NULL", F{connectors.IsNull{Column: "opt"}}, 2},
		{"opt IS NOT NULL", F{connectors.IsNull{Column: "opt", Negated: true}}, 9},
		{"opt = 5500 (all-null group)", F{cmp("opt", connectors.OpEq, lit(sqltypes.TypeInt4, int32(5500)))}, 0},
		{"NOT opt IS NULL", F{connectors.Not{Filter: connectors.IsNull{Column: "opt"}}}, 9},
		{"id < 500 OR id > 9500", F{connectors.Or{Filters: F{cmp("id", connectors.OpLt, i8(500)), cmp("id", connectors.OpGt, i8(9500))}}}, 2},
		{"NOT id >= 1000", F{connectors.Not{Filter: cmp("id", connectors.OpGe, i8(1000))}}, 1},
		{"NOT (id >= 0 AND d >= 0)", F{connectors.Not{Filter: connectors.And{Filters: F{cmp("id", connectors.OpGe, i8(0)), cmp("d", connectors.OpGe, date(0))}}}}, 0},
		{"NOT (opt < 100000)", F{connectors.Not{Filter: cmp("opt", connectors.OpLt, lit(sqltypes.TypeInt4, int32(100000)))}}, 0},
		{"id IN (5, 9999)", F{connectors.InList{Column: "id", Values: []connectors.Literal{i8(5), i8(9999)}}}, 2},
		{"id NOT IN (5)", F{connectors.InList{Column: "id", Values: []connectors.Literal{i8(5)}, Negated: true}}, 10},
		{"nostats = 5 (no statistics)", F{cmp("nostats", connectors.OpEq, i8(5))}, 10},
		{"nostats IS NULL (required)", F{connectors.IsNull{Column: "nostats"}}, 0},
		{"name = n05000", F{cmp("name", connectors.OpEq, txt("n05000"))}, 1},
		{"name >= n09", F{cmp("name", connectors.OpGe, txt("n09"))}, 1},
		{"cat = c3 (dictionary)", F{cmp("cat", connectors.OpEq, txt("c3"))}, 1},
		{"flag = true", F{cmp("flag", connectors.OpEq, lit(sqltypes.TypeBool, true))}, 4},
		{"flag <> true", F{cmp("flag", connectors.OpNe, lit(sqltypes.TypeBool, true))}, 6},
		{"x < 100", F{cmp("x", connectors.OpLt, f8(100))}, 1},
		{"x = 250", F{cmp("x", connectors.OpEq, f8(250))}, 1},
		{"x > 990 (NaN may match)", F{cmp("x", connectors.OpGt, f8(990))}, 10},
		{"x = NaN", F{cmp("x", connectors.OpEq, f8(math.NaN()))}, 10},
		{"amount > 999.99 scale 4", F{cmp("amount", connectors.OpGt, dec(9_999_900, 4))}, 0},
		{"amount >= 999.99", F{cmp("amount", connectors.OpGe, dec(99_999, 2))}, -1},
		{"amount < 0", F{cmp("amount", connectors.OpLt, i8(0))}, 0},
		{"ts >= row 9500 (ns column)", F{cmp("ts", connectors.OpGe, us(9500))}, 1},
		{"ts < row 1000", F{cmp("ts", connectors.OpLt, us(1000))}, 1},
		{"like keeps all", F{connectors.Like{Column: "name", Pattern: "n1%"}}, 10},
		{"unknown column keeps all", F{cmp("nope", connectors.OpEq, i8(1))}, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "like keeps all" || tc.name == "unknown column keeps all" {
				p, _ := tbl.plan(connectors.ScanRequest{Columns: []int{0}, Filters: tc.filters, Limit: -1})
				if p.kept != tc.kept {
					t.Errorf("kept %d row groups, want %d", p.kept, tc.kept)
				}
				return
			}
			if kept := checkScan(t, tbl, mem, tc.filters); kept != tc.kept && tc.kept >= 0 {
				t.Errorf("kept %d row groups, want %d", kept, tc.kept)
			}
		})
	}
}

// TestPruningProperty checks random filters against the brute-force
// reference: pruning may keep too much, never too little.
func TestPruningProperty(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := openFixture(t, writeFixture(t))
	rng := rand.New(rand.NewPCG(1, 2))
	iters := 400
	if testing.Short() {
		iters = 100
	}
	var kept, total int
	for range iters {
		var fs []connectors.Filter
		for range 1 + rng.IntN(2) {
			fs = append(fs, randFilter(rng, 3))
		}
		kept += checkScan(t, tbl, mem, fs)
		total += 10
	}
	if kept*10 > total*9 {
		t.Errorf("random filters pruned almost nothing: kept %d of %d row groups", kept, total)
	}
	t.Logf("kept %d of %d row groups", kept, total)
}

var opsAll = []connectors.CmpOp{connectors.OpEq, connectors.OpNe, connectors.OpLt, connectors.OpLe, connectors.OpGt, connectors.OpGe}

func randFilter(rng *rand.Rand, depth int) connectors.Filter {
	k := rng.IntN(10)
	if depth == 0 {
		k = rng.IntN(6)
	}
	switch {
	case k < 4:
		col, l := randLiteral(rng)
		return cmp(col, opsAll[rng.IntN(len(opsAll))], l)
	case k == 4:
		col, l := randLiteral(rng)
		vals := []connectors.Literal{l}
		for range rng.IntN(3) {
			vals = append(vals, randLiteralFor(rng, col))
		}
		return connectors.InList{Column: col, Values: vals, Negated: rng.IntN(3) == 0}
	case k == 5:
		cols := []string{"opt", "name", "amount", "x", "id", "ts"}
		return connectors.IsNull{Column: cols[rng.IntN(len(cols))], Negated: rng.IntN(2) == 0}
	case k < 8:
		var fs []connectors.Filter
		for range 1 + rng.IntN(3) {
			fs = append(fs, randFilter(rng, depth-1))
		}
		if k == 6 {
			return connectors.And{Filters: fs}
		}
		return connectors.Or{Filters: fs}
	}
	return connectors.Not{Filter: randFilter(rng, depth-1)}
}

var prunableCols = []string{"id", "d", "amount", "name", "x", "flag", "opt", "nostats", "cat", "ts"}

func randLiteral(rng *rand.Rand) (string, connectors.Literal) {
	col := prunableCols[rng.IntN(len(prunableCols))]
	return col, randLiteralFor(rng, col)
}

// randLiteralFor returns a literal of a type family comparable with col,
// mostly near the data's range so that pruning decisions vary.
func randLiteralFor(rng *rand.Rand, col string) connectors.Literal {
	row := rng.IntN(testRows+400) - 200
	switch col {
	case "id", "nostats":
		switch rng.IntN(4) {
		case 0:
			return lit(sqltypes.TypeInt4, int32(row))
		case 1:
			return dec(int64(row)*10+int64(rng.IntN(10)), 1)
		case 2:
			return lit(sqltypes.TypeFloat8, float64(row)+0.5*float64(rng.IntN(2)))
		}
		return lit(sqltypes.TypeInt8, int64(row))
	case "opt":
		return lit(sqltypes.TypeInt4, int32(row))
	case "d":
		return lit(sqltypes.TypeDate, arrow.Date32(baseDate+row/50))
	case "amount":
		v := int64(rng.IntN(110_000)) - 5_000
		if rng.IntN(2) == 0 {
			return dec(v*100+int64(rng.IntN(100)), 4)
		}
		return dec(v, 2)
	case "name", "cat":
		s := []string{"n", "c"}[rng.IntN(2)]
		if rng.IntN(2) == 0 {
			s += string(rune('0' + rng.IntN(10)))
		}
		if rng.IntN(2) == 0 {
			s = testValueString(row)
		}
		return lit(sqltypes.TypeText, s)
	case "x":
		if rng.IntN(8) == 0 {
			return lit(sqltypes.TypeFloat8, math.NaN())
		}
		if rng.IntN(4) == 0 {
			return lit(sqltypes.TypeInt4, int32(row/10))
		}
		return lit(sqltypes.TypeFloat8, float64(row)/10)
	case "flag":
		return lit(sqltypes.TypeBool, rng.IntN(2) == 0)
	case "ts":
		return lit(sqltypes.TypeTimestamp, arrow.Timestamp((tsBase+int64(row)*1500)/1000+int64(rng.IntN(3)-1)))
	}
	panic(col)
}

func testValueString(row int) string {
	if row < 0 {
		return "n"
	}
	if v, ok := testValue(3, row).(string); ok {
		return v
	}
	return "n00000"
}

func TestAmountStats(t *testing.T) {
	tbl := openFixture(t, writeFixture(t))
	var vals []decimal128.Num
	for i := range testRows {
		if v, ok := testValue(2, i).(decimal128.Num); ok {
			vals = append(vals, v)
		}
	}
	lo := slices.MinFunc(vals, func(a, b decimal128.Num) int { return a.Cmp(b) })
	hi := slices.MaxFunc(vals, func(a, b decimal128.Num) int { return a.Cmp(b) })
	st := tbl.Stats().Columns["amount"]
	if st.Min != lo || st.Max != hi || st.NullCount != int64(testRows-len(vals)) {
		t.Errorf("amount stats = %+v, want [%v, %v]", st, lo, hi)
	}
}
