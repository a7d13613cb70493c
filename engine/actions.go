package engine

import (
	"context"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/physical"
	"github.com/meshql/meshql/sqltypes"
)

// Actions are functions with a side effect (meshql_cancel). The binder
// leaves them in the plan as logical.Func; performActions runs them once
// per execution, before planning, and puts their results in their place,
// so that a prepared statement cancels again each time it is executed and
// describing one cancels nothing.

// action declares the engine's action functions to the binder.
func (st *Statement) action(name string) ([]sqltypes.Type, sqltypes.Type, bool) {
	switch name {
	case "meshql_cancel":
		st.hasActions = true
		return []sqltypes.Type{sqltypes.TypeInt8}, sqltypes.TypeBool, true
	}
	return nil, sqltypes.Type{}, false
}

// performActions returns q with every action call replaced by its result.
// Action arguments must not depend on rows (a literal, a parameter or an
// expression of them): 0A000 otherwise.
func (s *Session) performActions(ctx context.Context, q *bind.Query, params []sqltypes.Datum) (*bind.Query, error) {
	var firstErr error
	call := func(e logical.Expr) logical.Expr {
		f, ok := e.(*logical.Func)
		if !ok || f.Name != "meshql_cancel" || firstErr != nil {
			return e
		}
		arg := logical.Rewrite(f.Args[0], func(e logical.Expr) logical.Expr {
			if p, ok := e.(*logical.Param); ok && p.Index >= 1 && p.Index <= len(params) {
				return &logical.Const{T: p.T, V: params[p.Index-1]}
			}
			return e
		})
		v, err := physical.EvalConst(ctx, s.env(), arg)
		if err != nil {
			firstErr = sqltypes.Wrap(err, sqltypes.CodeFeatureNotSupported, "meshql_cancel takes a query id that does not depend on rows").
				WithHint("Look the id up in mesh.running_queries, then call SELECT meshql_cancel(<id>).")
			return e
		}
		found, err := s.cancelQuery(v)
		if err != nil {
			firstErr = err
			return e
		}
		return &logical.Const{T: sqltypes.TypeBool, V: found}
	}
	plan, err := logical.Transform(q.Plan, func(n logical.Node) (logical.Node, error) {
		return logical.MapExprs(n, func(e logical.Expr) logical.Expr { return logical.Rewrite(e, call) }), nil
	})
	if err == nil {
		err = firstErr
	}
	if err != nil {
		return nil, err
	}
	out := *q
	out.Plan = plan
	return &out, nil
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
