package expr

import (
	"testing"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// TestStableClockNeedsEnvNow: now(), statement_timestamp() and age(x)
// read the statement's clock from the Env; an Env built without one is a
// bug that fails the query with XX000 instead of reading the wall clock.
func TestStableClockNeedsEnvNow(t *testing.T) {
	stamp := Literal(sqltypes.TypeTimestamp, "2026-01-01 00:00:00")
	for _, tc := range []struct {
		name string
		args []Expr
	}{
		{NowFunc, nil},
		{StatementTimestampFunc, nil},
		{"age", []Expr{stamp}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := must(Call(tc.name, tc.args))
			env := newTestEnv(t)
			b := emptyBatch(1)
			defer b.Release()
			if _, err := evalStrings(t, env, e, b); err != nil {
				t.Fatalf("with the clock: %v", err)
			}
			env.Now, env.StatementStart = time.Time{}, time.Time{}
			if _, err := evalStrings(t, env, e, b); sqltypes.Code(err) != sqltypes.CodeInternal {
				t.Errorf("without the clock: %v; want XX000", err)
			}
		})
	}
}
