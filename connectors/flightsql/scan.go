package flightsql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflight "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/flightsql/flightdial"
	"github.com/meshql/meshql/connectors/sqlgen"
	"github.com/meshql/meshql/sqltypes"
)

// remoteQuery is the SQL of one scan in two forms: sql with the filter
// values as literals, and, when there are values, params with $n
// placeholders for them and the values in order.
type remoteQuery struct {
	sql    string
	params string
	values []connectors.Literal
}

// gen renders filters in the remote's PostgreSQL dialect, with value
// rendering the filter values; ordered string comparisons stay in meshql,
// whose byte order a remote collation may not share.
func (t *Table) gen(value func(connectors.Literal) (string, bool)) *sqlgen.Gen {
	return &sqlgen.Gen{
		Column: func(name string) (sqltypes.Type, bool, bool) {
			i, ok := t.byName[name]
			if !ok || i < 0 {
				return sqltypes.Type{}, false, false
			}
			return t.types[i], true, t.typeOK[i]
		},
		Value:         value,
		NoStringOrder: true,
	}
}

// pushable reports whether a literal's kind is one whose text form every
// PostgreSQL-dialect engine reads back exactly and that binds as an
// Arrow parameter of the same type.
func pushable(l connectors.Literal) bool {
	switch l.Type.Kind {
	case sqltypes.Float4, sqltypes.Float8:
		f, ok := l.Value.(float64)
		if f32, ok32 := l.Value.(float32); ok32 {
			f, ok = float64(f32), true
		}
		return ok && !math.IsNaN(f) && !math.IsInf(f, 0)
	case sqltypes.Bool, sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric,
		sqltypes.Text, sqltypes.Varchar, sqltypes.Unknown, sqltypes.Date, sqltypes.Timestamp:
		return l.Value != nil
	}
	return false
}

// inline renders a literal as SQL text, quoted by sqltypes.FormatLiteral.
func inline(l connectors.Literal) (string, bool) {
	if !pushable(l) {
		return "", false
	}
	s := sqltypes.FormatLiteral(l.Type, l.Value)
	if strings.HasPrefix(s, "-") {
		s = "(" + s + ")"
	}
	return s, true
}

// SupportsFilters answers Exact for filters the generator renders.
func (t *Table) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	out := make([]connectors.PushSupport, len(fs))
	g := t.gen(inline)
	for i, f := range fs {
		if _, ok := g.Filter(f); ok {
			out[i] = connectors.Exact
		}
	}
	return out
}

// build returns the remote SQL of req and its output schema. With no
// column it selects a constant, dropped on arrival, to count rows.
func (t *Table) build(req connectors.ScanRequest) (remoteQuery, *arrow.Schema, error) {
	var q remoteQuery
	fields := make([]arrow.Field, len(req.Columns))
	sel := make([]string, len(req.Columns))
	for i, c := range req.Columns {
		if c < 0 || c >= t.schema.NumFields() {
			return q, nil, sqltypes.New(sqltypes.CodeInternal, "scan column index %d out of range (table has %d columns)", c, t.schema.NumFields())
		}
		fields[i] = t.schema.Field(c)
		sel[i] = sqlgen.Quote(fields[i].Name)
	}
	if len(sel) == 0 {
		sel = []string{"1"}
	}
	var ok bool
	if q.sql, ok = t.gen(inline).Select(sel, t.from, req.Filters, nil, req.Limit); !ok {
		return q, nil, sqltypes.New(sqltypes.CodeInternal, "flightsql source cannot apply filters %v", req.Filters)
	}
	placeholder := func(l connectors.Literal) (string, bool) {
		if !pushable(l) {
			return "", false
		}
		q.values = append(q.values, l)
		return "$" + strconv.Itoa(len(q.values)), true
	}
	if q.params, ok = t.gen(placeholder).Select(sel, t.from, req.Filters, nil, req.Limit); !ok || len(q.values) == 0 {
		q.params, q.values = "", nil
	}
	return q, arrow.NewSchema(fields, nil), nil
}

// Partitions returns one partition running the generated SQL; it reads
// the endpoints the server answers with concurrently.
func (t *Table) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	q, schema, err := t.build(req)
	if err != nil {
		return nil, err
	}
	return []connectors.Partition{&partition{t: t, q: q, schema: schema, limit: req.Limit}}, nil
}

// ExplainScan shows the remote SQL, with its parameter values when they
// are bound rather than inlined.
func (t *Table) ExplainScan(ctx context.Context, req connectors.ScanRequest) []string {
	return append(t.ExplainRequest(ctx, req), "partitions=1")
}

