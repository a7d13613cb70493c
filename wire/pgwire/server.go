package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	wire "github.com/jeroenrinzema/psql-wire"

	"github.com/meshql/meshql/sqltypes"
)

// AuthMethod selects how clients authenticate.
type AuthMethod int

const (
	// AuthDefault is AuthSCRAM when the Backend implements SecretSource and
	// AuthPassword otherwise.
	AuthDefault AuthMethod = iota
	// AuthSCRAM is SCRAM-SHA-256 (RFC 5802/7677) without channel binding.
	AuthSCRAM
	// AuthPassword asks for a cleartext password and checks it with
	// Backend.Authenticate. Use it only over TLS.
	AuthPassword
	// AuthTrust accepts any user without a password, like pg_hba's trust.
	// For tests and local sockets only.
	AuthTrust
)

// String names the method as pg_hba.conf does.
func (m AuthMethod) String() string {
	switch m {
	case AuthSCRAM:
		return "scram-sha-256"
	case AuthPassword:
		return "password"
	case AuthTrust:
		return "trust"
	}
	return "default"
}

// Config configures a Server. The zero value serves on 127.0.0.1:5433
// without TLS, with AuthDefault.
type Config struct {
	Addr string // for ListenAndServe; default "127.0.0.1:5433"
	// TLSConfig enables TLS (sslmode=require and stricter) when set. It must
	// carry its certificates in Certificates: psql-wire refuses TLS
	// otherwise.
	TLSConfig *tls.Config
	Logger    *slog.Logger // default slog.Default()
	// ServerVersion is the server_version reported at startup; default
	// "16.4 (meshql)".
	ServerVersion string
	Auth          AuthMethod
	// StartupTimeout bounds the time from accepting a connection to the
	// end of authentication, like PostgreSQL's authentication_timeout;
	// default one minute.
	StartupTimeout time.Duration
	// MaxMessageSize bounds one client message; psql-wire allocates a read
	// buffer of this size per connection. Default 16 MiB (psql-wire's).
	MaxMessageSize int
	// MaxConnections bounds the open connections; one more is refused at
	// startup with FATAL 53300, as PostgreSQL's max_connections. 0 means
	// no limit.
	MaxConnections int
	// IdleSessionTimeout ends a session that waited this long for the
	// client's next message with FATAL 57P05, as PostgreSQL's
	// idle_session_timeout. 0 means never.
	IdleSessionTimeout time.Duration
}

// DefaultServerVersion is the server_version reported by default.
const DefaultServerVersion = "16.4 (meshql)"

// Server is a PostgreSQL wire protocol server over a Backend. It is safe for
// concurrent use; Serve may be called once.
type Server struct {
	backend Backend
	cfg     Config
	log     *slog.Logger
	wire    *wire.Server
	secret  [32]byte // keys the fake SCRAM salts of unknown users
	scram   scramCache

	mu     sync.Mutex
	ln     net.Listener
	conns  map[*trackedConn]struct{}
	byPID  map[int32]*connState
	closed bool
	// active counts the connections admitted under MaxConnections;
	// draining is set by Shutdown.
	active   int
	draining bool
}

// NewServer validates cfg and builds a Server; it does not listen yet.
func NewServer(backend Backend, cfg Config) (*Server, error) {
	if backend == nil {
		return nil, errors.New("pgwire: nil Backend")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:5433"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.StartupTimeout <= 0 {
		cfg.StartupTimeout = time.Minute
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = DefaultServerVersion
	}
	if cfg.TLSConfig != nil && len(cfg.TLSConfig.Certificates) == 0 {
		return nil, errors.New("pgwire: Config.TLSConfig needs Certificates (psql-wire ignores GetCertificate)")
	}
	if cfg.Auth == AuthDefault {
		cfg.Auth = AuthPassword
		if _, ok := backend.(SecretSource); ok {
			cfg.Auth = AuthSCRAM
		}
	}
	if _, ok := backend.(SecretSource); cfg.Auth == AuthSCRAM && !ok {
		return nil, errors.New("pgwire: AuthSCRAM needs a Backend that implements SecretSource")
	}
	s := &Server{
		backend: backend, cfg: cfg, log: cfg.Logger,
		conns: map[*trackedConn]struct{}{}, byPID: map[int32]*connState{},
	}
	if _, err := rand.Read(s.secret[:]); err != nil {
		return nil, fmt.Errorf("pgwire: %w", err)
	}
	opts := []wire.OptionFn{
		wire.Logger(cfg.Logger),
		wire.Version(cfg.ServerVersion),
		wire.SessionAuthStrategy(s.authenticate),
		wire.SessionMiddleware(s.startSession),
		wire.BackendKeyData(s.backendKeyData),
		wire.CancelRequest(s.cancelRequest),
		wire.CloseConn(s.closeConn),
		wire.TxStatus(s.txStatus),
		wire.ExtendTypes(registerCellCodecs),
		wire.Portals(newPortalCache),
		wire.Statements(newStmtCache),
		wire.DescribeCheck(s.describeCheck),
		wire.DescribeColumnsCheck(s.describeColumns),
		wire.MessageBufferSize(cfg.MaxMessageSize),
	}
	if cfg.TLSConfig != nil {
		opts = append(opts, wire.TLSConfig(cfg.TLSConfig))
	}
	w, err := wire.NewServer(s.parse, opts...)
	if err != nil {
		return nil, fmt.Errorf("pgwire: %w", err)
	}
	s.wire = w
	return s, nil
}

