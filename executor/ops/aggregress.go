package ops

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// isRegrFunc reports whether fn is one of the two-argument statistics
// over (Y, X) pairs: corr, covar_pop/samp and the regr_* family.
func isRegrFunc(fn string) bool {
	switch fn {
	case "corr", "covar_pop", "covar_samp", "regr_count", "regr_avgx", "regr_avgy", "regr_slope",
		"regr_intercept", "regr_r2", "regr_sxx", "regr_syy", "regr_sxy":
		return true
	}
	return false
}

// regrType is the result type of a regr function over numeric (Y, X):
// bigint for regr_count, double precision for the rest, as PostgreSQL
// (which casts the arguments to double precision).
func regrType(fn string, args []sqltypes.Type) (sqltypes.Type, bool) {
	if len(args) != 2 {
		return sqltypes.Type{}, false
	}
	for _, a := range args {
		if !a.IsNumeric() && a.Kind != sqltypes.Unknown {
			return sqltypes.Type{}, false
		}
	}
	if fn == "regr_count" {
		return sqltypes.TypeInt8, true
	}
	return sqltypes.TypeFloat8, true
}

// regrAcc accumulates pairs (Y, X) where neither is NULL, in PostgreSQL's
// float8_regr_accum state: N, Sx, Sy and the centered Sxx, Syy, Sxy by
// the Youngs-Cramer update, merged as float8_regr_combine does, so serial
// results match PostgreSQL's.
type regrAcc struct {
	fn                       string
	mem                      memory.Allocator
	n, sx, sy, sxx, syy, sxy []float64
}

func (a *regrAcc) grow(n int) {
	a.n, a.sx, a.sy = growTo(a.n, n), growTo(a.sx, n), growTo(a.sy, n)
	a.sxx, a.syy, a.sxy = growTo(a.sxx, n), growTo(a.syy, n), growTo(a.sxy, n)
}

func (a *regrAcc) update(gids []int32, args []arrow.Array) error {
	if args[0].DataType().ID() == arrow.NULL || args[1].DataType().ID() == arrow.NULL {
		return nil
	}
	ys, xs := asFloat64(a.mem, args[0]), asFloat64(a.mem, args[1])
	defer ys.Release()
	defer xs.Release()
	y, x := fixedVals[float64](ys), fixedVals[float64](xs)
	yok, xok := validityOf(ys), validityOf(xs)
	for i, g := range gids {
		if g < 0 || !yok.OK(i) || !xok.OK(i) {
			continue
		}
		n := a.n[g] + 1
		a.n[g], a.sx[g], a.sy[g] = n, a.sx[g]+x[i], a.sy[g]+y[i]
		if n > 1 {
			tx, ty := x[i]*n-a.sx[g], y[i]*n-a.sy[g]
			scale := 1 / (n * (n - 1))
			a.sxx[g] += tx * tx * scale
			a.syy[g] += ty * ty * scale
			a.sxy[g] += tx * ty * scale
		}
	}
	return nil
}

func (a *regrAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*regrAcc)
	for g, n2 := range s.n {
		d := gmap[g]
		n1 := a.n[d]
		switch {
		case n2 == 0:
		case n1 == 0:
			a.n[d], a.sx[d], a.sy[d], a.sxx[d], a.syy[d], a.sxy[d] = n2, s.sx[g], s.sy[g], s.sxx[g], s.syy[g], s.sxy[g]
		default:
			n := n1 + n2
			tx := a.sx[d]/n1 - s.sx[g]/n2
			ty := a.sy[d]/n1 - s.sy[g]/n2
			a.sxx[d] += s.sxx[g] + n1*n2*tx*tx/n
			a.syy[d] += s.syy[g] + n1*n2*ty*ty/n
			a.sxy[d] += s.sxy[g] + n1*n2*tx*ty/n
			a.n[d], a.sx[d], a.sy[d] = n, a.sx[d]+s.sx[g], a.sy[d]+s.sy[g]
		}
	}
	return nil
}

