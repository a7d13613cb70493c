package ops

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// percentileType returns the type of percentile_cont / percentile_disc
// (fraction, value): the fraction is double precision; percentile_cont
// takes interval values (result interval) or numbers (result double
// precision: like PostgreSQL, which casts them to double precision, the
// accumulator converts integers, real and numeric); percentile_disc takes
// any sortable type and returns it.
func percentileType(fn string, args []sqltypes.Type) (sqltypes.Type, bool) {
	if len(args) != 2 || (args[0].Kind != sqltypes.Float8 && args[0].Kind != sqltypes.Unknown) {
		return sqltypes.Type{}, false
	}
	v := args[1]
	if fn == "percentile_cont" {
		if v.IsNumeric() {
			return sqltypes.TypeFloat8, true
		}
		return v, v.Kind == sqltypes.Interval
	}
	if v.Kind == sqltypes.JSONB {
		return v, true // in jsonb's btree order (json has none)
	}
	return v, v.Kind != sqltypes.Unknown && v.Kind != sqltypes.List && !v.IsJSON() && keyTypeOK(v.Arrow())
}

// percentileAcc is the ordered-set aggregate percentile_cont(f) or
// percentile_disc(f) WITHIN GROUP (ORDER BY x), with Args = (f, x). It
// does not rely on the input order: like array_agg it retains the value
// arrays and records (group, position) for every non-NULL value, and
// finish sorts each group's values itself (so parallel partial states
// merge by concatenation). The fraction of a group is f at the group's
// first aggregated row (the planner passes a constant). A NULL fraction
// gives NULL, one outside [0, 1] fails with 22003, a group without
// non-NULL values gives NULL. percentile_disc returns the first value
// whose position in the sorted group is at least f·n; percentile_cont
// interpolates linearly between the values at floor and ceil of f·(n−1),
// as lo + f'·(hi − lo) in double precision or interval arithmetic.
//
// mode() WITHIN GROUP (ORDER BY x) shares it (Args = (0, x)): the value of
// the longest run of equal values in the sorted group, the first in sort
// order among equally long runs. desc sorts descending (ORDER BY x DESC).
// jsonb values sort and compare by their sort keys (jsonb's btree order
// and =): of equal values with different text (1 and 1.0) the one
// returned is the first the group received.
type percentileAcc struct {
	mem   memory.Allocator
	cont  bool
	mode  bool
	desc  bool
	jsonb bool
	dt    arrow.DataType
	in    retainedRows
	// source, when set, retains the same values (shareRetained): this
	// one keeps only its fractions and reads source's rows at finish.
	// sharers counts the accumulators whose source this one is: it then
	// keeps its grouped values (gv) for them once it made them.
	source  *percentileAcc
	sharers int
	gv      *groupedValues
	kept    []int32 // update's scratch: gids with NULL values skipped
	frac    []float64
	state   []uint8 // per group: 0 no row yet, 1 fraction set, 2 NULL fraction
	groups  int
}

func (a *percentileAcc) grow(n int) {
	a.groups = max(a.groups, n)
	a.frac, a.state = growTo(a.frac, n), growTo(a.state, n)
}

func (a *percentileAcc) update(gids []int32, args []arrow.Array) error {
	fr, vals := args[0], args[1]
	var fv []float64
	if fr.DataType().ID() == arrow.FLOAT64 {
		fv = fixedVals[float64](fr)
	}
	fok := validityOf(fr)
	vok := validityOf(vals)
	kept := growTo(a.kept[:0], len(gids))[:len(gids)]
	a.kept = kept
	used := 0
	for i, g := range gids {
		kept[i] = -1
		if g < 0 {
			continue
		}
		if a.state[g] == 0 {
			if fv != nil && fok.OK(i) {
				a.frac[g], a.state[g] = fv[i], 1
			} else {
				a.state[g] = 2
			}
		}
		if a.source == nil && vals.DataType().ID() != arrow.NULL && vok.OK(i) {
			kept[i] = g
			used++
		}
	}
	if used == 0 { // or source retains them
		return nil
	}
	if a.cont && a.dt.ID() != arrow.INTERVAL_MONTH_DAY_NANO && vals.DataType().ID() != arrow.FLOAT64 {
		vals = toFloat64(a.mem, vals)
		defer vals.Release()
	}
	a.in.add(vals, kept, used)
	return nil
}

