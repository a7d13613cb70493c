package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// FrameMode is how a window frame's bounds count: ROWS (rows), RANGE
// (peer groups; offsets would be values of the ORDER BY key), GROUPS
// (peer groups counted).
type FrameMode uint8

const (
	FrameRows FrameMode = iota
	FrameRange
	FrameGroups
)

// FrameBoundKind is one end of a window frame.
type FrameBoundKind uint8

const (
	UnboundedPreceding FrameBoundKind = iota
	OffsetPreceding
	CurrentRow
	OffsetFollowing
	UnboundedFollowing
)

// FrameBound is a frame start or end; Offset is the n of "n PRECEDING" or
// "n FOLLOWING" (rows for ROWS, peer groups for GROUPS).
type FrameBound struct {
	Kind   FrameBoundKind
	Offset int64
}

// Frame is a window frame clause (without EXCLUDE). The zero Frame (ROWS
// BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED PRECEDING, which SQL forbids)
// means DefaultFrame.
type Frame struct {
	Mode       FrameMode
	Start, End FrameBound
}

// DefaultFrame is PostgreSQL's frame when the window has no frame clause:
// RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, where the current
// row includes its peers (rows equal in the ORDER BY keys). Without ORDER
// BY every row is a peer, so it is the whole partition, which DefaultFrame
// spells RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING.
func DefaultFrame(hasOrderBy bool) Frame {
	f := Frame{Mode: FrameRange, Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: CurrentRow}}
	if !hasOrderBy {
		f.End.Kind = UnboundedFollowing
	}
	return f
}

// WindowFunc is one window function call.
type WindowFunc struct {
	// Func is row_number, rank, dense_rank, percent_rank, cume_dist,
	// ntile, lag, lead, first_value, last_value, nth_value, or an
	// aggregate of AggregateType (count_star, count, sum, avg, min, max,
	// bool_and, bool_or, array_agg, string_agg, stddev…, variance…).
	Func string
	// Args are evaluated on the input rows (see WindowFuncType).
	Args []expr.Expr
	// Filter (aggregates only) restricts the rows aggregated to those
	// where it is TRUE.
	Filter expr.Expr
	// Frame is used by aggregates, first_value, last_value and
	// nth_value; the other functions ignore it.
	Frame Frame
	// Type is WindowFuncType's answer; the zero Type means "decide here".
	Type sqltypes.Type
}

// WindowSpec is a set of window functions sharing PARTITION BY and ORDER
// BY.
type WindowSpec struct {
	PartitionBy []expr.Expr
	OrderBy     []SortKey
	Funcs       []WindowFunc
}

// windowOp computes window functions over its materialized input.
type windowOp struct {
	env     *executor.Env
	child   executor.Operator
	spec    WindowSpec
	schema  *arrow.Schema
	data    []arrow.Array // input columns, input order
	order   []int32       // input row of each sorted position
	results []arrow.Array // per function, in sorted order
	res     *membudget.Reservation
	pos     int
	ready   bool
	closed  bool
}

// NewWindow returns an operator that emits child's columns followed by
// one column per spec.Funcs (named after the function). It materializes
// the input, sorts it by the partition keys then spec.OrderBy (stably),
// computes every function per partition, and emits the rows in that
// order in batches of env.Rows() rows. Functions see PostgreSQL's
// semantics; peers are rows of a partition equal in every ORDER BY key
// (NULLs equal). Aggregates over frames: count, sum, avg (exact types),
// bool_and and bool_or use prefix sums, min and max a monotonic queue, so
// any frame costs O(n); the variance family over exact types uses prefix
// sums too; float sums, averages and variances accumulate in order like
// PostgreSQL (O(n) when the frame starts at the partition start, else
// per-row recomputation); array_agg and string_agg extend one accumulator
// while the frame start stays (O(n) updates for running frames) and
// recompute a frame whose start moved.
//
// Errors: invalid frames 42P20 (as PostgreSQL's parser), negative offsets
// 22013, RANGE with an offset 0A000, FILTER on a non-aggregate 0A000,
// ntile/nth_value arguments <= 0 22014/22016, unknown functions 42883.
func NewWindow(env *executor.Env, child executor.Operator, spec WindowSpec) (executor.Operator, error) {
	if child == nil {
		return nil, errInternal("window input is nil")
	}
	for i, p := range spec.PartitionBy {
		if p == nil {
			return nil, errInternal("partition key %d is nil", i)
		}
		if !sqlKeyOK(p.Type()) {
			return nil, sqltypes.New(sqltypes.CodeUndefinedFunction, "could not identify an equality operator for type %s", p.Type())
		}
	}
	if err := checkSortKeys(spec.OrderBy); err != nil {
		return nil, err
	}
	fs := fieldsOf(child.Schema(), false)
	spec.Funcs = append([]WindowFunc(nil), spec.Funcs...)
	for i := range spec.Funcs {
		f := &spec.Funcs[i]
		if err := checkWindowFunc(f, len(spec.OrderBy) > 0); err != nil {
			return nil, err
		}
		fs = append(fs, arrow.Field{Name: f.Func, Type: f.Type.Arrow(), Nullable: true})
	}
	return &windowOp{env: env, child: child, spec: spec, schema: arrow.NewSchema(fs, nil), res: env.Reserve("Window")}, nil
}

