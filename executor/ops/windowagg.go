package ops

import (
	"context"
	"hash/maphash"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// aggregate computes aggregate f over every row's frame.
func (w *winData) aggregate(ctx context.Context, f WindowFunc, args []arrow.Array, keep []bool, fr *frameRows) (arrow.Array, error) {
	fs, fe := fr.fs, fr.fe
	var arg arrow.Array
	if len(args) > 0 {
		arg = args[0]
	}
	if arg != nil && isVarNumeric(arg.DataType()) {
		// sum/avg/min/max over values with their own scales: the hash
		// aggregate's varNumAcc, as PostgreSQL folds them.
		return w.generic(ctx, f, args, keep, fr)
	}
	if fr.excluding() && !exactPrefixes(f.Func, arg) {
		return w.generic(ctx, f, args, keep, fr)
	}
	use := usable(arg, keep)
	switch f.Func {
	case "count_star", "count":
		cnt := prefixCount(w.n, use)
		out := make([]int64, w.n)
		for k := range out {
			out[k] = int64(frameTotal(fr, cnt, k))
		}
		return fixedArray(w.env.Mem, arrow.PrimitiveTypes.Int64, out, nil), nil
	case "bool_and", "bool_or":
		return w.boolAgg(f.Func == "bool_and", arg, use, fr), nil
	case "min", "max":
		return w.minMax(f.Func == "max", arg, use, fs, fe)
	case "sum", "avg":
		if id := arg.DataType().ID(); f.Func == "avg" && (id == arrow.FLOAT32 || id == arrow.FLOAT64) {
			return w.statsWindow(f, arg, use, fs, fe) // float8_accum, as in the hash aggregate
		}
		r, ok, err := w.sumAvg(f, arg, use, fr)
		if ok || err != nil {
			return r, err
		}
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		return w.statsWindow(f, arg, use, fs, fe)
	}
	return w.generic(ctx, f, args, keep, fr)
}

// exactPrefixes reports whether aggregate fn over arg is computed from
// prefix counts or exact (128-bit) prefix sums, so that a frame with a
// hole (EXCLUDE) is its runs' differences of them (frameTotal), as exact
// as aggregating the frame row by row (PostgreSQL restarts the
// aggregate for every such frame). Sums of floats round in the order
// they add, and min and max do not subtract: those aggregate each frame.
func exactPrefixes(fn string, arg arrow.Array) bool {
	switch fn {
	case "count_star", "count", "bool_and", "bool_or":
		return true
	case "sum", "avg":
		switch arg.DataType().ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DECIMAL128:
			return true
		}
	}
	return false
}

// frameTotal is the total of position k's frame from the prefix totals
// pre (pre[j] of the positions before j): the frame's span less its
// hole, plus k when EXCLUDE TIES keeps it in the hole.
func frameTotal(fr *frameRows, pre []int32, k int) int32 {
	t := pre[fr.fe[k]] - pre[fr.fs[k]]
	if fr.excluding() {
		t -= pre[fr.xe[k]] - pre[fr.xs[k]]
		if fr.back[k] {
			t += pre[k+1] - pre[k]
		}
	}
	return t
}

// frameSum128 is frameTotal over 128-bit prefix sums (two's complement:
// the differences are exact when the frame's sum fits).
func frameSum128(fr *frameRows, pre []decimal128.Num, k int) decimal128.Num {
	t := pre[fr.fe[k]].Sub(pre[fr.fs[k]])
	if fr.excluding() {
		t = t.Sub(pre[fr.xe[k]].Sub(pre[fr.xs[k]]))
		if fr.back[k] {
			t = t.Add(pre[k+1].Sub(pre[k]))
		}
	}
	return t
}

// usable returns whether position k is aggregated: not NULL (for
// aggregates with an argument) and passing the FILTER.
func usable(arg arrow.Array, keep []bool) func(k int) bool {
	if arg != nil && arg.DataType().ID() == arrow.NULL {
		return func(int) bool { return false }
	}
	var v validity
	if arg != nil {
		v = validityOf(arg)
	}
	switch {
	case keep == nil && v.Bits == nil:
		return func(int) bool { return true }
	case keep == nil:
		return v.OK
	}
	return func(k int) bool { return keep[k] && v.OK(k) }
}

