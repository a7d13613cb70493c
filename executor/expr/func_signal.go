package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// SignalBackendFunc is pg_cancel_backend(pid) (terminate false) and
// pg_terminate_backend(pid) (true) on a pid that varies per row, as in
// SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE …, which
// Apache Superset sends to cancel a query. The engine binds it in place of
// those functions; each non-NULL pid of a row that reaches it is signaled
// through Env.Signal, once. It is volatile, so that the planner neither
// folds nor moves it.
const SignalBackendFunc = "mesh_signal_backend"

func buildSignalBackend(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	pid, terminate := coerceTo(args[0], sqltypes.TypeInt4), coerceTo(args[1], sqltypes.TypeBool)
	if pid.Type().Kind != sqltypes.Int4 || terminate.Type().Kind != sqltypes.Bool {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{pid, terminate}, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		pids, term := in[0].(*array.Int32), in[1].(*array.Boolean)
		b := array.NewBooleanBuilder(env.Mem)
		defer b.Release()
		for i := 0; i < n; i++ {
			if pids.IsNull(i) || term.IsNull(i) {
				b.AppendNull()
				continue
			}
			if env.Signal == nil {
				return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "signaling sessions is not supported here")
			}
			ok, err := env.Signal(pids.Value(i), term.Value(i))
			if err != nil {
				return nil, err
			}
			b.Append(ok)
		}
		return b.NewArray(), nil
	}}, nil
}
