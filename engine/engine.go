package engine

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/scram"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// Config is what an Engine is built from; cmd/meshql wires it.
type Config struct {
	Mesh       *catalog.Mesh
	Connectors []connectors.Connector
	// Mem allocates all query memory; nil means memory.DefaultAllocator.
	// Each query allocates through its own membudget.Recycler over Mem,
	// which keeps the large buffers the query releases for reuse.
	Mem memory.Allocator
	// PoisonReleased fills the buffers a query's recycler keeps with a
	// pattern when they are released, so that a read of an array after
	// its release shows as a wrong result (tests).
	PoisonReleased bool
	// Workers bounds each query's parallelism; 0 means GOMAXPROCS.
	Workers int
	// QueryMemory is the default of mesh.query_memory, each query's
	// memory budget in bytes; 0 means membudget.DefaultLimit(), < 0
	// unlimited. SpillDir
	// is where queries over budget spill ("" = os.TempDir()).
	QueryMemory int64
	// QueryMemoryTotal bounds the memory all running queries reserve
	// together (query_memory_total): a query's budget also draws on it,
	// so many queries at once spill or fail with 53200 instead of
	// growing the process without bound. 0 means
	// membudget.DefaultPoolLimit(), < 0 unlimited.
	QueryMemoryTotal int64
	SpillDir         string
	Logger           *slog.Logger
	// Clock returns the current time; nil means time.Now. Tests pin it.
	// It starts statements and transactions (now(), statement_timestamp())
	// and is read at every row of clock_timestamp() and timeofday(), from
	// the query's worker goroutines: it must be safe for concurrent use.
	Clock func() time.Time
	// Reload loads the catalog again, for Engine.Reload and
	// WatchCatalog; nil disables reloading.
	Reload func(ctx context.Context) (*catalog.Mesh, error)
	// QueryLogSize is how many statements mesh.query_log keeps (the
	// oldest go first); 0 means DefaultQueryLogSize.
	QueryLogSize int
	// StatementTimeout is the default of every session's
	// statement_timeout; 0 means none.
	StatementTimeout time.Duration
	// MaxQueriesPerUser bounds the queries one user runs at once, over
	// all their sessions; one more fails at once with 53400. 0 means no
	// limit.
	MaxQueriesPerUser int
	// Observer, when set, is told when each query starts and ends.
	Observer QueryObserver
	// SourceRecheck is how long an open table of a source whose files
	// meshql cannot stat cheaply (PostgreSQL, Flight SQL, object stores)
	// is trusted before it is opened, and checked against its contract,
	// again; 0 means DefaultSourceRecheck, < 0 never (until a reload).
	// Local files are checked at every query instead.
	SourceRecheck time.Duration
}

// DefaultSourceRecheck is Config.SourceRecheck's default.
const DefaultSourceRecheck = 30 * time.Second

// Engine serves queries over one mesh. It is safe for concurrent use by
// many sessions.
type Engine struct {
	mesh       atomic.Pointer[catalog.Mesh]
	connectors map[string]connectors.Connector
	mem        memory.Allocator
	poison     bool
	workers    int
	queryMem   int64
	pool       *membudget.Pool
	spillDir   string
	log        *slog.Logger
	clock      func() time.Time
	observer   QueryObserver
	started    time.Time // pg_postmaster_start_time()

	mu      sync.Mutex
	tables  map[*catalog.Product]*openTable
	nextPID atomic.Int32
	metrics metrics
	reload  reloader
	// queryLog is the audit log behind mesh.query_log.
	queryLog *queryLog

	stmtTimeout time.Duration
	maxPerUser  int
	reg         registry
	hooks       atomic.Pointer[Hooks]
	recheck     time.Duration
}

type openTable struct {
	once  sync.Once
	table connectors.Table
	err   error
	// stamp is the state of the source's files when it was opened (""
	// when not tracked), for sourceChanged.
	stamp string
	// openedAt is when it was opened (monotonic), for sources without a
	// stamp (Config.SourceRecheck).
	openedAt time.Time
	// opened is set once once.Do has filled table, err, stamp and
	// openedAt: readers that do not go through once check it first.
	opened atomic.Bool
}

