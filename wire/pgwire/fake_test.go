package pgwire

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// fakeBackend is a Backend whose "SQL" is a registry of named statements.
// Statements are separated by ';'. Names not registered fail with a
// positioned 42601 like a parser would.
type fakeBackend struct {
	mem   memory.Allocator
	users map[string]string // user → secret (plain text or SCRAM verifier)
	defs  map[string]fakeDef

	mu       sync.Mutex
	sessions []*fakeSession
	started  chan struct{} // a "sleep" statement signals here
}

// fakeDef is one statement: its parameter and column types and what it
// returns for given parameters.
type fakeDef struct {
	params  []sqltypes.Type
	cols    []engine.Column
	notices []*sqltypes.Error
	tag     string
	echo    bool // returns its one parameter as its one column (of the parameter's type)
	strict  bool // ignores client-declared parameter types
	// panicAfter > 0 makes Rows.Next panic after that many batches.
	panicAfter int
	run        func(ctx context.Context, fb *fakeBackend, s *fakeSession, params []sqltypes.Datum) ([]arrow.RecordBatch, error)
}

func newFakeBackend(t testing.TB) *fakeBackend {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	fb := &fakeBackend{mem: mem, users: map[string]string{"analyst": "analyst"}, defs: map[string]fakeDef{}, started: make(chan struct{}, 1)}
	fb.registerDefaults()
	return fb
}

func (fb *fakeBackend) Authenticate(_ context.Context, user, password string) error {
	if p, ok := fb.users[user]; ok && p == password {
		return nil
	}
	return sqltypes.New(sqltypes.CodeInvalidPassword, "password authentication failed")
}

func (fb *fakeBackend) Secret(_ context.Context, user string) (string, bool, error) {
	p, ok := fb.users[user]
	return p, ok, nil
}

func (fb *fakeBackend) NewSession(user string, startup map[string]string) (Session, error) {
	if user == "nologin" {
		return nil, sqltypes.New(sqltypes.CodeInvalidAuthorization, "role \"nologin\" is not permitted to log in")
	}
	if o := startup["options"]; o != "" {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "startup option %q is not supported", o).WithHint("Use -c name=value.")
	}
	s := &fakeSession{fb: fb, settings: map[string]string{"TimeZone": "UTC", "application_name": startup["application_name"]}}
	fb.mu.Lock()
	fb.sessions = append(fb.sessions, s)
	fb.mu.Unlock()
	return s, nil
}

type fakeSession struct {
	fb       *fakeBackend
	mu       sync.Mutex
	settings map[string]string
	closed   bool
	// terminate ends the connection, as the engine's pg_terminate_backend
	// does (SetTerminate).
	terminate func()
}

func (s *fakeSession) SetTerminate(end func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.terminate = end
}

func (s *fakeSession) Prepare(_ context.Context, sql string, declared ...sqltypes.Type) ([]Statement, error) {
	var out []Statement
	offset := 0
	for _, piece := range strings.Split(sql, ";") {
		name := strings.TrimSpace(piece)
		start := offset + strings.Index(piece, name)
		offset += len(piece) + 1
		if name == "" || strings.HasPrefix(name, "--") {
			continue
		}
		def, ok := s.fb.defs[strings.ToLower(name)]
		if !ok {
			if strings.HasPrefix(strings.ToLower(name), "set ") {
				def = s.setDef(name)
			} else {
				return nil, sqltypes.New(sqltypes.CodeSyntaxError, "syntax error at or near \"%s\"", strings.Fields(name)[0]).
					WithPosition(start + 1).WithHint("fake hint").WithDetail("fake detail")
			}
		}
		if len(declared) > 0 && !def.strict {
			def.params = append([]sqltypes.Type(nil), def.params...)
			for i, d := range declared {
				if i < len(def.params) && d.Kind != sqltypes.Unknown {
					def.params[i] = d
				}
			}
			if def.echo && def.params[0].Kind != sqltypes.Unknown {
				def.cols = []engine.Column{{Name: "v", Type: def.params[0]}}
			}
		}
		out = append(out, &fakeStmt{s: s, def: def})
	}
	return out, nil
}

// setDef handles "SET name = value" / "SET name TO value".
func (s *fakeSession) setDef(sql string) fakeDef {
	f := strings.Fields(sql)
	return fakeDef{tag: "SET", run: func(_ context.Context, _ *fakeBackend, s *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		if len(f) < 4 {
			return nil, sqltypes.New(sqltypes.CodeSyntaxError, "syntax error at end of input")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.settings[f[1]] = strings.Trim(strings.Join(f[3:], " "), "'")
		return nil, nil
	}}
}

func (s *fakeSession) ReportedSettings() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.settings {
		out[k] = v
	}
	return out
}

func (s *fakeSession) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

type fakeStmt struct {
	s   *fakeSession
	def fakeDef
}

func (st *fakeStmt) ParamTypes() []sqltypes.Type { return st.def.params }
func (st *fakeStmt) Columns() []engine.Column    { return st.def.cols }

