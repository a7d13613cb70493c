package ops

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// pgWinRows is the table of the PostgreSQL window tests:
//
//	create temp table t(id int8, p text, o int8, v int8, s text, b bool, f float8);
//	insert into t values (1,'a',1,10,'x'),(2,'a',1,NULL,'y'),(3,'a',2,30,'z'),(4,'a',3,40,NULL),(5,'a',3,50,'w'),
//	 (6,'b',1,5,'q'),(7,'b',NULL,7,'r'),(8,'b',2,NULL,'s'),(9,NULL,1,1,'t'),(10,NULL,1,2,'u'),(11,'a',4,60,'v');
//	update t set b = v > 20, f = v / 4.0;
var (
	pgWinSchema = schemaOf(i64, str, i64, i64, str, boo, f64)
	pgWinTypes  = []sqltypes.Type{tI8, tTxt, tI8, tI8, tTxt, tB, tF8}
	pgWinRows   = [][]any{
		{int64(1), "a", int64(1), int64(10), "x", false, 2.5}, {int64(2), "a", int64(1), nil, "y", nil, nil},
		{int64(3), "a", int64(2), int64(30), "z", true, 7.5}, {int64(4), "a", int64(3), int64(40), nil, true, 10.0},
		{int64(5), "a", int64(3), int64(50), "w", true, 12.5}, {int64(6), "b", int64(1), int64(5), "q", false, 1.25},
		{int64(7), "b", nil, int64(7), "r", false, 1.75}, {int64(8), "b", int64(2), nil, "s", nil, nil},
		{int64(9), nil, int64(1), int64(1), "t", false, 0.25}, {int64(10), nil, int64(1), int64(2), "u", false, 0.5},
		{int64(11), "a", int64(4), int64(60), "v", true, 15.0},
	}
)

func c(i int) expr.Expr             { return col(i, pgWinTypes[i]) }
func i4(n int32) expr.Expr          { return expr.Literal(tI4, n) }
func i8(n int64) expr.Expr          { return expr.Literal(tI8, n) }
func txt(s string) expr.Expr        { return expr.Literal(tTxt, s) }
func gt(i int, k int64) expr.Expr   { return cmpExpr{i, expr.OpGt, k} }
func rowsF(s, e FrameBound) Frame   { return Frame{Mode: FrameRows, Start: s, End: e} }
func groupsF(s, e FrameBound) Frame { return Frame{Mode: FrameGroups, Start: s, End: e} }
func rangeF(s, e FrameBound) Frame  { return Frame{Mode: FrameRange, Start: s, End: e} }
func oP(n int64) FrameBound         { return FrameBound{OffsetPreceding, n} }
func oF(n int64) FrameBound         { return FrameBound{OffsetFollowing, n} }

var (
	uP  = FrameBound{Kind: UnboundedPreceding}
	uF  = FrameBound{Kind: UnboundedFollowing}
	cur = FrameBound{Kind: CurrentRow}
)

// pgText renders a value as psql prints it.
func pgText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		return map[bool]string{true: "t", false: "f"}[x]
	case float64: // shortest exact digits, exponent outside [-4, 15) as float8out
		if e := math.Abs(x); x != 0 && !math.IsInf(x, 0) && (e < 1e-4 || e >= 1e15) {
			return strconv.FormatFloat(x, 'e', -1, 64)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pgText(e)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprint(v)
}

// pgNumEq compares a meshql numeric with PostgreSQL's text, which may show
// more or fewer fractional digits (see avgScale, statsScale): both rounded
// half away from zero to the smaller of the two scales must be equal.
func pgNumEq(got, want string) bool {
	scaleOf := func(s string) int {
		if i := strings.IndexByte(s, '.'); i >= 0 {
			return len(s) - i - 1
		}
		return 0
	}
	scale := int64(min(scaleOf(got), scaleOf(want)))
	round := func(s string) (*big.Int, bool) {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			return nil, false
		}
		r.Mul(r, new(big.Rat).SetInt(pow10(scale)))
		return roundDiv(r.Num(), r.Denom()), true
	}
	g, ok1 := round(got)
	w, ok2 := round(want)
	return ok1 && ok2 && g.Cmp(w) == 0
}

