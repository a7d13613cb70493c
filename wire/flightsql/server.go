package flightsql

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	protoenc "google.golang.org/grpc/encoding/proto"

	"github.com/meshql/meshql/engine"
)

// DefaultTokenTTL is how long a bearer token stays valid by default.
const DefaultTokenTTL = 12 * time.Hour

// Config configures a Server. The zero value serves on 127.0.0.1:32010
// without TLS.
type Config struct {
	Addr string // for ListenAndServe; default "127.0.0.1:32010"
	// TLSConfig enables TLS (grpc+tls://) when set.
	TLSConfig *tls.Config
	Logger    *slog.Logger // default slog.Default()
	// TokenTTL is the lifetime of the bearer tokens issued at login;
	// default DefaultTokenTTL.
	TokenTTL time.Duration
	// Mem allocates metadata results, casts and bound parameters; default
	// memory.DefaultAllocator. Query results come from the engine's
	// allocator.
	Mem memory.Allocator
	// ServerVersion is what GetSqlInfo reports as the server's version;
	// default "dev".
	ServerVersion string
	// MaxEndpoints bounds the endpoints of one query's FlightInfo: a
	// result read from a scan of several partitions is split into up to
	// this many tickets that clients fetch in parallel. Default 1, which
	// keeps every result in one endpoint: each share runs as its own query
	// with all workers, so when the client shares the server's cores,
	// splitting costs more than it gains (SF1 lineitem on 2 CPUs: 2.48M
	// rows/s with one endpoint, 1.24M with two; bench/RESULTS.md).
	MaxEndpoints int
	// MaxSessionsPerUser bounds the live sessions (bearer tokens) of one
	// user; default DefaultMaxSessionsPerUser. A login past it ends that
	// user's least recently used session (its token stops working, as
	// after CloseSession), so a client that logs in on every call keeps
	// working while memory stays bounded.
	MaxSessionsPerUser int
}

// DefaultMaxSessionsPerUser is the default Config.MaxSessionsPerUser.
const DefaultMaxSessionsPerUser = 1000

// writeBufferSize is the size of the buffer gRPC gathers a connection's
// frames in before it writes them to the socket.
const writeBufferSize = 1 << 20

// Server is an Arrow Flight SQL server over an engine. It is safe for
// concurrent use; Serve may be called once.
type Server struct {
	svc  *service
	grpc *grpc.Server

	mu     sync.Mutex
	ln     net.Listener
	closed bool
}

// NewServer validates cfg and builds a Server; it does not listen yet.
func NewServer(eng *engine.Engine, cfg Config) (*Server, error) {
	if eng == nil {
		return nil, errors.New("flightsql: nil Engine")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:32010"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = "dev"
	}
	if cfg.Mem == nil {
		cfg.Mem = memory.DefaultAllocator
	}
	if cfg.MaxEndpoints <= 0 {
		cfg.MaxEndpoints = 1
	}
	if cfg.MaxSessionsPerUser <= 0 {
		cfg.MaxSessionsPerUser = DefaultMaxSessionsPerUser
	}
	svc, err := newService(eng, cfg)
	if err != nil {
		return nil, err
	}
	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(svc.unaryAuth),
		grpc.ChainStreamInterceptor(svc.streamAuth),
		grpc.ForceServerCodecV2(frameCodec{proto: encoding.GetCodecV2(protoenc.Name)}),
		// Results leave in messages of about a megabyte (an 8,192-row
		// batch): with gRPC's default 32 KiB write buffer that is some 40
		// write calls per batch, with 1 MiB one or two (SF1 lineitem:
		// 11.4 → 6.1 socket reads and writes per thousand rows,
		// client included). The buffer is shared, held only while a
		// connection writes, so idle connections cost nothing.
		grpc.WriteBufferSize(writeBufferSize),
		grpc.SharedWriteBuffer(true),
	}
	if cfg.TLSConfig != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg.TLSConfig)))
	}
	g := grpc.NewServer(opts...)
	flight.RegisterFlightServiceServer(g, doGetServer{FlightServer: flightsql.NewFlightServerWithAllocator(svc, cfg.Mem), v: svc})
	return &Server{svc: svc, grpc: g}, nil
}

// ListenAndServe listens on Config.Addr and serves until ctx ends or Close
// is called; see Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.svc.cfg.Addr)
	if err != nil {
		return fmt.Errorf("flightsql: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln until ctx ends or Close is called, then
// cancels running queries, closes every connection and returns nil. It
// returns an error if serving fails for another reason or if the server is
// already serving or closed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.closed || s.ln != nil {
		s.mu.Unlock()
		_ = ln.Close()
		return errors.New("flightsql: server already serving or closed")
	}
	s.ln = ln
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, s.Close)
	defer stop()
	err := s.grpc.Serve(ln)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
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

// Shutdown drains the server: it stops accepting connections and calls,
// lets running calls (a DoGet streaming its result) finish until ctx
// ends, then cancels what still runs as Close does. It returns ctx's error
// when calls had to be canceled.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil
	}
	drained := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(drained)
	}()
	select {
	case <-drained:
		s.Close()
		return nil
	case <-ctx.Done():
		// The calls still running fail with 57P01; their handlers get a
		// few seconds to send it before Close cuts the transports.
		s.svc.closeAll()
		select {
		case <-drained:
		case <-time.After(5 * time.Second):
		}
		s.Close()
		<-drained
		return ctx.Err()
	}
}

// Close stops accepting, cancels running queries, closes all connections
// and ends every token's session. It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.svc.closeAll()
	s.grpc.Stop()
	s.svc.streams.Wait() // cancelled above: each ends at its next batch
	s.svc.closeSessions()
}
