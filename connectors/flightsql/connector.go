package flightsql

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflight "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/sqlgen"
	"github.com/meshql/meshql/sqltypes"
)

// Connector opens Flight SQL sources. It holds no state.
type Connector struct{}

var _ connectors.Connector = (*Connector)(nil)

// New returns a Connector.
func New() *Connector { return &Connector{} }

// Kind returns "flightsql".
func (c *Connector) Kind() string { return "flightsql" }

// Open implements connectors.Connector; see OpenTable.
func (c *Connector) Open(ctx context.Context, src catalog.Source) (connectors.Table, error) {
	t, err := c.OpenTable(ctx, src)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Table is an opened Flight SQL table or query; immutable.
type Table struct {
	opts   map[string]string // ADBC database options (uri, username, password)
	uri    string
	from   string // FROM item: a quoted name or "(query) AS q"
	schema *arrow.Schema
	types  []sqltypes.Type
	typeOK []bool
	byName map[string]int // -1 if ambiguous
}

var (
	_ connectors.Table         = (*Table)(nil)
	_ connectors.ScanExplainer = (*Table)(nil)
)

// OpenTable reads the settings — uri (grpc://host:port or grpc+tls://…),
// username and password (password only as password_env or password_file) —
// from the source's mesh.yaml connection, overridden by source.options,
// and asks the server for the schema of the table or query (by running it
// with LIMIT 0). Errors: HV000 for bad settings or a server error, HV00N
// when the server is unreachable or refuses the login, 57014 when ctx ends.
func (c *Connector) OpenTable(ctx context.Context, src catalog.Source) (*Table, error) {
	merged := map[string]string{}
	if src.Connection != nil {
		if src.Connection.Kind != "flightsql" {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "flightsql source names connection %q of kind %s", src.Connection.Name, src.Connection.Kind)
		}
		for k, v := range src.Connection.Options {
			merged[k] = v
		}
	}
	for k, v := range src.Options {
		merged[k] = v
	}
	t := &Table{opts: map[string]string{}}
	for key, opt := range map[string]string{"uri": adbc.OptionKeyURI, "username": adbc.OptionKeyUsername, "password": adbc.OptionKeyPassword} {
		v, ok, err := connectors.Setting(merged, key)
		if err != nil {
			return nil, err
		}
		if ok {
			t.opts[opt] = v
		}
	}
	t.uri = t.opts[adbc.OptionKeyURI]
	if t.uri == "" {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "flightsql source has no uri").
			WithHint("Name a connection with uri: grpc://host:port in %s, or set source.options.uri.", catalog.MeshFile)
	}
	switch {
	case src.Table != "":
		parts := strings.Split(src.Table, ".")
		for i, p := range parts {
			parts[i] = sqlgen.Quote(p)
		}
		t.from = strings.Join(parts, ".")
	case src.Query != "":
		t.from = "(" + strings.TrimRight(strings.TrimSpace(src.Query), ";") + ") AS q"
	default:
		return nil, sqltypes.New(sqltypes.CodeFDWError, "flightsql source needs a table or a query")
	}
	sch, err := t.describe(ctx)
	if err != nil {
		return nil, err
	}
	t.schema = sch
	t.types = make([]sqltypes.Type, sch.NumFields())
	t.typeOK = make([]bool, sch.NumFields())
	t.byName = map[string]int{}
	for i, f := range sch.Fields() {
		typ, err := sqltypes.FromArrow(f.Type)
		t.types[i], t.typeOK[i] = typ, err == nil
		if _, dup := t.byName[f.Name]; dup {
			t.byName[f.Name] = -1
		} else {
			t.byName[f.Name] = i
		}
	}
	return t, nil
}

