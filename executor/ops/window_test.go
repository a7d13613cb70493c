package ops

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Window tests run over aggSchema rows (hashagg_test.go): k1 int8, k2
// text, v int8, f float8, b bool, s text, d numeric(10,2), v32 int4, sep.

// wArg is a window function argument and its row-at-a-time value.
type wArg struct {
	e   expr.Expr
	get func(r []any) any
}

func wcol(c int) wArg { return wArg{col(c, aggTypes[c]), func(r []any) any { return r[c] }} }

func wlit(t sqltypes.Type, v any) wArg {
	return wArg{expr.Literal(t, v), func([]any) any { return v }}
}

// wOffset is (v32 % 5) - 2 as int4: lag/lead offsets in [-2, 2], NULL
// where v32 is NULL.
var wOffset = wArg{
	funcExpr{tI4, func(env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
		in := b.Column(7).(*array.Int32)
		bld := array.NewInt32Builder(env.Mem)
		defer bld.Release()
		for i := range in.Len() {
			if in.IsNull(i) {
				bld.AppendNull()
			} else {
				bld.Append(in.Value(i)%5 - 2)
			}
		}
		return bld.NewArray(), nil
	}},
	func(r []any) any {
		if r[7] == nil {
			return nil
		}
		return r[7].(int32)%5 - 2
	},
}

type wCase struct {
	fn     string
	args   []wArg
	filter bool // v > 0
	col    int  // aggregate argument column, for refValue
}

func (c wCase) windowFunc(fr Frame) WindowFunc {
	f := WindowFunc{Func: c.fn, Frame: fr}
	for _, a := range c.args {
		f.Args = append(f.Args, a.e)
	}
	if c.fn == "string_agg" {
		f.Args = append(f.Args, col(8, tTxt))
	}
	if c.filter {
		f.Filter = cmpExpr{2, expr.OpGt, 0}
	}
	return f
}

func agg(fn string, c int, filter bool) wCase {
	w := wCase{fn: fn, col: c, filter: filter}
	if fn != "count_star" {
		w.args = []wArg{wcol(c)}
	}
	return w
}

var rankCases = []wCase{
	{fn: "row_number"}, {fn: "rank"}, {fn: "dense_rank"}, {fn: "percent_rank"}, {fn: "cume_dist"},
	{fn: "ntile", args: []wArg{wlit(tI4, int32(3))}}, {fn: "ntile", args: []wArg{wlit(tI4, int32(7))}},
	{fn: "lag", args: []wArg{wcol(2)}}, {fn: "lead", args: []wArg{wcol(5), wlit(tI4, int32(2)), wlit(tTxt, "dflt")}},
	{fn: "lag", args: []wArg{wcol(2), wOffset, wcol(2)}}, {fn: "lead", args: []wArg{wcol(3), wOffset}},
}

var frameCases = []wCase{
	{fn: "first_value", args: []wArg{wcol(5)}}, {fn: "last_value", args: []wArg{wcol(2)}},
	{fn: "nth_value", args: []wArg{wcol(3), wlit(tI4, int32(2))}},
	agg("count_star", 0, false), agg("count", 2, false), agg("sum", 2, false), agg("avg", 2, false),
	agg("sum", 7, false), agg("avg", 7, false), agg("sum", 3, false), agg("avg", 3, false),
	agg("min", 5, false), agg("max", 5, false), agg("min", 3, false), agg("max", 2, false),
	agg("sum", 6, false), agg("avg", 6, false), agg("min", 6, false),
	agg("bool_and", 4, false), agg("bool_or", 4, false), agg("array_agg", 2, false), agg("string_agg", 5, false),
	agg("count_star", 0, true), agg("sum", 2, true), agg("max", 2, true), agg("array_agg", 0, true),
	agg("var_samp", 2, false), agg("stddev_pop", 7, false), agg("variance", 3, false),
}

func rows(k FrameBoundKind, off int64) FrameBound { return FrameBound{Kind: k, Offset: off} }

var testFrames = []Frame{
	{}, // default
	{FrameRows, rows(UnboundedPreceding, 0), rows(CurrentRow, 0)},
	{FrameRows, rows(OffsetPreceding, 2), rows(OffsetFollowing, 1)},
	{FrameRows, rows(OffsetFollowing, 1), rows(OffsetFollowing, 3)},
	{FrameRows, rows(OffsetPreceding, 3), rows(OffsetPreceding, 1)},
	{FrameRows, rows(CurrentRow, 0), rows(UnboundedFollowing, 0)},
	{FrameRows, rows(OffsetPreceding, 0), rows(OffsetFollowing, 0)},
	{FrameRange, rows(CurrentRow, 0), rows(UnboundedFollowing, 0)},
	{FrameRange, rows(UnboundedPreceding, 0), rows(UnboundedFollowing, 0)},
	{FrameGroups, rows(OffsetPreceding, 1), rows(OffsetFollowing, 1)},
	{FrameGroups, rows(CurrentRow, 0), rows(OffsetFollowing, 2)},
	{FrameGroups, rows(OffsetFollowing, 1), rows(UnboundedFollowing, 0)},
}

