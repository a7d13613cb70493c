package flightsql

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// maxPrepared bounds the prepared statements one token keeps open.
const maxPrepared = 1000

// prepared is a prepared statement of one session, with the parameter
// values bound last (nil = none bound).
type prepared struct {
	st *engine.Statement

	mu    sync.Mutex
	bound *boundRow
	// binds counts the DoPuts: a ticket names the binding it was issued
	// for, so that the shares of one result never mix two.
	binds uint64
}

// boundRow is a row of parameter values as DoPut sent them, to be cast to
// the parameters' types in the transaction of each execution: a bound
// 'now' or 'today' reads the now() of the query it runs in, as
// PostgreSQL reads a Bind's values in the transaction that executes them
// (over Flight SQL each execution outside a block is a transaction of its
// own). The TimeZone and DateStyle they are read with are the session's
// at bind time, as PostgreSQL's.
type boundRow struct {
	sent  []sqltypes.Datum // nil = NULL
	from  []sqltypes.Type
	types []sqltypes.Type // the statement's parameter types
	env   executor.Env
}

// paramsAt returns the bound values cast for an execution at clock c;
// nil when none are bound.
func (p *prepared) paramsAt(ctx context.Context, v *service, c engine.Clock) ([]sqltypes.Datum, uint64, error) {
	p.mu.Lock()
	b, binds := p.bound, p.binds
	p.mu.Unlock()
	if b == nil {
		return nil, binds, nil
	}
	env := b.env
	env.Now, env.StatementStart = c.Transaction, c.Statement
	params, err := v.castRow(ctx, env, b)
	return params, binds, err
}

// preparedStatement finds a prepared statement of this session.
func (s *session) preparedStatement(handle []byte) (*prepared, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prepared[string(handle)]
	if !ok {
		return nil, toStatus(sqltypes.New(sqltypes.CodeInvalidSQLStatement, "prepared statement does not exist"))
	}
	return p, nil
}

// paramSchema describes a statement's parameters $1…$n as Arrow fields.
func paramSchema(types []sqltypes.Type) *arrow.Schema {
	fields := make([]arrow.Field, len(types))
	for i, t := range types {
		fields[i] = arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: flightType(t), Nullable: true, Metadata: typeMetadata(t).Metadata()}
	}
	return arrow.NewSchema(fields, nil)
}

// CreatePreparedStatement analyzes a query and keeps it under a new handle.
func (v *service) CreatePreparedStatement(ctx context.Context, req flightsql.ActionCreatePreparedStatementRequest) (flightsql.ActionCreatePreparedStatementResult, error) {
	var res flightsql.ActionCreatePreparedStatementResult
	s, err := sessionFrom(ctx)
	if err != nil {
		return res, err
	}
	st, err := s.prepareOne(ctx, req.GetQuery())
	if err != nil {
		return res, toStatus(err)
	}
	for i, t := range st.ParamTypes() {
		if t.Kind == sqltypes.Unknown {
			// Nothing gives $n a type ($1 IS NULL, or a $n the statement
			// skips): 42P18, as PostgreSQL's Parse answers.
			return res, toStatus(sqltypes.New(sqltypes.CodeIndeterminateDatatype, "could not determine data type of parameter $%d", i+1))
		}
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return res, toStatus(err)
	}
	handle := hex.EncodeToString(raw[:])
	s.mu.Lock()
	if len(s.prepared) >= maxPrepared {
		s.mu.Unlock()
		return res, toStatus(sqltypes.New(sqltypes.CodeProgramLimitExceeded, "too many prepared statements (%d); close some", maxPrepared))
	}
	s.prepared[handle] = &prepared{st: st}
	s.mu.Unlock()
	res.Handle = []byte(handle)
	res.DatasetSchema = resultSchema(st.Columns())
	res.ParameterSchema = paramSchema(st.ParamTypes())
	return res, nil
}

// ClosePreparedStatement forgets a prepared statement; executions already
// running finish.
func (v *service) ClosePreparedStatement(ctx context.Context, req flightsql.ActionClosePreparedStatementRequest) error {
	s, err := sessionFrom(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.prepared, string(req.GetPreparedStatementHandle()))
	s.mu.Unlock()
	return nil
}

