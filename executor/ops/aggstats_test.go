package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// The PostgreSQL statistics table:
//
//	create temp table g(k text, i int8, n numeric(10,2), f float8, iv interval);
//	insert into g values ('a',1,1.50,1.5,'1 day'),('a',2,2.25,2.5,'2 hours'),('a',3,4.00,NULL,'1 month 3 days'),
//	 ('a',4,NULL,10,NULL),('a',NULL,0.10,-3,'-5 minutes'),('b',100000,12345.67,1e10,'10 days'),
//	 ('b',200000,-0.01,1e10+1,'1 year'),('b',400000,99999.99,-1e-5,'3 hours 7 seconds'),
//	 ('c',7,7.77,7.25,'7 days'),('d',NULL,NULL,NULL,NULL);
var (
	statsDec    = &arrow.Decimal128Type{Precision: 10, Scale: 2}
	statsSchema = schemaOf(str, i64, statsDec, f64, arrow.FixedWidthTypes.MonthDayNanoInterval)
	statsTypes  = []sqltypes.Type{tTxt, tI8, sqltypes.NumericType(10, 2), tF8, sqltypes.TypeInterval}
)

func dec2(units int64) decimal128.Num { return decimal128.FromI64(units) }

func ivl(months, days int32, secs float64) arrow.MonthDayNanoInterval {
	return arrow.MonthDayNanoInterval{Months: months, Days: days, Nanoseconds: int64(math.Round(secs * 1e9))}
}

var statsRows = [][]any{
	{"a", int64(1), dec2(150), 1.5, ivl(0, 1, 0)}, {"a", int64(2), dec2(225), 2.5, ivl(0, 0, 7200)},
	{"a", int64(3), dec2(400), nil, ivl(1, 3, 0)}, {"a", int64(4), nil, 10.0, nil}, {"a", nil, dec2(10), -3.0, ivl(0, 0, -300)},
	{"b", int64(100000), dec2(1234567), 1e10, ivl(0, 10, 0)}, {"b", int64(200000), dec2(-1), 1e10 + 1, ivl(12, 0, 0)},
	{"b", int64(400000), dec2(9999999), -1e-5, ivl(0, 0, 3*3600+7)},
	{"c", int64(7), dec2(777), 7.25, ivl(0, 7, 0)}, {"d", nil, nil, nil, nil},
}

// statsAgg reads its column as the planner's expressions do
// (expr.Column): ordered-set aggregates of one column then share their
// retained values (shareRetained).
func statsAgg(fn string, c int, frac ...float64) Aggregate {
	a := Aggregate{Func: fn, Args: []expr.Expr{expr.Column(c, statsTypes[c], "")}}
	if len(frac) > 0 {
		a.Args = append([]expr.Expr{expr.Literal(tF8, frac[0])}, a.Args...)
	}
	return a
}

func statsText(v any) string {
	if iv, ok := v.(arrow.MonthDayNanoInterval); ok {
		return fmt.Sprintf("%dm%dd%dns", iv.Months, iv.Days, iv.Nanoseconds)
	}
	return pgText(v)
}

