package expr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// TestIntervalsSelect: a conjunction of comparisons of columns (date, int4,
// int8, numeric) with constants, on either side, selects exactly the
// rows where every comparison holds on a non-NULL value, also at the
// types' limits and on sliced batches.
func TestIntervalsSelect(t *testing.T) {
	env := newTestEnv(t)
	r := rand.New(rand.NewPCG(3, 4))
	dec := sqltypes.NumericType(15, 2)
	types := []sqltypes.Type{sqltypes.TypeDate, sqltypes.TypeInt4, sqltypes.TypeInt8, dec, sqltypes.TypeDate, dec}
	limits := [][2]int64{{math.MinInt32, math.MaxInt32}, {math.MinInt32, math.MaxInt32}, {math.MinInt64, math.MaxInt64}, {-1 << 40, 1 << 40}, {math.MinInt32, math.MaxInt32}, {-1 << 40, 1 << 40}}
	datum := func(c int, v int64) sqltypes.Datum {
		switch c {
		case 0:
			return arrow.Date32(v)
		case 1:
			return int32(v)
		case 2:
			return v
		case 4:
			return arrow.Date32(v)
		}
		return decimal128.FromI64(v)
	}
	const n = 300
	raw := make([][]int64, len(types))
	valid := make([][]bool, len(types))
	cols := make([]testCol, len(types))
	for c := range types {
		cols[c].t = types[c]
		for range n {
			v := int64(r.IntN(11) - 5)
			if r.IntN(20) == 0 {
				v = limits[c][r.IntN(2)]
			}
			ok := r.IntN(8) != 0
			raw[c], valid[c] = append(raw[c], v), append(valid[c], ok)
			if ok {
				cols[c].vals = append(cols[c].vals, datum(c, v))
			} else {
				cols[c].vals = append(cols[c].vals, nil)
			}
		}
	}
	whole := makeBatch(t, env, cols...)
	defer whole.Release()
	ops := []BinaryOp{OpEq, OpLt, OpLe, OpGt, OpGe}
	holds := func(op BinaryOp, x, y int64) bool {
		switch op {
		case OpEq:
			return x == y
		case OpLt:
			return x < y
		case OpLe:
			return x <= y
		case OpGt:
			return x > y
		case OpNe:
			return x != y
		}
		return x >= y
	}
	for trial := range 400 {
		type leaf struct {
			c       int
			op      BinaryOp
			k       int64
			litLeft bool
		}
		var leaves []leaf
		var pred Expr
		for range 1 + r.IntN(4) {
			l := leaf{c: r.IntN(len(types)), op: ops[r.IntN(len(ops))], k: int64(r.IntN(13) - 6), litLeft: r.IntN(2) == 0}
			if r.IntN(6) == 0 {
				l.k = limits[l.c][r.IntN(2)]
			}
			leaves = append(leaves, l)
			col, lit := Column(l.c, types[l.c], "c"), Literal(types[l.c], datum(l.c, l.k))
			var e Expr
			var err error
			if l.litLeft {
				e, err = Binary(l.op, lit, col)
			} else {
				e, err = Binary(l.op, col, lit)
			}
			if err != nil {
				t.Fatal(err)
			}
			if pred == nil {
				pred = e
			} else if pred, err = Binary(OpAnd, pred, e); err != nil {
				t.Fatal(err)
			}
		}
		rs := compileIntervals(pred)
		if rs == nil {
			t.Fatalf("%s: not compiled", pred)
		}
		off, m := r.IntN(20), n-40+r.IntN(20)
		b := whole.NewSlice(int64(off), int64(off+m))
		got, ok := rs.Select(b.Columns(), m, nil)
		b.Release()
		if !ok {
			t.Fatalf("%s: columns not accepted", pred)
		}
		var want []int32
		for i := range m {
			keep := true
			for _, l := range leaves {
				x := raw[l.c][off+i]
				if !valid[l.c][off+i] {
					keep = false
				} else if l.litLeft {
					keep = keep && holds(l.op, l.k, x)
				} else {
					keep = keep && holds(l.op, x, l.k)
				}
			}
			if keep {
				want = append(want, int32(i))
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: %s on rows %d..%d selects %v, want %v", trial, pred, off, off+m, got, want)
		}
	}
	// Comparisons of two columns (date with date, numeric with numeric)
	// beside an interval, through a Selector.
	for _, pair := range [][2]int{{0, 4}, {4, 0}, {3, 5}, {5, 3}} {
		for _, op := range []BinaryOp{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe} {
			cc, err := Binary(op, Column(pair[0], types[pair[0]], "l"), Column(pair[1], types[pair[1]], "r"))
			if err != nil {
				t.Fatal(err)
			}
			iv, err := Binary(OpGe, Column(2, types[2], "k"), Literal(types[2], int64(-3)))
			if err != nil {
				t.Fatal(err)
			}
			pred, err := Binary(OpAnd, iv, cc)
			if err != nil {
				t.Fatal(err)
			}
			sel := NewSelector(pred)
			if sel == nil || len(sel.compares) != 1 {
				t.Fatalf("%s: not compiled to a column comparison", pred)
			}
			got, err := sel.Select(ctxBG, env, whole, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want []int32
			for i := range n {
				l, r := pair[0], pair[1]
				if valid[2][i] && raw[2][i] >= -3 && valid[l][i] && valid[r][i] && holds(op, raw[l][i], raw[r][i]) {
					want = append(want, int32(i))
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s selects %v, want %v", pred, got, want)
			}
		}
	}
}

// TestCompileIntervalsDeclines: predicates that are not a conjunction of
// column-constant comparisons of interval types are evaluated as
// expressions.
func TestCompileIntervalsDeclines(t *testing.T) {
	i8 := Column(0, sqltypes.TypeInt8, "i")
	j8 := Column(1, sqltypes.TypeInt8, "j")
	f8 := Column(2, sqltypes.TypeFloat8, "f")
	one := Literal(sqltypes.TypeInt8, int64(1))
	must := func(e Expr, err error) Expr {
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	lt := must(Binary(OpLt, i8, one))
	for _, e := range []Expr{
		must(Binary(OpOr, lt, must(Binary(OpGt, j8, one)))),
		must(Binary(OpNe, i8, one)),
		must(Binary(OpLt, i8, j8)),
		must(Binary(OpLt, f8, Literal(sqltypes.TypeFloat8, 1.5))),
		must(Binary(OpLt, i8, Literal(sqltypes.TypeInt8, nil))),
		must(Binary(OpAnd, lt, Not(must(Binary(OpLt, j8, one))))),
	} {
		if compileIntervals(e) != nil {
			t.Errorf("%s compiled into ranges", e)
		}
	}
	if compileIntervals(must(Binary(OpAnd, lt, must(Binary(OpGe, j8, one))))) == nil {
		t.Error("i < 1 AND j >= 1 not compiled")
	}
}

// An OR of intervals that are all empty keeps one empty interval on the
// same column, so that refine still applies it (the column's identity
// used to be lost with the removed elements).
func TestIntervalUnionAllEmpty(t *testing.T) {
	u := &intervalUnion{parts: []colRange{
		{col: 3, kind: range64, id: arrow.INT64, sqlType: sqltypes.TypeInt8, lo: 5, hi: 1, empty: true},
		{col: 3, kind: range64, id: arrow.INT64, sqlType: sqltypes.TypeInt8, lo: 9, hi: 2, empty: true},
	}}
	u.merge()
	if len(u.parts) != 1 || !u.parts[0].empty || u.parts[0].col != 3 || u.parts[0].id != arrow.INT64 || u.parts[0].kind != range64 {
		t.Fatalf("merge of empty intervals: %+v", u.parts)
	}
}
