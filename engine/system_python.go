package engine

import (
	"errors"
	"strconv"
	"strings"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/sqltypes"
)

// The functions Python's database tools call on connect and to cancel:
// psycopg 3's TypeInfo.fetch (which SQLAlchemy's psycopg dialect runs on
// every new connection, for hstore) looks types up with to_regtype(name),
// and Apache Superset's SQL Lab cancels a query with
// pg_cancel_backend(pid) from another connection, pid being what
// pg_backend_pid() returned on the query's. They are engine actions (see
// actions.go): performed once per execution, on constant or parameter
// arguments.

// toRegKinds maps the to_reg* functions to the reg* type whose names they
// look up.
var toRegKinds = map[string]string{
	"to_regclass": "regclass", "to_regtype": "regtype", "to_regnamespace": "regnamespace", "to_regrole": "regrole",
}

// pythonAction declares the actions of this file to the binder.
func (st *Statement) pythonAction(name string, nargs int) ([]sqltypes.Type, sqltypes.Type, bool) {
	if _, ok := toRegKinds[name]; ok && nargs == 1 {
		st.hasActions = true
		return []sqltypes.Type{sqltypes.TypeText}, sqltypes.TypeInt4, true
	}
	if (name == "pg_cancel_backend" || name == "pg_terminate_backend") && nargs == 1 {
		st.hasActions = true
		return []sqltypes.Type{sqltypes.TypeInt4}, sqltypes.TypeBool, true
	}
	return nil, sqltypes.Type{}, false
}

func isPythonAction(name string) bool {
	_, ok := toRegKinds[name]
	return ok || name == "pg_cancel_backend" || name == "pg_terminate_backend"
}

// performPythonAction runs one of this file's actions on its evaluated
// arguments; ok is false for other names.
func (s *Session) performPythonAction(name string, args []sqltypes.Datum) (v sqltypes.Datum, ok bool, err error) {
	switch name {
	case "pg_cancel_backend":
		v, err = s.cancelBackend(args[0])
		return v, true, err
	case "pg_terminate_backend":
		// meshql cannot end another connection from a query; a clear
		// error beats reporting a termination that did not happen.
		return nil, true, sqltypes.New(sqltypes.CodeFeatureNotSupported, "pg_terminate_backend is not supported").
			WithHint("Cancel the session's running query with SELECT pg_cancel_backend(<pid>) instead.")
	}
	if kind, found := toRegKinds[name]; found {
		v, err = s.toReg(kind, args[0])
		return v, true, err
	}
	return nil, false, nil
}

// toReg is to_regclass(text) and its kin: the id of the object the text
// names, or NULL where the cast to the reg* type would fail because no
// such object exists. Unlike the cast, a number is a name (PostgreSQL's
// to_regclass('16402') is NULL too).
func (s *Session) toReg(kind string, name sqltypes.Datum) (sqltypes.Datum, error) {
	n, ok := name.(string)
	if !ok {
		return nil, nil
	}
	if _, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
		return nil, nil
	}
	oid, err := s.resolveOID(kind, n)
	if err != nil {
		var se *sqltypes.Error
		if errors.As(err, &se) && (se.Code == sqltypes.CodeUndefinedTable || se.Code == sqltypes.CodeUndefinedObject || se.Code == sqltypes.CodeInvalidSchemaName) {
			return nil, nil
		}
		return nil, err
	}
	return oid, nil
}

// cancelBackend is pg_cancel_backend(pid): the running query of the
// session with that pid fails with 57014, as after a protocol cancel
// request. A user may cancel the queries of its own sessions, an
// administrator anyone's (PostgreSQL: the same role, or
// pg_signal_backend); others get 42501. It is true when the session
// exists (idle or not, as PostgreSQL reports a signal sent) and false
// for a pid that is no session of this server.
func (s *Session) cancelBackend(pid sqltypes.Datum) (sqltypes.Datum, error) {
	p, ok := pid.(int32)
	if !ok {
		return nil, nil
	}
	r := &s.engine.reg
	r.mu.Lock()
	target, found := r.sessions[p]
	var q *runningQuery
	if found {
		q = target.running
	}
	r.mu.Unlock()
	if !found {
		return false, nil
	}
	if target.user != s.user && !s.current().who.HasRole(policy.AdminRole) {
		return nil, sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied to cancel query").
			WithDetail("Only the session's own user or members of role %q may cancel its queries.", policy.AdminRole)
	}
	if q != nil {
		q.cancel(sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement due to user request"))
		s.engine.log.Info("query canceled with pg_cancel_backend", "pid", p, "query_id", q.id, "by", s.user)
	}
	return true, nil
}
