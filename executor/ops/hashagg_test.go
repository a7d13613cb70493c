package ops

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// Aggregate test rows: k1 int8, k2 text, v int8, f float8, b bool, s text,
// d numeric(10,2), v32 int4, sep text.
var (
	decT      = &arrow.Decimal128Type{Precision: 10, Scale: 2}
	aggSchema = schemaOf(i64, str, i64, f64, boo, str, decT, i32, str)
	aggTypes  = []sqltypes.Type{tI8, tTxt, tI8, tF8, tB, tTxt, sqltypes.NumericType(10, 2), tI4, tTxt}
)

func randomAggRows(r *rand.Rand, n, keys int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		row := []any{
			int64(r.IntN(keys)), fmt.Sprint("k", r.IntN(3)), int64(r.IntN(2000) - 1000), float64(r.IntN(400)-200) / 4,
			r.IntN(3) != 0, fmt.Sprint("s", r.IntN(50)), decimal128.FromI64(int64(r.IntN(100000) - 50000)),
			int32(r.IntN(1 << 30)), []string{",", ";", "--"}[r.IntN(3)],
		}
		for c := range row {
			if r.IntN(8) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

// refAgg describes one aggregate for the reference implementation.
type refAgg struct {
	fn       string
	col      int
	distinct bool
	filter   bool // only rows where v > 0
}

func (a refAgg) aggregate() Aggregate {
	out := Aggregate{Func: a.fn, Distinct: a.distinct}
	if a.fn != "count_star" {
		out.Args = []expr.Expr{col(a.col, aggTypes[a.col])}
	}
	if a.fn == "string_agg" {
		out.Args = append(out.Args, col(8, tTxt))
	}
	if a.filter {
		out.Filter = cmpExpr{2, expr.OpGt, 0}
	}
	return out
}

var allAggs = []refAgg{
	{fn: "count_star"}, {fn: "count", col: 2}, {fn: "sum", col: 2}, {fn: "avg", col: 2},
	{fn: "min", col: 2}, {fn: "max", col: 2}, {fn: "sum", col: 7}, {fn: "avg", col: 7},
	{fn: "min", col: 5}, {fn: "max", col: 5}, {fn: "bool_and", col: 4}, {fn: "bool_or", col: 4},
	{fn: "array_agg", col: 2}, {fn: "string_agg", col: 5}, {fn: "sum", col: 3}, {fn: "avg", col: 3},
	{fn: "min", col: 3}, {fn: "max", col: 3}, {fn: "sum", col: 6}, {fn: "avg", col: 6},
	{fn: "min", col: 6}, {fn: "max", col: 6},
	{fn: "count", col: 5, distinct: true}, {fn: "sum", col: 2, distinct: true},
	{fn: "array_agg", col: 5, distinct: true}, {fn: "string_agg", col: 5, distinct: true},
	{fn: "count_star", filter: true}, {fn: "sum", col: 2, filter: true}, {fn: "array_agg", col: 0, filter: true},
	{fn: "count", col: 0, distinct: true, filter: true},
}

func bigDec(x *big.Int, scale int32) string { return decimal128.FromBigInt(x).ToString(scale) }

// roundDiv is x/d rounded half away from zero.
func roundDiv(x, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(x, d, new(big.Int))
	if new(big.Int).Abs(new(big.Int).Lsh(r, 1)).Cmp(d) >= 0 {
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// refValue computes one aggregate over a group's rows, row at a time.
func refValue(a refAgg, rows [][]any) any {
	var vals []any
	for _, r := range rows {
		if a.filter && (r[2] == nil || r[2].(int64) <= 0) {
			continue
		}
		if a.fn == "count_star" {
			vals = append(vals, true)
			continue
		}
		vals = append(vals, r[a.col])
	}
	if a.fn == "string_agg" {
		var out []byte
		seen := false
		for _, r := range rows {
			if r[a.col] == nil {
				continue
			}
			if seen && r[8] != nil {
				out = append(out, r[8].(string)...)
			}
			seen = true
			out = append(out, r[a.col].(string)...)
		}
		if a.distinct { // distinct over (value, sep), sorted by value then sep
			type vs struct{ v, s any }
			set := map[string]vs{}
			for _, r := range rows {
				set[fmtRow([]any{r[a.col], r[8]})] = vs{r[a.col], r[8]}
			}
			var list []vs
			for _, x := range set {
				list = append(list, x)
			}
			sort.Slice(list, func(i, j int) bool { return lessNullsLast(list[i].v, list[j].v, list[i].s, list[j].s) })
			out, seen = nil, false
			for _, x := range list {
				if x.v == nil {
					continue
				}
				if seen && x.s != nil {
					out = append(out, x.s.(string)...)
				}
				seen = true
				out = append(out, x.v.(string)...)
			}
		}
		if !seen {
			return nil
		}
		return string(out)
	}
	if a.distinct {
		set := map[string]any{}
		for _, v := range vals {
			set[fmtRow([]any{v})] = v
		}
		vals = vals[:0]
		for _, v := range set {
			vals = append(vals, v)
		}
		sort.Slice(vals, func(i, j int) bool { return lessNullsLast(vals[i], vals[j], nil, nil) })
	}
	if a.fn == "array_agg" {
		if len(vals) == 0 {
			return nil
		}
		return append([]any{}, vals...)
	}
	var nn []any
	for _, v := range vals {
		if v != nil {
			nn = append(nn, v)
		}
	}
	switch a.fn {
	case "count_star":
		return int64(len(vals))
	case "count":
		return int64(len(nn))
	}
	if len(nn) == 0 {
		return nil
	}
	switch a.fn {
	case "min", "max":
		best := nn[0]
		for _, v := range nn[1:] {
			c := refCmp(v, best)
			if (a.fn == "min" && c < 0) || (a.fn == "max" && c > 0) {
				best = v
			}
		}
		if d, ok := best.(decimal128.Num); ok {
			return d.ToString(2)
		}
		return best
	case "bool_and", "bool_or":
		acc := a.fn == "bool_and"
		for _, v := range nn {
			if a.fn == "bool_and" {
				acc = acc && v.(bool)
			} else {
				acc = acc || v.(bool)
			}
		}
		return acc
	}
	sum, fsum, scale := new(big.Int), 0.0, int32(0)
	for _, v := range nn {
		switch x := v.(type) {
		case int64:
			sum.Add(sum, big.NewInt(x))
		case int32:
			sum.Add(sum, big.NewInt(int64(x)))
		case float64:
			fsum += x
		case decimal128.Num:
			sum.Add(sum, x.BigInt())
			scale = 2
		}
	}
	n := big.NewInt(int64(len(nn)))
	switch x := nn[0].(type) {
	case float64:
		if a.fn == "avg" {
			return fsum / float64(len(nn))
		}
		return fsum
	case int32:
		if a.fn == "sum" {
			return sum.Int64()
		}
		_ = x
	}
	if a.fn == "sum" {
		return bigDec(sum, scale)
	}
	shift := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(16-scale)), nil)
	return bigDec(roundDiv(sum.Mul(sum, shift), n), 16)
}

func lessNullsLast(a, b, a2, b2 any) bool {
	c := func(x, y any) int {
		switch {
		case x == nil && y == nil:
			return 0
		case x == nil:
			return 1
		case y == nil:
			return -1
		}
		return refCmp(x, y)
	}
	if r := c(a, b); r != 0 {
		return r < 0
	}
	return c(a2, b2) < 0
}

// refGroupBy is the reference GROUP BY over rows.
func refGroupBy(rows [][]any, keys []int, aggs []refAgg) [][]any {
	groups := map[string][][]any{}
	var order []string
	for _, r := range rows {
		var k []any
		for _, c := range keys {
			k = append(k, r[c])
		}
		ks := fmtRow(k)
		if _, ok := groups[ks]; !ok {
			order = append(order, ks)
		}
		groups[ks] = append(groups[ks], r)
	}
	if len(keys) == 0 && len(order) == 0 {
		order, groups[""] = []string{""}, nil
	}
	var out [][]any
	for _, ks := range order {
		g := groups[ks]
		var row []any
		for _, c := range keys {
			row = append(row, g[0][c])
		}
		for _, a := range aggs {
			row = append(row, refValue(a, g))
		}
		out = append(out, row)
	}
	return out
}

func runAgg(t *testing.T, env *executor.Env, inputs []executor.Operator, keys []int, aggs []refAgg) [][]any {
	t.Helper()
	var groups []expr.Expr
	for _, c := range keys {
		groups = append(groups, col(c, aggTypes[c]))
	}
	var as []Aggregate
	for _, a := range aggs {
		as = append(as, a.aggregate())
	}
	op, err := NewHashAggregate(env, inputs, groups, as)
	if err != nil {
		for _, in := range inputs {
			in.Close()
		}
		t.Fatal(err)
	}
	return mustDrain(t, op)
}

func TestHashAggregateRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	keySets := [][]int{{}, {0}, {1}, {1, 0}, {4}, {7}}
	for _, n := range []int{0, 1, 300} {
		rows := randomAggRows(r, n, 10)
		for _, keys := range keySets {
			for _, parts := range []int{1, 3} {
				t.Run(fmt.Sprintf("n=%d/keys=%v/inputs=%d", n, keys, parts), func(t *testing.T) {
					mem := checked(t)
					env := testEnv(mem, 7)
					var inputs []executor.Operator
					per := (n + parts - 1) / max(parts, 1)
					for p := range parts {
						chunk := rows[min(p*per, n):min((p+1)*per, n)]
						inputs = append(inputs, source(mem, aggSchema, chunk, 16, p%2 == 0))
					}
					got := runAgg(t, env, inputs, keys, allAggs)
					sameRows(t, got, refGroupBy(rows, keys, allAggs))
				})
			}
		}
	}
}

func TestHashAggregateEdges(t *testing.T) {
	t.Run("float keys NaN and -0", func(t *testing.T) {
		mem := checked(t)
		env := testEnv(mem, 2)
		s := schemaOf(f64, i64)
		rows := [][]any{{math.NaN(), int64(1)}, {0.0, int64(2)}, {math.Copysign(0, -1), int64(3)}, {math.Float64frombits(0x7ff8000000000abc), int64(4)}, {nil, int64(5)}, {nil, int64(6)}}
		op, err := NewHashAggregate(env, []executor.Operator{source(mem, s, rows, 4, true)}, []expr.Expr{col(0, tF8)}, []Aggregate{{Func: "sum", Args: []expr.Expr{col(1, tI8)}}})
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, mustDrain(t, op), [][]any{{math.NaN(), "5"}, {0.0, "5"}, {nil, "11"}})
	})
	t.Run("sum int4 overflow is 22003", func(t *testing.T) {
		// sum(int4) is bigint: it cannot overflow with few rows, so check the int8 path of sum over int2/int4 via merge-free accumulation.
		a := &sumAcc{kind: sumI64}
		a.grow(1)
		a.i64[0] = math.MaxInt64 - 1
		err := sumInts(a, []int32{0, 0}, []int32{1, 1}, validity{})
		wantCode(t, err, sqltypes.CodeNumericOutOfRange)
	})
	t.Run("sum int8 exceeds bigint", func(t *testing.T) {
		mem := checked(t)
		env := testEnv(mem, 2)
		rows := intRows(0, 0, 0)
		for i := range rows {
			rows[i][0] = int64(math.MaxInt64)
		}
		op, _ := NewHashAggregate(env, []executor.Operator{source(mem, schemaOf(i64), rows, 2, false)}, nil,
			[]Aggregate{{Func: "sum", Args: []expr.Expr{col(0, tI8)}}, {Func: "avg", Args: []expr.Expr{col(0, tI8)}}})
		want := new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(3))
		sameRows(t, mustDrain(t, op), [][]any{{want.String(), "9223372036854775807.0000000000000000"}})
	})
	t.Run("unknown function", func(t *testing.T) {
		_, err := AggregateType("median", []sqltypes.Type{tI8})
		wantCode(t, err, sqltypes.CodeUndefinedFunction)
		_, err = AggregateType("sum", []sqltypes.Type{tTxt})
		wantCode(t, err, sqltypes.CodeUndefinedFunction)
	})
	t.Run("error in parallel input", func(t *testing.T) {
		mem := checked(t)
		env := testEnv(mem, 2)
		bad := &failingOp{Operator: source(mem, schemaOf(i64), intRows(1, 2, 3), 1, false), after: 1}
		op, _ := NewHashAggregate(env, []executor.Operator{source(mem, schemaOf(i64), intRows(1, 2), 1, false), bad}, nil,
			[]Aggregate{{Func: "count_star"}})
		_, err := drain(t, op)
		wantCode(t, err, "22012")
	})
}