// GetFlightInfoPreparedStatement returns the schema of a prepared
// statement and tickets that run it with the parameters bound now: a
// ticket redeemed after another DoPut fails (40001), as the shares of a
// split result must read the same values.
func (v *service) GetFlightInfoPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.preparedStatement(cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	// One reading of the clock: Split plans with the values read at it,
	// and each share, which casts them again at its split's clock, reads
	// the same values.
	start := s.clock()
	params, binds, err := p.paramsAt(ctx, v, start)
	if err != nil {
		return nil, toStatus(err)
	}
	payload := binary.BigEndian.AppendUint64(slices.Clone(cmd.GetPreparedStatementHandle()), binds)
	return v.flightInfo(ctx, s, desc, p.st, params, start, func(sh *engine.Share) ([]byte, error) {
		return v.newTicket(s, ticketPrepared, sh, payload)
	})
}

// GetSchemaPreparedStatement returns a prepared statement's result schema.
func (v *service) GetSchemaPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.preparedStatement(cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(resultSchema(p.st.Columns()), v.mem)}, nil
}

// DoPutPreparedStatementQuery binds parameter values: the stream holds one
// row (a batch of n columns for $1…$n); zero rows unbind. Values convert
// to the parameters' types with SQL cast rules.
func (v *service) DoPutPreparedStatementQuery(ctx context.Context, cmd flightsql.PreparedStatementQuery, rdr flight.MessageReader, _ flight.MetadataWriter) ([]byte, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.preparedStatement(cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	var bound *boundRow
	rows := 0
	for rdr.Next() {
		b := rdr.RecordBatch()
		if b.NumRows() == 0 {
			continue
		}
		rows += int(b.NumRows())
		if rows > 1 {
			return nil, toStatus(sqltypes.New(sqltypes.CodeFeatureNotSupported, "binding more than one set of parameters to a query is not supported"))
		}
		if bound, err = v.readRow(ctx, b, p.st.ParamTypes()); err != nil {
			return nil, toStatus(err)
		}
	}
	if err := rdr.Err(); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "reading parameters: %v", err)
	}
	if bound != nil {
		// Cast once now, so that a value the parameter's type cannot
		// read fails the bind, as in PostgreSQL.
		bound.env = s.inputEnv()
		if _, err := v.castRow(ctx, bound.env, bound); err != nil {
			return nil, toStatus(err)
		}
	}
	p.mu.Lock()
	p.bound = bound
	p.binds++
	p.mu.Unlock()
	return cmd.GetPreparedStatementHandle(), nil
}

// clock reads the session's clock for a statement that begins now.
func (s *session) clock() engine.Clock {
	s.mu.Lock() // Clock may open the session's implicit transaction
	defer s.mu.Unlock()
	return s.sess.Clock()
}

// inputEnv is what a cast of a bound value reads from the session: its
// TimeZone and DateStyle, and the clock of a statement that begins now.
func (s *session) inputEnv() executor.Env {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.sess.Clock()
	return executor.Env{Now: c.Transaction, StatementStart: c.Statement, Location: s.sess.Location(), DateStyle: s.sess.DateStyle(), Workers: 1}
}

