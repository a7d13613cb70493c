package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

var dictStr = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// dictBatch builds rows (columns: text, text, bigint) as one batch whose
// text columns are dictionary arrays with a dictionary of their own, as
// each Parquet row group has: entries in random order, some unused, some
// values twice (rows use either code), a NULL entry, and NULL rows
// encoded either as a NULL code or as the code of that entry. With
// unused > 0, the second column's dictionary has that many more unused
// entries. When sliced, the batch is a slice of a larger one.
func dictBatch(mem memory.Allocator, r *rand.Rand, rows [][]any, unused int, sliced bool) arrow.RecordBatch {
	pad := 0
	if sliced {
		pad = 2
	}
	cols := make([]arrow.Array, 3)
	for c := range 2 {
		var dict []any
		seen := map[any]bool{}
		for _, row := range rows {
			if v := row[c]; !seen[v] {
				seen[v] = true
				dict = append(dict, v)
			}
		}
		dict = append(dict, "never used", dict[0]) // dict[0] twice
		if !seen[nil] {
			dict = append(dict, nil)
		}
		if c == 1 {
			for i := range unused {
				dict = append(dict, fmt.Sprint("unused", i))
			}
		}
		r.Shuffle(len(dict), func(i, j int) { dict[i], dict[j] = dict[j], dict[i] })
		codes := map[any][]int{}
		for i, v := range dict {
			codes[v] = append(codes[v], i)
		}
		vb := array.NewStringBuilder(mem)
		for _, v := range dict {
			appendValue(vb, v)
		}
		values := vb.NewArray()
		vb.Release()
		ib := array.NewInt32Builder(mem)
		for range pad {
			ib.AppendNull()
		}
		for _, row := range rows {
			v := row[c]
			if v == nil && r.IntN(2) == 0 {
				ib.AppendNull()
				continue
			}
			cs := codes[v]
			ib.Append(int32(cs[r.IntN(len(cs))]))
		}
		for range pad {
			ib.Append(0)
		}
		idx := ib.NewArray()
		ib.Release()
		cols[c] = array.NewDictionaryArray(dictStr, idx, values)
		idx.Release()
		values.Release()
	}
	nb := array.NewInt64Builder(mem)
	for range pad {
		nb.Append(0)
	}
	for _, row := range rows {
		appendValue(nb, row[2])
	}
	for range pad {
		nb.Append(0)
	}
	cols[2] = nb.NewArray()
	nb.Release()
	s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: dictStr, Nullable: true}, {Name: "b", Type: dictStr, Nullable: true}, {Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := newBatch(s, cols, len(rows)+2*pad)
	if !sliced {
		return b
	}
	defer b.Release()
	return b.NewSlice(int64(pad), int64(pad+len(rows)))
}