func TestAggregateType(t *testing.T) {
	cases := []struct {
		fn   string
		args []sqltypes.Type
		want string
	}{
		{"count_star", nil, "bigint"},
		{"count", []sqltypes.Type{tTxt}, "bigint"},
		{"sum", []sqltypes.Type{tI4}, "bigint"},
		{"sum", []sqltypes.Type{tI8}, "numeric(38,0)"},
		{"sum", []sqltypes.Type{sqltypes.NumericType(10, 3)}, "numeric(38,3)"},
		{"sum", []sqltypes.Type{sqltypes.TypeFloat4}, "real"},
		{"avg", []sqltypes.Type{sqltypes.TypeInt2}, "numeric(38,16)"},
		{"avg", []sqltypes.Type{sqltypes.NumericType(30, 20)}, "numeric(38,20)"},
		{"avg", []sqltypes.Type{sqltypes.TypeFloat4}, "double precision"},
		{"max", []sqltypes.Type{sqltypes.TypeDate}, "date"},
		{"array_agg", []sqltypes.Type{tTxt}, "text[]"},
		{"bool_or", []sqltypes.Type{tB}, "boolean"},
		{"string_agg", []sqltypes.Type{tTxt, tTxt}, "text"},
		{"count_star", []sqltypes.Type{tI8, tTxt}, "bigint"}, // count(DISTINCT (a, b))
	}
	for _, tc := range cases {
		got, err := AggregateType(tc.fn, tc.args)
		if err != nil || got.String() != tc.want {
			t.Errorf("%s%v = %v, %v; want %s", tc.fn, tc.args, got, err, tc.want)
		}
	}
	for _, bad := range []struct {
		fn   string
		args []sqltypes.Type
	}{{"min", []sqltypes.Type{tB}}, {"string_agg", []sqltypes.Type{tTxt}}, {"bool_and", []sqltypes.Type{tI8}}} {
		_, err := AggregateType(bad.fn, bad.args)
		wantCode(t, err, sqltypes.CodeUndefinedFunction)
	}
}

