package engine

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/sqltypes"
)

// SQL-level prepared statements (PREPARE, EXECUTE, DEALLOCATE), as
// psql scripts and some ODBC and BI tools use them. A prepared query is an
// engine Statement like one a client prepares over the extended protocol:
// bound once (again after a catalog reload), run with parameter values.

// prepareNamed binds st's query and keeps it under st.Name.
func (s *Session) prepareNamed(ctx context.Context, st *planner.Statement) error {
	if _, ok := s.prepared[st.Name]; ok {
		return sqltypes.New("42P05", "prepared statement \"%s\" already exists", st.Name)
	}
	p := &Statement{s: s, parsed: st.Prepared, paramTypes: st.ParamTypes}
	if err := p.analyze(ctx); err != nil {
		return err
	}
	if s.prepared == nil {
		s.prepared = map[string]*Statement{}
	}
	s.prepared[st.Name] = p
	return nil
}

// executeNamed runs the statement PREPARE named st.Name with st.Args
// evaluated at its parameter types.
func (s *Session) executeNamed(ctx context.Context, st *planner.Statement) (*Result, error) {
	p, ok := s.prepared[st.Name]
	if !ok {
		return nil, sqltypes.New("26000", "prepared statement \"%s\" does not exist", st.Name)
	}
	if err := p.analyze(ctx); err != nil {
		return nil, err
	}
	types := p.ParamTypes()
	if len(types) != len(st.Args) {
		return nil, sqltypes.New(sqltypes.CodeSyntaxError, "wrong number of parameters for prepared statement \"%s\"", st.Name).
			WithDetail("Expected %d parameters but got %d.", len(types), len(st.Args))
	}
	params, err := s.evalArgs(ctx, st.Args, types)
	if err != nil {
		return nil, err
	}
	return p.Execute(ctx, params)
}

// evalArgs computes EXECUTE's arguments as one query, each cast to its
// parameter's type as PostgreSQL assigns them (22P02 for bad text, 42804
// for a type that does not convert).
func (s *Session) evalArgs(ctx context.Context, args []string, types []sqltypes.Type) ([]sqltypes.Datum, error) {
	if len(args) == 0 {
		return nil, nil
	}
	var sql strings.Builder
	sql.WriteString("SELECT ")
	for i, a := range args {
		if i > 0 {
			sql.WriteString(", ")
		}
		t := types[i]
		if t.Kind == sqltypes.Unknown {
			t = sqltypes.TypeText
		}
		sql.WriteString("CAST((" + a + ") AS " + t.String() + ")")
	}
	stmts, err := s.Prepare(ctx, sql.String())
	var res *Result
	if err == nil {
		res, err = stmts[0].Execute(ctx, nil)
	}
	if err != nil {
		var se *sqltypes.Error
		if errors.As(err, &se) {
			// A position would point into the query built above.
			c := *se
			c.Position = 0
			return nil, &c
		}
		return nil, err
	}
	defer res.Close()
	b, err := res.Next(ctx)
	if err != nil {
		if err == io.EOF {
			err = sqltypes.New(sqltypes.CodeInternal, "EXECUTE parameters returned no row")
		}
		return nil, err
	}
	defer b.Release()
	out := make([]sqltypes.Datum, len(args))
	for i := range out {
		out[i] = expr.DatumAt(b.Column(i), res.Columns[i].Type, 0)
		if n, ok := out[i].(decimal128.Num); ok {
			// A parameter's decimal carries its scale, as the wire's do.
			out[i] = sqltypes.Decimal{Num: n, Scale: b.Column(i).DataType().(*arrow.Decimal128Type).Scale}
		}
	}
	return out, nil
}

// deallocate forgets a prepared statement, or all of them for "". An
// unknown name is no error: clients that prepare over the extended
// protocol (psycopg 3) send DEALLOCATE for names the wire layer keeps.
func (s *Session) deallocate(name string) {
	if name == "" {
		s.prepared = nil
		return
	}
	delete(s.prepared, name)
}