// toFloat64 converts an integer, real or numeric array to double
// precision (NULLs stay NULL).
func toFloat64(mem memory.Allocator, a arrow.Array) arrow.Array {
	n := a.Len()
	out := make([]float64, n)
	switch a.DataType().ID() {
	case arrow.INT8:
		convert(out, fixedVals[int8](a))
	case arrow.INT16:
		convert(out, fixedVals[int16](a))
	case arrow.INT32:
		convert(out, fixedVals[int32](a))
	case arrow.INT64:
		convert(out, fixedVals[int64](a))
	case arrow.FLOAT32:
		convert(out, fixedVals[float32](a))
	case arrow.DECIMAL128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		for i, d := range fixedVals[decimal128.Num](a) {
			out[i] = decToFloat(d, scale)
		}
	}
	v := validityOf(a)
	valid := make([]bool, n)
	for i := range valid {
		valid[i] = v.OK(i)
	}
	return fixedArray(mem, arrow.PrimitiveTypes.Float64, out, valid)
}

// decToFloat is the correctly rounded double nearest to d·10^-scale (as
// PostgreSQL's numeric to double precision cast).
func decToFloat(d decimal128.Num, scale int32) float64 {
	switch {
	case sqltypes.IsNumericNaN(d):
		return math.NaN()
	case sqltypes.IsNumericSpecial(d):
		return math.Inf(d.Sign())
	}
	const exact = 1 << 53
	if x := int64(d.LowBits()); scale >= 0 && scale <= 22 && d.HighBits() == x>>63 && x < exact && x > -exact {
		return float64(x) / math.Pow10(int(scale))
	}
	f, _ := strconv.ParseFloat(d.ToString(scale), 64)
	return f
}

func convert[T int8 | int16 | int32 | int64 | float32](dst []float64, src []T) {
	for i, x := range src {
		dst[i] = float64(x)
	}
}

func (a *percentileAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*percentileAcc)
	for g, st := range s.state {
		if d := gmap[g]; st != 0 && a.state[d] == 0 {
			a.frac[d], a.state[d] = s.frac[g], st
		}
	}
	a.in.merge(&s.in, gmap)
	return nil
}

func (a *percentileAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	for g := range a.groups {
		if f := a.frac[g]; a.state[g] == 1 && !(f >= 0 && f <= 1) {
			return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "percentile value %g is not between 0 and 1", f)
		}
	}
	in := &a.in
	if a.source != nil {
		in = &a.source.in
	}
	if a.valueType().ID() == arrow.FLOAT64 && !a.mode && in.allOf(arrow.FLOAT64) {
		v, offs, err := in.floatsByGroup(a.groups, "percentile")
		if err != nil {
			return nil, err
		}
		return a.selectFloats(mem, v, offs), nil
	}
	gv, kept, err := a.grouped(mem)
	if err != nil {
		return nil, err
	}
	if !kept {
		defer gv.release()
	}
	order, offs, vals := gv.order, gv.offs, gv.vals
	if gv.keys == nil {
		gv.keys = vals
		vals.Retain()
		if a.jsonb {
			if gv.keys, err = expr.JSONBSortKeys(mem, vals); err != nil {
				vals.Release()
				return nil, err
			}
			vals.Release()
		}
	}
	c, err := newRowCmp(gv.keys, a.desc, false)
	if err != nil {
		return nil, err
	}
	lo, hi := make([]int32, a.groups), make([]int32, a.groups)
	pct := make([]float64, a.groups)
	sorted := uint8(1) // gv.sorted's mark of this order
	if a.desc {
		sorted = 2
	}
	for g := range a.groups {
		seg := order[offs[g]:offs[g+1]]
		lo[g], hi[g] = -1, -1
		if len(seg) == 0 || a.state[g] != 1 {
			continue
		}
		if gv.sorted[g] != sorted {
			slices.SortFunc(seg, func(x, y int32) int {
				if r := c(int(x), int(y)); r != 0 {
					return r
				}
				return cmp.Compare(x, y)
			})
			gv.sorted[g] = sorted
		}
		n, f := float64(len(seg)), a.frac[g]
		if a.mode {
			lo[g] = modeOf(seg, c)
			continue
		}
		if !a.cont {
			k := max(int(math.Ceil(f*n)), 1)
			lo[g] = seg[k-1]
			continue
		}
		first, second := math.Floor(f*(n-1)), math.Ceil(f*(n-1))
		lo[g], hi[g] = seg[int(first)], seg[int(first)]
		if second > first {
			hi[g], pct[g] = seg[int(second)], f*(n-1)-first
		}
	}
	if !a.cont || a.mode {
		return takeArray(mem, vals, lo)
	}
	return lerp(mem, vals, lo, hi, pct)
}