// dictRows returns n rows for dictBatch: "a0".."a<as-1>", "b0".."b<bs-1>"
// and a bigint in [-v, v), each value NULL one time in nullOneIn.
func dictRows(r *rand.Rand, n, as, bs, v, nullOneIn int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		row := []any{fmt.Sprint("a", r.IntN(as)), fmt.Sprint("b", r.IntN(bs)), int64(r.IntN(2*v) - v)}
		for c := range row {
			if r.IntN(nullOneIn) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

// noFilter is dictInputs' filter for none.
const noFilter = math.MinInt64

// dictInputs splits rows into parts inputs of dictBatch batches (in
// mem) of 64 rows (every other one sliced), each behind a filter v > filter unless
// filter is noFilter.
func dictInputs(t *testing.T, mem memory.Allocator, env *executor.Env, r *rand.Rand, rows [][]any, parts, unused int, filter int64) []executor.Operator {
	t.Helper()
	var inputs []executor.Operator
	per := len(rows) / parts
	for p := range parts {
		var bs []arrow.RecordBatch
		for i := p * per; i < (p+1)*per; i += 64 {
			bs = append(bs, dictBatch(mem, r, rows[i:min(i+64, (p+1)*per)], unused, i%128 == 0))
		}
		var in executor.Operator = NewBatches(bs[0].Schema(), bs)
		releaseBatches(bs)
		if filter != noFilter {
			f, err := NewFilter(env, in, cmpExpr{2, expr.OpGt, filter})
			if err != nil {
				t.Fatal(err)
			}
			in = f
		}
		inputs = append(inputs, in)
	}
	return inputs
}

// TestHashAggregateDictionaryKeys: grouping by text columns that arrive
// as dictionary arrays, each batch with a different dictionary, gives
// the GROUP BY of the decoded rows, with plain text keys: one or two
// dictionary keys, a dictionary key beside a plain one, dictionaries too
// large to map by code, NULL keys however encoded, through filters folded
// into the aggregate or not, on one or several inputs, in memory and
// spilled.
func TestHashAggregateDictionaryKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	rows := dictRows(r, 1200, 5, 150, 1000, 10)
	aggs := []refAgg{{fn: "count_star"}, {fn: "count", col: 2}, {fn: "sum", col: 2}, {fn: "min", col: 2}, {fn: "max", col: 2}}
	for _, keys := range [][]int{{0}, {0, 1}, {1, 0}, {1, 2}} {
		for _, unused := range []int{0, 5000} {
			for _, k := range []int64{-2000, -800, 0} { // filter v > k: none (no filter), most, about half
				for _, parts := range []int{1, 2} {
					for _, budget := range []int64{0, 24 << 10} {
						if unused > 0 && (budget > 0 || parts > 1) {
							continue // the fallback decodes: covered by the other cases
						}
						name := fmt.Sprintf("keys=%v/unused=%d/k=%d/inputs=%d/budget=%d", keys, unused, k, parts, budget)
						t.Run(name, func(t *testing.T) {
							mem := checked(t)
							env := testEnv(mem, 64)
							if budget > 0 {
								env = spillEnv(t, mem, 64, budget)
							}
							filter := k
							if k == -2000 {
								filter = noFilter
							}
							inputs := dictInputs(t, mem, env, r, rows, parts, unused, filter)
							var groups []expr.Expr
							for _, c := range keys {
								if c == 2 {
									groups = append(groups, expr.Column(c, tI8, "v"))
								} else {
									groups = append(groups, expr.Column(c, tTxt, fmt.Sprint("k", c)))
								}
							}
							var as []Aggregate
							for _, a := range aggs {
								as = append(as, a.aggregate())
							}
							op, err := NewHashAggregate(env, inputs, groups, as)
							if err != nil {
								t.Fatal(err)
							}
							for i := range keys {
								if dt := op.Schema().Field(i).Type; dt.ID() == arrow.DICTIONARY {
									t.Fatalf("key column %d is %s, want plain text", i, dt)
								}
							}
							got := mustDrain(t, op)
							want := rows
							if k > -2000 {
								want = filterRows(rows, 2, k)
							}
							sameRows(t, got, refGroupBy(want, keys, aggs))
							if budget > 0 && len(keys) > 1 && env.Budget.Spilled() == 0 {
								t.Error("the aggregate did not spill; shrink the budget")
							}
						})
					}
				}
			}
		}
	}
}

// TestHashAggregateFilterOverDictionary: FILTER clauses over a text
// column that arrives as dictionary arrays (evaluated per dictionary
// entry) and over a nullable integer column count and sum the rows a
// row-by-row reference keeps: TRUE only, not FALSE or NULL, with NULL
// rows however encoded, batches sliced or not, grouped by the other
// dictionary column or by nothing, on one input or two.
func TestHashAggregateFilterOverDictionary(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	rows := dictRows(r, 900, 4, 3, 100, 8)
	a := expr.Column(0, tTxt, "a")
	lit := func(s string) expr.Expr { return expr.Literal(tTxt, s) }
	must := func(e expr.Expr, err error) expr.Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	isA1 := must(expr.Binary(expr.OpEq, a, lit("a1")))
	a2OrNull := must(expr.Binary(expr.OpOr, expr.In(a, []expr.Expr{lit("a2"), lit("a3")}, false), expr.IsNull(a, false)))
	filters := []struct {
		e    expr.Expr
		keep func(row []any) bool
	}{
		{expr.OverDictionaries(isA1), func(row []any) bool { return row[0] == "a1" }},
		{expr.OverDictionaries(a2OrNull), func(row []any) bool { return row[0] == nil || row[0] == "a2" || row[0] == "a3" }},
		{cmpExpr{2, expr.OpGt, 0}, func(row []any) bool { v, ok := row[2].(int64); return ok && v > 0 }},
	}
	for _, grouped := range []bool{false, true} {
		for _, parts := range []int{1, 2} {
			t.Run(fmt.Sprintf("grouped=%v/inputs=%d", grouped, parts), func(t *testing.T) {
				mem := checked(t)
				env := testEnv(mem, 64)
				var inputs []executor.Operator
				per := len(rows) / parts
				for p := range parts {
					var bs []arrow.RecordBatch
					for i := p * per; i < (p+1)*per; i += 50 {
						bs = append(bs, dictBatch(mem, r, rows[i:min(i+50, (p+1)*per)], 0, i%100 == 0))
					}
					inputs = append(inputs, NewBatches(bs[0].Schema(), bs))
					releaseBatches(bs)
				}
				var groups []expr.Expr
				if grouped {
					groups = []expr.Expr{expr.Column(1, tTxt, "b")}
				}
				var as []Aggregate
				for _, f := range filters {
					as = append(as, Aggregate{Func: "count_star", Filter: f.e}, Aggregate{Func: "sum", Args: []expr.Expr{expr.Column(2, tI8, "v")}, Filter: f.e})
				}
				op, err := NewHashAggregate(env, inputs, groups, as)
				if err != nil {
					t.Fatal(err)
				}
				got := mustDrain(t, op)
				// The reference: per group (b, or one group), count and
				// sum of v over the rows each filter keeps.
				type acc struct {
					n   []int64
					sum []any
				}
				want := map[any]*acc{}
				var order []any
				for _, row := range rows {
					var k any
					if grouped {
						k = row[1]
					}
					g, ok := want[k]
					if !ok {
						g = &acc{n: make([]int64, len(filters)), sum: make([]any, len(filters))}
						want[k] = g
						order = append(order, k)
					}
					for j, f := range filters {
						if !f.keep(row) {
							continue
						}
						g.n[j]++
						if v, ok := row[2].(int64); ok {
							s, _ := g.sum[j].(int64)
							g.sum[j] = s + v
						}
					}
				}
				var wantRows [][]any
				for _, k := range order {
					var out []any
					if grouped {
						out = append(out, k)
					}
					for j := range filters {
						sum := want[k].sum[j]
						if sum != nil {
							sum = fmt.Sprint(sum) // sum(bigint) is numeric
						}
						out = append(out, want[k].n[j], sum)
					}
					wantRows = append(wantRows, out)
				}
				sameRows(t, got, wantRows)
			})
		}
	}
}

// TestHashAggregateDictionaryValueKeys: keys computed from one text
// column that arrives as dictionary arrays (expr.OverDictionary: computed
// per dictionary entry, the rows keeping their codes) group as the same
// keys computed row by row: entries that map to one value (substr of
// b100, b101 …), NULL rows however encoded mapped to a value (concat
// gives 'x'), through a folded filter, on one input
// or two, in memory and spilled.
func TestHashAggregateDictionaryValueKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	rows := dictRows(r, 1200, 5, 300, 1000, 10)
	aggs := []refAgg{{fn: "count_star"}, {fn: "sum", col: 2}}
	call := func(name string, args ...expr.Expr) expr.Expr {
		t.Helper()
		e, err := expr.Call(name, args)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a, b := expr.Column(0, tTxt, "a"), expr.Column(1, tTxt, "b")
	concatA := expr.OverDictionary(call("concat", a, expr.Literal(tTxt, "x")))
	substrB := expr.OverDictionary(call("substr", b, expr.Literal(tI4, int32(1)), expr.Literal(tI4, int32(3))))
	for _, e := range []expr.Expr{concatA, substrB} {
		if _, ok := e.(*expr.DictValue); !ok {
			t.Fatalf("%s is %T, want a *expr.DictValue", e, e)
		}
	}
	// The reference rows: column 0 = concat(a, 'x'), 1 = substr(b, 1, 3).
	ref := make([][]any, len(rows))
	for i, row := range rows {
		x, y := "x", any(nil)
		if s, ok := row[0].(string); ok {
			x = s + "x"
		}
		if s, ok := row[1].(string); ok {
			y = s[:min(3, len(s))]
		}
		ref[i] = []any{x, y, row[2]}
	}
	for _, filtered := range []bool{false, true} {
		for _, parts := range []int{1, 2} {
			for _, budget := range []int64{0, 24 << 10} {
				t.Run(fmt.Sprintf("filtered=%v/inputs=%d/budget=%d", filtered, parts, budget), func(t *testing.T) {
					mem := checked(t)
					env := testEnv(mem, 64)
					if budget > 0 {
						env = spillEnv(t, mem, 64, budget)
					}
					filter := int64(noFilter)
					if filtered {
						filter = -800
					}
					inputs := dictInputs(t, mem, env, r, rows, parts, 0, filter)
					var as []Aggregate
					for _, a := range aggs {
						as = append(as, a.aggregate())
					}
					op, err := NewHashAggregate(env, inputs, []expr.Expr{concatA, substrB}, as)
					if err != nil {
						t.Fatal(err)
					}
					got := mustDrain(t, op)
					want := ref
					if filtered {
						want = filterRows(ref, 2, -800)
					}
					sameRows(t, got, refGroupBy(want, []int{0, 1}, aggs))
					if budget > 0 && env.Budget.Spilled() == 0 {
						t.Error("the aggregate did not spill; shrink the budget")
					}
				})
			}
		}
	}
}