func refKeyCmp(a, b any, k refKey) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return map[bool]int{true: -1, false: 1}[k.nullsFirst]
	case b == nil:
		return map[bool]int{true: 1, false: -1}[k.nullsFirst]
	}
	c := refCmp(a, b)
	if k.desc {
		return -c
	}
	return c
}

// refWindow computes window functions row at a time: it sorts stably,
// then for every row enumerates its partition, peers and frame naively.
func refWindow(in [][]any, part []int, order []refKey, cases []wCase, fr Frame) [][]any {
	keys := make([]refKey, 0, len(part)+len(order))
	for _, c := range part {
		keys = append(keys, refKey{col: c})
	}
	keys = append(keys, order...)
	rs := append([][]any(nil), in...)
	sort.SliceStable(rs, func(i, j int) bool {
		for _, k := range keys {
			if c := refKeyCmp(rs[i][k.col], rs[j][k.col], k); c != 0 {
				return c < 0
			}
		}
		return false
	})
	same := func(a, b []any, ks []refKey) bool {
		for _, k := range ks {
			if refKeyCmp(a[k.col], b[k.col], k) != 0 {
				return false
			}
		}
		return true
	}
	if fr == (Frame{}) {
		fr = DefaultFrame(len(order) > 0)
	}
	var out [][]any
	for start := 0; start < len(rs); {
		end := start
		for end < len(rs) && same(rs[start], rs[end], keys[:len(part)]) {
			end++
		}
		p := rs[start:end]
		m := len(p)
		grp := make([]int, m) // peer group of each position
		for i := 1; i < m; i++ {
			grp[i] = grp[i-1]
			if !same(p[i-1], p[i], order) {
				grp[i]++
			}
		}
		for i, r := range p {
			row := append([]any{}, r...)
			if d, ok := row[6].(decimal128.Num); ok {
				row[6] = d.ToString(2)
			}
			for _, c := range cases {
				row = append(row, refWinValue(c, p, grp, i, fr))
			}
			out = append(out, row)
		}
		start = end
	}
	return out
}

func inFrame(fr Frame, grp []int, i, j int) bool {
	pos := func(b FrameBound, x int) int {
		switch b.Kind {
		case OffsetPreceding:
			return x - int(b.Offset)
		case OffsetFollowing:
			return x + int(b.Offset)
		}
		return x
	}
	cur, at := i, j
	if fr.Mode != FrameRows {
		cur, at = grp[i], grp[j]
	}
	okStart := fr.Start.Kind == UnboundedPreceding || at >= pos(fr.Start, cur)
	okEnd := fr.End.Kind == UnboundedFollowing || at <= pos(fr.End, cur)
	return okStart && okEnd
}

func refWinValue(c wCase, p [][]any, grp []int, i int, fr Frame) any {
	m := len(p)
	firstPeer, lastPeer := i, i
	for firstPeer > 0 && grp[firstPeer-1] == grp[i] {
		firstPeer--
	}
	for lastPeer+1 < m && grp[lastPeer+1] == grp[i] {
		lastPeer++
	}
	arg := func(k, row int) any { return c.args[k].get(p[row]) }
	switch c.fn {
	case "row_number":
		return int64(i + 1)
	case "rank":
		return int64(firstPeer + 1)
	case "dense_rank":
		return int64(grp[i] + 1)
	case "percent_rank":
		if m == 1 {
			return 0.0
		}
		return float64(firstPeer) / float64(m-1)
	case "cume_dist":
		return float64(lastPeer+1) / float64(m)
	case "ntile":
		n := int(arg(0, i).(int32))
		q, r := m/n, m%n
		if i < r*(q+1) {
			return int32(i/(q+1) + 1)
		}
		return int32(r + (i-r*(q+1))/q + 1)
	case "lag", "lead":
		off := int32(1)
		if len(c.args) > 1 {
			o := arg(1, i)
			if o == nil {
				return nil
			}
			off = o.(int32)
		}
		if c.fn == "lag" {
			off = -off
		}
		if t := i + int(off); t >= 0 && t < m {
			return arg(0, t)
		}
		if len(c.args) > 2 {
			return arg(2, i)
		}
		return nil
	}
	var frame [][]any
	var fidx []int
	for j := range p {
		if inFrame(fr, grp, i, j) {
			frame = append(frame, p[j])
			fidx = append(fidx, j)
		}
	}
	switch c.fn {
	case "first_value", "last_value", "nth_value":
		k := 0
		switch c.fn {
		case "last_value":
			k = len(fidx) - 1
		case "nth_value":
			k = int(arg(1, i).(int32)) - 1
		}
		if k < 0 || k >= len(fidx) {
			return nil
		}
		return arg(0, fidx[k])
	case "var_samp", "stddev_pop", "variance":
		return refStats(c.fn, c.col, frame)
	}
	return refValue(refAgg{fn: c.fn, col: c.col, filter: c.filter}, frame)
}