// readRow reads row 0 of b as the values bound to parameters of types
// (columns beyond len(types) keep their own type).
func (v *service) readRow(ctx context.Context, b arrow.RecordBatch, types []sqltypes.Type) (_ *boundRow, err error) {
	if int(b.NumCols()) < len(types) {
		return nil, sqltypes.New("08P01", "bind supplies %d parameters, but the prepared statement requires %d", b.NumCols(), len(types))
	}
	defer recoverParams(&err)
	row := &boundRow{sent: make([]sqltypes.Datum, b.NumCols()), from: make([]sqltypes.Type, b.NumCols()), types: types}
	for j, col := range b.Columns() {
		if col.IsNull(0) {
			continue
		}
		a := col
		if d, ok := col.(*array.Duration); ok {
			// A duration (pyarrow's timedelta) is an interval of that
			// many microseconds, as PostgreSQL drivers send a
			// timedelta.
			if a, err = durationInterval(v.mem, d); err != nil {
				return nil, err
			}
			defer a.Release()
		}
		from, err := sqltypes.FromArrow(a.DataType())
		if err != nil {
			return nil, err
		}
		if !arrow.TypeEqual(a.DataType(), from.Arrow()) {
			if a, err = castArray(ctx, v.mem, col, from.Arrow()); err != nil {
				return nil, sqltypes.New(sqltypes.CodeDatatypeMismatch, "parameter $%d: cannot read %s: %v", j+1, col.DataType(), err)
			}
			defer a.Release()
		}
		row.sent[j], row.from[j] = ownDatum(expr.DatumAt(a, from, 0)), from
	}
	return row, nil
}

// ownDatum copies the strings of d, a value DatumAt read, at any depth
// (the elements of an array included): they view the buffers of the
// batch DoPut received, or of a cast of it, which the binding outlives
// and a client or allocator may reuse.
func ownDatum(d sqltypes.Datum) sqltypes.Datum {
	switch x := d.(type) {
	case string:
		return strings.Clone(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ownDatum(e)
		}
		return out
	}
	return d
}

// recoverParams turns a panic reading parameter values into their
// error (deferred).
func recoverParams(err *error) {
	if r := recover(); r != nil {
		*err = sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot read parameter values: %v", r)
	}
}

// castRow converts a bound row to its parameters' types with env.
func (v *service) castRow(ctx context.Context, env executor.Env, b *boundRow) (_ []sqltypes.Datum, err error) {
	defer recoverParams(&err)
	out := slices.Clone(b.sent)
	for j, d := range b.sent {
		if d == nil || j >= len(b.types) || b.types[j].Kind == sqltypes.Unknown || b.types[j].Equal(b.from[j]) {
			continue
		}
		if out[j], err = v.castDatum(ctx, env, d, b.from[j], b.types[j]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// castDatum converts one value with SQL's CAST rules.
func (v *service) castDatum(ctx context.Context, env executor.Env, d sqltypes.Datum, from, to sqltypes.Type) (sqltypes.Datum, error) {
	e, err := expr.Cast(expr.Literal(from, d), to)
	if err != nil {
		return nil, err
	}
	if lit, ok := e.(*expr.LiteralExpr); ok {
		return lit.Value(), nil
	}
	one := arrowOneRow()
	defer one.Release()
	env.Mem = v.mem
	a, err := e.Eval(ctx, &env, one)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	if a.Len() != 1 {
		return nil, fmt.Errorf("cast produced %d values", a.Len())
	}
	return ownDatum(expr.DatumAt(a, to, 0)), nil
}

// durationInterval is row 0 of d as a one-row interval array: months and
// days 0, the time rounded to microseconds as PostgreSQL keeps it. A
// duration past the 292 years an interval's nanoseconds hold is 22008.
func durationInterval(mem memory.Allocator, d *array.Duration) (arrow.Array, error) {
	v := int64(d.Value(0))
	perNano := map[arrow.TimeUnit]int64{arrow.Second: 1e9, arrow.Millisecond: 1e6, arrow.Microsecond: 1e3, arrow.Nanosecond: 1}[d.DataType().(*arrow.DurationType).Unit]
	if v > math.MaxInt64/perNano || v < math.MinInt64/perNano {
		return nil, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "interval out of range")
	}
	ns := v * perNano
	// Nanoseconds round to microseconds, half away from zero.
	us := ns / 1000
	if r := ns % 1000; r >= 500 {
		us++
	} else if r <= -500 {
		us--
	}
	if us > math.MaxInt64/1000 || us < math.MinInt64/1000 {
		return nil, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "interval out of range")
	}
	b := array.NewMonthDayNanoIntervalBuilder(mem)
	defer b.Release()
	b.Append(arrow.MonthDayNanoInterval{Nanoseconds: us * 1000})
	return b.NewArray(), nil
}
