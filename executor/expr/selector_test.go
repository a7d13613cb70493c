package expr

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// TestSelector: conjunctions of interval comparisons, predicates over a
// dictionary-encoded column, other comparisons and ORs select, conjunct
// by conjunct, exactly the rows where the whole predicate evaluates to
// TRUE, on the dictionary batch and on the same batch decoded; a
// conjunct that fails on rows an earlier one rejects does not fail.
func TestSelector(t *testing.T) {
	env := newTestEnv(t)
	r := rand.New(rand.NewPCG(5, 6))
	dict := []string{"AIR", "MAIL", "SHIP", "TRUCK", "MAIL"}
	codes := make([]int32, 500)
	for i := range codes {
		codes[i] = int32(r.IntN(len(dict)+1)) - 1 // -1: NULL
	}
	enc, plain := dictBatch(t, env.Mem, dict, codes) // columns s (text), i (bigint = row number)
	defer enc.Release()
	defer plain.Release()
	s := Column(0, sqltypes.TypeText, "s")
	i := Column(1, sqltypes.TypeInt8, "i")
	lit := func(v string) Expr { return Literal(sqltypes.TypeText, v) }
	num := func(v int64) Expr { return Literal(sqltypes.TypeInt8, v) }
	must := func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	leaves := []Expr{
		must(Binary(OpGe, i, num(100))),
		must(Binary(OpLt, num(400), i)),
		must(Binary(OpLe, i, num(420))),
		OverDictionaries(In(s, []Expr{lit("MAIL"), lit("SHIP")}, false)),
		OverDictionaries(must(Binary(OpNe, s, lit("AIR")))),
		OverDictionaries(IsNull(s, true)),
		must(Binary(OpNe, must(Binary(OpMod, i, num(3))), num(0))),
		must(Binary(OpOr, must(Binary(OpLt, i, num(50))), must(Binary(OpGt, i, num(450))))),
		must(Binary(OpOr, must(Binary(OpOr,
			must(Binary(OpAnd, must(Binary(OpGe, i, num(100))), must(Binary(OpLe, i, num(150))))),
			must(Binary(OpAnd, must(Binary(OpGe, i, num(140))), must(Binary(OpLt, i, num(200))))))),
			must(Binary(OpEq, i, num(333))))),
		must(Binary(OpOr, must(Binary(OpLt, i, num(50))), OverDictionaries(IsNull(s, false)))),
		// Intervals that merge into one, [100, 260], and one that is empty.
		must(Binary(OpOr, must(Binary(OpOr,
			must(Binary(OpAnd, must(Binary(OpGe, i, num(100))), must(Binary(OpLe, i, num(150))))),
			must(Binary(OpAnd, must(Binary(OpGe, i, num(151))), must(Binary(OpLt, i, num(261))))))),
			must(Binary(OpAnd, must(Binary(OpGt, i, num(300))), must(Binary(OpLt, i, num(200))))))),
		// 1000 / (i % 7) fails where i % 7 = 0, which the leaf before it rejects.
		must(Binary(OpNe, must(Binary(OpMod, i, num(7))), num(0))),
		must(Binary(OpGt, must(Binary(OpDiv, num(1000), must(Binary(OpMod, i, num(7))))), num(200))),
	}
	rows := func(pred Expr, b arrow.RecordBatch) []int32 {
		a, err := pred.Eval(ctxBG, env, b)
		if err != nil {
			t.Fatalf("%s: %v", pred, err)
		}
		defer a.Release()
		var out []int32
		bl := a.(*array.Boolean)
		for k := range bl.Len() {
			if bl.IsValid(k) && bl.Value(k) {
				out = append(out, int32(k))
			}
		}
		return out
	}
	for trial := range 300 {
		var pred Expr
		var picked []int
		for range 2 + r.IntN(4) {
			k := r.IntN(len(leaves) - 1)
			if k == len(leaves)-2 { // the guarded division comes with its guard
				picked = append(picked, k, k+1)
			} else {
				picked = append(picked, k)
			}
		}
		for _, k := range picked {
			if pred == nil {
				pred = leaves[k]
			} else {
				pred = must(Binary(OpAnd, pred, leaves[k]))
			}
		}
		sel := NewSelector(pred)
		if sel == nil {
			t.Fatalf("%s: no selector", pred)
		}
		want := rows(pred, plain)
		for _, b := range []arrow.RecordBatch{enc, plain} {
			got, err := sel.Select(ctxBG, env, b, nil)
			if err != nil {
				t.Fatalf("trial %d: %s: %v", trial, pred, err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("trial %d: %s selects %v, want %v", trial, pred, got, want)
			}
		}
	}
	if NewSelector(leaves[3]) != nil || NewSelector(leaves[9]) != nil {
		t.Error("a selector for a single conjunct that is not an interval")
	}
	if NewSelector(leaves[7]) == nil || NewSelector(leaves[8]) == nil {
		t.Error("no selector for an OR of intervals")
	}
	if m := NewSelector(leaves[10]); m == nil || m.ranges == nil || len(m.unions) != 0 {
		t.Error("an OR of intervals that merge into one is not checked as a range")
	}
}

// TestIntervalUnionMerge: an OR of intervals of one column is checked
// against its sorted, disjoint union, for integers and decimals alike.
func TestIntervalUnionMerge(t *testing.T) {
	must := func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, typ := range []sqltypes.Type{sqltypes.TypeInt8, sqltypes.NumericType(15, 2)} {
		c := Column(0, typ, "c")
		lit := func(v int64) Expr {
			if typ.Kind == sqltypes.Numeric {
				return Literal(typ, decimal128.FromI64(v*100))
			}
			return Literal(typ, v)
		}
		between := func(lo, hi int64) Expr {
			return must(Binary(OpAnd, must(Binary(OpGe, c, lit(lo))), must(Binary(OpLe, c, lit(hi)))))
		}
		or := func(es ...Expr) Expr {
			out := es[0]
			for _, e := range es[1:] {
				out = must(Binary(OpOr, out, e))
			}
			return out
		}
		for _, tc := range []struct {
			e    Expr
			want [][2]int64 // in units of the literals
		}{
			{or(between(20, 30), between(1, 11), between(10, 20)), [][2]int64{{1, 30}}},
			{or(between(40, 50), between(1, 5), between(3, 8)), [][2]int64{{1, 8}, {40, 50}}},
			{or(between(5, 1), between(7, 9)), [][2]int64{{7, 9}}},
			{or(between(5, 1), between(9, 7)), nil},
		} {
			u := compileUnion(tc.e)
			if u == nil {
				t.Fatalf("%s: not a union", tc.e)
			}
			var got [][2]int64
			for _, p := range u.parts {
				if p.empty {
					continue
				}
				if typ.Kind == sqltypes.Numeric {
					got = append(got, [2]int64{int64(p.dlo.LowBits()) / 100, int64(p.dhi.LowBits()) / 100})
				} else {
					got = append(got, [2]int64{p.lo, p.hi})
				}
			}
			if !slices.Equal(got, tc.want) || len(u.parts) == 0 {
				t.Errorf("%s: union %v, want %v", tc.e, got, tc.want)
			}
		}
	}
}
