package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// constArray returns an array of n copies of v (already normalized to t).
func constArray(env *executor.Env, t sqltypes.Type, v sqltypes.Datum, n int) (arrow.Array, error) {
	mem := env.Mem
	dt := t.Arrow()
	if v == nil {
		return nullArray(mem, t, n), nil
	}
	switch x := v.(type) {
	case bool:
		buf, bm := allocBitmap(mem, n)
		if x {
			bitutil.SetBitsTo(bm, 0, int64(n), true)
		}
		return finish(dt, n, nil, buf), nil
	case int16:
		return fillFixed(mem, dt, n, x), nil
	case int32:
		return fillFixed(mem, dt, n, x), nil
	case int64:
		return fillFixed(mem, dt, n, x), nil
	case float32:
		return fillFixed(mem, dt, n, x), nil
	case float64:
		return fillFixed(mem, dt, n, x), nil
	case decimal128.Num:
		return fillFixed(mem, dt, n, x), nil
	case arrow.Date32:
		return fillFixed(mem, dt, n, x), nil
	case arrow.Timestamp:
		return fillFixed(mem, dt, n, x), nil
	case arrow.MonthDayNanoInterval:
		return fillFixed(mem, dt, n, x), nil
	case [16]byte:
		return fillFixed(mem, dt, n, x), nil
	case string:
		return repeatBytes(mem, dt, n, []byte(x))
	case []byte:
		return repeatBytes(mem, dt, n, x)
	}
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		appendDatum(b, t, v)
	}
	return b.NewArray(), nil
}

func fillFixed[T fixedT](mem memory.Allocator, dt arrow.DataType, n int, v T) arrow.Array {
	buf, vals := allocFixed[T](mem, n)
	for i := range vals {
		vals[i] = v
	}
	return finish(dt, n, nil, buf)
}

func repeatBytes(mem memory.Allocator, dt arrow.DataType, n int, v []byte) (arrow.Array, error) {
	if int64(n)*int64(len(v)) > 1<<31-1 {
		return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "constant of %d bytes repeated %d times exceeds the 2 GB batch limit", len(v), n)
	}
	offB, offs := allocFixed[int32](mem, n+1)
	dataB, data := allocFixed[int8](mem, n*len(v))
	raw := arrow.GetBytes(data)
	for i := 0; i <= n; i++ {
		offs[i] = int32(i * len(v))
	}
	if len(v) > 0 && n > 0 {
		copy(raw, v)
		for filled := len(v); filled < len(raw); filled *= 2 {
			copy(raw[filled:], raw[:filled])
		}
	}
	return finish(dt, n, nil, offB, dataB), nil
}

// nullArray returns n NULLs of type t.
func nullArray(mem memory.Allocator, t sqltypes.Type, n int) arrow.Array {
	if t.Kind == sqltypes.Unknown {
		return array.NewNull(n)
	}
	b := array.NewBuilder(mem, t.Arrow())
	defer b.Release()
	b.AppendNulls(n)
	return b.NewArray()
}