func (st *fakeStmt) Execute(ctx context.Context, params []sqltypes.Datum) (Rows, error) {
	if len(params) != len(st.def.params) {
		return nil, fmt.Errorf("fake: got %d params, want %d", len(params), len(st.def.params))
	}
	var batches []arrow.RecordBatch
	if st.def.echo {
		batches = []arrow.RecordBatch{batchOf(st.s.fb.mem, st.def.cols, [][]sqltypes.Datum{{params[0]}})}
	}
	if st.def.run != nil {
		var err error
		if batches, err = st.def.run(ctx, st.s.fb, st.s, params); err != nil {
			return nil, err
		}
	}
	tag := st.def.tag
	if tag == "" {
		tag = "SELECT"
	}
	return &fakeRows{batches: batches, tag: tag, notices: st.def.notices, hasCols: len(st.def.cols) > 0, panicAfter: st.def.panicAfter}, nil
}

type fakeRows struct {
	batches []arrow.RecordBatch
	tag     string
	notices []*sqltypes.Error
	hasCols bool
	n       int64
	// panicAfter and served inject a panic while streaming.
	panicAfter, served int
}

func (r *fakeRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(r.batches) == 0 {
		return nil, io.EOF
	}
	if r.panicAfter > 0 && r.served == r.panicAfter {
		panic("injected while streaming")
	}
	r.served++
	b := r.batches[0]
	r.batches = r.batches[1:]
	r.n += b.NumRows()
	return b, nil
}

func (r *fakeRows) CommandTag() string {
	if r.hasCols && r.tag == "SELECT" {
		return fmt.Sprintf("SELECT %d", r.n)
	}
	return r.tag
}

func (r *fakeRows) Close() error {
	for _, b := range r.batches {
		b.Release()
	}
	r.batches = nil
	return nil
}

func (r *fakeRows) Notices() []*sqltypes.Error { return r.notices }

// buildArray builds an Arrow array of t.Arrow() from datums.
func buildArray(mem memory.Allocator, t sqltypes.Type, vals []sqltypes.Datum) arrow.Array {
	b := array.NewBuilder(mem, t.Arrow())
	defer b.Release()
	for _, v := range vals {
		appendDatum(b, v)
	}
	return b.NewArray()
}

func appendDatum(b array.Builder, v sqltypes.Datum) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.Int16Builder:
		b.Append(v.(int16))
	case *array.Int32Builder:
		b.Append(v.(int32))
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Uint32Builder:
		b.Append(v.(uint32))
	case *array.Float32Builder:
		b.Append(v.(float32))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.Decimal128Builder:
		b.Append(v.(decimal128.Num))
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.BinaryBuilder:
		b.Append(v.([]byte))
	case *array.Date32Builder:
		b.Append(v.(arrow.Date32))
	case *array.TimestampBuilder:
		b.Append(v.(arrow.Timestamp))
	case *array.MonthDayNanoIntervalBuilder:
		b.Append(v.(arrow.MonthDayNanoInterval))
	case *array.FixedSizeBinaryBuilder:
		u := v.([16]byte)
		b.Append(u[:])
	case *array.ListBuilder:
		b.Append(true)
		for _, e := range v.([]any) {
			appendDatum(b.ValueBuilder(), e)
		}
	case *array.StructBuilder: // a variable-scale numeric
		d := v.(sqltypes.Decimal)
		b.Append(true)
		b.FieldBuilder(sqltypes.VarNumericMantissa).(*array.Decimal128Builder).Append(d.Num)
		b.FieldBuilder(sqltypes.VarNumericScale).(*array.Int8Builder).Append(int8(d.Scale))
	default:
		panic(fmt.Sprintf("appendDatum: %T", b))
	}
}

// batchOf builds one record batch from rows of datums.
func batchOf(mem memory.Allocator, cols []engine.Column, rows [][]sqltypes.Datum) arrow.RecordBatch {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for j, c := range cols {
		fields[j] = arrow.Field{Name: c.Name, Type: c.Type.Arrow(), Nullable: true}
		vals := make([]sqltypes.Datum, len(rows))
		for i := range rows {
			vals[i] = rows[i][j]
		}
		arrs[j] = buildArray(mem, c.Type, vals)
	}
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(len(rows)))
}

// startServer serves fb on 127.0.0.1:0 and returns the address.
func startServer(t testing.TB, fb *fakeBackend, cfg Config) (*Server, string) {
	t.Helper()
	// Registered first, so it runs after serveBackend's cleanup closed
	// the server.
	t.Cleanup(func() {
		fb.mu.Lock()
		defer fb.mu.Unlock()
		for i, s := range fb.sessions {
			s.mu.Lock()
			if !s.closed {
				t.Errorf("session %d not closed after Server.Close", i)
			}
			s.mu.Unlock()
		}
	})
	return serveBackend(t, fb, cfg)
}

// serveBackend serves b on 127.0.0.1:0 until the test ends, and returns
// the server and its address.
func serveBackend(t testing.TB, b Backend, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := NewServer(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, ln.Addr().String()
}
