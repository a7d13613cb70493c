package pgwire

import (
	"context"
	"errors"
	"io"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/pkg/types"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// parse is psql-wire's ParseFn, for both protocols: it prepares the query
// text in the session and wraps each statement for psql-wire.
func (s *Server) parse(ctx context.Context, q wire.Query) (_ wire.PreparedStatements, err error) {
	st := stateFrom(ctx)
	if st == nil || st.session == nil {
		return nil, fatal(sqltypes.CodeInternal, "pgwire: no session")
	}
	defer st.recoverErr(&err)
	st.syncCharset()
	if st.cs != nil {
		text, err := st.cs.decode([]byte(q.Query))
		if err != nil {
			return nil, st.wireErr(err)
		}
		q.Query = string(text)
	}
	declared := make([]sqltypes.Type, len(q.ParameterOIDs))
	for i, oid := range q.ParameterOIDs {
		declared[i], _ = sqltypes.FromOID(oid) // unknown OIDs: let the engine infer
		if declared[i].IsReg() {
			// A reg* parameter may be a name, which only the engine can
			// look up: $1::regclass infers text and reads the name (or
			// the id a binary value gives).
			declared[i] = sqltypes.TypeUnknown
		}
	}
	// The statements of a simple Query message start at its receipt,
	// as in PostgreSQL (statement_timestamp() is the same for all of
	// them); reading the clock before Prepare opens the implicit
	// transaction their analysis ('now' literals) reads too.
	var start *engine.Clock
	if t, ok := st.session.(ImplicitTransactions); ok && q.SimpleQuery {
		c := t.Clock()
		start = &c
	}
	failed := !q.SimpleQuery && st.abortedErr(nil) != nil
	// A single statement is planned here and run when psql-wire calls
	// its function: one statement for signals and statement_timeout
	// from now to the end of its execution (or, for a Parse, to the end
	// of the first Execute or to the Sync, as PostgreSQL's timeout).
	// PostgreSQL's scanner warns of each identifier it truncates, before
	// the statements' analysis, their results or ParseComplete.
	if err := st.writeNotices(parse.IdentifierNotices(q.Query)); err != nil {
		return nil, err
	}
	sc := st.beginStatement()
	pctx, done := st.beginQuery(sc.Context(ctx)) // a cancel request also stops planning
	stmts, err := st.session.Prepare(pctx, q.Query, declared...)
	done()
	if err != nil && failed && sqltypes.AsError(err).Code != sqltypes.CodeSyntaxError {
		// PostgreSQL refuses a Parse in a failed block once the text
		// parses, before it looks at any name in it.
		return nil, st.abortedErr(nil)
	}
	if err != nil {
		sc.End()
		return nil, st.wireErr(queryErr(ctx, pctx, err))
	}
	if len(stmts) != 1 {
		// Several statements of a simple Query message are planned and
		// run one by one, each a statement of its own (simpleFn).
		sc.End()
		sc = noScope{}
	}
	if b, ok := st.session.(ImplicitBlocker); ok && len(stmts) > 1 {
		b.BeginImplicitBlock()
	}
	if len(stmts) == 0 {
		// Declared parameter types count, as in PostgreSQL: a Bind supplies
		// that many values.
		return wire.Prepared(wire.NewStatement(st.emptyQuery, wire.WithParameters(q.ParameterOIDs))), nil
	}
	if !q.SimpleQuery && len(stmts) == 1 {
		if err := checkParamTypes(ctx, stmts[0].ParamTypes(), q.ParameterOIDs); err != nil {
			return nil, st.wireErr(err)
		}
	}
	out := make(wire.PreparedStatements, len(stmts))
	for i, stmt := range stmts {
		if q.SimpleQuery {
			out[i] = wire.NewStatement(st.simpleFn(stmt, start, sc))
			continue
		}
		if err := st.abortedErr(stmt); err != nil {
			sc.End()
			return nil, err
		}
		out[i] = st.wireStatement(stmt, q.ParameterOIDs, sc)
		st.parsed = parsedStmt{ps: out[i], stmt: stmt}
	}
	return out, nil
}

// parsedStmt is the statement parse made last for a Parse message, for
// the statement cache's Set that follows it (statements.go).
type parsedStmt struct {
	ps   *wire.PreparedStatement
	stmt Statement
}

// wireStatement wraps an extended-protocol statement for psql-wire;
// declared are the parameter types the Parse message gave, sc the
// statement scope its first Execute runs in.
func (st *connState) wireStatement(stmt Statement, declared []uint32, sc Scope) *wire.PreparedStatement {
	oids := paramOIDs(stmt.ParamTypes(), declared)
	return wire.NewStatement(st.extendedFn(stmt, oids, sc),
		wire.WithParameters(oids), wire.WithColumns(wireColumns(stmt.Columns())))
}

// maxParams is the protocol's bound: Bind and ParameterDescription count
// parameters in 16 bits.
const maxParams = 65535

// checkParamTypes refuses a Parse whose parameters a Bind could not
// supply: a declared type OID of a parameter the statement uses that no
// type has (42704; PostgreSQL 15 fails with XX000 "cache lookup failed"),
// a parameter the query skips and the Parse does not declare, whose type
// nothing determines (42P18, as in PostgreSQL), or more parameters than
// the protocol carries.
func checkParamTypes(ctx context.Context, types []sqltypes.Type, declared []uint32) error {
	m := wire.TypeMap(ctx)
	for _, oid := range declared[:min(len(declared), len(types))] {
		if oid == 0 {
			continue
		}
		if _, ok := sqltypes.FromOID(oid); ok {
			continue
		}
		if m != nil {
			if _, ok := m.TypeForOID(oid); ok {
				continue
			}
		}
		return sqltypes.New(sqltypes.CodeUndefinedObject, "type with OID %d does not exist", oid)
	}
	for i, t := range types {
		if t.Kind == sqltypes.Unknown && (i >= len(declared) || declared[i] == 0) {
			// A parameter the query skips ($1 of SELECT $2::int).
			return sqltypes.New(sqltypes.CodeIndeterminateDatatype, "could not determine data type of parameter $%d", i+1)
		}
	}
	if len(types) > maxParams {
		n := 1
		for n < len(types) && !untypedParam(types[n-1]) {
			n++
		}
		return sqltypes.New(sqltypes.CodeIndeterminateDatatype, "could not determine data type of parameter $%d", n)
	}
	return nil
}

// missingParam is the parameter a simple query's "there is no parameter"
// names: PostgreSQL names the first reference; the binder does not say
// which that is, so the first one cast to a type, else the highest (a
// query that references $n has n parameters).
func missingParam(types []sqltypes.Type) int {
	for i, t := range types {
		if !untypedParam(t) {
			return i + 1
		}
	}
	return len(types)
}

// untypedParam reports a parameter type the binder gives a parameter nothing
// types (one the query skips, or uses only where any string goes).
func untypedParam(t sqltypes.Type) bool { return t.Kind == sqltypes.Unknown || t == sqltypes.TypeText }

// beginStatement opens the scope of a statement the server plans and
// runs in separate calls; the next ReadyForQuery ends it if nothing did.
func (st *connState) beginStatement() Scope {
	s, ok := st.session.(StatementScoper)
	if !ok {
		return noScope{}
	}
	sc := s.BeginStatement()
	st.scopes = append(st.scopes, sc)
	return sc
}

// endStatements ends the scopes still open, at ReadyForQuery: a Parse
// whose statement no Execute ran is over at the Sync.
func (st *connState) endStatements() {
	for _, sc := range st.scopes {
		sc.End()
	}
	st.scopes = st.scopes[:0]
}

// noScope is the Scope of a session without statement scopes.
type noScope struct{}

func (noScope) Context(ctx context.Context) context.Context { return ctx }
func (noScope) End()                                        {}

// paramOIDs is the ParameterDescription: what the client declared, else
// the engine's inferred type.
func paramOIDs(types []sqltypes.Type, declared []uint32) []uint32 {
	out := make([]uint32, max(len(types), len(declared)))
	for i := range out {
		switch {
		case i < len(declared) && declared[i] != 0:
			out[i] = declared[i]
		case i < len(types):
			out[i] = types[i].OID()
		default:
			out[i] = sqltypes.OIDText
		}
	}
	return out
}

// emptyQuery answers a query with no statements (";", only comments).
func (st *connState) emptyQuery(context.Context, wire.DataWriter, []wire.Parameter) error {
	return st.rw.writeRaw([]byte{byte(types.ServerEmptyQuery), 0, 0, 0, 4})
}

// simpleFn runs a statement of a simple Query message, at the message's
// start when the session takes one, in sc, the scope parse planned it in
// (a noScope: one of several statements, planned and run here as one).
// psql-wire gets no columns: this package writes RowDescription and
// DataRows itself (text).
func (st *connState) simpleFn(stmt Statement, start *engine.Clock, sc Scope) wire.PreparedStatementFn {
	return func(ctx context.Context, dw wire.DataWriter, _ []wire.Parameter) (err error) {
		defer st.recoverErr(&err)
		scope := sc
		if _, none := sc.(noScope); none {
			scope = st.beginStatement()
		}
		defer scope.End()
		ctx = scope.Context(ctx)
		run := stmt.Execute
		if c, ok := stmt.(StatementClock); ok && start != nil {
			// Bound at the message's start before ParamTypes binds it at
			// a clock of its own: after a COMMIT earlier in the message,
			// that would open the implicit transaction later than the
			// receipt the statement starts at. An error is the
			// statement's, which running it reports.
			_ = c.AnalyzeAt(ctx, *start)
			run = func(ctx context.Context, params []sqltypes.Datum) (Rows, error) {
				return c.ExecuteAt(ctx, params, *start)
			}
		}
		if types := stmt.ParamTypes(); len(types) > 0 {
			return st.wireErr(sqltypes.New(sqltypes.CodeUndefinedParameter, "there is no parameter $%d", missingParam(types)))
		}
		return st.execute(ctx, dw, stmt, run, nil, true)
	}
}

// extendedFn runs a bound portal of an extended-protocol statement; oids is
// its ParameterDescription. Its first execution before a Sync is the
// statement its Parse planned (sc); later ones are statements of their
// own.
func (st *connState) extendedFn(stmt Statement, oids []uint32, sc Scope) wire.PreparedStatementFn {
	return func(ctx context.Context, dw wire.DataWriter, params []wire.Parameter) (err error) {
		defer st.recoverErr(&err)
		scope := sc
		sc = noScope{} // for the executions after this one
		defer scope.End()
		ctx = scope.Context(ctx)
		in := st.env.input()
		run := stmt.Execute
		if c, ok := stmt.(StatementClock); ok {
			start := c.Clock()
			in.Now = start.Transaction
			run = func(ctx context.Context, params []sqltypes.Datum) (Rows, error) {
				return c.ExecuteAt(ctx, params, start)
			}
		}
		st.syncCharset()
		params, err = st.cs.recodeParams(wire.TypeMap(ctx), params, oids)
		if err != nil {
			return st.wireErr(err)
		}
		datums, err := decodeParams(params, oids, stmt.ParamTypes(), in)
		if err != nil {
			return st.wireErr(err)
		}
		return st.execute(ctx, dw, stmt, run, datums, false)
	}
}

// execute runs one statement by run (its Execute, or ExecuteAt at the
// start its parameters were read at) and streams its result.
func (st *connState) execute(ctx context.Context, dw wire.DataWriter, stmt Statement, run func(context.Context, []sqltypes.Datum) (Rows, error), params []sqltypes.Datum, simple bool) error {
	st.syncCharset() // a SET client_encoding earlier in the message
	qctx, done := st.beginQuery(ctx)
	defer done()
	rows, err := run(qctx, params)
	if err != nil {
		return st.wireErr(queryErr(ctx, qctx, err))
	}
	defer rows.Close()
	if ns, ok := rows.(NoticeSource); ok {
		if err := st.writeNotices(ns.Notices()); err != nil {
			return err
		}
	}
	cols := stmt.Columns()
	if st.cs != nil && simple {
		// The RowDescription a simple query sends; an Execute sends
		// none (a Describe checked its own: describeColumns).
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		if err := st.cs.checkNames(names); err != nil {
			return st.wireErr(err)
		}
	}
	var copyOut *engine.CopyOut
	var flow *portalFlow
	if cs, ok := rows.(CopySource); ok {
		copyOut = cs.CopyTo()
	}
	switch {
	case copyOut != nil:
		// Either protocol, as in PostgreSQL: an Execute's row limit does
		// not apply to COPY, which sends all its rows.
		err = st.writeCopyOut(qctx, rows, copyOut)
	case len(cols) == 0:
		err = drain(qctx, rows)
	case simple:
		if err = st.rw.writeRawText(appendRowDescription(st.out[:0], cols)); err == nil {
			err = st.writeRowsRaw(qctx, rows, cols, st.env, func(buf []byte, encs []colEncoder, from, to int) ([]byte, error) {
				return appendDataRows(buf, encs, nil, from, to, st.cs)
			}, nil)
		}
	default:
		if m := wire.TypeMap(ctx); m != nil {
			registerRowTypes(m, cols)
		}
		bin := binaryColumns(st.exec.formats, len(cols))
		badFormat := unsupportedFormat(st.exec.formats, len(cols))
		flow = st.newPortalFlow(dw)
		err = st.writeRowsRaw(qctx, rows, cols, st.env, func(buf []byte, encs []colEncoder, from, to int) ([]byte, error) {
			if badFormat != nil {
				// As PostgreSQL, when a row is to be sent.
				return buf, badFormat
			}
			return appendDataRows(buf, encs, bin, from, to, st.cs)
		}, flow)
	}
	if errors.Is(err, wire.ErrSuspendedHandlerClosed) {
		return err // the client closed a suspended portal
	}
	if err != nil {
		return st.wireErr(queryErr(ctx, qctx, err))
	}
	tag := flow.executeTag(rows.CommandTag())
	st.exec.done, st.exec.tag = true, tag
	return dw.Complete(tag)
}

// unsupportedFormat is PostgreSQL's 22023 for a result format code other
// than text (0) and binary (1) among Bind's codes for ncol columns.
func unsupportedFormat(formats []wire.FormatCode, ncol int) error {
	for i, f := range formats {
		if i >= ncol && len(formats) > 1 {
			break
		}
		if f != wire.TextFormat && f != wire.BinaryFormat {
			return sqltypes.New(sqltypes.CodeInvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return nil
}

// drain consumes a result that has no columns.
func drain(ctx context.Context, rows Rows) error {
	for {
		b, err := rows.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		b.Release()
	}
}

// queryErr prefers the cancellation cause when a statement failed because
// its context ended: the server's reason (57P01 at the end of the shutdown
// grace) over whatever the canceled work reported, and a cancel request's
// 57014 over an error that does not say why.
func queryErr(ctx, qctx context.Context, err error) error {
	if qctx.Err() == nil || ctx.Err() != nil {
		return err
	}
	var se *sqltypes.Error
	if errors.As(context.Cause(qctx), &se) {
		return se
	}
	if !errors.As(err, &se) {
		return qctx.Err()
	}
	return err
}
