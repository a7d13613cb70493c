package expr

import (
	crand "crypto/rand"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The volatile functions: random() (uniform in [0, 1)), gen_random_uuid()
// (a version 4 UUID from crypto/rand), clock_timestamp() and timeofday()
// (func_clock.go), and the pg_sleep functions (func_sleep.go). Each row gets its own value; the planner must not fold
// them into constants (IsVolatile).

// IsVolatile reports whether function name may return a different value
// on every call with the same arguments.
func IsVolatile(name string) bool {
	switch name {
	case "random", "clock_timestamp", "timeofday", "gen_random_uuid", SampleFunc:
		return true
	}
	if SleepFunc(name) {
		return true
	}
	_, sig, ok := sessionSigOf(name)
	return ok && sig.acts
}

func buildVolatile(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 0, 0); err != nil {
		return nil, err
	}
	switch name {
	case "random":
		return &callExpr{name: name, t: sqltypes.TypeFloat8, k: func(env *executor.Env, _ []arrow.Array, n int) (arrow.Array, error) {
			return mapRows(env.Mem, arrow.PrimitiveTypes.Float64, n, nil, func(int) (float64, bool, error) { return rand.Float64(), false, nil })
		}}, nil
	case "gen_random_uuid":
		return &callExpr{name: name, t: sqltypes.TypeUUID, k: func(env *executor.Env, _ []arrow.Array, n int) (arrow.Array, error) {
			b := array.NewFixedSizeBinaryBuilder(env.Mem, &arrow.FixedSizeBinaryType{ByteWidth: 16})
			defer b.Release()
			b.Reserve(n)
			buf := make([]byte, 16*n)
			_, _ = crand.Read(buf) // one read per batch; crypto/rand never fails
			for i := range n {
				u := buf[16*i : 16*i+16]
				u[6] = u[6]&0x0f | 0x40 // version 4
				u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
				b.Append(u)
			}
			return b.NewArray(), nil
		}}, nil
	}
	return buildClock(name)
}
