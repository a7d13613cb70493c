package expr

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// SampleFunc decides, row by row, whether TABLESAMPLE keeps a row: the
// planner's, never a user's function (the binder refuses the name).
//
//	mesh_tablesample(percent float8)                      — BERNOULLI/SYSTEM
//	mesh_tablesample(percent float8, seed float8, row text) — ... REPEATABLE (seed)
//
// Each row is kept with probability percent/100, independently. Without
// a seed the draw is random; with one it is a hash of the seed and the
// row's text, so the same seed over the same rows keeps the same rows
// whatever the parallelism or the order they arrive in (equal rows share
// their fate). The percentage is checked when the rows are read: NULL or
// outside [0, 100] is 2202H, a NULL seed 2202G, as in PostgreSQL.
const SampleFunc = "mesh_tablesample"

func buildSample(name string, args []Expr) (Expr, error) {
	if len(args) != 1 && len(args) != 3 || args[0].Type().Kind != sqltypes.Float8 ||
		len(args) == 3 && (args[1].Type().Kind != sqltypes.Float8 || args[2].Type().Arrow().ID() != arrow.STRING) {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeBool, k: sampleKernel}, nil
}

func sampleKernel(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
	b := array.NewBooleanBuilder(env.Mem)
	defer b.Release()
	if n == 0 {
		return b.NewArray(), nil
	}
	pct := in[0].(*array.Float64)
	if pct.IsNull(0) {
		return nil, sqltypes.New("2202H", "TABLESAMPLE parameter cannot be null")
	}
	p := pct.Value(0)
	if !(p >= 0 && p <= 100) { // NaN too
		return nil, sqltypes.New("2202H", "sample percentage must be between 0 and 100")
	}
	frac := p / 100
	b.Reserve(n)
	if len(in) == 1 {
		for range n {
			b.UnsafeAppend(rand.Float64() < frac)
		}
		return b.NewArray(), nil
	}
	seeds := in[1].(*array.Float64)
	if seeds.IsNull(0) {
		return nil, sqltypes.New("2202G", "TABLESAMPLE REPEATABLE parameter cannot be null")
	}
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], math.Float64bits(seeds.Value(0)))
	rows := viewOf(in[2]) // bytes alias the array: no copy per row
	h := fnv.New64a()
	for i := range n {
		h.Reset()
		_, _ = h.Write(seed[:])
		_, _ = h.Write(rows.bytes(i))
		b.UnsafeAppend(unitInterval(h.Sum64()) < frac)
	}
	return b.NewArray(), nil
}

// unitInterval maps a 64-bit hash to [0, 1) uniformly, after mixing its
// bits (FNV's low bits vary little for rows that differ at the end).
func unitInterval(h uint64) float64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return float64(h>>11) / (1 << 53)
}
