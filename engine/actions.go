package engine

import (
	"context"
	"sync"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/physical"
	"github.com/meshql/meshql/sqltypes"
)

// Actions are functions with a side effect (meshql_cancel, set_config). The binder
// leaves them in the plan as logical.Func; performActions runs them once
// per execution, before planning, and puts their results in their place,
// so that a prepared statement cancels again each time it is executed and
// describing one cancels nothing.

// action declares the engine's action functions to the binder; nargs is
// the number of arguments of the call.
func (st *Statement) action(name string, nargs int) ([]sqltypes.Type, sqltypes.Type, bool) {
	switch name {
	case "meshql_cancel":
		st.hasActions = true
		return []sqltypes.Type{sqltypes.TypeInt8}, sqltypes.TypeBool, true
	case "set_config":
		st.hasActions = true
		return []sqltypes.Type{sqltypes.TypeText, sqltypes.TypeText, sqltypes.TypeBool}, sqltypes.TypeText, true
	case "current_setting":
		// An action so that it reads the setting when the statement runs
		// (after a set_config to its left), not when it was prepared.
		st.hasActions = true
		if nargs == 2 {
			return []sqltypes.Type{sqltypes.TypeText, sqltypes.TypeBool}, sqltypes.TypeText, true
		}
		return []sqltypes.Type{sqltypes.TypeText}, sqltypes.TypeText, true
	}
	if kind, ok := regInputs[name]; ok {
		st.hasActions = true
		return []sqltypes.Type{sqltypes.TypeText}, regType(kind), true
	}
	if k, ok := regOutputs[name]; ok {
		st.hasActions = true
		return []sqltypes.Type{{Kind: k}}, sqltypes.TypeText, true
	}
	return st.pythonAction(name, nargs)
}

// regInputs are the input functions of the reg* types, by name, with the
// type whose names they look up: the binder calls them for $1::regclass
// and text::regtype, whose names are only known at execution; text cast
// to regclass is PostgreSQL's function regclass(text), which takes a name
// only.
var regInputs = map[string]string{
	"regclassin": "regclass", "regtypein": "regtype", "regnamespacein": "regnamespace",
	"regprocin": "regproc", "regprocedurein": "regprocedure", "regrolein": "regrole",
	"regclass": "regclass",
}

// regclassOut is the action the binder calls for x::regclass::text:
// PostgreSQL's regclassout, a relation's name as the session sees it
// (regout.go has the other reg* types' outputs).
const regclassOut = "regclassout"

// regType is the reg* type of a kind's name ("regclass").
func regType(kind string) sqltypes.Type {
	t, _ := sqltypes.LookupType(kind, nil)
	return t
}

// isAction reports whether a function is one of the engine's actions.
func isAction(name string) bool {
	switch name {
	case "meshql_cancel", "set_config", "current_setting":
		return true
	}
	_, ok := regInputs[name]
	_, out := regOutputs[name]
	return ok || out || isPythonAction(name)
}