// TestHashAggregateParallelMerge aggregates enough groups over several
// inputs that their partial states are merged by partition on several
// goroutines (hashaggmerge.go), with integer, text and composite keys,
// and checks the groups against the reference.
func TestHashAggregateParallelMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n = 40_000
	rows := randomAggRows(r, n, 100_000)
	aggs := []refAgg{
		{fn: "count_star"}, {fn: "count", col: 2}, {fn: "sum", col: 2}, {fn: "avg", col: 2},
		{fn: "min", col: 2}, {fn: "max", col: 2}, {fn: "sum", col: 7}, {fn: "avg", col: 7},
		{fn: "sum", col: 3}, {fn: "min", col: 3}, {fn: "sum", col: 6}, {fn: "avg", col: 6},
		{fn: "max", col: 6}, {fn: "sum", col: 2, filter: true},
	}
	// Keys {0, 7} and {6} pack into one integer (hashaggpack.go), {0} is
	// one: without NULLs the merge routes those integers themselves; with
	// a NULL group it builds key columns as for other keys.
	noNulls := make([][]any, n)
	for i, row := range rows {
		row = append([]any(nil), row...)
		row[0], row[6], row[7] = cmp.Or(row[0], any(int64(-1))), cmp.Or(row[6], any(decimal128.FromI64(-1))), cmp.Or(row[7], any(int32(-1)))
		noNulls[i] = row
	}
	for _, tc := range []struct {
		keys  []int
		nulls bool
	}{{[]int{0}, true}, {[]int{0}, false}, {[]int{1, 0}, true}, {[]int{0, 7}, false}, {[]int{6}, false}, {[]int{6}, true}} {
		keys, rows := tc.keys, rows
		if !tc.nulls {
			rows = noNulls
		}
		t.Run(fmt.Sprintf("keys=%v/nulls=%v", keys, tc.nulls), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 1024)
			var inputs []executor.Operator
			const parts = 4
			for p := range parts {
				inputs = append(inputs, source(mem, aggSchema, rows[p*n/parts:(p+1)*n/parts], 1024, p%2 == 0))
			}
			got := runAgg(t, env, inputs, keys, aggs)
			want := refGroupBy(rows, keys, aggs)
			for _, row := range want {
				if d, ok := row[0].(decimal128.Num); ok {
					row[0] = d.ToString(decT.Scale) // as the output column reads
				}
			}
			sameRows(t, got, want)
		})
	}
}

