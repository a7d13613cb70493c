package ops

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// statsWindow computes the variance family over every row's frame with
// statsAcc states whose groups are rows: exact inputs take the difference
// of prefix states (any frame in O(n)); float inputs take the running
// float8_accum state for frames starting at the partition start and
// re-accumulate other frames from their start, as PostgreSQL does (its
// float transition has no inverse). Results are finished in chunks of
// env.Rows() rows.
func (w *winData) statsWindow(f WindowFunc, arg arrow.Array, use func(int) bool, fs, fe []int32) (arrow.Array, error) {
	mem := w.env.Mem
	pre, err := newStatsAcc(f.Func, arg.DataType(), f.Type)
	if err != nil {
		return nil, err
	}
	// pre's group k+1 is the state after rows ..k (exact: from the first
	// row; float: from the partition start).
	pre.grow(w.n + 1)
	start := make([]int32, w.n) // partition start of each row
	w.partition(func(ps, pe, g0, g1 int) {
		for k := ps; k < pe; k++ {
			start[k] = int32(ps)
		}
	})
	// spec[k] counts the numeric NaN and ±Infinity among rows ..k-1.
	spec := make([]int32, w.n+1)
	// ovf[k+1]: the float state from the partition start through row k
	// overflowed; only a frame that needs that state fails (22003).
	var ovf []bool
	if pre.float {
		ovf = make([]bool, w.n+1)
	}
	if err := statsPrefix(pre, arg, use, start, spec, ovf); err != nil {
		return nil, err
	}
	chunk := w.env.Rows()
	var parts []arrow.Array
	defer func() { releaseArrays(parts) }()
	for lo := 0; lo < w.n; lo += chunk {
		hi := min(lo+chunk, w.n)
		res, _ := newStatsAcc(f.Func, arg.DataType(), f.Type)
		res.grow(hi - lo)
		for k := lo; k < hi; k++ {
			s, e, g := int(fs[k]), int(fe[k]), int32(k-lo)
			switch {
			case s >= e:
			case !res.float:
				res.cnt[g] = pre.cnt[e] - pre.cnt[s]
				if spec[e] != spec[s] {
					res.markSpecial(g)
					res.cnt[g]--
				}
				subLimbs(res.sx[g][:], pre.sx[e][:], pre.sx[s][:])
				subLimbs(res.sxx[g][:], pre.sxx[e][:], pre.sxx[s][:])
			case s == int(start[k]):
				if ovf[e] {
					return nil, errFloatOverflow()
				}
				res.fn[g], res.fsx[g], res.fsxx[g] = pre.fn[e], pre.fsx[e], pre.fsxx[e]
			default:
				if err := statsAccumRange(res, g, arg, use, s, e); err != nil {
					return nil, err
				}
			}
		}
		a, err := res.finish(mem)
		if err != nil {
			return nil, err
		}
		parts = append(parts, a)
	}
	switch len(parts) {
	case 0:
		return array.MakeArrayOfNull(mem, f.Type.Arrow(), 0), nil
	case 1:
		a := parts[0]
		parts = nil
		return a, nil
	}
	a, err := array.Concatenate(parts, mem)
	if err != nil {
		return nil, sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "window %s: %v", f.Func, err)
	}
	return a, nil
}

// statsValue returns the value of row k as a float (float inputs) or a
// 128-bit integer.
func statsValue(arg arrow.Array) (func(k int) float64, func(k int) (int64, uint64)) {
	switch arg.DataType().ID() {
	case arrow.FLOAT32:
		v := fixedVals[float32](arg)
		return func(k int) float64 { return float64(v[k]) }, nil
	case arrow.FLOAT64:
		v := fixedVals[float64](arg)
		return func(k int) float64 { return v[k] }, nil
	case arrow.INT8:
		v := fixedVals[int8](arg)
		return nil, func(k int) (int64, uint64) { x := int64(v[k]); return x >> 63, uint64(x) }
	case arrow.INT16:
		v := fixedVals[int16](arg)
		return nil, func(k int) (int64, uint64) { x := int64(v[k]); return x >> 63, uint64(x) }
	case arrow.INT32:
		v := fixedVals[int32](arg)
		return nil, func(k int) (int64, uint64) { x := int64(v[k]); return x >> 63, uint64(x) }
	case arrow.INT64:
		v := fixedVals[int64](arg)
		return nil, func(k int) (int64, uint64) { return v[k] >> 63, uint64(v[k]) }
	}
	v := fixedVals[decimal128.Num](arg)
	return nil, func(k int) (int64, uint64) { return v[k].HighBits(), v[k].LowBits() }
}

// statsPrefix fills the prefix states of pre (see statsWindow).
// spec receives the running count of numeric NaN and ±Infinity rows,
// which add to the count but not to the sums; ovf (float states) marks
// the prefixes that overflowed, which frames of other starts never read.
func statsPrefix(pre *statsAcc, arg arrow.Array, use func(int) bool, start, spec []int32, ovf []bool) error {
	fv, iv := statsValue(arg)
	for k := range start {
		g := int32(k + 1)
		if pre.float {
			if int(start[k]) != k { // else a new partition: empty state
				pre.fn[g], pre.fsx[g], pre.fsxx[g] = pre.fn[k], pre.fsx[k], pre.fsxx[k]
				ovf[g] = ovf[k]
			}
			if use(k) && !ovf[g] && pre.accum(g, fv(k)) != nil {
				ovf[g] = true
			}
			continue
		}
		pre.cnt[g], pre.sx[g], pre.sxx[g] = pre.cnt[k], pre.sx[k], pre.sxx[k]
		spec[g] = spec[k]
		if use(k) {
			hi, lo := iv(k)
			if sqltypes.IsNumericSpecialHi(hi) {
				pre.cnt[g]++
				spec[g]++
				continue
			}
			pre.addExact(g, hi, lo)
		}
	}
	return nil
}

// statsAccumRange accumulates the float rows [s, e) into group g.
func statsAccumRange(a *statsAcc, g int32, arg arrow.Array, use func(int) bool, s, e int) error {
	fv, _ := statsValue(arg)
	for j := s; j < e; j++ {
		if use(j) {
			if err := a.accum(g, fv(j)); err != nil {
				return err
			}
		}
	}
	return nil
}

// subLimbs sets dst = x - y over little-endian limbs (mod 2^(64·len)).
func subLimbs(dst, x, y []uint64) {
	var b uint64
	for i := range dst {
		dst[i], b = bits.Sub64(x[i], y[i], b)
	}
}
