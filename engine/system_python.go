package engine

import (
	"errors"
	"slices"

	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/sqltypes"
)

// The functions Python's database tools call on connect and to cancel:
// psycopg 3's TypeInfo.fetch (which SQLAlchemy's psycopg dialect runs on
// every new connection, for hstore) looks types up with to_regtype(name),
// and Apache Superset's SQL Lab cancels a query with
// pg_terminate_backend(pid) from another connection, pid being what
// pg_backend_pid() returned on the query's. They are engine actions (see
// actions.go): performed once per execution on constant or parameter
// arguments; a pid read from rows is signaled row by row (a session
// function, see actionCalls).

// toRegKinds maps the to_reg* functions to the reg* type whose names they
// look up.
var toRegKinds = map[string]string{
	"to_regclass": "regclass", "to_regtype": "regtype", "to_regnamespace": "regnamespace", "to_regrole": "regrole",
	"to_regproc": "regproc", "to_regprocedure": "regprocedure",
}

// pythonAction declares the actions of this file to the binder.
func (st *Statement) pythonAction(name string, nargs int) ([]sqltypes.Type, sqltypes.Type, bool) {
	if kind, ok := toRegKinds[name]; ok && nargs == 1 {
		st.hasActions = true
		return []sqltypes.Type{sqltypes.TypeText}, regType(kind), true
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
	case "pg_cancel_backend", "pg_terminate_backend":
		pid, isPid := args[0].(int32)
		if !isPid {
			return nil, true, nil
		}
		v, err = s.signalBackend(pid, name == "pg_terminate_backend")
		return v, true, err
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
	// to_reg* take names only: what the casts read as an id is no object.
	if readsAsID(n) {
		return nil, nil
	}
	oid, err := s.resolveOID(kind, n)
	if err != nil {
		// PostgreSQL 15's to_regproc and to_regprocedure give NULL for no
		// such (or no single) function, but raise for an unknown type.
		var se *sqltypes.Error
		notFound := []string{sqltypes.CodeUndefinedTable, sqltypes.CodeUndefinedObject, sqltypes.CodeInvalidSchemaName}
		if kind == "regproc" || kind == "regprocedure" {
			notFound = []string{sqltypes.CodeUndefinedFunction, sqltypes.CodeAmbiguousFunction, sqltypes.CodeInvalidSchemaName}
		}
		if errors.As(err, &se) && slices.Contains(notFound, se.Code) {
			return nil, nil
		}
		return nil, err
	}
	return oid, nil
}

// SetTerminate gives the session the way to end its connection, which
// pg_terminate_backend uses: the wire front calls it once, before the
// first statement.
func (s *Session) SetTerminate(end func()) {
	r := &s.engine.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	s.terminate = end
}

// signalBackend is pg_cancel_backend(pid) and, with terminate,
// pg_terminate_backend(pid). Cancel: the running query of the session
// with that pid fails with 57014, as after a protocol cancel request.
// Terminate: its running statement fails and its connection ends, with
// FATAL 57P01, as PostgreSQL's; a session whose front cannot be ended
// (Flight SQL) is 0A000. A user may signal its own sessions, an
// administrator anyone's (PostgreSQL: the same role, or
// pg_signal_backend); others get 42501. The result is true when the
// session exists (idle or not: PostgreSQL reports a signal sent) and
// false for a pid that is no session of this server.
func (s *Session) signalBackend(pid int32, terminate bool) (bool, error) {
	// Read before the registry lock: the two locks never nest.
	admin := s.current().who.HasRole(policy.AdminRole)
	verb := "cancel query"
	if terminate {
		verb = "terminate process"
	}
	r := &s.engine.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	target, found := r.sessions[pid]
	if !found {
		return false, nil
	}
	if target.user != s.user && !admin {
		return false, sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied to %s", verb).
			WithDetail("Only the session's own user or members of role %q may signal it.", policy.AdminRole)
	}
	// The signal acts under the lock, on what runs when it was decided: a
	// query cannot end (registry.begin's end takes the lock) nor another
	// start between the decision and the cancel, so a cancel never lands
	// on the next statement and its log line names the query it ended.
	if terminate {
		if target.terminate == nil {
			return false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "session %d cannot be terminated", pid).
				WithHint("It is not a PostgreSQL-protocol connection; cancel its query with SELECT pg_cancel_backend(%d).", pid)
		}
		s.engine.log.Info("session terminated with pg_terminate_backend", "pid", pid, "by", s.user)
		if q := target.running; q != nil {
			// Its statement, from its planning to its end (also between
			// the two), fails FATAL: the front then ends the session.
			q.cancel(sqltypes.AdminShutdown())
		}
		target.terminate()
		return true, nil
	}
	if q := target.running; q != nil {
		q.cancel(errUserCancel())
		s.engine.log.Info("query canceled with pg_cancel_backend", "pid", pid, "query_id", q.id, "by", s.user)
	}
	return true, nil
}