// performActions returns q with every action call replaced by its result.
// Action arguments must not depend on rows (a literal, a parameter or an
// expression of them): 0A000 otherwise. They are evaluated in the
// statement that runs at start.
func (s *Session) performActions(ctx context.Context, env *executor.Env, q *bind.Query, params []sqltypes.Datum, start Clock) (*bind.Query, error) {
	call, firstErr := s.actionCalls(ctx, env, params, start)
	out, err := rewriteExprs(q, call)
	if err == nil {
		err = *firstErr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// explainActions readies q for EXPLAIN, which performs no action: the
// functions without a side effect (current_setting, regclass(text), the
// reg* inputs, to_reg*) are evaluated as the statement would, while one
// that would cancel, signal or SET is refused (0A000; PostgreSQL's
// EXPLAIN does not call functions, meshql plans their results).
func (s *Session) explainActions(ctx context.Context, env *executor.Env, q *bind.Query, params []sqltypes.Datum, start Clock) (*bind.Query, error) {
	call, firstErr := s.actionCalls(ctx, env, params, start)
	out, err := rewriteExprs(q, func(e logical.Expr) logical.Expr {
		if f, ok := e.(*logical.Func); ok && actsOnSessions(f.Name) && *firstErr == nil {
			*firstErr = sqltypes.New(sqltypes.CodeFeatureNotSupported, "EXPLAIN of a statement calling %s is not supported", f.Name).
				WithHint("EXPLAIN would perform it; explain the query without that call.")
			return e
		}
		return call(e)
	})
	if err == nil {
		err = *firstErr
	}
	return out, err
}

// actsOnSessions reports whether an action changes a session or a query
// (it is not only read).
func actsOnSessions(name string) bool {
	switch name {
	case "meshql_cancel", "set_config", "pg_cancel_backend", "pg_terminate_backend":
		return true
	}
	return false
}

// rewriteExprs returns q with call applied to every expression of its plan.
func rewriteExprs(q *bind.Query, call func(logical.Expr) logical.Expr) (*bind.Query, error) {
	plan, err := logical.Transform(q.Plan, func(n logical.Node) (logical.Node, error) {
		return logical.MapExprs(n, func(e logical.Expr) logical.Expr { return logical.Rewrite(e, call) }), nil
	})
	if err != nil {
		return nil, err
	}
	out := *q
	out.Plan = plan
	return &out, nil
}

// sessionCall is executor.Env.Session for the queries of s: a session
// function (expr.SessionFunc) answered for one row. The relation index
// is built at most once per statement, on the first row that needs it.
func (s *Session) sessionCall() func(fn string, args []sqltypes.Datum) (sqltypes.Datum, error) {
	var once sync.Once
	var rels *relations
	var mu sync.Mutex
	outs := map[string]func(uint32) string{}
	return func(fn string, args []sqltypes.Datum) (sqltypes.Datum, error) {
		switch fn {
		case "regclass", regclassOut:
			once.Do(func() { rels = s.relations() })
			return s.callSession(fn, args, rels)
		}
		if k, ok := regOutputs[fn]; ok {
			mu.Lock()
			out, ok := outs[fn]
			if !ok {
				out = s.regOut(k)()
				outs[fn] = out
			}
			mu.Unlock()
			return regOutput(out, args[0]), nil
		}
		return s.callSession(fn, args, nil)
	}
}

// callSession performs the session function fn (an action of this file
// or expr.SessionFunc's) on its evaluated arguments, as a constant or for
// one row; rels are the relations regclass and regclassout read (nil: the
// session's current ones).
func (s *Session) callSession(fn string, args []sqltypes.Datum, rels *relations) (sqltypes.Datum, error) {
	switch fn {
	case "meshql_cancel":
		return s.cancelQuery(args[0])
	case "set_config":
		return s.setConfig(args[0], args[1], args[2])
	case "current_setting":
		return s.currentSetting(args...)
	case "regclass", regclassOut:
		if rels == nil {
			rels = s.relations()
		}
		if fn == regclassOut {
			return rels.out(args[0]), nil
		}
		n, ok := args[0].(string)
		if !ok {
			return nil, nil
		}
		return rels.regclass(n)
	}
	if k, ok := regOutputs[fn]; ok {
		return regOutput(s.regOut(k)(), args[0]), nil
	}
	v, done, err := s.performPythonAction(fn, args)
	if !done {
		v, err = s.regInput(fn, args[0])
	}
	return v, err
}

// actionCalls returns a logical.Rewrite function that replaces an action
// call by its result, evaluating its arguments in the statement that runs
// at start, and where the first failure is kept (the call is then left as
// it is). A text cast to regclass stays a call (expr.RegclassFunc) that
// looks each row's name up as the query runs in env, among the relations
// the session sees now; without an env (EXECUTE's arguments) its name
// must not depend on rows (0A000).
func (s *Session) actionCalls(ctx context.Context, env *executor.Env, params []sqltypes.Datum, start Clock) (func(logical.Expr) logical.Expr, *error) {
	var firstErr error
	call := func(e logical.Expr) logical.Expr {
		f, ok := e.(*logical.Func)
		if !ok || !isAction(f.Name) || firstErr != nil {
			return e
		}
		bound := make([]logical.Expr, len(f.Args))
		perRow := false
		for i, a := range f.Args {
			bound[i] = logical.Rewrite(a, func(e logical.Expr) logical.Expr {
				if p, ok := e.(*logical.Param); ok && p.Index >= 1 && p.Index <= len(params) {
					return &logical.Const{T: p.T, V: params[p.Index-1]}
				}
				return e
			})
			perRow = perRow || len(logical.ColumnsOf(bound[i])) > 0
		}
		// regclass(text) is stable in PostgreSQL, evaluated when a row
		// reaches it: a name may vary per row and a constant one in a
		// CASE branch not taken raises nothing.
		if env != nil && expr.IsSessionFunc(f.Name) && (perRow || f.Name == "regclass") {
			return &logical.Func{Name: expr.SessionFunc(f.Name), Args: bound, T: f.T}
		}
		args := make([]sqltypes.Datum, len(f.Args))
		for i, a := range bound {
			cenv := s.env(start)
			v, err := physical.EvalConst(ctx, cenv, a)
			cenv.Budget.Close()
			if err != nil {
				werr := sqltypes.Wrap(err, sqltypes.CodeFeatureNotSupported, "the arguments of %s must not depend on rows", f.Name)
				switch f.Name {
				case "meshql_cancel":
					werr = werr.WithHint("Look the id up in mesh.running_queries, then call SELECT meshql_cancel(<id>).")
				case "pg_cancel_backend", "pg_terminate_backend":
					werr = werr.WithHint("Look the pid up in pg_stat_activity, then call SELECT pg_cancel_backend(<pid>).")
				}
				if kind, ok := regInputs[f.Name]; ok {
					werr = sqltypes.Wrap(err, sqltypes.CodeFeatureNotSupported, "a name that depends on rows cannot be cast to %s", kind).
						WithHint("Cast a constant or a parameter, or compare names instead (relname, nspname, typname).")
				}
				firstErr = werr
				return e
			}
			args[i] = v
		}
		v, err := s.callSession(f.Name, args, nil)
		if err != nil {
			firstErr = err
			return e
		}
		return &logical.Const{T: f.T, V: v}
	}
	return call, &firstErr
}

// cancelQuery is meshql_cancel(query_id): an administrator cancels a
// running query of any session, which then fails with 57014. It reports
// whether the query was running; NULL cancels nothing.
func (s *Session) cancelQuery(id sqltypes.Datum) (bool, error) {
	if !s.current().who.HasRole(policy.AdminRole) {
		return false, sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied to cancel queries").
			WithHint("Only members of role %q may call meshql_cancel.", policy.AdminRole)
	}
	n, ok := id.(int64)
	if !ok {
		return false, nil
	}
	cause := sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement due to administrator request").
		WithDetail("Query %d was canceled by %s with meshql_cancel.", n, s.user)
	found := s.engine.reg.cancel(n, cause)
	if found {
		s.engine.log.Info("query canceled by an administrator", "query_id", n, "by", s.user)
	}
	return found, nil
}

// setConfig is set_config(name, value, is_local): SET name = value, or
// with is_local SET LOCAL, which lasts until the end of the transaction
// block (outside one, until the end of the statement: nothing changes). It
// returns the value as the setting now shows it. A NULL name is an error,
// a NULL value means the empty string, as in PostgreSQL.
func (s *Session) setConfig(name, value, local sqltypes.Datum) (sqltypes.Datum, error) {
	n, ok := name.(string)
	if !ok {
		return nil, sqltypes.New("22004", "SET requires parameter name")
	}
	v, _ := value.(string)
	if isLocal, _ := local.(bool); isLocal {
		return s.setLocal(n, v)
	}
	return s.set(n, v)
}

// currentSetting is current_setting(name [, missing_ok]): the value SHOW
// name prints; for an unknown setting 42704, or NULL when missing_ok is
// true. A NULL argument gives NULL.
func (s *Session) currentSetting(args ...sqltypes.Datum) (sqltypes.Datum, error) {
	n, ok := args[0].(string)
	if !ok {
		return nil, nil
	}
	missingOK := false
	if len(args) == 2 {
		if args[1] == nil {
			return nil, nil
		}
		missingOK, _ = args[1].(bool)
	}
	v, known := s.Setting(n)
	if !known {
		if missingOK {
			return nil, nil
		}
		return nil, sqltypes.New(sqltypes.CodeUndefinedObject, "unrecognized configuration parameter %q", n)
	}
	return v, nil
}

// regInput is the action fn of regInputs (regclassin, regclass(text), …):
// the id of the object a text names, as the cast 'name'::regclass gives;
// NULL stays NULL.
func (s *Session) regInput(fn string, name sqltypes.Datum) (sqltypes.Datum, error) {
	n, ok := name.(string)
	if !ok {
		return nil, nil
	}
	return s.resolveOID(regInputs[fn], n)
}