// ListenAndServe listens on Config.Addr and serves until ctx ends or Close
// is called; see Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("pgwire: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln until ctx ends or Close is called, then
// closes ln, cancels running queries, closes every connection and returns
// nil. It returns an error if accepting fails for another reason or if the
// server is already serving or closed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.closed || s.ln != nil {
		s.mu.Unlock()
		_ = ln.Close()
		return errors.New("pgwire: server already serving or closed")
	}
	tl := &trackedListener{Listener: ln, srv: s}
	s.ln = tl
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	defer stop()
	return s.wire.Serve(tl)
}

// Addr is the address being served, or nil before Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops accepting, cancels running queries, closes all connections
// (ending their sessions) and waits for their goroutines. It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*trackedConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.state.cancelStatement(nil)
		_ = c.Conn.Close()
	}
	err := s.wire.Close()
	s.wire.Wait()
	return err
}

// registerCellCodecs makes each connection's pgtype.Map pass *cell values
// (pre-encoded by this package) through for every OID meshql sends.
func registerCellCodecs(m *pgtype.Map) {
	for _, oid := range resultOIDs() {
		if t, ok := m.TypeForOID(oid); ok {
			m.RegisterType(&pgtype.Type{Name: t.Name, OID: oid, Codec: cellCodec{t.Codec}})
		}
	}
	// reg* result columns (engine.Column.RegOut), types pgx does not
	// know; their cells come pre-encoded in both formats.
	for k := sqltypes.RegClass; k <= sqltypes.RegRole; k++ {
		t := sqltypes.Type{Kind: k}
		if _, ok := m.TypeForOID(t.OID()); !ok {
			m.RegisterType(&pgtype.Type{Name: t.String(), OID: t.OID(), Codec: cellCodec{pgtype.TextCodec{}}})
		}
	}
}

// trackedListener wraps accepted connections so that the server can find
// and close them, and so that hooks can reach the connection's state.
type trackedListener struct {
	net.Listener
	srv       *Server
	closeOnce sync.Once
	closeErr  error
}

// Close closes the listener once, however many of psql-wire and the
// server's own Close close it.
func (l *trackedListener) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}

func (l *trackedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		_ = c.SetDeadline(time.Now().Add(l.srv.cfg.StartupTimeout)) // cleared by startSession
		tc := &trackedConn{Conn: c}
		tc.state = newConnState(l.srv, c)
		l.srv.mu.Lock()
		closed := l.srv.closed
		if !closed {
			l.srv.conns[tc] = struct{}{}
			l.srv.admit(tc.state)
			tc.state.lateAccept = l.srv.draining
		}
		l.srv.mu.Unlock()
		if closed {
			_ = c.Close()
			continue
		}
		return tc, nil
	}
}

// trackedConn carries the connection's state; its RemoteAddr returns a
// connAddr, which psql-wire stores in every hook's context
// (wire.RemoteAddress). Close ends the session; psql-wire calls it from the
// connection's own goroutine when it is done with the connection.
type trackedConn struct {
	net.Conn
	state *connState
	once  sync.Once
}

type connAddr struct {
	net.Addr
	state *connState
}

func (c *trackedConn) RemoteAddr() net.Addr {
	return connAddr{Addr: c.Conn.RemoteAddr(), state: c.state}
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.state.close()
		srv := c.state.srv
		srv.mu.Lock()
		delete(srv.conns, c)
		if !c.state.overLimit {
			srv.active--
		}
		srv.mu.Unlock()
	})
	return err
}