// New builds an Engine. It does not open any source yet: tables open on
// first use, so a source that is down fails only the queries that read it.
func New(cfg Config) (*Engine, error) {
	if cfg.Mesh == nil {
		return nil, sqltypes.New(sqltypes.CodeConfigFileError, "engine: no mesh loaded")
	}
	e := &Engine{
		connectors: map[string]connectors.Connector{},
		mem:        cfg.Mem,
		poison:     cfg.PoisonReleased,
		workers:    cfg.Workers,
		queryMem:   cfg.QueryMemory,
		spillDir:   cfg.SpillDir,
		log:        cfg.Logger,
		clock:      cfg.Clock,
		started:    time.Now(),
		observer:   cfg.Observer,
		tables:     map[*catalog.Product]*openTable{},

		stmtTimeout: cfg.StatementTimeout,
		maxPerUser:  cfg.MaxQueriesPerUser,
		recheck:     cfg.SourceRecheck,
	}
	if e.recheck == 0 {
		e.recheck = DefaultSourceRecheck
	}
	if e.mem == nil {
		e.mem = memory.DefaultAllocator
	}
	switch {
	case e.queryMem == 0:
		e.queryMem = membudget.DefaultLimit()
	case e.queryMem < 0:
		e.queryMem = 0
	}
	switch {
	case cfg.QueryMemoryTotal == 0:
		e.pool = membudget.NewPool(membudget.DefaultPoolLimit())
	case cfg.QueryMemoryTotal < 0:
		e.pool = membudget.NewPool(0)
	default:
		e.pool = membudget.NewPool(cfg.QueryMemoryTotal)
	}
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.clock == nil {
		e.clock = time.Now
	}
	for _, c := range cfg.Connectors {
		e.connectors[c.Kind()] = c
	}
	e.mesh.Store(cfg.Mesh)
	e.reload.load = cfg.Reload
	e.queryLog = newQueryLog(cfg.QueryLogSize)
	return e, nil
}

// Mesh returns the catalog currently served.
func (e *Engine) Mesh() *catalog.Mesh { return e.mesh.Load() }

// Authenticate checks a user's password against the mesh's stored
// secret: a SCRAM-SHA-256 verifier (meshql passwd) or, for the demo, the
// plain password. Unknown users and wrong passwords get the same 28P01
// error, so that the answer does not reveal which users exist.
func (e *Engine) Authenticate(ctx context.Context, user, password string) error {
	u, ok := e.Mesh().User(user)
	fail := sqltypes.New(sqltypes.CodeInvalidPassword, "password authentication failed for user %q", user)
	if !ok {
		return fail
	}
	if v, isVerifier := scram.Parse(u.Password); isVerifier {
		if !v.Check(password) {
			return fail
		}
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return fail
	}
	return nil
}

// User returns a user of the mesh (for SCRAM verifiers).
func (e *Engine) User(name string) (*catalog.User, bool) { return e.Mesh().User(name) }

// table opens a product's source once and caches it, until its files
// change (sourceChanged).
func (e *Engine) table(ctx context.Context, p *catalog.Product) (connectors.Table, error) {
	e.sourceChanged(p)
	e.mu.Lock()
	ot, ok := e.tables[p]
	if !ok {
		ot = &openTable{}
		e.tables[p] = ot
	}
	e.mu.Unlock()
	ot.once.Do(func() {
		c, ok := e.connectors[p.Source.Connector]
		if !ok {
			ot.err = sqltypes.New(sqltypes.CodeFDWUnableToConnect, "no connector %q is configured for %s", p.Source.Connector, p.QualifiedName())
			return
		}
		// Stamped before opening: a rewrite during the open is seen next time.
		ot.stamp, ot.openedAt = fileStamp(p), time.Now()
		ot.table, ot.err = c.Open(ctx, p.Source)
		if ot.err == nil {
			ot.table = withProduct(ot.table, p)
		}
		if ot.err != nil {
			e := sqltypes.AsError(ot.err)
			ot.err = sqltypes.Wrap(ot.err, e.Code, "data product %s: %s", p.QualifiedName(), e.Msg)
		}
		ot.opened.Store(true)
	})
	if ot.err != nil {
		// Do not cache failures: the source may come back.
		e.mu.Lock()
		if e.tables[p] == ot {
			delete(e.tables, p)
		}
		e.mu.Unlock()
	}
	return ot.table, ot.err
}
