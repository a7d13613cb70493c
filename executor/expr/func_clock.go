package expr

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The clock functions, as PostgreSQL's: now() (also
// transaction_timestamp() and current_timestamp) is the transaction's
// start, Env.Now; statement_timestamp() the statement's, Env.StatementStart;
// both are stable, so the planner folds them while building the plan of
// each execution: a prepared plan is bound once and reads the clock of the
// execution it runs in. clock_timestamp() and timeofday() read the wall
// clock (Env.Clock) at every row, and are volatile.
//
// An Env without Now is a query built without its statement's clock: a
// bug, answered with XX000 rather than with a wall-clock reading that
// would differ from batch to batch and from the rest of the statement.

// NowFunc and StatementTimestampFunc are the names the binder gives
// now() and statement_timestamp() (current_date, localtimestamp and
// localtime are casts of now()).
const (
	NowFunc                = "now"
	StatementTimestampFunc = "statement_timestamp"
)

func buildStableClock(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 0, 0); err != nil {
		return nil, err
	}
	return &callExpr{name: name, t: sqltypes.TypeTimestampTZ, k: func(env *executor.Env, _ []arrow.Array, n int) (arrow.Array, error) {
		at, err := transactionStart(env)
		if err != nil {
			return nil, err
		}
		if name == StatementTimestampFunc && !env.StatementStart.IsZero() {
			at = env.StatementStart
		}
		v := arrow.Timestamp(at.UnixMicro())
		return mapRows(env.Mem, sqltypes.TypeTimestampTZ.Arrow(), n, nil, func(int) (arrow.Timestamp, bool, error) { return v, false, nil })
	}}, nil
}

// buildClock is clock_timestamp() and timeofday(): a reading per row.
func buildClock(name string) (Expr, error) {
	if name == "clock_timestamp" {
		return &callExpr{name: name, t: sqltypes.TypeTimestampTZ, k: func(env *executor.Env, _ []arrow.Array, n int) (arrow.Array, error) {
			return mapRows(env.Mem, sqltypes.TypeTimestampTZ.Arrow(), n, nil, func(int) (arrow.Timestamp, bool, error) {
				return arrow.Timestamp(readWallClock(env).UnixMicro()), false, nil
			})
		}}, nil
	}
	return &callExpr{name: name, t: sqltypes.TypeText, k: func(env *executor.Env, _ []arrow.Array, n int) (arrow.Array, error) {
		loc := env.Location
		if loc == nil {
			loc = time.UTC
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, nil, func(_ int, dst []byte) ([]byte, bool, error) {
			// PostgreSQL's format: Thu Nov 26 20:15:31.123456 2026 UTC.
			return readWallClock(env).In(loc).AppendFormat(dst, "Mon Jan 02 15:04:05.000000 2006 MST"), false, nil
		})
	}}, nil
}

// transactionStart is env.Now, which a query's Env must set.
func transactionStart(env *executor.Env) (time.Time, error) {
	if env.Now.IsZero() {
		return time.Time{}, internalErr("the query was built without its statement's clock")
	}
	return env.Now, nil
}

func readWallClock(env *executor.Env) time.Time {
	if env.Clock != nil {
		return env.Clock()
	}
	return time.Now()
}