// ExplainRequest shows the remote SQL (and its bound values); no
// statistics-derived counts, so it may be shown to a session that sees
// only part of the rows.
func (t *Table) ExplainRequest(ctx context.Context, req connectors.ScanRequest) []string {
	q, _, err := t.build(req)
	if err != nil {
		return []string{fmt.Sprintf("remote_error=%q", err.Error())}
	}
	if q.params == "" || t.noPrepare.Load() {
		return []string{fmt.Sprintf("remote_sql=%q", q.sql)}
	}
	ps := make([]string, len(q.values))
	for i, l := range q.values {
		ps[i] = l.String()
	}
	return []string{fmt.Sprintf("remote_sql=%q", q.params), "params=[" + strings.Join(ps, ", ") + "]"}
}

type partition struct {
	t      *Table
	q      remoteQuery
	schema *arrow.Schema
	limit  int64
}

// Open runs the query on the server; batches are allocated from mem.
func (p *partition) Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	rs, err := p.t.run(ctx, p.q, mem)
	if err != nil {
		return nil, err
	}
	src := connectors.CheckTagged(p.schema, &source{t: p.t, rs: rs, schema: p.schema}, mem)
	return connectors.NewSourceReader(ctx, p.schema, src, p.limit), nil
}

// run opens a connection and starts q: as a prepared statement with its
// values bound when it has values and the server prepares statements,
// else as plain SQL. The endpoints of the result are read concurrently.
func (t *Table) run(ctx context.Context, q remoteQuery, mem memory.Allocator) (*remoteStream, error) {
	db, err := adbcflight.NewDriver(mem).NewDatabaseWithOptions(t.opts, flightdial.Options()...)
	if err != nil {
		return nil, t.error(ctx, err)
	}
	cnxn, err := db.Open(ctx)
	if err != nil {
		db.Close()
		return nil, t.error(ctx, err)
	}
	rs := &remoteStream{closers: []func(){func() { db.Close() }, func() { cnxn.Close() }}}
	stmt, err := t.statement(ctx, cnxn, q, mem)
	if err != nil {
		rs.Close()
		return nil, t.error(ctx, err)
	}
	rs.closers = append(rs.closers, func() { stmt.Close() })
	schema, parts, _, err := stmt.ExecutePartitions(ctx)
	if err != nil {
		rs.Close()
		return nil, t.error(ctx, err)
	}
	if err := rs.start(ctx, cnxn, schema, parts.PartitionIDs, t.error); err != nil {
		rs.Close()
		return nil, err
	}
	return rs, nil
}

// statement returns a statement ready to execute q.
func (t *Table) statement(ctx context.Context, cnxn adbc.Connection, q remoteQuery, mem memory.Allocator) (adbc.Statement, error) {
	stmt, err := cnxn.NewStatement()
	if err != nil {
		return nil, err
	}
	if q.params != "" && !t.noPrepare.Load() {
		err := stmt.SetSqlQuery(q.params)
		if err == nil {
			if err = stmt.Prepare(ctx); isUnsupported(err) {
				// Fall back to literals, now and for later scans.
				t.noPrepare.Store(true)
				stmt.Close()
				return t.statement(ctx, cnxn, q, mem)
			}
		}
		if err == nil {
			var values arrow.RecordBatch
			if values, err = paramBatch(mem, q.values); err == nil {
				err = stmt.Bind(ctx, values)
				values.Release()
			}
		}
		if err != nil {
			stmt.Close()
			return nil, err
		}
		return stmt, nil
	}
	if err := stmt.SetSqlQuery(q.sql); err != nil {
		stmt.Close()
		return nil, err
	}
	return stmt, nil
}

// isUnsupported reports whether err says the server does not prepare
// statements.
func isUnsupported(err error) bool {
	var ae adbc.Error
	return errors.As(err, &ae) && ae.Code == adbc.StatusNotImplemented
}

// paramBatch builds the one-row batch of values to bind as $1…$n, each
// column of its literal's Arrow type.
func paramBatch(mem memory.Allocator, values []connectors.Literal) (arrow.RecordBatch, error) {
	fields := make([]arrow.Field, len(values))
	for i, l := range values {
		typ := l.Type
		if typ.Kind == sqltypes.Unknown {
			typ = sqltypes.TypeText
		}
		fields[i] = arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: typ.Arrow(), Nullable: true}
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for i, l := range values {
		ok := false
		switch fb := b.Field(i).(type) {
		case *array.BooleanBuilder:
			ok = appendAs(fb, l.Value)
		case *array.Int16Builder:
			ok = appendAs(fb, l.Value)
		case *array.Int32Builder:
			ok = appendAs(fb, l.Value)
		case *array.Int64Builder:
			ok = appendAs(fb, l.Value)
		case *array.Float32Builder:
			ok = appendAs(fb, l.Value)
		case *array.Float64Builder:
			ok = appendAs(fb, l.Value)
		case *array.Decimal128Builder:
			ok = appendAs(fb, l.Value)
		case *array.StringBuilder:
			ok = appendAs(fb, l.Value)
		case *array.Date32Builder:
			ok = appendAs(fb, l.Value)
		case *array.TimestampBuilder:
			ok = appendAs(fb, l.Value)
		}
		if !ok {
			return nil, sqltypes.New(sqltypes.CodeInternal, "cannot bind %s value %v (%T) as a Flight SQL parameter", l.Type, l.Value, l.Value)
		}
	}
	return b.NewRecordBatch(), nil
}