// groupedValues is what finish reads: the retained values (vals) and
// their positions grouped by a counting sort (group g's at
// order[offs[g]:offs[g+1]]). The aggregates sharing one copy of their
// values (shareRetained) share these too, made once by the first to
// finish: keys (vals, or jsonb's sort keys) once one needed them, and
// sorted marks the groups whose positions are sorted (by value, then
// position), 1 ascending or 2 descending, so that sorting is not redone
// for an aggregate of the same order.
type groupedValues struct {
	order, offs []int32
	vals, keys  arrow.Array
	sorted      []uint8
}

// grouped returns the grouped values of a's retained rows, or of its
// source's. kept: the accumulator retaining the values keeps them for
// its sharers (and releases them with itself); else the caller releases
// them.
func (a *percentileAcc) grouped(mem memory.Allocator) (gv *groupedValues, kept bool, err error) {
	o := a
	if a.source != nil {
		o = a.source
	}
	if o.gv != nil {
		return o.gv, true, nil
	}
	// Counting sort by group; finish sorts each group's values.
	order, offs, err := o.in.byGroup(a.groups, "percentile")
	if err != nil {
		return nil, false, err
	}
	vals, err := o.in.values(mem, o.valueType(), "percentile")
	if err != nil {
		return nil, false, err
	}
	gv = &groupedValues{order: order, offs: offs, vals: vals, sorted: make([]uint8, a.groups)}
	if o.sharers > 0 {
		o.gv = gv
	}
	return gv, o.gv == gv, nil
}

func (gv *groupedValues) release() {
	gv.vals.Release()
	if gv.keys != nil {
		gv.keys.Release()
	}
}

// selectFloats finishes percentile_cont, and percentile_disc of double
// precision, by selection instead of sorting: each group needs the values
// at one or two ranks, which quickselect finds in linear time (sorting 6M
// values by an index comparator took seconds). order lists each group's
// values, group g's at v[offs[g]:offs[g+1]], which it reorders (each
// group's values stay there, so another percentile can select from them
// next). NaN sorts after every number, as in PostgreSQL.
func (a *percentileAcc) selectFloats(mem memory.Allocator, v []float64, offs []int32) arrow.Array {
	out, valid := make([]float64, a.groups), make([]bool, a.groups)
	for g := range a.groups {
		seg := v[offs[g]:offs[g+1]]
		if len(seg) == 0 || a.state[g] != 1 {
			continue
		}
		// The numbers first, then (left out of buf) the NaNs.
		k := 0
		for i, x := range seg {
			if x == x {
				seg[k], seg[i] = x, seg[k]
				k++
			}
		}
		buf := seg[:k]
		n, f := len(seg), a.frac[g]
		valid[g] = true
		if !a.cont {
			out[g] = floatAtRank(buf, ascRank(max(int(math.Ceil(f*float64(n))), 1)-1, n, a.desc))
			continue
		}
		first, second := math.Floor(f*float64(n-1)), math.Ceil(f*float64(n-1))
		if second == first {
			out[g] = floatAtRank(buf, ascRank(int(first), n, a.desc))
			continue
		}
		var lo, hi float64
		if a.desc { // ranks n-1-first and the one below it, ascending
			r := ascRank(int(second), n, true)
			hi = floatAtRank(buf, r)
			lo = floatAfterRank(buf, r)
		} else {
			lo = floatAtRank(buf, int(first))
			hi = floatAfterRank(buf, int(first))
		}
		out[g] = lo + (f*float64(n-1)-first)*(hi-lo)
	}
	return fixedArray(mem, arrow.PrimitiveTypes.Float64, out, valid)
}

// ascRank turns rank r of n in the ORDER BY's direction into an
// ascending one.
func ascRank(r, n int, desc bool) int {
	if desc {
		return n - 1 - r
	}
	return r
}

// floatAtRank is the value of ascending rank r among buf's numbers and,
// after them, the NaNs left out of buf (selectRank reorders buf).
func floatAtRank(buf []float64, r int) float64 {
	if r >= len(buf) {
		return math.NaN()
	}
	return selectRank(buf, r)
}

// floatAfterRank is the value of rank r+1 once floatAtRank(buf, r) has
// partitioned buf.
func floatAfterRank(buf []float64, r int) float64 {
	if r+1 >= len(buf) {
		return math.NaN()
	}
	return slices.Min(buf[r+1:])
}