// TestHashAggregateHintGroups: the planner's estimate sizes each input's
// table once (half the groups an input is expected to meet), not when
// that would take more than half of the budget left, and the answer is
// the same either way.
func TestHashAggregateHintGroups(t *testing.T) {
	const n = 40_000
	// 20000 groups (i mod 20000, i mod 2) of two rows each.
	rows := make([][]any, n)
	sums := map[[2]int64]int64{}
	for i := range rows {
		k, v := [2]int64{int64(i % 20_000), int64(i % 2)}, int64(i%97-48)
		rows[i] = []any{k[0], k[1], v}
		sums[k] += v
	}
	var want [][]any
	for k, v := range sums {
		want = append(want, []any{k[0], k[1], int64(2), fmt.Sprint(v)})
	}
	s := schemaOf(i64, i64, i64)
	for _, tc := range []struct {
		name  string
		limit int64
		slots int // of each input's table once sized
	}{{"sized", 0, 1 << 14}, {"over budget", 1 << 20, 16}} {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 1024)
			env.Budget = membudget.New(membudget.Options{Limit: tc.limit, TempDir: t.TempDir()})
			defer env.Budget.Close()
			var inputs []executor.Operator
			for p := range 2 {
				inputs = append(inputs, source(mem, s, rows[p*n/2:(p+1)*n/2], 1024, false))
			}
			op, err := NewHashAggregate(env, inputs, []expr.Expr{col(0, tI8), col(1, tI8)},
				[]Aggregate{{Func: "count_star"}, {Func: "sum", Args: []expr.Expr{col(2, tI8)}}})
			if err != nil {
				t.Fatal(err)
			}
			// Groups of 2 rows: an input meets 3/4 of them (here all of
			// them, its rows being consecutive), 7500 of which are sized.
			HintGroups(op, 20_000, n)
			checkPresized(t, op.(*hashAggOp), tc.slots)
			sameRows(t, mustDrain(t, op), want)
		})
	}
}