func TestStatsPostgres(t *testing.T) {
	aggs := []Aggregate{
		statsAgg("stddev", 1), statsAgg("stddev_samp", 1), statsAgg("stddev_pop", 1), statsAgg("variance", 1), statsAgg("var_samp", 1), statsAgg("var_pop", 1),
		statsAgg("stddev", 2), statsAgg("stddev_pop", 2), statsAgg("variance", 2), statsAgg("var_pop", 2),
		statsAgg("stddev", 3), statsAgg("stddev_pop", 3), statsAgg("variance", 3), statsAgg("var_pop", 3),
		statsAgg("percentile_cont", 3, 0.5), statsAgg("percentile_cont", 3, 0.25), statsAgg("percentile_disc", 1, 0.5),
		statsAgg("percentile_disc", 2, 0), statsAgg("percentile_disc", 2, 1), statsAgg("percentile_cont", 4, 0.3),
		statsAgg("percentile_disc", 4, 0.7), statsAgg("percentile_disc", 0, 0.5),
		statsAgg("percentile_cont", 1, 0.5), statsAgg("percentile_cont", 2, 0.9), // cast to double precision
	}
	// -- from PostgreSQL 15: select k, <aggs> from g group by k order by k
	// (percentile_cont(f) within group (order by x) for percentile_cont).
	want := map[string][]string{
		"a": {"1.2909944487358056", "1.2909944487358056", "1.1180339887498948", "1.6666666666666667", "1.6666666666666667", "1.2500000000000000",
			"1.6244870985432089", "1.4068470954584937", "2.6389583333333333", "1.9792187500000000",
			"5.392896562454479", "4.670385423067351", "29.083333333333332", "21.8125",
			"2", "0.375", "2", "0.10", "4.00", statsText(ivl(0, 0, 6450)), statsText(ivl(0, 1, 0)), "a", "2.5", "3.4750000000000005"},
		"b": {"152752.52316519", "152752.52316519", "124721.91289246", "23333333333.33333333", "23333333333.33333333", "15555555555.55555556",
			"54521.70153453", "44516.78288931", "2972615938.22080000", "1981743958.81386667",
			"5773502692.184938", "4714045208.146024", "3.333333333666673e+19", "2.2222222224444486e+19",
			"10000000000", "4999999999.999995", "200000", "-0.01", "99999.99", statsText(ivl(0, 6, 3600+12*60+2.8)), statsText(ivl(12, 0, 0)), "b", "200000", "82469.126"},
		"c": {"NULL", "NULL", "0", "NULL", "NULL", "0", "NULL", "0", "NULL", "0", "NULL", "0", "NULL", "0",
			"7.25", "7.25", "7", "7.77", "7.77", statsText(ivl(0, 7, 0)), statsText(ivl(0, 7, 0)), "c", "7", "7.77"},
		"d": {"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
			"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "d", "NULL", "NULL"},
	}
	for _, inputs := range []int{1, 3} {
		t.Run(fmt.Sprintf("inputs=%d", inputs), func(t *testing.T) {
			mem := checked(t)
			var ins []executor.Operator
			for p := range inputs {
				var chunk [][]any
				for i := p; i < len(statsRows); i += inputs {
					chunk = append(chunk, statsRows[i])
				}
				ins = append(ins, source(mem, statsSchema, chunk, 2, p == 0))
			}
			op, err := NewHashAggregate(testEnv(mem, 3), ins, []expr.Expr{col(0, tTxt)}, aggs)
			if err != nil {
				t.Fatal(err)
			}
			got := mustDrain(t, op)
			if len(got) != len(want) {
				t.Fatalf("got %d groups", len(got))
			}
			for _, r := range got {
				k := r[0].(string)
				for j, a := range aggs {
					g, w := statsText(r[1+j]), want[k][j]
					ok := g == w || (op.Schema().Field(1+j).Type.ID() == arrow.DECIMAL128 && pgNumEq(g, w))
					if f, isF := r[1+j].(float64); !ok && isF && inputs > 1 { // merged partial states round differently
						var wf float64
						fmt.Sscan(w, &wf)
						ok = math.Abs(f-wf) <= 1e-9*math.Abs(wf)
					}
					if !ok {
						t.Errorf("group %s: %s(%s) = %s, want %s", k, a.Func, a.Args[len(a.Args)-1], g, w)
					}
				}
			}
		})
	}
}

func TestStatsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	rows := randomAggRows(r, 400, 6)
	for _, x := range rows { // groups 1, 2: huge bigints, Σx exceeds 64 bits and Σx² 128 bits
		if x[2] != nil && (x[0] == int64(1) || x[0] == int64(2)) {
			x[2] = x[2].(int64) + 4_000_000_000_000_000_000
		}
	}
	aggs := []refAgg{{fn: "var_samp", col: 2}, {fn: "stddev_pop", col: 2}, {fn: "variance", col: 7}, {fn: "stddev_pop", col: 7}}
	for _, inputs := range []int{1, 4} {
		t.Run(fmt.Sprintf("inputs=%d", inputs), func(t *testing.T) {
			mem := checked(t)
			var ins []executor.Operator
			per := len(rows) / inputs
			for p := range inputs {
				ins = append(ins, source(mem, aggSchema, rows[p*per:(p+1)*per], 16, p%2 == 1))
			}
			var as []Aggregate
			for _, a := range aggs {
				as = append(as, Aggregate{Func: a.fn, Args: []expr.Expr{col(a.col, aggTypes[a.col])}})
			}
			op, err := NewHashAggregate(testEnv(mem, 7), ins, []expr.Expr{col(0, tI8)}, as)
			if err != nil {
				t.Fatal(err)
			}
			groups := map[string][][]any{}
			for _, x := range rows {
				groups[fmtRow(x[:1])] = append(groups[fmtRow(x[:1])], x)
			}
			var want [][]any
			for _, g := range groups {
				row := []any{g[0][0]}
				for _, a := range aggs {
					row = append(row, refStats(a.fn, a.col, g))
				}
				want = append(want, row)
			}
			sameRows(t, mustDrain(t, op), want)
		})
	}
}

// refPercentile is the row-at-a-time percentile of the non-NULL values,
// sorted as PostgreSQL sorts them (NaN after every number).
func refPercentile(cont, desc bool, f float64, vals []float64) any {
	slices.SortFunc(vals, floatCmp[float64])
	if desc {
		slices.Reverse(vals)
	}
	n := len(vals)
	if n == 0 {
		return nil
	}
	if !cont {
		return vals[max(int(math.Ceil(f*float64(n))), 1)-1]
	}
	lo, hi := math.Floor(f*float64(n-1)), math.Ceil(f*float64(n-1))
	if hi == lo {
		return vals[int(lo)]
	}
	a, b := vals[int(lo)], vals[int(hi)]
	return a + (f*float64(n-1)-lo)*(b-a)
}

func TestPercentileRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	rows := randomAggRows(r, 300, 7)
	fracs := []float64{0, 0.1, 0.5, 0.75, 1}
	for _, inputs := range []int{1, 3} {
		t.Run(fmt.Sprintf("inputs=%d", inputs), func(t *testing.T) {
			mem := checked(t)
			var ins []executor.Operator
			per := len(rows) / inputs
			for p := range inputs {
				ins = append(ins, source(mem, aggSchema, rows[p*per:(p+1)*per], 11, p == 1))
			}
			var as []Aggregate
			for _, f := range fracs {
				for _, fn := range []string{"percentile_cont", "percentile_disc"} {
					as = append(as, Aggregate{Func: fn, Args: []expr.Expr{expr.Literal(tF8, f), col(3, tF8)}, Filter: cmpExpr{2, expr.OpGt, -500}})
				}
			}
			op, err := NewHashAggregate(testEnv(mem, 5), ins, []expr.Expr{col(0, tI8)}, as)
			if err != nil {
				t.Fatal(err)
			}
			groups := map[string][][]any{}
			for _, x := range rows {
				groups[fmtRow(x[:1])] = append(groups[fmtRow(x[:1])], x)
			}
			var want [][]any
			for _, g := range groups {
				var vals []float64
				for _, x := range g {
					if x[3] != nil && x[2] != nil && x[2].(int64) > -500 {
						vals = append(vals, x[3].(float64))
					}
				}
				row := []any{g[0][0]}
				for _, f := range fracs {
					row = append(row, refPercentile(true, false, f, slices.Clone(vals)), refPercentile(false, false, f, slices.Clone(vals)))
				}
				want = append(want, row)
			}
			sameRows(t, mustDrain(t, op), want)
		})
	}
}

func TestStatsErrors(t *testing.T) {
	mem := checked(t)
	for _, f := range []float64{1.5, -0.1, math.NaN()} {
		op, err := NewHashAggregate(testEnv(mem, 2), []executor.Operator{source(mem, statsSchema, statsRows, 3, false)}, nil,
			[]Aggregate{statsAgg("percentile_cont", 3, f)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = drain(t, op)
		wantCode(t, err, sqltypes.CodeNumericOutOfRange) // percentile value 1.5 is not between 0 and 1
	}
	// NULL fraction: NULL.
	null := Aggregate{Func: "percentile_disc", Args: []expr.Expr{expr.Literal(tF8, nil), col(1, tI8)}}
	op, err := NewHashAggregate(testEnv(mem, 2), []executor.Operator{source(mem, statsSchema, statsRows, 3, false)}, nil, []Aggregate{null})
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, mustDrain(t, op), [][]any{{nil}})
	// Float overflow from finite inputs: 22003, as float8_accum.
	big := [][]any{{"a", nil, nil, 1e308, nil}, {"a", nil, nil, -1e308, nil}, {"a", nil, nil, 1e308, nil}}
	op, err = NewHashAggregate(testEnv(mem, 2), []executor.Operator{source(mem, statsSchema, big, 3, false)}, nil, []Aggregate{statsAgg("variance", 3)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = drain(t, op)
	wantCode(t, err, sqltypes.CodeNumericOutOfRange)
	for _, bad := range []struct {
		fn   string
		args []sqltypes.Type
	}{{"stddev", []sqltypes.Type{tTxt}}, {"percentile_cont", []sqltypes.Type{tF8, tTxt}}, {"percentile_disc", []sqltypes.Type{tI8, tI8}}, {"var_pop", nil}} {
		_, err := AggregateType(bad.fn, bad.args)
		wantCode(t, err, sqltypes.CodeUndefinedFunction)
	}
	for _, ok := range []struct {
		fn   string
		args []sqltypes.Type
		want string
	}{
		{"stddev", []sqltypes.Type{tI4}, "numeric(38,16)"}, {"var_pop", []sqltypes.Type{sqltypes.TypeFloat4}, "double precision"},
		{"variance", []sqltypes.Type{sqltypes.NumericType(12, 10)}, "numeric(38,20)"},
		{"percentile_cont", []sqltypes.Type{tF8, sqltypes.TypeInterval}, "interval"}, {"percentile_disc", []sqltypes.Type{tF8, tTxt}, "text"},
		{"percentile_cont", []sqltypes.Type{tF8, tI4}, "double precision"}, {"percentile_disc", []sqltypes.Type{tF8, tI4}, "integer"},
	} {
		got, err := AggregateType(ok.fn, ok.args)
		if err != nil || got.String() != ok.want {
			t.Errorf("%s%v = %v, %v; want %s", ok.fn, ok.args, got, err, ok.want)
		}
	}
}