// selectRank reorders v (no NaNs) so that v[r] is the value of rank r,
// the ones before it no greater and the ones after it no smaller, and
// returns v[r]. Quickselect with a median-of-three pivot; a range that
// shrinks too slowly (adversarial input) is sorted instead.
func selectRank(v []float64, r int) float64 {
	lo, hi := 0, len(v)-1
	for budget := 2 * bits.Len(uint(len(v))); hi > lo; budget-- {
		if budget == 0 {
			slices.Sort(v[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j { // Hoare partition: [lo, j] <= pivot <= [i, hi]
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case r <= j:
			hi = j
		case r >= i:
			lo = i
		default:
			return v[r]
		}
	}
	return v[r]
}

// modeOf returns the first value of the longest run of equal values in
// the sorted seg.
func modeOf(seg []int32, c rowCmp) int32 {
	best, bestLen := seg[0], 0
	for start := 0; start < len(seg); {
		end := start + 1
		for end < len(seg) && c(int(seg[start]), int(seg[end])) == 0 {
			end++
		}
		if end-start > bestLen {
			best, bestLen = seg[start], end-start
		}
		start = end
	}
	return best
}

// lerp returns vals[lo] + pct·(vals[hi] − vals[lo]) per group (NULL where
// lo < 0), in PostgreSQL's float8_lerp / interval_lerp arithmetic.
func lerp(mem memory.Allocator, vals arrow.Array, lo, hi []int32, pct []float64) (arrow.Array, error) {
	if vals.DataType().ID() == arrow.FLOAT64 {
		v := fixedVals[float64](vals)
		out, valid := make([]float64, len(lo)), make([]bool, len(lo))
		for g, l := range lo {
			switch {
			case l < 0:
			case hi[g] == l:
				out[g], valid[g] = v[l], true
			default:
				out[g], valid[g] = v[l]+pct[g]*(v[hi[g]]-v[l]), true
			}
		}
		return fixedArray(mem, vals.DataType(), out, valid), nil
	}
	// Intervals: evaluate (hi - lo) * pct + lo with the expression kernels.
	cols, err := takeColumns(mem, []arrow.Array{vals, vals}, lo)
	if err != nil {
		return nil, err
	}
	h, err := takeArray(mem, vals, hi)
	if err != nil {
		releaseArrays(cols)
		return nil, err
	}
	cols[1].Release()
	cols[1] = h
	cols = append(cols, fixedArray(mem, arrow.PrimitiveTypes.Float64, pct, nil))
	b := newBatch(schemaOfTypes(vals.DataType(), vals.DataType(), arrow.PrimitiveTypes.Float64), cols, len(lo))
	defer b.Release()
	iv := sqltypes.TypeInterval
	diff, err := expr.Binary(expr.OpSub, expr.Column(1, iv, "hi"), expr.Column(0, iv, "lo"))
	if err != nil {
		return nil, err
	}
	mul, err := expr.Binary(expr.OpMul, diff, expr.Column(2, sqltypes.TypeFloat8, "pct"))
	if err != nil {
		return nil, err
	}
	sum, err := expr.Binary(expr.OpAdd, mul, expr.Column(0, iv, "lo"))
	if err != nil {
		return nil, err
	}
	return sum.Eval(context.Background(), &executor.Env{Mem: mem}, b)
}

// schemaOfTypes returns a schema of nullable columns of the given types.
func schemaOfTypes(types ...arrow.DataType) *arrow.Schema {
	fs := make([]arrow.Field, len(types))
	for i, t := range types {
		fs[i] = arrow.Field{Name: "c", Type: t, Nullable: true}
	}
	return arrow.NewSchema(fs, nil)
}

// shareRetained makes the ordered-set aggregates of one part that retain
// the same values (the same input column, no FILTER, the same retained
// type) keep one copy: the first retains it, the others read it at
// finish, as PostgreSQL shares one sort between ordered-set aggregates of
// the same input. A median and a 90th percentile of 6M prices kept and
// converted two copies. accs[j] is aggs[j]'s accumulator.
func shareRetained(aggs []Aggregate, accs []accumulator) {
	type input struct {
		col int
		dt  string
	}
	owners := map[input]*percentileAcc{}
	for j, acc := range accs {
		p, ok := acc.(*percentileAcc)
		if !ok || aggs[j].Filter != nil || aggs[j].Distinct {
			continue
		}
		c, ok := aggs[j].Args[1].(*expr.ColumnExpr)
		if !ok {
			continue
		}
		k := input{c.Index, p.valueType().String()}
		if o := owners[k]; o != nil {
			p.source = o
			o.sharers++
		} else {
			owners[k] = p
		}
	}
}

// valueType is the type of the retained values.
func (a *percentileAcc) valueType() arrow.DataType {
	if a.cont && a.dt.ID() != arrow.INTERVAL_MONTH_DAY_NANO {
		return arrow.PrimitiveTypes.Float64
	}
	return a.dt
}

func (a *percentileAcc) release() {
	a.in.release()
	if a.gv != nil {
		a.gv.release()
		a.gv = nil
	}
}
