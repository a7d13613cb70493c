package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// codeUnableToConnect is SQLSTATE 08001 (sqlclient_unable_to_establish_sqlconnection).
const codeUnableToConnect = "08001"

const (
	defaultBatchSize         = 8192
	defaultParallelThreshold = 1_000_000
	defaultPartitions        = 4
	defaultNumericScale      = 6
)

// Connector opens PostgreSQL sources. It owns one connection pool per
// distinct URL, password and pool settings, created on first use; it is safe for concurrent use. Call
// Close when the connector is no longer needed.
type Connector struct {
	mu      sync.Mutex
	pools   map[string]*connPool
	sources map[string]string // URL and password → the pools' id
	closed  bool
}

var _ connectors.Connector = (*Connector)(nil)

// New returns a Connector with no pools open.
func New() *Connector {
	return &Connector{pools: map[string]*connPool{}, sources: map[string]string{}}
}

// Kind returns "postgres".
func (c *Connector) Kind() string { return "postgres" }

// Close closes every pool, waiting for connections in use to be
// released (readers released, scans ended). Tables opened through c stop
// working; Close is idempotent.
func (c *Connector) Close() {
	c.mu.Lock()
	pools := c.pools
	c.pools, c.closed = map[string]*connPool{}, true
	c.mu.Unlock()
	for _, p := range pools {
		p.Close()
	}
}

// Open implements connectors.Connector; see OpenTable.
func (c *Connector) Open(ctx context.Context, src catalog.Source) (connectors.Table, error) {
	t, err := c.OpenTable(ctx, src)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// settings are a source's parsed options.
type settings struct {
	url          string
	password     string // overrides the URL's (password_env, password_file)
	host         string // host:port for messages
	threshold    int64
	partitions   int
	numericScale int32
	batchSize    int
	maxConns     int32         // pool size (max_conns)
	maxIdleTime  time.Duration // idle connections close after this (max_conn_idle_time)
	maxLifetime  time.Duration // connections close after this, 0 = never (max_conn_lifetime)
}

func parseSettings(src catalog.Source) (settings, error) {
	s := settings{threshold: defaultParallelThreshold, partitions: defaultPartitions, numericScale: defaultNumericScale, batchSize: defaultBatchSize,
		maxConns: defaultMaxConns, maxIdleTime: defaultMaxIdleTime}
	opts, err := connectors.SourceOptions(src, "postgres")
	if err != nil {
		return s, err
	}
	// url and password each literally (url only), from an environment
	// variable (*_env) or from a file (*_file).
	for key, dst := range map[string]*string{"url": &s.url, "password": &s.password} {
		v, _, err := connectors.Setting(opts, key)
		if err != nil {
			return s, sqltypes.Wrap(err, sqltypes.CodeFDWError, "postgres source: %s", sqltypes.AsError(err).Msg)
		}
		*dst = v
	}
	if s.url == "" {
		return s, sqltypes.New(sqltypes.CodeFDWError, "postgres source needs a url: options.url, url_env or url_file, in source.options or a postgres connection of %s", catalog.MeshFile)
	}
	ints := []struct {
		key string
		min int64
		set func(int64)
	}{
		{"parallel_threshold_rows", 0, func(v int64) { s.threshold = v }},
		{"partitions", 1, func(v int64) { s.partitions = int(min(v, 256)) }},
		{"numeric_scale", 0, func(v int64) { s.numericScale = int32(min(v, sqltypes.MaxNumericPrecision)) }},
		{"batch_size", 1, func(v int64) { s.batchSize = int(min(v, 1<<20)) }},
		{"max_conns", 1, func(v int64) { s.maxConns = int32(min(v, 10_000)) }},
	}
	for _, o := range ints {
		if v, ok := opts[o.key]; ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < o.min {
				return s, sqltypes.New(sqltypes.CodeFDWError, "postgres source: option %s must be an integer >= %d, not %q", o.key, o.min, v)
			}
			o.set(n)
		}
	}
	durations := []struct {
		key string
		dst *time.Duration
	}{{"max_conn_idle_time", &s.maxIdleTime}, {"max_conn_lifetime", &s.maxLifetime}}
	for _, o := range durations {
		if v, ok := opts[o.key]; ok {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 0 {
				return s, sqltypes.New(sqltypes.CodeFDWError, "postgres source: option %s must be a duration such as 90s or 5m, not %q", o.key, v)
			}
			*o.dst = d
		}
	}
	if (src.Table == "") == (src.Query == "") {
		return s, sqltypes.New(sqltypes.CodeFDWError, "postgres source needs exactly one of table and query")
	}
	return s, nil
}