// describe runs SELECT * … LIMIT 0 and returns the result's schema,
// without field metadata.
func (t *Table) describe(ctx context.Context) (*arrow.Schema, error) {
	rr, done, err := t.run(ctx, "SELECT * FROM "+t.from+" LIMIT 0", memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	defer done()
	for rr.Next() {
	}
	fields := make([]arrow.Field, rr.Schema().NumFields())
	for i, f := range rr.Schema().Fields() {
		fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
	}
	return arrow.NewSchema(fields, nil), nil
}

// run opens a connection and starts sql; done closes everything.
func (t *Table) run(ctx context.Context, sql string, mem memory.Allocator) (array.RecordReader, func(), error) {
	db, err := adbcflight.NewDriver(mem).NewDatabase(t.opts)
	if err != nil {
		return nil, nil, t.error(ctx, err)
	}
	cnxn, err := db.Open(ctx)
	if err != nil {
		db.Close()
		return nil, nil, t.error(ctx, err)
	}
	closeAll := func() { cnxn.Close(); db.Close() }
	stmt, err := cnxn.NewStatement()
	if err != nil {
		closeAll()
		return nil, nil, t.error(ctx, err)
	}
	if err := stmt.SetSqlQuery(sql); err != nil {
		stmt.Close()
		closeAll()
		return nil, nil, t.error(ctx, err)
	}
	rr, _, err := stmt.ExecuteQuery(ctx)
	if err != nil {
		stmt.Close()
		closeAll()
		return nil, nil, t.error(ctx, err)
	}
	return rr, func() { rr.Release(); stmt.Close(); closeAll() }, nil
}

// error maps an ADBC error: unreachable or unauthenticated is HV00N, a
// remote SQLSTATE is kept, anything else HV000.
func (t *Table) error(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return sqltypes.AsError(ctx.Err())
	}
	var ae adbc.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case adbc.StatusUnauthenticated, adbc.StatusUnauthorized, adbc.StatusIO:
			return sqltypes.Wrap(err, sqltypes.CodeFDWUnableToConnect, "flight sql server %s: %s", t.uri, ae.Msg)
		case adbc.StatusCancelled:
			return sqltypes.Wrap(err, "57014", "flight sql query cancelled: %s", ae.Msg)
		}
		code := remoteState(ae)
		switch code {
		case "":
			code = sqltypes.CodeFDWError
		case "42P01":
			code = sqltypes.CodeFDWTableNotFound // the source's table is gone
		}
		return sqltypes.Wrap(err, code, "flight sql server %s: %s", t.uri, ae.Msg)
	}
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "flight sql server %s: %v", t.uri, err)
}

// Schema returns the remote result's columns.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Stats knows nothing: Flight SQL has no standard statistics call.
func (t *Table) Stats() connectors.Stats { return connectors.Stats{RowCount: -1} }

// gen renders filters with inline literals (Flight SQL statements carry
// no parameters unless prepared) in the remote's PostgreSQL dialect;
// ordered string comparisons stay in meshql, whose byte order a remote
// collation may not share.
func (t *Table) gen() *sqlgen.Gen {
	return &sqlgen.Gen{
		Column: func(name string) (sqltypes.Type, bool, bool) {
			i, ok := t.byName[name]
			if !ok || i < 0 {
				return sqltypes.Type{}, false, false
			}
			return t.types[i], true, t.typeOK[i]
		},
		Value:         inline,
		NoStringOrder: true,
	}
}

// inline renders a literal as SQL text, quoted by sqltypes.FormatLiteral;
// only kinds whose text form every PostgreSQL-dialect engine reads back
// exactly are pushed.
func inline(l connectors.Literal) (string, bool) {
	switch l.Type.Kind {
	case sqltypes.Float4, sqltypes.Float8:
		f, ok := l.Value.(float64)
		if f32, ok32 := l.Value.(float32); ok32 {
			f, ok = float64(f32), true
		}
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", false
		}
	case sqltypes.Bool, sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric,
		sqltypes.Text, sqltypes.Varchar, sqltypes.Unknown, sqltypes.Date, sqltypes.Timestamp:
	default:
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
	for i, f := range fs {
		if _, ok := t.gen().Filter(f); ok {
			out[i] = connectors.Exact
		}
	}
	return out
}

