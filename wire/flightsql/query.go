package flightsql

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// service implements flightsql.Server over the engine. Its methods are
// called concurrently by gRPC, each with a context that carries the
// caller's session (see authorize).
type service struct {
	flightsql.BaseServer
	eng *engine.Engine
	cfg Config
	log *slog.Logger
	mem memory.Allocator
	// sqlInfo holds the registered GetSqlInfo facts (read-only).
	sqlInfo map[flightsql.SqlInfo]any

	mu       sync.Mutex
	tokens   map[string]*session
	running  map[queryID]*runningQuery
	canceled map[queryID]time.Time // cancelled before their DoGet started
	// streams counts the goroutines streaming results: Close waits for
	// them, so every result is closed and its memory released when it
	// returns, also for a client that abandoned its stream. closing (under
	// mu) stops new ones, so that no Add races with that Wait.
	streams sync.WaitGroup
	closing bool
	// ticketKey signs the clock in the tickets of a split result's
	// shares (shareMAC); new at each start.
	ticketKey [32]byte
}

// maxPendingCancels bounds the cancellations kept for tickets not
// redeemed yet.
const maxPendingCancels = 10000

// queryID names one execution; it is part of the ticket so that
// CancelFlightInfo can find the execution a FlightInfo started.
type queryID [16]byte

type runningQuery struct {
	user   string
	cancel context.CancelCauseFunc // the cause is the query's error; nil: 57014
}

func newService(eng *engine.Engine, cfg Config) (*service, error) {
	v := &service{eng: eng, cfg: cfg, log: cfg.Logger, mem: cfg.Mem,
		tokens: map[string]*session{}, running: map[queryID]*runningQuery{}, canceled: map[queryID]time.Time{}}
	v.Alloc = cfg.Mem
	if _, err := rand.Read(v.ticketKey[:]); err != nil {
		return nil, err
	}
	if err := v.registerSqlInfo(); err != nil {
		return nil, err
	}
	return v, nil
}

// Ticket kinds: a statement's SQL text, or a prepared statement's handle.
const (
	ticketQuery    = 'Q'
	ticketPrepared = 'P'
)

// ticketHeader is the length of a statement handle before its payload:
// kind, query id, the share (index, count, partitions as uint32s; count
// 0 = all rows), and for a share the clock of its split (statement and
// transaction start, Unix nanoseconds) and the MAC that proves this
// server wrote that clock for that statement.
const ticketHeader = 1 + len(queryID{}) + 12 + 16 + shareMACSize

// shareMACSize is the length of the HMAC-SHA256 prefix a share ticket
// carries.
const shareMACSize = 16

// newTicket returns a Flight SQL statement ticket for a new execution of
// the given share (nil = all rows).
func (v *service) newTicket(kind byte, share *engine.Share, payload []byte) ([]byte, error) {
	var id queryID
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	h := make([]byte, 0, ticketHeader+len(payload))
	h = append(append(h, kind), id[:]...)
	var sh engine.Share
	if share != nil {
		sh = *share
	}
	for _, n := range []int{sh.Index, sh.Count, sh.Partitions} {
		h = binary.BigEndian.AppendUint32(h, uint32(n))
	}
	h = appendClock(h, sh.Start)
	mac := make([]byte, shareMACSize)
	if share != nil {
		mac = v.shareMAC(kind, sh.Start, payload)
	}
	return flightsql.CreateStatementQueryTicket(append(append(h, mac...), payload...))
}