// pool returns the pool for a URL, password and pool settings, creating
// it on first use. Pools connect lazily, so an unreachable server fails
// on first use.
func (c *Connector) pool(s *settings) (*connPool, error) {
	cfg, err := pgxpool.ParseConfig(s.url)
	if err != nil {
		// pgx's message may quote the URL; never echo it.
		return nil, sqltypes.New(sqltypes.CodeFDWError, "postgres source: invalid connection URL")
	}
	cc := cfg.ConnConfig
	s.host = hostOf(cc.Config)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "postgres connector is closed")
	}
	if s.password != "" {
		cc.Password = s.password
	}
	source := s.url + "\x00" + s.password
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%s", source, s.maxConns, s.maxIdleTime, s.maxLifetime)
	if p, ok := c.pools[key]; ok {
		return p, nil
	}
	// Cancel the remote query when a context ends, instead of only
	// dropping the socket (the server would keep running the query).
	cc.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 2 * time.Second}
	}
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = 10 * time.Second
	}
	if _, ok := cc.RuntimeParams["application_name"]; !ok {
		cc.RuntimeParams["application_name"] = "meshql"
	}
	cfg.MaxConns = s.maxConns
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = s.maxIdleTime
	cfg.MaxConnLifetime = s.maxLifetime // 0: never recycled for age
	pp, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "postgres source %s: invalid pool settings", s.host)
	}
	id, ok := c.sources[source]
	if !ok {
		id = "postgres#" + strconv.Itoa(len(c.sources)+1)
		c.sources[source] = id
	}
	p := &connPool{Pool: pp, id: id}
	c.pools[key] = p
	return p, nil
}

func hostOf(cfg pgconn.Config) string {
	if strings.HasPrefix(cfg.Host, "/") {
		return cfg.Host
	}
	return net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
}

func redact(msg, password string) string {
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "********")
	}
	return msg
}

// mapError turns a pgx error into a meshql error: 08001 for connection
// failures, HV00R for a missing table, the remote SQLSTATE for server
// errors, 57014 for cancellation, HV000 otherwise. Messages name host,
// never a password.
func mapError(ctx context.Context, err error, host, password string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return sqltypes.AsError(ctx.Err())
	}
	var se *sqltypes.Error
	if errors.As(err, &se) {
		return se
	}
	var pe *pgconn.PgError
	isPg := errors.As(err, &pe)
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || (!isPg && isNetError(err)) {
		// Name the innermost cause: "connection refused", or the server's
		// reason for refusing the login.
		var cause string
		if isPg {
			cause = pe.Message
		} else {
			inner := err
			for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
				inner = u
			}
			cause = inner.Error()
		}
		return sqltypes.Wrap(err, codeUnableToConnect, "could not connect to postgres source %s: %s", host, redact(cause, password))
	}
	if !isPg && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
		// The server went away mid-conversation (crash, kill, failover).
		return sqltypes.Wrap(err, sqltypes.CodeConnectionFailure, "lost the connection to postgres source %s: %s", host, redact(err.Error(), password))
	}
	if isPg {
		code := pe.Code
		switch {
		case code == sqltypes.CodeUndefinedTable:
			code = sqltypes.CodeFDWTableNotFound
		case strings.HasPrefix(code, "57") && code != sqltypes.CodeQueryCanceled:
			// The source's server is shutting down or crashed (57P01..3):
			// for meshql's client that is a lost connection to the source,
			// not meshql shutting down.
			code = sqltypes.CodeConnectionFailure
		}
		out := sqltypes.Wrap(err, code, "postgres source %s: %s", host, pe.Message)
		if pe.Detail != "" {
			out = out.WithDetail("%s", pe.Detail)
		}
		if pe.Hint != "" {
			out = out.WithHint("%s", pe.Hint)
		}
		return out
	}
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "postgres source %s: %s", host, redact(err.Error(), password))
}

func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}