// build returns the remote SQL of req and its output schema. With no
// column it selects a constant, dropped on arrival, to count rows.
func (t *Table) build(req connectors.ScanRequest) (string, *arrow.Schema, error) {
	fields := make([]arrow.Field, len(req.Columns))
	sel := make([]string, len(req.Columns))
	for i, c := range req.Columns {
		if c < 0 || c >= t.schema.NumFields() {
			return "", nil, sqltypes.New(sqltypes.CodeInternal, "scan column index %d out of range (table has %d columns)", c, t.schema.NumFields())
		}
		fields[i] = t.schema.Field(c)
		sel[i] = sqlgen.Quote(fields[i].Name)
	}
	if len(sel) == 0 {
		sel = []string{"1"}
	}
	sql, ok := t.gen().Select(sel, t.from, req.Filters, nil, req.Limit)
	if !ok {
		return "", nil, sqltypes.New(sqltypes.CodeInternal, "flightsql source cannot apply filters %v", req.Filters)
	}
	return sql, arrow.NewSchema(fields, nil), nil
}

// Partitions returns one partition running the generated SQL.
func (t *Table) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	sql, schema, err := t.build(req)
	if err != nil {
		return nil, err
	}
	return []connectors.Partition{&partition{t: t, sql: sql, schema: schema, limit: req.Limit}}, nil
}

// ExplainScan shows the remote SQL.
func (t *Table) ExplainScan(ctx context.Context, req connectors.ScanRequest) []string {
	return append(t.ExplainRequest(ctx, req), "partitions=1")
}

// ExplainRequest shows the remote SQL.
func (t *Table) ExplainRequest(ctx context.Context, req connectors.ScanRequest) []string {
	sql, _, err := t.build(req)
	if err != nil {
		return []string{fmt.Sprintf("remote_error=%q", err.Error())}
	}
	return []string{fmt.Sprintf("remote_sql=%q", sql)}
}

type partition struct {
	t      *Table
	sql    string
	schema *arrow.Schema
	limit  int64
}

// Open runs the query on the server; batches are allocated from mem.
func (p *partition) Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	rr, done, err := p.t.run(ctx, p.sql, mem)
	if err != nil {
		return nil, err
	}
	src := &source{ctx: ctx, t: p.t, rr: rr, done: done, schema: p.schema}
	return connectors.NewSourceReader(ctx, p.schema, src, p.limit), nil
}

// source re-labels the server's batches with the scan's schema (same
// names and types; the server's field metadata dropped).
type source struct {
	ctx    context.Context
	t      *Table
	rr     array.RecordReader
	done   func()
	schema *arrow.Schema
}

func (s *source) NextBatch() (arrow.RecordBatch, error) {
	if !s.rr.Next() {
		if err := s.rr.Err(); err != nil {
			return nil, s.t.error(s.ctx, err)
		}
		return nil, nil
	}
	in := s.rr.RecordBatch()
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

func (s *source) Close() { s.done() }

// remoteState returns the SQLSTATE the server gave, from the ADBC error or
// from a google.rpc.ErrorInfo detail (whose Reason meshql servers set to
// the SQLSTATE), or "".
func remoteState(ae adbc.Error) string {
	if ae.SqlState != [5]byte{} {
		return string(ae.SqlState[:])
	}
	for _, d := range ae.Details {
		b, err := d.Serialize()
		if err != nil {
			continue
		}
		var a anypb.Any
		var info errdetails.ErrorInfo
		if proto.Unmarshal(b, &a) != nil || a.UnmarshalTo(&info) != nil {
			continue
		}
		if r := info.GetReason(); len(r) == 5 {
			return r
		}
	}
	return ""
}
