package flightsql

import (
	"context"
	"crypto/rand"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/types/known/timestamppb"

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

	mu      sync.Mutex
	tokens  map[string]*session
	running map[queryID][]*runningQuery // a ticket may be redeemed twice at once
	// pending holds, per user, the tickets cancelled before their DoGet
	// started, each until it expires (then no DoGet can start).
	pending map[string]map[queryID]time.Time
	// streams counts the goroutines streaming results: Close waits for
	// them, so every result is closed and its memory released when it
	// returns, also for a client that abandoned its stream. closing (under
	// mu) stops new ones, so that no Add races with that Wait.
	streams sync.WaitGroup
	closing bool
	// ticketKey signs the statement tickets this server issues
	// (ticketMAC); new at each start.
	ticketKey [32]byte
}

// maxPendingCancels bounds, per user, the cancellations kept for tickets
// not redeemed yet: one user's cannot crowd out another's.
const maxPendingCancels = 1000

// queryID names one execution; it is part of the ticket so that
// CancelFlightInfo can find the execution a FlightInfo started.
type queryID [16]byte

type runningQuery struct {
	user   string
	cancel context.CancelCauseFunc // the cause is the query's error; nil: 57014
}

func newService(eng *engine.Engine, cfg Config) (*service, error) {
	v := &service{eng: eng, cfg: cfg, log: cfg.Logger, mem: cfg.Mem,
		tokens: map[string]*session{}, running: map[queryID][]*runningQuery{}, pending: map[string]map[queryID]time.Time{}}
	v.Alloc = cfg.Mem
	if _, err := rand.Read(v.ticketKey[:]); err != nil {
		return nil, err
	}
	if err := v.registerSqlInfo(); err != nil {
		return nil, err
	}
	return v, nil
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
// this server; ticket builds one from a share (nil = all rows). start is
// the clock params were read at: the split plans and its shares run there.
func (v *service) flightInfo(ctx context.Context, s *session, desc *flight.FlightDescriptor, st *engine.Statement, params []sqltypes.Datum, start engine.Clock, ticket func(*engine.Share) ([]byte, error)) (*flight.FlightInfo, error) {
	s.mu.Lock()
	first, err := st.SplitAt(ctx, params, v.cfg.MaxEndpoints, start)
	s.mu.Unlock()
	if err != nil {
		return nil, toStatus(err)
	}
	var eps []*flight.FlightEndpoint
	// Tickets are redeemed any number of times until the token that got
	// them expires; the spec lets a client that sees an expiration time
	// retry a DoGet (e.g. after a broken connection) until then.
	expires := timestamppb.New(s.expires)
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
		eps = append(eps, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: t}, ExpirationTime: expires})
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
	// Analyzed and split as one statement (engine.StatementScope).
	sc := s.sess.BeginStatement()
	defer sc.End()
	ctx = sc.Context(ctx)
	st, err := s.prepareOne(ctx, cmd.GetQuery())
	if err != nil {
		return nil, toStatus(err)
	}
	return v.flightInfo(ctx, s, desc, st, nil, s.clock(), func(sh *engine.Share) ([]byte, error) {
		return v.newTicket(s, ticketQuery, sh, []byte(cmd.GetQuery()))
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

// register records a starting execution; it returns nil if the
// execution was cancelled before it started.
func (v *service) register(id queryID, user string, cancel context.CancelCauseFunc) *runningQuery {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.pending[user][id]; ok {
		delete(v.pending[user], id)
		if len(v.pending[user]) == 0 {
			delete(v.pending, user)
		}
		return nil
	}
	q := &runningQuery{user: user, cancel: cancel}
	v.running[id] = append(v.running[id], q)
	return q
}

// unregister forgets q, one of the executions of id.
func (v *service) unregister(id queryID, q *runningQuery) {
	v.mu.Lock()
	defer v.mu.Unlock()
	rest := slices.DeleteFunc(v.running[id], func(r *runningQuery) bool { return r == q })
	if len(rest) == 0 {
		delete(v.running, id)
		return
	}
	v.running[id] = rest
}

// closeAll starts no more streams and cancels every running query, at
// shutdown: each fails with FATAL 57P01, as a PostgreSQL session does in
// a fast shutdown (gRPC Unavailable: the client may retry elsewhere).
func (v *service) closeAll() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closing = true
	for _, qs := range v.running {
		for _, q := range qs {
			q.cancel(sqltypes.AdminShutdown())
		}
	}
}

// CancelFlightInfo cancels the executions a FlightInfo's tickets name: a
// running DoGet stops with 57014 (gRPC Canceled); a ticket not redeemed
// yet fails when it is. Only the user a ticket was issued to may cancel
// it, from any of their sessions (as pg_cancel_backend); other tickets
// are passed over. A user keeps at most maxPendingCancels cancellations
// of tickets not redeemed yet, each until its ticket expires; beyond,
// CancelFlightInfo fails with 53400 (ResourceExhausted).
func (v *service) CancelFlightInfo(ctx context.Context, req *flight.CancelFlightInfoRequest) (flight.CancelFlightInfoResult, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return flight.CancelFlightInfoResult{}, err
	}
	result := flight.CancelStatusNotCancellable
	for _, ep := range req.GetInfo().GetEndpoint() {
		if ep.GetTicket() == nil {
			continue // arrow-go's reader would dereference it
		}
		t, err := flightsql.GetStatementQueryTicket(ep.GetTicket())
		if err != nil {
			continue
		}
		tk, err := v.openTicket(t.GetStatementHandle())
		if err != nil || tk.user != s.user {
			continue
		}
		done, err := v.cancel(tk, time.Now())
		if err != nil {
			return flight.CancelFlightInfoResult{}, toStatus(err)
		}
		if done {
			result = flight.CancelStatusCancelled
		}
	}
	return flight.CancelFlightInfoResult{Status: result}, nil
}

// cancel cancels the running executions of t by its user, or, when none
// runs, keeps the cancellation for the DoGet that redeems t, until t
// expires; it reports whether it cancelled anything.
func (v *service) cancel(t ticket, now time.Time) (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if qs, ok := v.running[t.id]; ok {
		done := false
		for _, q := range qs {
			if q.user == t.user {
				q.cancel(nil)
				done = true
			}
		}
		return done, nil
	}
	if now.After(t.expires) {
		return true, nil // no DoGet redeems it any more
	}
	pend := v.pending[t.user]
	if pend == nil {
		pend = map[queryID]time.Time{}
		v.pending[t.user] = pend
	}
	if _, ok := pend[t.id]; !ok && len(pend) >= maxPendingCancels {
		for id, expires := range pend {
			if now.After(expires) {
				delete(pend, id)
			}
		}
		if len(pend) >= maxPendingCancels {
			e := sqltypes.New("53400", "too many cancelled Flight SQL tickets not redeemed yet (%d per user)", maxPendingCancels)
			e.Hint = "A cancellation is kept until its ticket is redeemed or expires; cancel a running DoGet, or let tickets expire."
			return false, e
		}
	}
	pend[t.id] = t.expires
	return true, nil
}
