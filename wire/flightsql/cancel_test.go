package flightsql

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc/codes"

	"github.com/meshql/meshql/engine"
)

// TestPendingCancelsPerUser: the cancellations of tickets not redeemed
// yet are kept per user, at most maxPendingCancels each. A user who has
// that many gets 53400 (ResourceExhausted) for one more, rather than a
// "cancelled" that would not hold; their earlier cancellations hold, and
// another user's cancellation is kept as if they had none.
func TestPendingCancelsPerUser(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	srv, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	other, octx, err := dial(t, addr, "marketing", "marketing")
	if err != nil {
		t.Fatal(err)
	}
	cancel := func(c *flight.FlightInfo, who string) error {
		t.Helper()
		cli, cctx := cl, ctx
		if who == "marketing" {
			cli, cctx = other, octx
		}
		res, err := cli.CancelFlightInfo(cctx, &flight.CancelFlightInfoRequest{Info: c})
		if err == nil && res.Status != flight.CancelStatusCancelled {
			t.Errorf("%s's CancelFlightInfo: %v", who, res.Status)
		}
		return err
	}
	first, err := cl.Execute(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if err := cancel(first, "analyst"); err != nil {
		t.Fatal(err)
	}
	// Fill analyst's list with tickets of analyst's session.
	s := sessionOf(t, srv, "analyst")
	fill := &flight.FlightInfo{}
	for range maxPendingCancels - 1 {
		tk, err := srv.svc.newTicket(s, ticketQuery, nil, []byte("SELECT 2"))
		if err != nil {
			t.Fatal(err)
		}
		fill.Endpoint = append(fill.Endpoint, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: tk}})
	}
	if err := cancel(fill, "analyst"); err != nil {
		t.Fatal(err)
	}
	// Cancelling kept tickets again keeps no more.
	if err := cancel(fill, "analyst"); err != nil {
		t.Errorf("cancelling kept tickets again: %v", err)
	}
	over, err := cl.Execute(ctx, "SELECT 3")
	if err != nil {
		t.Fatal(err)
	}
	checkStatus(t, "one cancellation over the bound", cancel(over, "analyst"), codes.ResourceExhausted, "53400")
	if err := redeem(ctx, cl, over.Endpoint[0].Ticket); err != nil {
		t.Errorf("the ticket whose cancellation was refused: %v", err)
	}
	checkStatus(t, "analyst's first cancelled ticket", redeem(ctx, cl, first.Endpoint[0].Ticket), codes.Canceled, "57014")

	theirs, err := other.Execute(octx, "SELECT 4")
	if err != nil {
		t.Fatal(err)
	}
	if err := cancel(theirs, "marketing"); err != nil {
		t.Errorf("marketing's cancel while analyst's list is full: %v", err)
	}
	checkStatus(t, "marketing's cancelled ticket", redeem(octx, other, theirs.Endpoint[0].Ticket), codes.Canceled, "57014")
}

// TestSignalBetweenPlanningAndExecution: a DoGet analyzes its statement
// and runs it as one statement of the engine; a meshql_cancel landing
// between the two (the engine's Planned hook holds it there) finds it
// registered and cancels it (57014, gRPC Canceled), and the statement has
// one query id.
func TestSignalBetweenPlanningAndExecution(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "SELECT 21")
	if err != nil {
		t.Fatal(err)
	}
	canceled := make(chan [][]string, 1) // the hook runs on the server's goroutine
	eng.SetHooks(engine.Hooks{Planned: func(_ context.Context, sql string) {
		if sql == "SELECT 21" {
			canceled <- inProcess(t, eng, "admin", "SELECT meshql_cancel(query_id) FROM mesh.running_queries WHERE query = 'SELECT 21'")
		}
	}})
	defer eng.SetHooks(engine.Hooks{})
	checkStatus(t, "the DoGet canceled between planning and execution", redeem(ctx, cl, info.Endpoint[0].Ticket), codes.Canceled, "57014")
	select {
	case got := <-canceled:
		if len(got) != 1 || got[0][0] != "t" {
			t.Errorf("meshql_cancel between planning and execution: %v", got)
		}
	default:
		t.Error("the DoGet's statement was not held between its planning and its execution")
	}
}