// Expected values: -- from PostgreSQL 15 (select <call> from t order by id).
var pgWinCases = []struct {
	sql    string
	win    string // PO, POI, P, OI, ODESC (see pgWindows)
	fn     string
	args   []expr.Expr
	filter expr.Expr
	frame  Frame
	want   []string // by id
}{
	{"row_number() OVER (PARTITION BY p ORDER BY o, id)", "POI", "row_number", nil, nil, Frame{}, []string{"1", "2", "3", "4", "5", "1", "3", "2", "1", "2", "6"}},
	{"rank() OVER (PARTITION BY p ORDER BY o)", "PO", "rank", nil, nil, Frame{}, []string{"1", "1", "3", "4", "4", "1", "3", "2", "1", "1", "6"}},
	{"dense_rank() OVER (PARTITION BY p ORDER BY o)", "PO", "dense_rank", nil, nil, Frame{}, []string{"1", "1", "2", "3", "3", "1", "3", "2", "1", "1", "4"}},
	{"percent_rank() OVER (PARTITION BY p ORDER BY o)", "PO", "percent_rank", nil, nil, Frame{}, []string{"0", "0", "0.4", "0.6", "0.6", "0", "1", "0.5", "0", "0", "1"}},
	{"cume_dist() OVER (PARTITION BY p ORDER BY o)", "PO", "cume_dist", nil, nil, Frame{}, []string{"0.3333333333333333", "0.3333333333333333", "0.5", "0.8333333333333334", "0.8333333333333334", "0.3333333333333333", "1", "0.6666666666666666", "1", "1", "1"}},
	{"rank() OVER (PARTITION BY p ORDER BY o DESC)", "ODESC", "rank", nil, nil, Frame{}, []string{"5", "5", "4", "2", "2", "3", "1", "2", "1", "1", "1"}},
	{"cume_dist() OVER (PARTITION BY p ORDER BY o DESC)", "ODESC", "cume_dist", nil, nil, Frame{}, []string{"1", "1", "0.6666666666666666", "0.5", "0.5", "1", "0.3333333333333333", "0.6666666666666666", "1", "1", "0.16666666666666666"}},
	{"percent_rank() OVER (PARTITION BY p)", "P", "percent_rank", nil, nil, Frame{}, []string{"0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"}},
	{"ntile(3) OVER (PARTITION BY p ORDER BY o, id)", "POI", "ntile", []expr.Expr{i4(3)}, nil, Frame{}, []string{"1", "1", "2", "2", "3", "1", "3", "2", "1", "2", "3"}},
	{"ntile(4) OVER (ORDER BY o, id)", "OI", "ntile", []expr.Expr{i4(4)}, nil, Frame{}, []string{"1", "1", "2", "3", "3", "1", "4", "3", "2", "2", "4"}},
	{"ntile(20) OVER (ORDER BY o, id)", "OI", "ntile", []expr.Expr{i4(20)}, nil, Frame{}, []string{"1", "2", "6", "8", "9", "3", "11", "7", "4", "5", "10"}},
	{"lag(v) OVER (PARTITION BY p ORDER BY o, id)", "POI", "lag", []expr.Expr{c(3)}, nil, Frame{}, []string{"NULL", "10", "NULL", "30", "40", "NULL", "NULL", "5", "NULL", "1", "50"}},
	{"lag(v, 2, -1::int8) OVER (PARTITION BY p ORDER BY o, id)", "POI", "lag", []expr.Expr{c(3), i4(2), i8(-1)}, nil, Frame{}, []string{"-1", "-1", "10", "NULL", "30", "-1", "5", "-1", "-1", "-1", "40"}},
	{"lead(v) OVER (PARTITION BY p ORDER BY o, id)", "POI", "lead", []expr.Expr{c(3)}, nil, Frame{}, []string{"NULL", "30", "40", "50", "60", "NULL", "NULL", "7", "2", "NULL", "NULL"}},
	{"lead(v, 1, 0::int8) OVER (PARTITION BY p ORDER BY o, id)", "POI", "lead", []expr.Expr{c(3), i4(1), i8(0)}, nil, Frame{}, []string{"NULL", "30", "40", "50", "60", "NULL", "0", "7", "2", "0", "0"}},
	{"lead(s, -1) OVER (PARTITION BY p ORDER BY o, id)", "POI", "lead", []expr.Expr{c(4), i4(-1)}, nil, Frame{}, []string{"NULL", "x", "y", "z", "NULL", "NULL", "s", "q", "NULL", "t", "w"}},
	{"lag(v, 0) OVER (PARTITION BY p ORDER BY o, id)", "POI", "lag", []expr.Expr{c(3), i4(0)}, nil, Frame{}, []string{"10", "NULL", "30", "40", "50", "5", "7", "NULL", "1", "2", "60"}},
	{"first_value(v) OVER (PARTITION BY p ORDER BY o)", "PO", "first_value", []expr.Expr{c(3)}, nil, Frame{}, []string{"10", "10", "10", "10", "10", "5", "5", "5", "1", "1", "10"}},
	{"last_value(s) OVER (PARTITION BY p ORDER BY o, id)", "POI", "last_value", []expr.Expr{c(4)}, nil, Frame{}, []string{"x", "y", "z", "NULL", "w", "q", "r", "s", "t", "u", "v"}},
	{"nth_value(v, 2) OVER (PARTITION BY p ORDER BY o, id)", "POI", "nth_value", []expr.Expr{c(3), i4(2)}, nil, Frame{}, []string{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "2", "NULL"}},
	{"first_value(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)", "POI", "first_value", []expr.Expr{c(3)}, nil, rowsF(oP(1), oF(1)), []string{"10", "10", "NULL", "30", "40", "5", "NULL", "5", "1", "1", "50"}},
	{"last_value(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)", "POI", "last_value", []expr.Expr{c(3)}, nil, rowsF(oP(1), oF(1)), []string{"NULL", "30", "40", "50", "60", "NULL", "7", "7", "2", "2", "60"}},
	{"nth_value(v, 3) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)", "POI", "nth_value", []expr.Expr{c(3), i4(3)}, nil, rowsF(uP, uF), []string{"30", "30", "30", "30", "30", "7", "7", "7", "NULL", "NULL", "30"}},
	{"count(*) OVER (PARTITION BY p ORDER BY o)", "PO", "count_star", nil, nil, Frame{}, []string{"2", "2", "3", "5", "5", "1", "3", "2", "2", "2", "6"}},
	{"count(v) OVER (PARTITION BY p ORDER BY o)", "PO", "count", []expr.Expr{c(3)}, nil, Frame{}, []string{"1", "1", "2", "4", "4", "1", "2", "1", "2", "2", "5"}},
	{"sum(v) OVER (PARTITION BY p ORDER BY o)", "PO", "sum", []expr.Expr{c(3)}, nil, Frame{}, []string{"10", "10", "40", "130", "130", "5", "12", "5", "3", "3", "190"}},
	{"avg(v) OVER (PARTITION BY p ORDER BY o)", "PO", "avg", []expr.Expr{c(3)}, nil, Frame{}, []string{"10.0000000000000000", "10.0000000000000000", "20.0000000000000000", "32.5000000000000000", "32.5000000000000000", "5.0000000000000000", "6.0000000000000000", "5.0000000000000000", "1.5000000000000000", "1.5000000000000000", "38.0000000000000000"}},
	{"min(v) OVER (PARTITION BY p ORDER BY o)", "PO", "min", []expr.Expr{c(3)}, nil, Frame{}, []string{"10", "10", "10", "10", "10", "5", "5", "5", "1", "1", "10"}},
	{"max(s) OVER (PARTITION BY p ORDER BY o)", "PO", "max", []expr.Expr{c(4)}, nil, Frame{}, []string{"y", "y", "z", "z", "z", "q", "s", "s", "u", "u", "z"}},
	{"string_agg(s, ',') OVER (PARTITION BY p ORDER BY o, id)", "POI", "string_agg", []expr.Expr{c(4), txt(",")}, nil, Frame{}, []string{"x", "x,y", "x,y,z", "x,y,z", "x,y,z,w", "q", "q,s,r", "q,s", "t", "t,u", "x,y,z,w,v"}},
	{"array_agg(v) OVER (PARTITION BY p ORDER BY o, id)", "POI", "array_agg", []expr.Expr{c(3)}, nil, Frame{}, []string{"{10}", "{10,NULL}", "{10,NULL,30}", "{10,NULL,30,40}", "{10,NULL,30,40,50}", "{5}", "{5,NULL,7}", "{5,NULL}", "{1}", "{1,2}", "{10,NULL,30,40,50,60}"}},
	{"stddev(v) OVER (PARTITION BY p ORDER BY o)", "PO", "stddev", []expr.Expr{c(3)}, nil, Frame{}, []string{"NULL", "NULL", "14.1421356237309505", "17.0782512765993306", "17.0782512765993306", "NULL", "1.4142135623730950", "NULL", "0.70710678118654752440", "0.70710678118654752440", "19.2353840616713448"}},
	{"var_pop(v) OVER (PARTITION BY p ORDER BY o)", "PO", "var_pop", []expr.Expr{c(3)}, nil, Frame{}, []string{"0", "0", "100.0000000000000000", "218.7500000000000000", "218.7500000000000000", "0", "1.00000000000000000000", "0", "0.25000000000000000000", "0.25000000000000000000", "296.0000000000000000"}},
	{"bool_and(b) OVER (PARTITION BY p ORDER BY o)", "PO", "bool_and", []expr.Expr{c(5)}, nil, Frame{}, []string{"f", "f", "f", "f", "f", "f", "f", "f", "f", "f", "f"}},
	{"bool_or(b) OVER (PARTITION BY p ORDER BY o)", "PO", "bool_or", []expr.Expr{c(5)}, nil, Frame{}, []string{"f", "f", "t", "t", "t", "f", "f", "f", "f", "f", "t"}},
	{"count(*) FILTER (WHERE v > 20) OVER (PARTITION BY p ORDER BY o)", "PO", "count_star", nil, gt(3, 20), Frame{}, []string{"0", "0", "1", "3", "3", "0", "0", "0", "0", "0", "4"}},
	{"sum(v) FILTER (WHERE v > 20) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)", "POI", "sum", []expr.Expr{c(3)}, gt(3, 20), rowsF(oP(1), oF(1)), []string{"NULL", "30", "70", "120", "150", "NULL", "NULL", "NULL", "NULL", "NULL", "110"}},
	{"sum(f) OVER (PARTITION BY p ORDER BY o)", "PO", "sum", []expr.Expr{c(6)}, nil, Frame{}, []string{"2.5", "2.5", "10", "32.5", "32.5", "1.25", "3", "1.25", "0.75", "0.75", "47.5"}},
	{"avg(f) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)", "POI", "avg", []expr.Expr{c(6)}, nil, rowsF(oP(1), cur), []string{"2.5", "2.5", "7.5", "8.75", "11.25", "1.25", "1.75", "1.25", "0.25", "0.375", "13.75"}},
	{"variance(f) OVER (PARTITION BY p ORDER BY o)", "PO", "variance", []expr.Expr{c(6)}, nil, Frame{}, []string{"NULL", "NULL", "12.5", "18.229166666666668", "18.229166666666668", "NULL", "0.125", "NULL", "0.03125", "0.03125", "23.125"}},
	{"sum(v) OVER (PARTITION BY p)", "P", "sum", []expr.Expr{c(3)}, nil, Frame{}, []string{"190", "190", "190", "190", "190", "12", "12", "12", "3", "3", "190"}},
	{"count(*) OVER (PARTITION BY p)", "P", "count_star", nil, nil, Frame{}, []string{"6", "6", "6", "6", "6", "3", "3", "3", "2", "2", "6"}},
	{"avg(v) OVER (PARTITION BY p)", "P", "avg", []expr.Expr{c(3)}, nil, Frame{}, []string{"38.0000000000000000", "38.0000000000000000", "38.0000000000000000", "38.0000000000000000", "38.0000000000000000", "6.0000000000000000", "6.0000000000000000", "6.0000000000000000", "1.5000000000000000", "1.5000000000000000", "38.0000000000000000"}},
	{"min(s) OVER (PARTITION BY p)", "P", "min", []expr.Expr{c(4)}, nil, Frame{}, []string{"v", "v", "v", "v", "v", "q", "q", "q", "t", "t", "v"}},
	{"sum(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)", "POI", "sum", []expr.Expr{c(3)}, nil, rowsF(oP(1), oF(1)), []string{"10", "40", "70", "120", "150", "5", "7", "12", "3", "3", "110"}},
	{"avg(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)", "POI", "avg", []expr.Expr{c(3)}, nil, rowsF(oP(2), cur), []string{"10.0000000000000000", "10.0000000000000000", "20.0000000000000000", "35.0000000000000000", "40.0000000000000000", "5.0000000000000000", "6.0000000000000000", "5.0000000000000000", "1.00000000000000000000", "1.5000000000000000", "50.0000000000000000"}},
	{"min(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)", "POI", "min", []expr.Expr{c(3)}, nil, rowsF(cur, uF), []string{"10", "30", "30", "40", "50", "5", "7", "7", "1", "2", "60"}},
	{"max(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING)", "POI", "max", []expr.Expr{c(3)}, nil, rowsF(oF(1), oF(2)), []string{"30", "40", "50", "60", "60", "7", "NULL", "7", "2", "NULL", "NULL"}},
	{"count(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING)", "POI", "count", []expr.Expr{c(3)}, nil, rowsF(oP(2), oP(1)), []string{"0", "1", "1", "1", "2", "0", "1", "1", "0", "1", "2"}},
	{"array_agg(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)", "POI", "array_agg", []expr.Expr{c(3)}, nil, rowsF(oP(1), oF(1)), []string{"{10,NULL}", "{10,NULL,30}", "{NULL,30,40}", "{30,40,50}", "{40,50,60}", "{5,NULL}", "{NULL,7}", "{5,NULL,7}", "{1,2}", "{1,2}", "{50,60}"}},
	{"string_agg(s, '-') OVER (PARTITION BY p ORDER BY o, id ROWS UNBOUNDED PRECEDING)", "POI", "string_agg", []expr.Expr{c(4), txt("-")}, nil, rowsF(uP, cur), []string{"x", "x-y", "x-y-z", "x-y-z", "x-y-z-w", "q", "q-s-r", "q-s", "t", "t-u", "x-y-z-w-v"}},
	{"stddev_samp(v) OVER (PARTITION BY p ORDER BY o, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)", "POI", "stddev_samp", []expr.Expr{c(3)}, nil, rowsF(oP(1), oF(1)), []string{"NULL", "14.1421356237309505", "7.0710678118654752", "10.0000000000000000", "10.0000000000000000", "NULL", "NULL", "1.4142135623730950", "0.70710678118654752440", "0.70710678118654752440", "7.0710678118654752"}},
	{"sum(v) OVER (PARTITION BY p ORDER BY o GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW)", "PO", "sum", []expr.Expr{c(3)}, nil, groupsF(oP(1), cur), []string{"10", "10", "40", "120", "120", "5", "7", "5", "3", "3", "150"}},
	{"count(*) OVER (PARTITION BY p ORDER BY o GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING)", "PO", "count_star", nil, nil, groupsF(cur, oF(1)), []string{"3", "3", "3", "3", "3", "2", "1", "2", "2", "2", "1"}},
	{"sum(v) OVER (PARTITION BY p ORDER BY o RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)", "PO", "sum", []expr.Expr{c(3)}, nil, rangeF(cur, uF), []string{"190", "190", "180", "150", "150", "12", "7", "7", "3", "3", "60"}},
	{"max(v) OVER (PARTITION BY p ORDER BY o RANGE BETWEEN CURRENT ROW AND CURRENT ROW)", "PO", "max", []expr.Expr{c(3)}, nil, rangeF(cur, cur), []string{"10", "10", "30", "50", "50", "5", "7", "NULL", "2", "2", "60"}},
}

