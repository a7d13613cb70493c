package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Session functions are the functions only the session can answer (the
// relations it sees, its settings, the other sessions it may signal),
// called with arguments that vary per row: format('%I.%I', table_schema,
// table_name)::regclass as Metabase casts, oid::regclass::text as psql
// prints, current_setting(name) over pg_settings as psql's \dconfig
// reads, SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE …
// as Apache Superset cancels. The engine binds such a call of fn as
// SessionFunc(fn); each row whose arguments are all non-NULL and that
// reaches the call (a CASE branch not taken does not) is answered by
// Env.Session, once; a NULL argument gives NULL. Users cannot call them.

// sessionPrefix starts the internal name of every session function.
const sessionPrefix = "mesh_session_"

// SessionFunc is the internal name of the per-row call of the session
// function fn.
func SessionFunc(fn string) string { return sessionPrefix + fn }

// IsSessionFunc reports whether fn is a session function the executor can
// call per row.
func IsSessionFunc(fn string) bool {
	_, ok := sessionFuncs[fn]
	return ok
}

// ActsOnSessions reports whether fn, as a query names it, signals sessions
// or queries (pg_cancel_backend, pg_terminate_backend, meshql_cancel).
func ActsOnSessions(fn string) bool { return sessionFuncs[fn].acts }

// sessionSig is a session function's signature: its argument types (the
// ones past min are optional) and result type; acts marks the ones with
// an effect on sessions or queries, which run on the rows that reach them
// only (actsOnRows) and are volatile, so that the planner neither folds
// nor moves them.
type sessionSig struct {
	args   []sqltypes.Type
	min    int
	result sqltypes.Type
	acts   bool
}

var sessionFuncs = map[string]sessionSig{
	// regclass(text): PostgreSQL's cast of text to regclass.
	"regclass": {args: []sqltypes.Type{sqltypes.TypeText}, min: 1, result: sqltypes.Type{Kind: sqltypes.RegClass}},
	// regclassout and the other reg* output functions: x::regclass
	// printed, a relation's name as the session sees it, or the number
	// for an id of none.
	"regclassout":          {args: []sqltypes.Type{sqltypes.TypeOid}, min: 1, result: sqltypes.TypeText},
	"regtypeout":           {args: []sqltypes.Type{sqltypes.TypeOid}, min: 1, result: sqltypes.TypeText},
	"regprocout":           {args: []sqltypes.Type{sqltypes.TypeOid}, min: 1, result: sqltypes.TypeText},
	"regprocedureout":      {args: []sqltypes.Type{sqltypes.TypeOid}, min: 1, result: sqltypes.TypeText},
	"regnamespaceout":      {args: []sqltypes.Type{sqltypes.TypeOid}, min: 1, result: sqltypes.TypeText},
	"regroleout":           {args: []sqltypes.Type{sqltypes.TypeOid}, min: 1, result: sqltypes.TypeText},
	"current_setting":      {args: []sqltypes.Type{sqltypes.TypeText, sqltypes.TypeBool}, min: 1, result: sqltypes.TypeText},
	"pg_cancel_backend":    {args: []sqltypes.Type{sqltypes.TypeInt4}, min: 1, result: sqltypes.TypeBool, acts: true},
	"pg_terminate_backend": {args: []sqltypes.Type{sqltypes.TypeInt4}, min: 1, result: sqltypes.TypeBool, acts: true},
	"meshql_cancel":        {args: []sqltypes.Type{sqltypes.TypeInt8}, min: 1, result: sqltypes.TypeBool, acts: true},
}

// sessionSigOf returns the signature of an internal session function name.
func sessionSigOf(name string) (string, sessionSig, bool) {
	fn, ok := strings.CutPrefix(name, sessionPrefix)
	if !ok {
		return "", sessionSig{}, false
	}
	sig, ok := sessionFuncs[fn]
	return fn, sig, ok
}

func buildSessionCall(name string, args []Expr) (Expr, error) {
	fn, sig, ok := sessionSigOf(name)
	if !ok || len(args) < sig.min || len(args) > len(sig.args) {
		return nil, functionError(name, args)
	}
	in := make([]Expr, len(args))
	for i, a := range args {
		want := sig.args[i]
		if in[i] = coerceTo(a, want); in[i].Type().Kind != want.Kind && !(want.IsString() && in[i].Type().IsString()) {
			return nil, functionError(name, args)
		}
	}
	// EXPLAIN shows the function the user (or PostgreSQL) calls.
	return &callExpr{name: fn, args: in, t: sig.result, acts: sig.acts, k: func(env *executor.Env, cols []arrow.Array, n int) (arrow.Array, error) {
		b := array.NewBuilder(env.Mem, sig.result.Arrow())
		defer b.Release()
		b.Reserve(n)
		row := make([]sqltypes.Datum, len(cols))
		views := make([]strView, len(cols))
		for j, c := range cols {
			if sig.args[j].IsString() {
				views[j] = viewOf(c)
			}
		}
		for i := 0; i < n; i++ {
			null := false
			for j, c := range cols {
				switch {
				case c.IsNull(i):
					row[j] = nil
				case sig.args[j].IsString():
					// aliases the column's buffer: the session keeps no argument
					row[j] = views[j].str(i)
				default:
					row[j] = datumAt(c, sig.args[j], i)
				}
				null = null || row[j] == nil
			}
			if null {
				b.AppendNull()
				continue
			}
			if env.Session == nil {
				return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s of values that depend on rows is not supported here", fn)
			}
			v, err := env.Session(fn, row)
			if err != nil {
				return nil, err
			}
			if v, err = normalizeDatum(sig.result, v); err != nil {
				return nil, err
			}
			appendDatum(b, sig.result, v)
		}
		return b.NewArray(), nil
	}}, nil
}
