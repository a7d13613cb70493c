package flightsql

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow"
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

// Table is an opened Flight SQL table or query. It is safe for
// concurrent use; only noPrepare changes after OpenTable.
type Table struct {
	opts   map[string]string // ADBC database options (uri, username, password)
	uri    string
	from   string // FROM item: a quoted name or "(query) AS q"
	schema *arrow.Schema
	types  []sqltypes.Type
	typeOK []bool
	byName map[string]int // -1 if ambiguous
	// noPrepare is set once the server refused to prepare a statement:
	// filter values are then sent as literals.
	noPrepare atomic.Bool
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
	rr, err := t.run(ctx, remoteQuery{sql: "SELECT * FROM " + t.from + " LIMIT 0"}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	sch := rr.schema
	fields := make([]arrow.Field, sch.NumFields())
	for i, f := range sch.Fields() {
		fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
	}
	return arrow.NewSchema(fields, nil), nil
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