// prefixCount returns cnt with cnt[k] = the usable positions before k.
func prefixCount(n int, use func(int) bool) []int32 {
	cnt := make([]int32, n+1)
	for k := range n {
		cnt[k+1] = cnt[k]
		if use(k) {
			cnt[k+1]++
		}
	}
	return cnt
}

func (w *winData) boolAgg(and bool, arg arrow.Array, use func(int) bool, fr *frameRows) arrow.Array {
	bits, off := boolBits(arg)
	nn, tt := make([]int32, w.n+1), make([]int32, w.n+1)
	for k := range w.n {
		nn[k+1], tt[k+1] = nn[k], tt[k]
		if use(k) {
			nn[k+1]++
			if bits != nil && bitutil.BitIsSet(bits, off+k) {
				tt[k+1]++
			}
		}
	}
	vals, valid := make([]uint8, w.n), make([]bool, w.n)
	for k := range vals {
		c, t := frameTotal(fr, nn, k), frameTotal(fr, tt, k)
		valid[k] = c > 0
		if (and && t == c) || (!and && t > 0) {
			vals[k] = 1
		}
	}
	keys := &fixedKeys[uint8]{dt: arrow.FixedWidthTypes.Boolean, isBool: true, vals: vals, valid: valid}
	return keys.build(w.env.Mem)
}

// minMax keeps, per partition, a queue of candidate positions of the
// frame whose values improve from back to front; frames only
// move forward, so every position enters and leaves it once.
func (w *winData) minMax(isMax bool, arg arrow.Array, use func(int) bool, fs, fe []int32) (arrow.Array, error) {
	c, err := newRowCmp(arg, isMax, false)
	if err != nil {
		return nil, err
	}
	// Of equal intervals ('1 mon', '30 days') PostgreSQL keeps the later
	// (newRowCmp's types have no other equal values that differ).
	tieLater := arg.DataType().ID() == arrow.INTERVAL_MONTH_DAY_NANO
	idx := make([]int32, w.n)
	var q []int32
	w.partition(func(ps, pe, g0, g1 int) {
		q = q[:0]
		head, next := 0, ps
		for k := ps; k < pe; k++ {
			for ; next < int(fe[k]); next++ {
				if !use(next) {
					continue
				}
				for len(q) > head && (c(int(q[len(q)-1]), next) > 0 || tieLater && c(int(q[len(q)-1]), next) == 0) {
					q = q[:len(q)-1]
				}
				q = append(q, int32(next))
			}
			for head < len(q) && q[head] < fs[k] {
				head++
			}
			idx[k] = -1
			if head < len(q) {
				idx[k] = q[head]
			}
		}
	})
	return takeArray(w.env.Mem, arg, idx)
}

