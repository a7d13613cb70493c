package expr

import (
	"context"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// pg_sleep(seconds float8), pg_sleep_for(interval) and
// pg_sleep_until(timestamptz) wait, row by row, and return void, as
// PostgreSQL's: a NULL argument returns NULL at once, as do a delay of
// zero or less and NaN; an infinite one sleeps until the query ends.
// The wait ends with the query's context, so that statement_timeout and
// cancel requests (57014) stop a sleeping query at once. They are
// volatile and act per row (acts), so the planner neither folds nor
// moves them and they sleep for the rows that reach them only.

// SleepFunc reports whether name is one of the pg_sleep functions.
func SleepFunc(name string) bool {
	return name == "pg_sleep" || name == "pg_sleep_for" || name == "pg_sleep_until"
}

func buildSleep(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	want := map[string]sqltypes.Type{"pg_sleep": sqltypes.TypeFloat8, "pg_sleep_for": sqltypes.TypeInterval, "pg_sleep_until": sqltypes.TypeTimestampTZ}[name]
	if t := args[0].Type(); name == "pg_sleep" && t.Kind.NumericRank() == 0 && !implicitText(t) ||
		name != "pg_sleep" && t.Kind != want.Kind && !implicitText(t) && !(name == "pg_sleep_until" && t.IsTemporal()) {
		return nil, functionError(name, args)
	}
	a, err := coerceArgs(name, args, want)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeVoid, acts: true, kc: func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		delay := sleepDelay(name, env, in[0])
		return mapRowsStr(env.Mem, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			d, err := delay(i)
			if err == nil {
				err = sleepCtx(ctx, d)
			}
			return dst[:0], false, err
		})
	}}, nil
}

// forever stands for a delay no timer holds: the sleep lasts until the
// query's context ends.
const forever = time.Duration(math.MaxInt64)

// sleepDelay returns how long row i of arg asks to sleep: pg_sleep's
// seconds, pg_sleep_for's interval from now on (months and days on the
// session's calendar, as clock_timestamp() + interval), or the time left
// until pg_sleep_until's timestamp.
func sleepDelay(name string, env *executor.Env, arg arrow.Array) func(i int) (time.Duration, error) {
	switch name {
	case "pg_sleep_for":
		v := values[arrow.MonthDayNanoInterval](arg)
		return func(i int) (time.Duration, error) {
			now := arrow.Timestamp(readWallClock(env).UnixMicro())
			end, err := tsAddInterval(now, v[i], false, env.Location)
			if err != nil {
				return 0, err
			}
			return microsDelay(int64(end) - int64(now)), nil
		}
	case "pg_sleep_until":
		v := values[arrow.Timestamp](arg)
		return func(i int) (time.Duration, error) {
			switch t := int64(v[i]); {
			case t == sqltypes.TimestampInfinity:
				return forever, nil
			case !sqltypes.IsFiniteTimestamp(t):
				return 0, nil
			default:
				return microsDelay(t - readWallClock(env).UnixMicro()), nil
			}
		}
	}
	v := values[float64](arg)
	return func(i int) (time.Duration, error) {
		s := v[i]
		switch {
		case math.IsNaN(s) || s <= 0:
			return 0, nil
		case s >= float64(forever/time.Second):
			return forever, nil
		}
		return time.Duration(s * float64(time.Second)), nil
	}
}

func microsDelay(us int64) time.Duration {
	if us >= int64(forever/time.Microsecond) {
		return forever
	}
	return time.Duration(us) * time.Microsecond
}

// sleepCtx waits d, or until ctx ends (its 57014). The context is
// checked first, as PostgreSQL checks for interrupts before a sleep of
// nothing too.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return sqltypes.AsError(err)
	}
	if d <= 0 {
		return nil
	}
	var wake <-chan time.Time
	if d != forever {
		t := time.NewTimer(d)
		defer t.Stop()
		wake = t.C
	}
	select {
	case <-ctx.Done():
		return sqltypes.AsError(ctx.Err())
	case <-wake:
		return nil
	}
}