func appendClock(b []byte, c engine.Clock) []byte {
	for _, t := range []time.Time{c.Statement, c.Transaction} {
		n := int64(0)
		if !t.IsZero() {
			n = t.UnixNano()
		}
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return b
}

// shareMAC binds a share's clock to its statement under the server's
// key: a client that could set it would choose the now() that row
// filters and masks on now() or current_date read.
func (v *service) shareMAC(kind byte, start engine.Clock, payload []byte) []byte {
	m := hmac.New(sha256.New, v.ticketKey[:])
	m.Write([]byte{kind})
	m.Write(appendClock(nil, start))
	m.Write(payload)
	return m.Sum(nil)[:shareMACSize]
}

// ticket is a parsed statement handle.
type ticket struct {
	kind    byte
	id      queryID
	share   *engine.Share // nil = all rows
	payload []byte
}

// parseHandle splits a ticket's statement handle; a share's clock must
// carry this server's MAC.
func (v *service) parseHandle(h []byte) (ticket, error) {
	var t ticket
	if len(h) < ticketHeader {
		return t, status.Error(codes.InvalidArgument, "malformed ticket")
	}
	t.kind = h[0]
	copy(t.id[:], h[1:])
	n := h[1+len(t.id):]
	sh := engine.Share{Index: int(binary.BigEndian.Uint32(n)), Count: int(binary.BigEndian.Uint32(n[4:])), Partitions: int(binary.BigEndian.Uint32(n[8:]))}
	t.payload = h[ticketHeader:]
	if sh.Count > 0 {
		for i, at := range []*time.Time{&sh.Start.Statement, &sh.Start.Transaction} {
			if ns := int64(binary.BigEndian.Uint64(n[12+8*i:])); ns != 0 { // 0: no clock (appendClock)
				*at = time.Unix(0, ns).UTC()
			}
		}
		if !hmac.Equal(n[28:28+shareMACSize], v.shareMAC(t.kind, sh.Start, t.payload)) {
			return t, status.Error(codes.InvalidArgument, "ticket of a share not issued by this server (or by this server before a restart): call GetFlightInfo again")
		}
		t.share = &sh
	}
	return t, nil
}

// prepareOne prepares sql, which must hold exactly one statement.
func (s *session) prepareOne(ctx context.Context, sql string) (*engine.Statement, error) {
	return s.prepareOneAt(ctx, engine.Clock{}, sql)
}

// prepareOneAt is prepareOne for a statement that runs at start (see
// engine.Session.PrepareAt).
func (s *session) prepareOneAt(ctx context.Context, start engine.Clock, sql string) (*engine.Statement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stmts, err := s.sess.PrepareAt(ctx, start, sql)
	if err != nil {
		return nil, err
	}
	switch len(stmts) {
	case 0:
		return nil, sqltypes.New(sqltypes.CodeSyntaxError, "empty query")
	case 1:
		return stmts[0], nil
	}
	return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot run %d statements in one Flight SQL query; send them one by one", len(stmts))
}

// flightInfo plans st with params and describes its execution: one
// endpoint, or, when the rows come from a scan of several partitions,
// up to Config.MaxEndpoints endpoints, each ticket reading a disjoint
// share that a client may fetch in parallel. Tickets are redeemed on
// this server; ticket builds one from a share (nil = all rows).
func (v *service) flightInfo(ctx context.Context, s *session, desc *flight.FlightDescriptor, st *engine.Statement, params []sqltypes.Datum, ticket func(*engine.Share) ([]byte, error)) (*flight.FlightInfo, error) {
	s.mu.Lock()
	first, err := st.Split(ctx, params, v.cfg.MaxEndpoints)
	s.mu.Unlock()
	if err != nil {
		return nil, toStatus(err)
	}
	var eps []*flight.FlightEndpoint
	for i := range first.Count {
		var sh *engine.Share
		if first.Count > 1 {
			share := first
			share.Index = i
			sh = &share
		}
		t, err := ticket(sh)
		if err != nil {
			return nil, toStatus(err)
		}
		eps = append(eps, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: t}})
	}
	return &flight.FlightInfo{
		Schema:           flight.SerializeSchema(resultSchema(st.Columns()), v.mem),
		FlightDescriptor: desc,
		Endpoint:         eps,
		TotalRecords:     -1,
		TotalBytes:       -1,
		// Shares come from parallel streams: no order among them.
		Ordered: len(eps) == 1,
	}, nil
}

// GetFlightInfoStatement analyzes the query (reporting its errors now) and
// returns its schema and tickets; the query runs when a ticket is
// redeemed with DoGet.
func (v *service) GetFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.prepareOne(ctx, cmd.GetQuery())
	if err != nil {
		return nil, toStatus(err)
	}
	return v.flightInfo(ctx, s, desc, st, nil, func(sh *engine.Share) ([]byte, error) {
		return v.newTicket(ticketQuery, sh, []byte(cmd.GetQuery()))
	})
}

// GetSchemaStatement returns a query's result schema without running it.
func (v *service) GetSchemaStatement(ctx context.Context, cmd flightsql.StatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.prepareOne(ctx, cmd.GetQuery())
	if err != nil {
		return nil, toStatus(err)
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(resultSchema(st.Columns()), v.mem)}, nil
}

// register records a starting execution; it reports false if the
// execution was cancelled before it started.
func (v *service) register(id queryID, user string, cancel context.CancelCauseFunc) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.canceled[id]; ok {
		delete(v.canceled, id)
		return false
	}
	v.running[id] = &runningQuery{user: user, cancel: cancel}
	return true
}

func (v *service) unregister(id queryID) {
	v.mu.Lock()
	delete(v.running, id)
	v.mu.Unlock()
}

// closeAll starts no more streams and cancels every running query, at
// shutdown: each fails with FATAL 57P01, as a PostgreSQL session does in
// a fast shutdown (gRPC Unavailable: the client may retry elsewhere).
func (v *service) closeAll() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closing = true
	for _, q := range v.running {
		q.cancel(errShutdown())
	}
}

func errShutdown() *sqltypes.Error {
	e := sqltypes.New(sqltypes.CodeAdminShutdown, "terminating connection due to administrator command")
	e.Severity = "FATAL"
	return e
}

// CancelFlightInfo cancels the executions a FlightInfo's tickets name: a
// running DoGet stops with 57014 (gRPC Canceled); a ticket not redeemed
// yet fails when it is. Only the user who runs a query may cancel it.
func (v *service) CancelFlightInfo(ctx context.Context, req *flight.CancelFlightInfoRequest) (flight.CancelFlightInfoResult, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return flight.CancelFlightInfoResult{}, err
	}
	result := flight.CancelStatusNotCancellable
	for _, ep := range req.GetInfo().GetEndpoint() {
		t, err := flightsql.GetStatementQueryTicket(ep.GetTicket())
		if err != nil {
			continue
		}
		tk, err := v.parseHandle(t.GetStatementHandle())
		if err != nil {
			continue
		}
		id := tk.id
		v.mu.Lock()
		if q, ok := v.running[id]; ok {
			if q.user == s.user {
				q.cancel(nil)
				result = flight.CancelStatusCancelled
			}
		} else {
			now := time.Now()
			for old, at := range v.canceled {
				if now.Sub(at) > time.Hour {
					delete(v.canceled, old)
				}
			}
			if len(v.canceled) < maxPendingCancels {
				v.canceled[id] = now
			}
			result = flight.CancelStatusCancelled
		}
		v.mu.Unlock()
	}
	return flight.CancelFlightInfoResult{Status: result}, nil
}
