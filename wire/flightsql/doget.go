package flightsql

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"io"

	"github.com/apache/arrow-go/v18/arrow/flight"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// doGetServer is arrow-go's Flight SQL service with DoGet taken over for
// query results: statement tickets and prepared-statement commands.
// arrow-go's DoGet reads the result from a channel fed by another
// goroutine and, when a write fails because the client went away,
// returns without releasing the batch in its hands (arrow-go v18.8.0,
// flightsql/server.go), so a client that stops reading early (a LIMIT
// over a remote meshql) leaked that batch. Here the RPC's goroutine pulls
// each batch from the engine, writes it and releases it, so every exit
// path releases what it holds. Metadata tickets, whose small results come
// from the metadata allocator, still go through arrow-go.
type doGetServer struct {
	flight.FlightServer
	v *service
}

func (d doGetServer) DoGet(t *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	var cmd anypb.Any
	if err := proto.Unmarshal(t.GetTicket(), &cmd); err != nil {
		return malformedTicket("not a Flight SQL command")
	}
	ctx := stream.Context()
	switch {
	case cmd.MessageIs((*pb.TicketStatementQuery)(nil)):
		var tq pb.TicketStatementQuery
		if err := cmd.UnmarshalTo(&tq); err != nil {
			return malformedTicket(err.Error())
		}
		return d.v.doGetTicket(ctx, tq.GetStatementHandle(), stream)
	case cmd.MessageIs((*pb.CommandPreparedStatementQuery)(nil)):
		var pq pb.CommandPreparedStatementQuery
		if err := cmd.UnmarshalTo(&pq); err != nil {
			return malformedTicket(err.Error())
		}
		return d.v.doGetPrepared(ctx, pq.GetPreparedStatementHandle(), stream)
	}
	return d.FlightServer.DoGet(t, stream)
}

// doGetTicket runs the statement a ticket from GetFlightInfo names and
// streams its rows.
func (v *service) doGetTicket(ctx context.Context, handle []byte, stream flight.FlightService_DoGetServer) error {
	s, err := sessionFrom(ctx)
	if err != nil {
		return err
	}
	t, err := v.redeemTicket(s, handle)
	if err != nil {
		return err
	}
	switch t.kind {
	case ticketQuery:
		// Analyzed and run as one statement: its 'now' literals read
		// the start its now() reads, a share's that of its split; one
		// registration for signals and statement_timeout, one query id.
		sc := s.sess.BeginStatement()
		defer sc.End()
		ctx = sc.Context(ctx)
		start := s.startOf(t.share)
		st, err := s.prepareOneAt(ctx, start, string(t.payload))
		if err != nil {
			return toStatus(err)
		}
		return v.serveResult(ctx, s, t.id, st, nil, t.share, stream, start)
	case ticketPrepared:
		if len(t.payload) < 8 {
			return malformedTicket("prepared statement handle")
		}
		handle, binds := t.payload[:len(t.payload)-8], binary.BigEndian.Uint64(t.payload[len(t.payload)-8:])
		p, err := s.preparedStatement(handle)
		if err != nil {
			return err
		}
		return v.servePrepared(ctx, s, t.id, p, t.share, stream, &binds)
	}
	return malformedTicket("unknown kind")
}

// doGetPrepared runs a prepared statement whose command a client sent as
// the ticket itself.
func (v *service) doGetPrepared(ctx context.Context, handle []byte, stream flight.FlightService_DoGetServer) error {
	s, err := sessionFrom(ctx)
	if err != nil {
		return err
	}
	p, err := s.preparedStatement(handle)
	if err != nil {
		return err
	}
	var id queryID
	if _, err := rand.Read(id[:]); err != nil {
		return toStatus(err)
	}
	return v.servePrepared(ctx, s, id, p, nil, stream, nil)
}

// startOf is the clock a statement runs at: its share's split's, or,
// for all rows, the session's now.
func (s *session) startOf(share *engine.Share) engine.Clock {
	if share != nil {
		return share.Start
	}
	return s.clock()
}

// servePrepared runs a prepared statement (or a share of its rows) with
// the values bound to it read at the clock it runs at.
func (v *service) servePrepared(ctx context.Context, s *session, id queryID, p *prepared, share *engine.Share, stream flight.FlightService_DoGetServer, wantBinds *uint64) error {
	start := s.startOf(share)
	params, binds, err := p.paramsAt(ctx, v, start)
	if err != nil {
		return toStatus(err)
	}
	if wantBinds != nil && binds != *wantBinds {
		e := sqltypes.New(sqltypes.CodeSerializationFailure, "the prepared statement's parameters were bound again after GetFlightInfo issued this ticket")
		e.Hint = "Call GetFlightInfo again after binding."
		return toStatus(e)
	}
	return v.serveResult(ctx, s, id, p.st, params, share, stream, start)
}

// serveResult runs st (or only a share of its rows) and writes its
// batches to stream as the engine produces them; nothing is
// materialized. The query stops when ctx ends (the client went away) or
// CancelFlightInfo names id; Server.Close waits for it to return.
// start, when not zero, is the clock st was analyzed at: it runs there
// (engine.Statement.ExecuteAt).
func (v *service) serveResult(ctx context.Context, s *session, id queryID, st *engine.Statement, params []sqltypes.Datum, share *engine.Share, stream flight.FlightService_DoGetServer, start engine.Clock) error {
	v.mu.Lock()
	if v.closing {
		v.mu.Unlock()
		return toStatus(sqltypes.AdminShutdown())
	}
	v.streams.Add(1)
	v.mu.Unlock()
	defer v.streams.Done()

	qctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	run := v.register(id, s.user, cancel)
	if run == nil {
		return toStatus(sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement due to user request"))
	}
	defer v.unregister(id, run)
	s.mu.Lock()
	var res *engine.Result
	var err error
	switch {
	case share != nil:
		res, err = st.ExecuteShare(qctx, params, *share)
	case !start.Statement.IsZero():
		res, err = st.ExecuteAt(qctx, params, start)
	default:
		res, err = st.Execute(qctx, params)
	}
	s.mu.Unlock()
	if res != nil {
		defer res.Close()
	}
	if err != nil {
		return toStatus(err)
	}
	// The columns once per result, not per batch: Columns analyzes the
	// statement and looks up the products' column origins each call.
	cols := st.Columns()
	schema := resultSchema(cols)
	conformer := conformer{schema: schema, types: columnTypes(cols)}
	iw, w := newResultWriter(stream, schema)
	defer func() {
		_ = iw.Close()
		w.finish(ctx)
	}()
	for {
		b, err := res.Next(qctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return toStatus(err)
		}
		out, err := conformer.conform(qctx, v.mem, b)
		b.Release()
		if err != nil {
			return toStatus(err)
		}
		err = w.write(iw, out)
		out.Release()
		if err != nil {
			// The client went away or the RPC was cancelled: gRPC's
			// error says which.
			return err
		}
	}
}