// appendAs appends v to b if v has b's value type.
func appendAs[T any](b interface{ Append(T) }, v any) bool {
	x, ok := v.(T)
	if ok {
		b.Append(x)
	}
	return ok
}

// remoteStream reads the endpoints of one result concurrently, one
// goroutine each, and hands their batches over in arrival order: a scan
// has no order to keep.
type remoteStream struct {
	schema  *arrow.Schema
	ch      chan streamMsg
	cancel  context.CancelFunc
	started bool // the readers run and close ch when done
	wg      sync.WaitGroup
	closers []func() // run in reverse order by Close
}

type streamMsg struct {
	b   arrow.RecordBatch
	err error
}

// start reads every partition of a result. The schema is the server's
// FlightInfo schema, or the first stream's when the server sent none.
func (rs *remoteStream) start(ctx context.Context, cnxn adbc.Connection, schema *arrow.Schema, parts [][]byte, mapErr func(context.Context, error) error) error {
	ctx, rs.cancel = context.WithCancel(ctx)
	rs.ch = make(chan streamMsg, max(2, len(parts)))
	readers := make([]array.RecordReader, len(parts))
	for i, p := range parts {
		if schema != nil {
			break
		}
		rdr, err := cnxn.ReadPartition(ctx, p)
		if err != nil {
			return mapErr(ctx, err)
		}
		readers[i] = rdr
		schema = rdr.Schema()
	}
	if schema == nil {
		return sqltypes.New(sqltypes.CodeFDWError, "flight sql server sent no schema and no endpoint")
	}
	rs.schema = schema
	rs.started = true
	rs.wg.Add(len(parts))
	for i, p := range parts {
		go func() {
			defer rs.wg.Done()
			rdr := readers[i]
			if rdr == nil {
				var err error
				if rdr, err = cnxn.ReadPartition(ctx, p); err != nil {
					rs.send(ctx, streamMsg{err: mapErr(ctx, err)})
					return
				}
			}
			defer rdr.Release()
			for rdr.Next() {
				b := rdr.RecordBatch()
				b.Retain()
				if !rs.send(ctx, streamMsg{b: b}) {
					b.Release()
					return
				}
			}
			if err := rdr.Err(); err != nil {
				rs.send(ctx, streamMsg{err: mapErr(ctx, err)})
			}
		}()
	}
	go func() {
		rs.wg.Wait()
		close(rs.ch)
	}()
	return nil
}

// send hands m over unless ctx ends first.
func (rs *remoteStream) send(ctx context.Context, m streamMsg) bool {
	select {
	case rs.ch <- m:
		return true
	case <-ctx.Done():
		return false
	}
}

// next returns the next batch, or io.EOF after the last.
func (rs *remoteStream) next() (arrow.RecordBatch, error) {
	m, ok := <-rs.ch
	if !ok {
		return nil, io.EOF
	}
	return m.b, m.err
}

// Close stops the readers, waits for them, releases batches not taken and
// closes the statement and connection.
func (rs *remoteStream) Close() {
	if rs.cancel != nil {
		rs.cancel()
	}
	if rs.started {
		for m := range rs.ch {
			if m.b != nil {
				m.b.Release()
			}
		}
	}
	for i := len(rs.closers) - 1; i >= 0; i-- {
		rs.closers[i]()
	}
}

// source re-labels the server's batches with the scan's schema (same
// names and types; the server's field metadata dropped).
type source struct {
	t      *Table
	rs     *remoteStream
	schema *arrow.Schema
}

func (s *source) NextBatch() (arrow.RecordBatch, error) {
	in, err := s.rs.next()
	if err != nil {
		return nil, err
	}
	defer in.Release()
	if s.schema.NumFields() == 0 {
		return array.NewRecordBatch(s.schema, nil, in.NumRows()), nil
	}
	if int(in.NumCols()) != s.schema.NumFields() {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "flight sql server %s returned %d columns, want %d", s.t.uri, in.NumCols(), s.schema.NumFields())
	}
	for i, f := range s.schema.Fields() {
		if !arrow.TypeEqual(in.Column(i).DataType(), f.Type) {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "flight sql server %s returned column %s as %s, want %s", s.t.uri, f.Name, in.Column(i).DataType(), f.Type)
		}
	}
	return array.NewRecordBatch(s.schema, in.Columns(), in.NumRows()), nil
}

func (s *source) Close() { s.rs.Close() }