func (o *windowOp) Schema() *arrow.Schema { return o.schema }

func (o *windowOp) Open(ctx context.Context) error { return o.child.Open(ctx) }

func (o *windowOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.closed {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if !o.ready {
		if err := o.compute(ctx); err != nil {
			return nil, err
		}
		o.ready = true
	}
	if o.pos >= len(o.order) {
		return nil, io.EOF
	}
	end := min(o.pos+o.env.Rows(), len(o.order))
	cols, err := takeColumns(o.env.Mem, o.data, o.order[o.pos:end])
	if err != nil {
		return nil, err
	}
	for _, r := range o.results {
		cols = append(cols, sliceArray(r, o.pos, end))
	}
	n := end - o.pos
	o.pos = end
	return newBatch(o.schema, cols, n), nil
}

// compute materializes and sorts the input and computes every function.
func (o *windowOp) compute(ctx context.Context) error {
	np, no := len(o.spec.PartitionBy), len(o.spec.OrderBy)
	exprs := append(append([]expr.Expr(nil), o.spec.PartitionBy...), sortExprs(o.spec.OrderBy)...)
	for _, f := range o.spec.Funcs {
		exprs = append(exprs, f.Args...)
		if f.Filter != nil {
			exprs = append(exprs, f.Filter)
		}
	}
	data, keys, n, err := collectWithKeys(ctx, o.env, o.child, exprs, o.res)
	if err != nil {
		return err
	}
	o.data = data
	defer releaseArrays(keys)
	specs := make([]SortKey, np, np+no)
	specs = append(specs, o.spec.OrderBy...)
	if np+no > 0 {
		if o.order, err = sortRows(keys[:np+no], specs, n); err != nil {
			return err
		}
	} else {
		o.order = make([]int32, n)
		for i := range o.order {
			o.order[i] = int32(i)
		}
	}
	w, err := newWinData(keys[:np], keys[np:np+no], o.order)
	if err != nil {
		return err
	}
	w.env, w.hasOrder = o.env, no > 0
	rest := keys[np+no:]
	for _, f := range o.spec.Funcs {
		k := len(f.Args)
		if f.Filter != nil {
			k++
		}
		if err := ctxErr(ctx); err != nil {
			return err
		}
		sorted, err := takeColumns(o.env.Mem, rest[:k], o.order)
		if err != nil {
			return err
		}
		rest = rest[k:]
		var keep []bool
		if f.Filter != nil {
			keep = trueMask(sorted[len(f.Args)])
		}
		r, err := w.eval(ctx, f, sorted[:len(f.Args)], keep)
		releaseArrays(sorted)
		if err != nil {
			return err
		}
		o.results = append(o.results, r)
	}
	return nil
}

// trueMask returns, per row, whether a boolean array is TRUE.
func trueMask(a arrow.Array) []bool {
	m := make([]bool, a.Len())
	for _, i := range appendTrue(nil, a) {
		m[i] = true
	}
	return m
}

func (o *windowOp) Close() error {
	if !o.closed {
		o.closed = true
		releaseArrays(o.data)
		releaseArrays(o.results)
		o.data, o.results, o.order = nil, nil, nil
		o.res.Free()
	}
	return o.child.Close()
}

// winData is the partitioned, sorted input: positions 0..n-1 are sorted
// rows; partition p is positions parts[p]..parts[p+1]-1 and peer groups
// gfirst[p]..gfirst[p+1]-1; peer group g is positions gstart[g]..
// gstart[g+1]-1; grp[k] is the peer group of position k.
type winData struct {
	env      *executor.Env
	hasOrder bool
	n        int
	parts    []int32
	gfirst   []int32
	gstart   []int32
	grp      []int32
}

func newWinData(pkeys, okeys []arrow.Array, order []int32) (*winData, error) {
	w := &winData{n: len(order), grp: make([]int32, len(order))}
	pc, err := eqCmps(pkeys)
	if err != nil {
		return nil, err
	}
	oc, err := eqCmps(okeys)
	if err != nil {
		return nil, err
	}
	w.parts, w.gfirst, w.gstart = []int32{0}, []int32{0}, []int32{0}
	for k := 1; k < w.n; k++ {
		a, b := int(order[k-1]), int(order[k])
		newPart := differ(pc, a, b)
		if newPart || differ(oc, a, b) {
			w.gstart = append(w.gstart, int32(k))
		}
		if newPart {
			w.parts = append(w.parts, int32(k))
			w.gfirst = append(w.gfirst, int32(len(w.gstart)-1))
		}
		w.grp[k] = int32(len(w.gstart) - 1)
	}
	if w.n == 0 {
		w.parts, w.gfirst, w.gstart = w.parts[:0], w.gfirst[:0], w.gstart[:0]
	}
	w.parts = append(w.parts, int32(w.n))
	w.gfirst = append(w.gfirst, int32(len(w.gstart)))
	w.gstart = append(w.gstart, int32(w.n))
	return w, nil
}

func eqCmps(keys []arrow.Array) ([]rowCmp, error) {
	out := make([]rowCmp, len(keys))
	for i, k := range keys {
		c, err := newRowCmp(k, false, false)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func differ(cmps []rowCmp, a, b int) bool {
	for _, c := range cmps {
		if c(a, b) != 0 {
			return true
		}
	}
	return false
}

// partition calls fn for every partition [ps, pe) with its first peer
// group g0 and end group g1.
func (w *winData) partition(fn func(ps, pe, g0, g1 int)) {
	for p := 0; p+1 < len(w.parts); p++ {
		fn(int(w.parts[p]), int(w.parts[p+1]), int(w.gfirst[p]), int(w.gfirst[p+1]))
	}
}

// frames returns the frame [fs[k], fe[k]) of every position (empty frames
// have fs == fe).
func (w *winData) frames(fr Frame) (fs, fe []int32) {
	fs, fe = make([]int32, w.n), make([]int32, w.n)
	w.partition(func(ps, pe, g0, g1 int) {
		for k := ps; k < pe; k++ {
			s := w.bound(fr.Mode, fr.Start, k, ps, pe, g0, g1, false)
			e := w.bound(fr.Mode, fr.End, k, ps, pe, g0, g1, true)
			fs[k], fe[k] = int32(s), int32(max(s, e))
		}
	})
	return fs, fe
}

// bound is the position a frame bound denotes for position k: the first
// position of the frame (end false) or one past its last (end true).
func (w *winData) bound(mode FrameMode, b FrameBound, k, ps, pe, g0, g1 int, end bool) int {
	one := 0
	if end {
		one = 1
	}
	switch b.Kind {
	case UnboundedPreceding:
		return ps
	case UnboundedFollowing:
		return pe
	}
	off := int64(0)
	switch b.Kind {
	case OffsetPreceding:
		off = -min(b.Offset, int64(w.n)+1)
	case OffsetFollowing:
		off = min(b.Offset, int64(w.n)+1)
	}
	if mode == FrameRows {
		t := int64(k) + off + int64(one)
		return int(min(max(t, int64(ps)), int64(pe)))
	}
	// RANGE (offset 0 only) and GROUPS count peer groups.
	g := int64(w.grp[k]) + off + int64(one)
	g = min(max(g, int64(g0)), int64(g1))
	return int(w.gstart[g])
}