var pgWindows = map[string]struct {
	part  []int
	order []SortKey
}{
	"PO":    {[]int{1}, []SortKey{{Expr: c(2)}}},
	"POI":   {[]int{1}, []SortKey{{Expr: c(2)}, {Expr: c(0)}}},
	"P":     {[]int{1}, nil},
	"OI":    {nil, []SortKey{{Expr: c(2)}, {Expr: c(0)}}},
	"ODESC": {[]int{1}, []SortKey{{Expr: c(2), Desc: true, NullsFirst: true}}},
}

func TestWindowPostgres(t *testing.T) {
	for _, tc := range pgWinCases {
		t.Run(tc.sql, func(t *testing.T) {
			mem := checked(t)
			w := pgWindows[tc.win]
			spec := WindowSpec{OrderBy: w.order, Funcs: []WindowFunc{{Func: tc.fn, Args: tc.args, Filter: tc.filter, Frame: tc.frame}}}
			for _, p := range w.part {
				spec.PartitionBy = append(spec.PartitionBy, c(p))
			}
			if err := checkWindowFunc(&spec.Funcs[0], len(w.order) > 0); err != nil {
				t.Fatal(err)
			}
			op, err := NewWindow(testEnv(mem, 3), source(mem, pgWinSchema, pgWinRows, 4, true), spec)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(pgWinRows))
			for _, r := range mustDrain(t, op) {
				got[r[0].(int64)-1] = pgText(r[len(r)-1])
			}
			numeric := spec.Funcs[0].Type.Kind == sqltypes.Numeric
			for i := range got {
				if got[i] != tc.want[i] && !(numeric && pgNumEq(got[i], tc.want[i])) {
					t.Errorf("id %d: got %s, want %s\ngot:  %v\nwant: %v", i+1, got[i], tc.want[i], got, tc.want)
					break
				}
			}
		})
	}
}