// TestHashAggregateMergeOneSidedPartition: when an input's groups all
// fall into some of the parallel merge's partitions, the others take
// none of them (an empty selection once meant all of that input's
// groups, each emitted twice), with generic and packed keys.
func TestHashAggregateMergeOneSidedPartition(t *testing.T) {
	for _, packed := range []bool{false, true} {
		t.Run(fmt.Sprintf("packed=%v", packed), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 1024)
			key := func(i int) any {
				if packed {
					return int64(i)
				}
				return fmt.Sprint("k", i)
			}
			s, kt := schemaOf(str, i64), tTxt
			if packed {
				s, kt = schemaOf(i64, i64), tI8
			}
			var many, one [][]any
			for i := range 40_000 {
				many = append(many, []any{key(i), int64(1)})
			}
			one = append(one, []any{key(7), int64(1)})
			inputs := []executor.Operator{source(mem, s, many, 1024, false), source(mem, s, one, 1024, false)}
			op, err := NewHashAggregate(env, inputs, []expr.Expr{col(0, kt), col(1, tI8)}, []Aggregate{{Func: "count_star"}})
			if err != nil {
				t.Fatal(err)
			}
			got := mustDrain(t, op)
			want := make([][]any, len(many))
			for i, r := range many {
				want[i] = []any{r[0], r[1], int64(1)}
			}
			want[7][2] = int64(2)
			sameRows(t, got, want)
		})
	}
}