// refStats is the variance family: exact over integers (scale 16),
// PostgreSQL's float8_accum over floats.
func refStats(fn string, c int, rows [][]any) any {
	pop := fn == "stddev_pop" || fn == "var_pop"
	sqrt := fn == "stddev_pop" || fn == "stddev" || fn == "stddev_samp"
	var ints []*big.Int
	var fl []float64
	for _, r := range rows {
		switch x := r[c].(type) {
		case int64:
			ints = append(ints, big.NewInt(x))
		case int32:
			ints = append(ints, big.NewInt(int64(x)))
		case float64:
			fl = append(fl, x)
		}
	}
	n := len(ints) + len(fl)
	if n == 0 || (!pop && n == 1) {
		return nil
	}
	den := int64(n - 1)
	if pop {
		den = int64(n)
	}
	if fl != nil {
		N, sx, sxx := 0.0, 0.0, 0.0
		for _, x := range fl {
			N++
			sx += x
			if N > 1 {
				t := x*N - sx
				sxx += t * t / (N * (N - 1))
			}
		}
		v := sxx / float64(den)
		if sqrt {
			return math.Sqrt(v)
		}
		return v
	}
	mean := new(big.Rat)
	for _, x := range ints {
		mean.Add(mean, new(big.Rat).SetInt(x))
	}
	mean.Quo(mean, new(big.Rat).SetInt64(int64(n)))
	ss := new(big.Rat)
	for _, x := range ints {
		d := new(big.Rat).Sub(new(big.Rat).SetInt(x), mean)
		ss.Add(ss, d.Mul(d, d))
	}
	v := ss.Quo(ss, new(big.Rat).SetInt64(den))
	scaled := new(big.Rat).Mul(v, new(big.Rat).SetInt(pow10(16)))
	if sqrt {
		f := new(big.Float).SetPrec(400).SetRat(new(big.Rat).Mul(scaled, new(big.Rat).SetInt(pow10(16))))
		f.Sqrt(f)
		scaled, _ = f.Rat(nil)
	}
	q := roundDiv(new(big.Int).Mul(scaled.Num(), big.NewInt(1)), scaled.Denom())
	return bigDec(q, 16)
}

type wSpec struct {
	part  []int
	order []refKey
}

var wSpecs = []wSpec{
	{part: []int{0}, order: []refKey{{col: 1}}},
	{part: []int{0, 4}, order: []refKey{{col: 3, desc: true, nullsFirst: true}, {col: 1}}},
	{order: []refKey{{col: 2}}},
	{part: []int{1}},
	{},
}

func runWindow(t *testing.T, env *executor.Env, in executor.Operator, sp wSpec, funcs []WindowFunc) [][]any {
	t.Helper()
	spec := WindowSpec{Funcs: funcs}
	for _, c := range sp.part {
		spec.PartitionBy = append(spec.PartitionBy, col(c, aggTypes[c]))
	}
	for _, k := range sp.order {
		spec.OrderBy = append(spec.OrderBy, SortKey{Expr: col(k.col, aggTypes[k.col]), Desc: k.desc, NullsFirst: k.nullsFirst})
	}
	op, err := NewWindow(env, in, spec)
	if err != nil {
		in.Close()
		t.Fatal(err)
	}
	return mustDrain(t, op)
}

func TestWindowRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 150} {
		data := randomAggRows(r, n, 4)
		for si, sp := range wSpecs {
			t.Run(fmt.Sprintf("n=%d/spec=%d/ranking", n, si), func(t *testing.T) {
				mem := checked(t)
				var funcs []WindowFunc
				for _, c := range rankCases {
					funcs = append(funcs, c.windowFunc(Frame{}))
				}
				got := runWindow(t, testEnv(mem, 7), source(mem, aggSchema, data, 9, true), sp, funcs)
				sameOrdered(t, fmtRows(got), fmtRows(refWindow(data, sp.part, sp.order, rankCases, Frame{})))
			})
			for fi, fr := range testFrames {
				if fr.Mode == FrameGroups && len(sp.order) == 0 {
					continue
				}
				t.Run(fmt.Sprintf("n=%d/spec=%d/frame=%d", n, si, fi), func(t *testing.T) {
					mem := checked(t)
					var funcs []WindowFunc
					for _, c := range frameCases {
						funcs = append(funcs, c.windowFunc(fr))
					}
					got := runWindow(t, testEnv(mem, 5), source(mem, aggSchema, data, 13, false), sp, funcs)
					sameOrdered(t, fmtRows(got), fmtRows(refWindow(data, sp.part, sp.order, frameCases, fr)))
				})
			}
		}
	}
}

func TestWindowErrors(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 4)
	try := func(code string, sp WindowSpec) {
		t.Helper()
		in := source(mem, aggSchema, nil, 4, false)
		defer in.Close()
		op, err := NewWindow(env, in, sp)
		if err == nil {
			_, err = drain(t, op)
		}
		wantCode(t, err, code)
	}
	ord := []SortKey{{Expr: col(2, tI8)}}
	fn := func(name string, fr Frame, args ...expr.Expr) WindowSpec {
		return WindowSpec{OrderBy: ord, Funcs: []WindowFunc{{Func: name, Args: args, Frame: fr}}}
	}
	sum := func(fr Frame) WindowSpec { return fn("sum", fr, col(2, tI8)) }
	try("42P20", sum(Frame{FrameRows, rows(UnboundedFollowing, 0), rows(UnboundedFollowing, 0)}))
	try("42P20", sum(Frame{FrameRows, rows(CurrentRow, 0), rows(UnboundedPreceding, 0)}))
	try("42P20", sum(Frame{FrameRows, rows(CurrentRow, 0), rows(OffsetPreceding, 1)}))
	try("42P20", sum(Frame{FrameRows, rows(OffsetFollowing, 1), rows(CurrentRow, 0)}))
	try("22013", sum(Frame{FrameRows, rows(OffsetPreceding, -1), rows(CurrentRow, 0)}))
	try("22013", sum(Frame{FrameGroups, rows(CurrentRow, 0), rows(OffsetFollowing, -1)}))
	try("0A000", sum(Frame{FrameRange, rows(OffsetPreceding, 1), rows(CurrentRow, 0)}))
	try("42P20", WindowSpec{Funcs: []WindowFunc{{Func: "sum", Args: []expr.Expr{col(2, tI8)},
		Frame: Frame{FrameGroups, rows(CurrentRow, 0), rows(CurrentRow, 0)}}}})
	try("42883", fn("median", Frame{}, col(2, tI8)))
	try("42883", fn("ntile", Frame{}, col(2, tI8)))
	try("42883", fn("lag", Frame{}, col(2, tI8), wlit(tI4, int32(1)).e, col(5, tTxt)))
	try("0A000", fn("percentile_cont", Frame{}, wlit(tF8, 0.5).e, col(3, tF8)))
	try("0A000", WindowSpec{Funcs: []WindowFunc{{Func: "rank", Filter: cmpExpr{2, expr.OpGt, 0}}}})
	rowsIn := [][]any{{int64(1), "a", int64(1), 1.0, true, "s", nil, int32(1), ","}}
	for _, sp := range []WindowSpec{fn("ntile", Frame{}, wlit(tI4, int32(0)).e), fn("nth_value", Frame{}, col(2, tI8), wlit(tI4, int32(0)).e)} {
		op, err := NewWindow(env, source(mem, aggSchema, rowsIn, 4, false), sp)
		if err != nil {
			t.Fatal(err)
		}
		_, err = drain(t, op)
		wantCode(t, err, map[string]string{"ntile": "22014", "nth_value": "22016"}[sp.Funcs[0].Func])
	}
}

func TestWindowCancel(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 4)
	op, err := NewWindow(env, source(mem, aggSchema, randomAggRows(rand.New(rand.NewPCG(1, 2)), 20, 3), 4, false),
		WindowSpec{Funcs: []WindowFunc{{Func: "row_number"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Close(); err != nil { // before Open
		t.Fatal(err)
	}
	op, _ = NewWindow(env, source(mem, aggSchema, nil, 4, false), WindowSpec{Funcs: []WindowFunc{{Func: "row_number"}}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := op.Open(ctx); err == nil {
		_, err = op.Next(ctx)
		wantCode(t, err, sqltypes.CodeQueryCanceled)
	}
	op.Close()
	op.Close()
}