func (a *regrAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	if a.fn == "regr_count" {
		out := make([]int64, len(a.n))
		for g, n := range a.n {
			out[g] = int64(n)
		}
		return fixedArray(mem, arrow.PrimitiveTypes.Int64, out, nil), nil
	}
	out, valid := make([]float64, len(a.n)), make([]bool, len(a.n))
	for g := range a.n {
		out[g], valid[g] = a.final(g)
	}
	return fixedArray(mem, arrow.PrimitiveTypes.Float64, out, valid), nil
}

// final is PostgreSQL's final function of a.fn for group g.
func (a *regrAcc) final(g int) (float64, bool) {
	n, sxx, syy, sxy := a.n[g], a.sxx[g], a.syy[g], a.sxy[g]
	if n < 1 {
		return 0, false
	}
	switch a.fn {
	case "covar_pop":
		return sxy / n, true
	case "covar_samp":
		return sxy / (n - 1), n >= 2
	case "regr_avgx":
		return a.sx[g] / n, true
	case "regr_avgy":
		return a.sy[g] / n, true
	case "regr_sxx":
		return sxx, true
	case "regr_syy":
		return syy, true
	case "regr_sxy":
		return sxy, true
	case "corr":
		if sxx == 0 || syy == 0 {
			return 0, false
		}
		return sxy / math.Sqrt(sxx*syy), true
	case "regr_slope":
		return sxy / sxx, sxx != 0
	case "regr_intercept":
		return (a.sy[g] - a.sx[g]*sxy/sxx) / n, sxx != 0
	case "regr_r2":
		switch {
		case sxx == 0:
			return 0, false
		case syy == 0:
			return 1, true
		}
		return sxy * sxy / (sxx * syy), true
	}
	return 0, false
}

func (a *regrAcc) release() {}

// asFloat64 returns arr as double precision (a new reference either way).
func asFloat64(mem memory.Allocator, arr arrow.Array) arrow.Array {
	if arr.DataType().ID() == arrow.FLOAT64 {
		arr.Retain()
		return arr
	}
	return toFloat64(mem, arr)
}

// bitAcc is bit_and / bit_or / bit_xor over an integer type: NULLs are
// skipped and a group without values yields NULL.
type bitAcc struct {
	op    string
	dt    arrow.DataType
	v     []int64
	valid []bool
}

func (a *bitAcc) grow(n int) { a.v, a.valid = growTo(a.v, n), growTo(a.valid, n) }

func (a *bitAcc) update(gids []int32, args []arrow.Array) error {
	if args[0].DataType().ID() == arrow.NULL {
		return nil
	}
	vals := intsOf(args[0])
	ok := validityOf(args[0])
	for i, g := range gids {
		if g >= 0 && ok.OK(i) {
			a.fold(int(g), vals(i), true)
		}
	}
	return nil
}

func (a *bitAcc) fold(g int, x int64, valid bool) {
	switch {
	case !valid:
	case !a.valid[g]:
		a.v[g], a.valid[g] = x, true
	case a.op == "bit_and":
		a.v[g] &= x
	case a.op == "bit_or":
		a.v[g] |= x
	default:
		a.v[g] ^= x
	}
}

func (a *bitAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*bitAcc)
	for g, x := range s.v {
		a.fold(int(gmap[g]), x, s.valid[g])
	}
	return nil
}

func (a *bitAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	switch a.dt.ID() {
	case arrow.INT16:
		return fixedArray(mem, a.dt, narrow[int16](a.v), a.valid), nil
	case arrow.INT32:
		return fixedArray(mem, a.dt, narrow[int32](a.v), a.valid), nil
	}
	return fixedArray(mem, a.dt, a.v, a.valid), nil
}

func (a *bitAcc) release() {}

func narrow[T int16 | int32](v []int64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// intsOf returns an accessor of an int16/32/64 array's values as int64.
func intsOf(arr arrow.Array) func(i int) int64 {
	switch arr.DataType().ID() {
	case arrow.INT16:
		v := fixedVals[int16](arr)
		return func(i int) int64 { return int64(v[i]) }
	case arrow.INT32:
		v := fixedVals[int32](arr)
		return func(i int) int64 { return int64(v[i]) }
	}
	v := fixedVals[int64](arr)
	return func(i int) int64 { return v[i] }
}