// sumAvg computes sum and avg from prefix sums. For exact types the
// prefix is 128-bit over the whole input (ok false if it overflows: the
// caller recomputes per frame). Floats add in order like PostgreSQL: a
// running sum per partition for frames that start at the partition
// start, per-frame summation otherwise.
func (w *winData) sumAvg(f WindowFunc, arg arrow.Array, use func(int) bool, fr *frameRows) (arrow.Array, bool, error) {
	mem := w.env.Mem
	dt := f.Type.Arrow()
	avg := f.Func == "avg"
	fs, fe := fr.fs, fr.fe
	cnt := prefixCount(w.n, use)
	valid := make([]bool, w.n)
	for k := range valid {
		valid[k] = frameTotal(fr, cnt, k) > 0
	}
	switch arg.DataType().ID() {
	case arrow.FLOAT32, arrow.FLOAT64:
		var vals any
		if arg.DataType().ID() == arrow.FLOAT32 {
			vals = fixedVals[float32](arg)
		} else {
			vals = fixedVals[float64](arg)
		}
		// nil: a sum overflowed somewhere; the per-frame path tells
		// whether a frame's does (22003).
		r := w.floatSum(vals, avg, dt, use, fs, fe, valid)
		return r, r != nil, nil
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return nil, false, nil // the hash aggregate's accumulator, per frame
	}
	pre := make([]decimal128.Num, w.n+1)
	var at func(k int) decimal128.Num
	switch arg.DataType().ID() {
	case arrow.INT8:
		v := fixedVals[int8](arg)
		at = func(k int) decimal128.Num { return decimal128.FromI64(int64(v[k])) }
	case arrow.INT16:
		v := fixedVals[int16](arg)
		at = func(k int) decimal128.Num { return decimal128.FromI64(int64(v[k])) }
	case arrow.INT32:
		v := fixedVals[int32](arg)
		at = func(k int) decimal128.Num { return decimal128.FromI64(int64(v[k])) }
	case arrow.INT64:
		v := fixedVals[int64](arg)
		at = func(k int) decimal128.Num { return decimal128.FromI64(v[k]) }
	case arrow.DECIMAL128:
		v := fixedVals[decimal128.Num](arg)
		at = func(k int) decimal128.Num { return v[k] }
	default:
		return nil, false, errInternal("window %s over %s", f.Func, arg.DataType())
	}
	ok := prefix128(pre, at, use)
	if !ok {
		return nil, false, nil
	}
	if dt.ID() == arrow.INT64 { // sum(int2/int4)
		out := make([]int64, w.n)
		for k := range out {
			out[k] = int64(frameSum128(fr, pre, k).LowBits())
		}
		return fixedArray(mem, dt, out, valid), true, nil
	}
	inScale := int32(0)
	if d, isDec := arg.DataType().(*arrow.Decimal128Type); isDec {
		inScale = d.Scale
	}
	prec, scale := resultDecimal(dt)
	out := make([]decimal128.Num, w.n)
	for k := range out {
		if !valid[k] {
			continue
		}
		s := frameSum128(fr, pre, k)
		if avg {
			s = divRound(s, scale-inScale, int64(frameTotal(fr, cnt, k)))
		} else if scale != inScale {
			s = divRound(s, scale-inScale, 1)
		}
		if !s.FitsInPrecision(prec) {
			return nil, false, errNumericOverflow()
		}
		out[k] = s
	}
	return fixedArray(mem, dt, out, valid), true, nil
}

// prefix128 fills pre[k+1] = sum of the usable values before k+1; it
// reports false on 128-bit overflow.
func prefix128(pre []decimal128.Num, at func(k int) decimal128.Num, use func(int) bool) bool {
	for k := range len(pre) - 1 {
		pre[k+1] = pre[k]
		if !use(k) {
			continue
		}
		x := at(k)
		if sqltypes.IsNumericSpecial(x) {
			return false // the frame-by-frame path keeps NaN and ±Infinity apart
		}
		s := pre[k].Add(x)
		if (pre[k].Sign() >= 0) == (x.Sign() >= 0) && (s.Sign() >= 0) != (x.Sign() >= 0) {
			return false
		}
		pre[k+1] = s
	}
	return true
}

func (w *winData) floatSum(vals any, avg bool, dt arrow.DataType, use func(int) bool, fs, fe []int32, valid []bool) arrow.Array {
	at := func(k int) float64 { return 0 }
	switch v := vals.(type) {
	case []float32:
		at = func(k int) float64 { return float64(v[k]) }
	case []float64:
		at = func(k int) float64 { return v[k] }
	}
	// sum starts at the first value (PostgreSQL's float8pl, float4pl in
	// single precision for real), avg at 0 (float8_accum).
	plus := floatAdd
	if dt.ID() == arrow.FLOAT32 && !avg {
		plus = realAdd
	}
	overflow := false
	add := func(acc float64, seen bool, x float64) float64 {
		if !seen && !avg {
			return x
		}
		s, ok := plus(acc, x)
		overflow = overflow || !ok
		return s
	}
	out := make([]float64, w.n)
	run := make([]float64, w.n)
	w.partition(func(ps, pe, g0, g1 int) {
		acc, seen := 0.0, false
		for k := ps; k < pe; k++ {
			if use(k) {
				acc, seen = add(acc, seen, at(k)), true
			}
			run[k] = acc
		}
		for k := ps; k < pe; k++ {
			s, e := int(fs[k]), int(fe[k])
			if !valid[k] {
				continue
			}
			var sum float64
			if s == ps {
				sum = run[e-1]
			} else {
				seen := false
				for j := s; j < e; j++ {
					if use(j) {
						sum, seen = add(sum, seen, at(j)), true
					}
				}
			}
			out[k] = sum
		}
	})
	if overflow {
		return nil
	}
	if avg {
		cnt := prefixCount(w.n, use)
		for k := range out {
			if valid[k] {
				out[k] /= float64(cnt[fe[k]] - cnt[fs[k]])
			}
		}
	}
	if dt.ID() == arrow.FLOAT32 {
		o32 := make([]float32, w.n)
		for k, x := range out {
			o32[k] = float32(x)
		}
		return fixedArray(w.env.Mem, dt, o32, valid)
	}
	return fixedArray(w.env.Mem, dt, out, valid)
}

