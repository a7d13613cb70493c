package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/physical"
	"github.com/meshql/meshql/sqltypes"
)

// SQL-level prepared statements (PREPARE, EXECUTE, DEALLOCATE), as
// psql scripts and some ODBC and BI tools use them. A prepared query is an
// engine Statement like one a client prepares over the extended protocol:
// bound once (again after a catalog reload), run with parameter values.

// prepareNamed binds st's query, in the PREPARE that runs at start, and
// keeps it under st.Name.
func (s *Session) prepareNamed(ctx context.Context, st *planner.Statement, start Clock) error {
	if _, ok := s.prepared[st.Name]; ok {
		return sqltypes.New("42P05", "prepared statement \"%s\" already exists", st.Name)
	}
	p := &Statement{s: s, parsed: st.Prepared, paramTypes: st.ParamTypes}
	if err := p.analyzeAt(ctx, true, start); err != nil {
		return err
	}
	if err := bind.UndeterminedParam(p.ParamTypes()); err != nil {
		return err // PREPARE p AS SELECT $2::int: $1 has no type
	}
	if s.prepared == nil {
		s.prepared = map[string]*Statement{}
	}
	s.prepared[st.Name] = p
	return nil
}

// executeNamed runs the statement PREPARE named ex's name with ex's
// arguments as its parameter values, as protocol-level Bind gives them:
// one query, recorded (query log, mesh.running_queries, audit) under the
// EXECUTE's text, in the EXECUTE's statement, which starts at start. An
// EXECUTE that fails before its query runs is audited here, once.
func (s *Session) executeNamed(ctx context.Context, ex *Statement, start Clock) (*Result, error) {
	p, params, err := s.executeArgs(ctx, ex, start)
	if err != nil {
		s.audit(s.statementID(ctx), ex.parsed.SQL, start.Statement, 0, nil, err)
		return nil, err
	}
	return p.execute(ctx, params, ex.parsed.SQL, start)
}

// executeArgs finds the statement ex executes and its parameter values.
func (s *Session) executeArgs(ctx context.Context, ex *Statement, start Clock) (*Statement, []sqltypes.Datum, error) {
	st := ex.st
	p, ok := s.prepared[st.Name]
	if !ok {
		return nil, nil, sqltypes.New("26000", "prepared statement \"%s\" does not exist", st.Name)
	}
	if err := p.analyzeAt(ctx, false, start); err != nil {
		return nil, nil, err // audited under the EXECUTE's text by the caller
	}
	types := p.ParamTypes()
	if len(types) != len(st.Args) {
		return nil, nil, sqltypes.New(sqltypes.CodeSyntaxError, "wrong number of parameters for prepared statement \"%s\"", st.Name).
			WithDetail("Expected %d parameters but got %d.", len(types), len(st.Args))
	}
	params, err := ex.evalArgs(ctx, types, start)
	return p, params, err
}

// evalArgs binds the EXECUTE statement ex's arguments at types and
// evaluates each once, without a query, in the EXECUTE's statement,
// which starts at start; errors keep their positions in ex's text.
func (ex *Statement) evalArgs(ctx context.Context, types []sqltypes.Type, start Clock) ([]sqltypes.Datum, error) {
	s := ex.s
	if len(types) == 0 {
		return nil, nil
	}
	snap := s.snapshot()
	access := &bind.Access{}
	opts := ex.bindOptions(snap, start)
	opts.Access, opts.ParamTypes, opts.ParamValueScales = access, nil, nil
	args, err := bind.BindExecuteArgs(ctx, catalogView{s: s, snap: snap, access: access}, ex.st.Args, types, opts)
	if err != nil {
		return nil, err
	}
	call, actionErr := s.actionCalls(ctx, nil, nil, start)
	env := s.env(start)
	defer env.Budget.Close()
	out := make([]sqltypes.Datum, len(args))
	for i, a := range args {
		a = logical.Rewrite(a, call)
		if *actionErr != nil {
			return nil, *actionErr
		}
		v, err := physical.EvalConst(ctx, env, a)
		if err != nil {
			return nil, sqltypes.AsError(err)
		}
		if n, ok := v.(decimal128.Num); ok {
			// A parameter's decimal carries its scale, as the wire's do.
			v = sqltypes.Decimal{Num: n, Scale: a.Type().Scale}
		}
		out[i] = v
	}
	return out, nil
}

// deallocate is DEALLOCATE: it forgets a prepared statement, or all of
// them for "" (DEALLOCATE ALL), those a front keeps for the protocol's
// Parse too (KeepPrepared): one namespace, as in PostgreSQL. An unknown
// name is 26000.
func (s *Session) deallocate(name string) error {
	if name == "" {
		s.prepared = nil
		return nil
	}
	if _, ok := s.prepared[name]; !ok {
		return sqltypes.New("26000", "prepared statement \"%s\" does not exist", name)
	}
	delete(s.prepared, name)
	return nil
}

// KeepPrepared keeps st, which a front prepared for a named statement of
// the PostgreSQL protocol (Parse), among the statements PREPARE names:
// PostgreSQL has one namespace for both, so EXECUTE runs it, DEALLOCATE
// drops it and PREPARE cannot take its name. A name already taken is
// 42P05; st must be this session's.
func (s *Session) KeepPrepared(name string, st *Statement) error {
	if _, ok := s.prepared[name]; ok {
		return sqltypes.New("42P05", "prepared statement \"%s\" already exists", name)
	}
	if s.prepared == nil {
		s.prepared = map[string]*Statement{}
	}
	s.prepared[name] = st
	return nil
}

// PreparedStatement returns the statement PREPARE or KeepPrepared keeps
// under name, for a front's Bind or Describe of it.
func (s *Session) PreparedStatement(name string) (*Statement, bool) {
	st, ok := s.prepared[name]
	return st, ok
}

// DropPrepared forgets the statement named name, if any: the protocol's
// Close of a statement, which is no error for an unknown name.
func (s *Session) DropPrepared(name string) { delete(s.prepared, name) }
