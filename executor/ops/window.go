package ops

import (
	"context"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

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
// "n FOLLOWING" (rows for ROWS, peer groups for GROUPS). RANGE offsets are
// values of the ORDER BY key's type, so they come as expressions
// (WindowFunc.Range), not as Offset.
type FrameBound struct {
	Kind   FrameBoundKind
	Offset int64
}

// FrameExclusion is a frame's EXCLUDE clause.
type FrameExclusion uint8

const (
	ExcludeNoOthers FrameExclusion = iota
	ExcludeCurrentRow
	ExcludeGroup // the current row and its peers
	ExcludeTies  // the current row's peers, not the row itself
)

// Frame is a window frame clause. The zero Frame (ROWS BETWEEN UNBOUNDED
// PRECEDING AND UNBOUNDED PRECEDING, which SQL forbids) means
// DefaultFrame.
type Frame struct {
	Mode       FrameMode
	Start, End FrameBound
	Exclude    FrameExclusion
}

// HasRangeOffset reports whether the frame is RANGE with an offset
// PRECEDING or FOLLOWING bound, which needs WindowFunc.Range.
func (f Frame) HasRangeOffset() bool {
	return f.Mode == FrameRange && (f.Start.Kind.isOffset() || f.End.Kind.isOffset())
}

func (k FrameBoundKind) isOffset() bool { return k == OffsetPreceding || k == OffsetFollowing }

// RangeExprs place rows for a RANGE frame with offsets: Key is the single
// ORDER BY key and Start/End are each row's bound values (the key minus or
// plus the offset, PRECEDING/FOLLOWING read in the sort direction), all of
// one type; Start or End is nil where that bound has no offset.
type RangeExprs struct {
	Key, Start, End expr.Expr
}

func (r RangeExprs) exprs() []expr.Expr {
	var out []expr.Expr
	for _, e := range []expr.Expr{r.Key, r.Start, r.End} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
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
	// Range is set when Frame.HasRangeOffset.
	Range RangeExprs
	// Offsets compute the frame's start and end offsets where the plan
	// could not (a scalar subquery joined below, random()): every row
	// holds the same value, the first row's is checked and, for ROWS and
	// GROUPS, used as Frame's Offset (RANGE bounds compute it in Range).
	Offsets [2]expr.Expr
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
// RANGE frames with offsets find their bounds by binary search over the
// sorted key (NULL keys are in range only of each other, as in
// PostgreSQL). A frame with EXCLUDE is aggregated afresh for every row,
// as PostgreSQL does.
//
// Errors: invalid frames 42P20 (as PostgreSQL's parser), negative offsets
// 22013, FILTER on a non-aggregate 0A000,
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
	spec.PartitionBy = keyExprs(spec.PartitionBy)
	var err error
	if spec.OrderBy, err = checkSortKeys(spec.OrderBy); err != nil {
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
	if streamsRowNumbers(spec) {
		return &rowNumberOp{env: env, child: child, schema: arrow.NewSchema(fs, nil), calls: len(spec.Funcs)}, nil
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
		exprs = append(exprs, f.Range.exprs()...)
		exprs = append(exprs, f.offsetExprs()...)
	}
	data, keys, n, starts, err := collectWithKeys(ctx, o.env, o.child, exprs, o.res)
	if err != nil {
		return err
	}
	o.data = data
	defer releaseArrays(keys)
	specs := make([]SortKey, np, np+no)
	specs = append(specs, o.spec.OrderBy...)
	if np+no > 0 {
		// A window cannot spill: a budget too small for the sort fails.
		if err := o.res.Grow(int64(n) * sortRowBytes); err != nil {
			return err
		}
		if o.order, err = sortRowsFrom(keys[:np+no], specs, n, starts); err != nil {
			return err
		}
		o.res.Shrink(int64(n) * (sortRowBytes - 4)) // the order stays
	} else {
		if err := o.res.Grow(4 * int64(n)); err != nil {
			return err
		}
		o.order = make([]int32, n)
		for i := range o.order {
			o.order[i] = int32(i)
		}
	}
	w, err := newWinData(keys[:np], keys[np:np+no], o.order)
	if err != nil {
		return err
	}
	if err := o.res.Grow(w.bytes()); err != nil {
		return err
	}
	defer o.res.Shrink(w.bytes()) // w is the functions' alone
	w.env, w.hasOrder = o.env, no > 0
	rest := keys[np+no:]
	for _, f := range o.spec.Funcs {
		k := len(f.Args)
		if f.Filter != nil {
			k++
		}
		nr := len(f.Range.exprs())
		if err := ctxErr(ctx); err != nil {
			return err
		}
		sorted, err := takeColumns(o.env.Mem, rest[:k+nr], o.order)
		if err != nil {
			return err
		}
		rest = rest[k+nr:]
		no := len(f.offsetExprs())
		if err := f.readOffsets(rest[:no]); err != nil {
			releaseArrays(sorted)
			return err
		}
		rest = rest[no:]
		var keep []bool
		if f.Filter != nil {
			keep = trueMask(sorted[len(f.Args)])
		}
		var rb *rangeBounds
		if nr > 0 {
			if rb, err = w.newRangeBounds(f.Range, sorted[k:], o.spec.OrderBy[0].Desc); err != nil {
				releaseArrays(sorted)
				return err
			}
		}
		r, err := w.eval(ctx, f, sorted[:len(f.Args)], keep, rb)
		rb.release()
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
	n := len(order)
	w := &winData{n: n, grp: make([]int32, n)}
	// change[k] says whether position k starts a new partition
	// (changedPart) or peer group (changedPeer): marked key by key in
	// typed loops, then counted, so that the boundary lists are
	// allocated once at their size (appending to them copied each a
	// few times over, for a partition per order in analyst q09).
	change := make([]uint8, n)
	for _, k := range pkeys {
		if err := markChanges(change, k, order, changedPart|changedPeer); err != nil {
			return nil, err
		}
	}
	for _, k := range okeys {
		if err := markChanges(change, k, order, changedPeer); err != nil {
			return nil, err
		}
	}
	parts, peers := 1, 1
	for _, c := range change[min(1, n):] {
		parts += int(c & changedPart)
		peers += int(c&changedPeer) >> 1
	}
	if n == 0 {
		parts, peers = 0, 0
	}
	w.parts = make([]int32, 1, parts+1)
	w.gfirst = make([]int32, 1, parts+1)
	w.gstart = make([]int32, 1, peers+1)
	g := int32(0)
	for k := 1; k < n; k++ {
		c := change[k]
		if c&changedPeer != 0 {
			g++
			w.gstart = append(w.gstart, int32(k))
		}
		if c&changedPart != 0 {
			w.parts = append(w.parts, int32(k))
			w.gfirst = append(w.gfirst, g)
		}
		w.grp[k] = g
	}
	if n == 0 {
		w.parts, w.gfirst, w.gstart = w.parts[:0], w.gfirst[:0], w.gstart[:0]
	}
	w.parts = append(w.parts, int32(n))
	w.gfirst = append(w.gfirst, int32(len(w.gstart)))
	w.gstart = append(w.gstart, int32(n))
	return w, nil
}

// Bits of newWinData's per-position changes.
const (
	changedPart = 1 << iota // a partition starts here
	changedPeer             // a peer group starts here
)

// markChanges sets bit in change[k] for every position k > 0 whose row
// order[k] differs from order[k-1]'s in the key column arr (NULL equals
// NULL). Integer-like and numeric keys without NULLs compare their
// values in place; the others go through the row comparator.
func markChanges(change []uint8, arr arrow.Array, order []int32, bit uint8) error {
	if arr.NullN() == 0 {
		switch arr.DataType().ID() {
		case arrow.INT32, arrow.DATE32:
			markValueChanges(change, fixedVals[int32](arr), order, bit)
			return nil
		case arrow.INT64, arrow.TIMESTAMP:
			markValueChanges(change, fixedVals[int64](arr), order, bit)
			return nil
		case arrow.DECIMAL128:
			markValueChanges(change, fixedVals[decimal128.Num](arr), order, bit)
			return nil
		}
	}
	c, err := newRowCmp(arr, false, false)
	if err != nil {
		return err
	}
	for k := 1; k < len(order); k++ {
		if change[k]&bit != bit && c(int(order[k-1]), int(order[k])) != 0 {
			change[k] |= bit
		}
	}
	return nil
}

// markValueChanges is markChanges over the values of a key column whose
// equal values are equal keys.
func markValueChanges[T comparable](change []uint8, vals []T, order []int32, bit uint8) {
	if len(order) == 0 {
		return
	}
	prev := vals[order[0]]
	for k := 1; k < len(order); k++ {
		v := vals[order[k]]
		if v != prev {
			change[k] |= bit
		}
		prev = v
	}
}

// bytes is the memory w holds.
func (w *winData) bytes() int64 {
	return 4 * int64(cap(w.grp)+cap(w.parts)+cap(w.gfirst)+cap(w.gstart))
}

// partition calls fn for every partition [ps, pe) with its first peer
// group g0 and end group g1.
func (w *winData) partition(fn func(ps, pe, g0, g1 int)) {
	for p := 0; p+1 < len(w.parts); p++ {
		fn(int(w.parts[p]), int(w.parts[p+1]), int(w.gfirst[p]), int(w.gfirst[p+1]))
	}
}

// frameRows is every position's frame: [fs[k], fe[k]) minus the excluded
// run [xs[k], xe[k]) (EXCLUDE, clipped to the frame; empty without one),
// plus k itself again when back[k] (EXCLUDE TIES keeps the current row).
type frameRows struct {
	fs, fe, xs, xe []int32
	back           []bool
}

// excluding reports whether any frame has a hole (an EXCLUDE clause).
func (f *frameRows) excluding() bool { return f.xs != nil }

// runs appends position k's frame as ascending runs [a, b) to buf.
func (f *frameRows) runs(k int, buf [][2]int32) [][2]int32 {
	s, e := f.fs[k], f.fe[k]
	if !f.excluding() || f.xs[k] >= f.xe[k] {
		if s < e {
			buf = append(buf, [2]int32{s, e})
		}
		return buf
	}
	if s < f.xs[k] {
		buf = append(buf, [2]int32{s, f.xs[k]})
	}
	if f.back[k] {
		buf = append(buf, [2]int32{int32(k), int32(k) + 1})
	}
	if f.xe[k] < e {
		buf = append(buf, [2]int32{f.xe[k], e})
	}
	return buf
}

// frames returns the frame of every position; rb places RANGE offset
// bounds (nil without them).
func (w *winData) frames(fr Frame, rb *rangeBounds) *frameRows {
	out := &frameRows{fs: make([]int32, w.n), fe: make([]int32, w.n)}
	if fr.Exclude != ExcludeNoOthers {
		out.xs, out.xe, out.back = make([]int32, w.n), make([]int32, w.n), make([]bool, w.n)
	}
	w.partition(func(ps, pe, g0, g1 int) {
		if rb != nil {
			rb.partition(w, ps, pe)
		}
		for k := ps; k < pe; k++ {
			s := w.bound(fr.Mode, fr.Start, k, ps, pe, g0, g1, false, rb)
			e := max(s, w.bound(fr.Mode, fr.End, k, ps, pe, g0, g1, true, rb))
			out.fs[k], out.fe[k] = int32(s), int32(e)
			if fr.Exclude == ExcludeNoOthers {
				continue
			}
			xs, xe := k, k+1
			if fr.Exclude != ExcludeCurrentRow {
				g := w.grp[k]
				xs, xe = int(w.gstart[g]), int(w.gstart[g+1])
			}
			xs, xe = min(max(xs, s), e), min(max(xe, s), e)
			out.xs[k], out.xe[k] = int32(xs), int32(max(xs, xe))
			out.back[k] = fr.Exclude == ExcludeTies && k >= s && k < e
		}
	})
	return out
}

// bound is the position a frame bound denotes for position k: the first
// position of the frame (end false) or one past its last (end true).
func (w *winData) bound(mode FrameMode, b FrameBound, k, ps, pe, g0, g1 int, end bool, rb *rangeBounds) int {
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
	if mode == FrameRange && b.Kind.isOffset() {
		return rb.bound(w, k, end)
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
	// RANGE (CURRENT ROW) and GROUPS count peer groups.
	g := int64(w.grp[k]) + off + int64(one)
	g = min(max(g, int64(g0)), int64(g1))
	return int(w.gstart[g])
}

// rangeBounds finds RANGE offset bounds: cmp compares positions of cat,
// the concatenation key ++ start ++ end (each n long, in sorted order), so
// that a row's bound value can be compared with other rows' keys.
type rangeBounds struct {
	cat        arrow.Array
	cmp        rowCmp
	null       validity // of the key
	desc       bool
	start, end int // where the start and end values begin in cat
	ns, ne     int // the current partition's positions with a non-NULL key
}

func (w *winData) newRangeBounds(r RangeExprs, cols []arrow.Array, desc bool) (*rangeBounds, error) {
	key := cols[0]
	all := []arrow.Array{key}
	rb := &rangeBounds{null: validityOf(key), desc: desc}
	for _, b := range []struct {
		e   expr.Expr
		pos *int
	}{{r.Start, &rb.start}, {r.End, &rb.end}} {
		if b.e == nil {
			continue
		}
		c := cols[len(all)]
		if !arrow.TypeEqual(c.DataType(), key.DataType()) {
			return nil, errInternal("RANGE bound of type %s against a key of type %s", c.DataType(), key.DataType())
		}
		*b.pos = len(all) * w.n
		all = append(all, c)
	}
	cat, err := array.Concatenate(all, w.env.Mem)
	if err != nil {
		return nil, sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "window RANGE frame: %v", err)
	}
	fixInfiniteBounds(cat, w.n, desc, rb.start, rb.end)
	if rb.cmp, err = newRowCmp(cat, false, false); err != nil {
		cat.Release()
		return nil, err
	}
	rb.cat = cat
	return rb, nil
}

func (rb *rangeBounds) release() {
	if rb != nil && rb.cat != nil {
		rb.cat.Release()
		rb.cat = nil
	}
}

// partition finds the run of non-NULL keys in [ps, pe): NULLs sort
// together at one end.
func (rb *rangeBounds) partition(w *winData, ps, pe int) {
	rb.ns, rb.ne = ps, pe
	if pe > ps && !rb.null.OK(ps) {
		rb.ns = int(w.gstart[w.grp[ps]+1])
	}
	if pe > rb.ns && !rb.null.OK(pe-1) {
		rb.ne = int(w.gstart[w.grp[pe-1]])
	}
}

// bound is the frame start (end false) or end for position k: the first
// non-NULL position whose key is not before k's start value, or the first
// after k's end value. A NULL key's frame bound is its peer group's:
// NULLs are in range of each other only.
func (rb *rangeBounds) bound(w *winData, k int, end bool) int {
	if !rb.null.OK(k) {
		g := w.grp[k]
		if end {
			g++
		}
		return int(w.gstart[g])
	}
	v := k + rb.start
	if end {
		v = k + rb.end
	}
	dir := 1
	if rb.desc {
		dir = -1
	}
	// past reports whether position p lies beyond the bound in sort order.
	past := func(p int) bool {
		c := dir * rb.cmp(p, v)
		if end {
			return c > 0
		}
		return c >= 0
	}
	return rb.ns + sort.Search(rb.ne-rb.ns, func(i int) bool { return past(rb.ns + i) })
}