// generic computes any aggregate with its hash-aggregate accumulator: one
// single-group accumulator is extended while consecutive frames keep
// their start (running frames cost O(n) updates) and rebuilt when the
// start moves; each distinct frame is finished once. A frame with a hole
// (EXCLUDE) is aggregated afresh, run by run, unless it is the previous
// row's.
func (w *winData) generic(ctx context.Context, f WindowFunc, args []arrow.Array, keep []bool, fr *frameRows) (arrow.Array, error) {
	fs, fe := fr.fs, fr.fe
	mem := w.env.Mem
	mk := &hashAggOp{env: w.env, seed: maphash.MakeSeed()}
	spec := Aggregate{Func: f.Func, Args: f.Args, Type: f.Type}
	var acc accumulator
	defer func() {
		if acc != nil {
			acc.release()
		}
	}()
	var chunks, pending []arrow.Array
	defer func() { releaseArrays(chunks); releaseArrays(pending) }()
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		c, err := array.Concatenate(pending, mem)
		if err != nil {
			return sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "window %s: %v", f.Func, err)
		}
		releaseArrays(pending)
		pending, chunks = pending[:0], append(chunks, c)
		return nil
	}
	var gids []int32
	reset := func() error {
		if acc != nil {
			acc.release()
		}
		var err error
		if acc, err = mk.newAccumulator(spec); err != nil {
			acc = nil
			return err
		}
		acc.grow(1)
		return nil
	}
	// feed adds positions [s, e) to the accumulator.
	feed := func(s, e int32) error {
		gids = growTo(gids[:0], int(e-s))[:e-s]
		for j := range gids {
			gids[j] = 0
			if keep != nil && !keep[int(s)+j] {
				gids[j] = -1
			}
		}
		sl := make([]arrow.Array, len(args))
		for a, x := range args {
			sl[a] = sliceArray(x, int(s), int(e))
		}
		err := acc.update(gids, sl)
		releaseArrays(sl)
		return err
	}
	idx := make([]int32, w.n)
	results := int32(0)
	cs, ce := int32(-1), int32(-1)
	var runs, prevRuns [][2]int32
	for k := range w.n {
		s, e := fs[k], fe[k]
		if !fr.excluding() && s == cs && e == ce {
			idx[k] = results - 1
			continue
		}
		if k%1024 == 0 {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
		}
		switch {
		case fr.excluding():
			// Peers excluded as a group (EXCLUDE GROUP, or a frame of
			// peers only) often have the same runs: one result for them,
			// not one aggregation each.
			runs = fr.runs(k, runs[:0])
			if results > 0 && slices.Equal(runs, prevRuns) {
				idx[k] = results - 1
				continue
			}
			prevRuns = append(prevRuns[:0], runs...)
			if err := reset(); err != nil {
				return nil, err
			}
			for _, r := range runs {
				if err := feed(r[0], r[1]); err != nil {
					return nil, err
				}
			}
		case acc == nil || s != cs || e < ce:
			if err := reset(); err != nil {
				return nil, err
			}
			cs, ce = s, s
			fallthrough
		default:
			if e > ce {
				if err := feed(ce, e); err != nil {
					return nil, err
				}
				ce = e
			}
		}
		r, err := acc.finish(mem)
		if err != nil {
			return nil, err
		}
		pending = append(pending, r)
		idx[k], results = results, results+1
		if len(pending) >= 1024 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	var all arrow.Array
	switch len(chunks) {
	case 0:
		return array.MakeArrayOfNull(mem, f.Type.Arrow(), 0), nil
	case 1:
		all = chunks[0]
		all.Retain()
	default:
		c, err := array.Concatenate(chunks, mem)
		if err != nil {
			return nil, sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "window %s: %v", f.Func, err)
		}
		all = c
	}
	defer all.Release()
	return takeArray(mem, all, idx)
}
