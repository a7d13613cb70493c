package ops

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
	{Mode: FrameRows, Start: rows(UnboundedPreceding, 0), End: rows(CurrentRow, 0)},
	{Mode: FrameRows, Start: rows(OffsetPreceding, 2), End: rows(OffsetFollowing, 1)},
	{Mode: FrameRows, Start: rows(OffsetFollowing, 1), End: rows(OffsetFollowing, 3)},
	{Mode: FrameRows, Start: rows(OffsetPreceding, 3), End: rows(OffsetPreceding, 1)},
	{Mode: FrameRows, Start: rows(CurrentRow, 0), End: rows(UnboundedFollowing, 0)},
	{Mode: FrameRows, Start: rows(OffsetPreceding, 0), End: rows(OffsetFollowing, 0)},
	{Mode: FrameRange, Start: rows(CurrentRow, 0), End: rows(UnboundedFollowing, 0)},
	{Mode: FrameRange, Start: rows(UnboundedPreceding, 0), End: rows(UnboundedFollowing, 0)},
	{Mode: FrameGroups, Start: rows(OffsetPreceding, 1), End: rows(OffsetFollowing, 1)},
	{Mode: FrameGroups, Start: rows(CurrentRow, 0), End: rows(OffsetFollowing, 2)},
	{Mode: FrameGroups, Start: rows(OffsetFollowing, 1), End: rows(UnboundedFollowing, 0)},
	{Mode: FrameRows, Start: rows(OffsetPreceding, 2), End: rows(OffsetFollowing, 1), Exclude: ExcludeCurrentRow},
	{Mode: FrameRange, Start: rows(UnboundedPreceding, 0), End: rows(CurrentRow, 0), Exclude: ExcludeGroup},
	{Mode: FrameRange, Start: rows(UnboundedPreceding, 0), End: rows(UnboundedFollowing, 0), Exclude: ExcludeTies},
	{Mode: FrameGroups, Start: rows(OffsetPreceding, 1), End: rows(CurrentRow, 0), Exclude: ExcludeTies},
	{Mode: FrameRows, Start: rows(CurrentRow, 0), End: rows(CurrentRow, 0), Exclude: ExcludeCurrentRow},
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
	try("42P20", sum(Frame{Mode: FrameRows, Start: rows(UnboundedFollowing, 0), End: rows(UnboundedFollowing, 0)}))
	try("42P20", sum(Frame{Mode: FrameRows, Start: rows(CurrentRow, 0), End: rows(UnboundedPreceding, 0)}))
	try("42P20", sum(Frame{Mode: FrameRows, Start: rows(CurrentRow, 0), End: rows(OffsetPreceding, 1)}))
	try("42P20", sum(Frame{Mode: FrameRows, Start: rows(OffsetFollowing, 1), End: rows(CurrentRow, 0)}))
	try("22013", sum(Frame{Mode: FrameRows, Start: rows(OffsetPreceding, -1), End: rows(CurrentRow, 0)}))
	try("22013", sum(Frame{Mode: FrameGroups, Start: rows(CurrentRow, 0), End: rows(OffsetFollowing, -1)}))
	try("XX000", sum(Frame{Mode: FrameRange, Start: rows(OffsetPreceding, 1), End: rows(CurrentRow, 0)})) // RANGE offsets need WindowFunc.Range
	try("42P20", WindowSpec{Funcs: []WindowFunc{{Func: "sum", Args: []expr.Expr{col(2, tI8)},
		Frame: Frame{Mode: FrameGroups, Start: rows(CurrentRow, 0), End: rows(CurrentRow, 0)}}}})
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
