package flightsql

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
)

// The offsets of a ticket's fields (see ticket.go).
const (
	atKind       = 1
	atShare      = atKind + 1 + len(queryID{})
	atCount      = atShare + 4
	atPartitions = atCount + 4
	atClock      = atPartitions + 4
	atExpires    = atClock + 16
	atSession    = atExpires + 8
	atUserLen    = atSession + len(sessionID{})
	atUser       = atUserLen + 2
)

// splitInfo serves the TPC-H mesh with orders in splitCopies files and
// returns the FlightInfo of a scan of it that analyst got, in as many
// endpoints, with analyst's client and context.
func splitInfo(t *testing.T, opts ...func(*Config)) (*Server, *flightsql.Client, context.Context, *flight.FlightInfo) {
	t.Helper()
	eng, mem := splitTPCHEngine(t, splitCopies, "tpch.orders_v1")
	srv, cl, ctx := serveSplit(t, eng, mem, opts...)
	return srv, cl, ctx, executeSplit(t, cl, ctx, "SELECT o_orderkey FROM tpch.orders_v1")
}

// TestTicketHolder: the tickets of a result are redeemed only by the
// user whose session called GetFlightInfo, and only while its bearer
// token is valid. Another user can neither redeem them (42501,
// PermissionDenied) nor cancel them; another session of the same user
// can (a client sending Basic credentials on every call has a new one
// each time), but not a prepared statement's, which lives in its
// session; once the token expired, the token is refused (28000,
// Unauthenticated), and a new login does not redeem them (55000,
// FailedPrecondition: not a code that makes a client log in and retry
// the same ticket), but runs the query again. A closed prepared statement's
// ticket is 26000 (NotFound), with its SQLSTATE in the details. A cancel
// request with an endpoint without a ticket is passed over.
func TestTicketHolder(t *testing.T) {
	srv, cl, ctx, info := splitInfo(t)
	addr := srv.Addr().String()
	other, octx, err := dial(t, addr, "marketing", "marketing")
	if err != nil {
		t.Fatal(err)
	}
	for i, ep := range info.Endpoint {
		checkStatus(t, fmt.Sprintf("share %d redeemed by another user", i), redeem(octx, other, ep.Ticket), codes.PermissionDenied, "42501")
	}
	if res, err := other.CancelFlightInfo(octx, &flight.CancelFlightInfoRequest{Info: info}); err != nil || res.Status == flight.CancelStatusCancelled {
		t.Errorf("another user's CancelFlightInfo: %v %v", res.Status, err)
	}
	again, actx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	if err := redeem(actx, again, info.Endpoint[0].Ticket); err != nil {
		t.Errorf("share redeemed by another session of its user: %v", err)
	}
	prep, err := cl.Prepare(ctx, "SELECT count(*) FROM tpch.orders_v1")
	if err != nil {
		t.Fatal(err)
	}
	pinfo, err := prep.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkStatus(t, "prepared statement's ticket redeemed by another session", redeem(actx, again, pinfo.Endpoint[0].Ticket), codes.PermissionDenied, "42501")
	if err := redeem(ctx, cl, pinfo.Endpoint[0].Ticket); err != nil {
		t.Errorf("prepared statement's ticket in its session: %v", err)
	}
	if err := prep.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkStatus(t, "ticket of a closed prepared statement", redeem(ctx, cl, pinfo.Endpoint[0].Ticket), codes.NotFound, "26000")
	empty := &flight.CancelFlightInfoRequest{Info: &flight.FlightInfo{Endpoint: []*flight.FlightEndpoint{{}}}}
	if res, err := cl.CancelFlightInfo(ctx, empty); err != nil || res.Status == flight.CancelStatusCancelled {
		t.Errorf("CancelFlightInfo of an endpoint without a ticket: %v %v", res.Status, err)
	}
	// The session that got them reads every row once: the other user's
	// cancel did not reach them.
	got, err := fetchParallel(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	if want := 15000; len(got) != splitCopies*want {
		t.Errorf("%d rows, want %d", len(got), splitCopies*want)
	}

	// Expiry, on a server whose tokens last two seconds.
	srv, cl, ctx, info = splitInfo(t, func(c *Config) { c.TokenTTL = 2 * time.Second })
	expires := sessionOf(t, srv, "analyst").expires
	for i, ep := range info.Endpoint {
		if got := ep.GetExpirationTime(); got == nil || !got.AsTime().Equal(expires) {
			t.Errorf("endpoint %d expires at %v, want the token's expiry %v", i, got, expires)
		}
	}
	time.Sleep(time.Until(info.Endpoint[0].GetExpirationTime().AsTime()) + 50*time.Millisecond)
	checkStatus(t, "share redeemed with an expired token", redeem(ctx, cl, info.Endpoint[0].Ticket), codes.Unauthenticated, "28000")
	again, actx, err = dial(t, srv.Addr().String(), "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	// Logging in again does not revive the ticket: the code says to stop
	// retrying it and to run the query again.
	if info := checkStatus(t, "expired share redeemed after a new login", redeem(actx, again, info.Endpoint[0].Ticket), codes.FailedPrecondition, "55000"); info != nil && info.Metadata["message"] != "Flight SQL ticket expired; re-run the query" {
		t.Errorf("expired share: message %q", info.Metadata["message"])
	}
	if _, err := fetchParallel(actx, again, executeSplit(t, again, actx, "SELECT o_orderkey FROM tpch.orders_v1")); err != nil {
		t.Errorf("the query run again after its ticket expired: %v", err)
	}
}

// sessionOf is the session of user's only token.
func sessionOf(t *testing.T, srv *Server, user string) *session {
	t.Helper()
	srv.svc.mu.Lock()
	defer srv.svc.mu.Unlock()
	var found *session
	for _, s := range srv.svc.tokens {
		if s.user == user {
			if found != nil {
				t.Fatalf("%s has several tokens", user)
			}
			found = s
		}
	}
	if found == nil {
		t.Fatalf("%s has no token", user)
	}
	return found
}

// TestMalformedTickets redeems tickets this server did not issue as they
// are: each fails with 08P01 (InvalidArgument), none panics or runs.
// Editing any byte of an issued ticket is refused, and so are tickets
// that carry this server's MAC but fields it never writes (as a bug in
// newTicket would), so that the parser reads no field past its end.
func TestMalformedTickets(t *testing.T) {
	srv, cl, ctx, info := splitInfo(t)
	h := statementHandle(t, info.Endpoint[1].Ticket) // a share: every field set
	body := h[:len(h)-ticketMACSize]
	sign := func(b []byte) []byte { return append(slices.Clip(b), srv.svc.ticketMAC(b)...) }
	// signedWith is the ticket with the bytes at i replaced, signed.
	signedWith := func(i int, b ...byte) []byte {
		c := slices.Clone(body)
		copy(c[i:], b)
		return sign(c)
	}
	u32 := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	type tcase struct {
		name   string
		handle []byte
	}
	cases := []tcase{
		{"empty", nil},
		{"one byte", []byte{ticketVersion}},
		{"short", h[:ticketMin-1]},
		{"zero MAC", append(slices.Clone(body), make([]byte, ticketMACSize)...)},
		{"no MAC", body},
		{"corrupted payload", append(append(slices.Clone(body[:len(body)-1]), body[len(body)-1]^0x20), h[len(body):]...)},
		{"version 0", append([]byte{0}, h[1:]...)},
		{"version 2, signed", signedWith(0, 2)},
		{"unknown kind, signed", signedWith(atKind, 'X')},
		{"huge count, signed", signedWith(atCount, u32(1<<32-1)...)},
		{"count above the endpoints, signed", signedWith(atCount, append(u32(splitCopies+1), u32(1<<32-1)...)...)},
		{"count 1, signed", signedWith(atCount, u32(1)...)},
		{"huge index, signed", signedWith(atShare, u32(1<<32-1)...)},
		{"index = count, signed", signedWith(atShare, u32(splitCopies)...)},
		{"fewer partitions than shares, signed", signedWith(atPartitions, u32(splitCopies-1)...)},
		{"share without a clock, signed", signedWith(atClock, make([]byte, 16)...)},
		{"no expiry, signed", signedWith(atExpires, make([]byte, 8)...)},
		{"huge user name length, signed", signedWith(atUserLen, 0xff, 0xff)},
		{"user name to the end, signed", signedWith(atUserLen, binary.BigEndian.AppendUint16(nil, uint16(len(body)-atUser))...)},
	}
	// Every byte edited, every length cut short.
	for i := range h {
		c := slices.Clone(h)
		c[i] ^= 0x01
		cases = append(cases, tcase{fmt.Sprintf("byte %d edited", i), c}, tcase{fmt.Sprintf("cut to %d bytes", i), h[:i]})
	}
	// Every field cut short, signed, up to an empty payload.
	userEnd := atUser + int(binary.BigEndian.Uint16(body[atUserLen:]))
	for i := range userEnd + 1 {
		cases = append(cases, tcase{fmt.Sprintf("cut to %d bytes, signed", i), sign(slices.Clone(body[:i]))})
	}
	for _, c := range cases {
		checkStatus(t, c.name, redeem(ctx, cl, handleTicket(t, c.handle)), codes.InvalidArgument, "08P01")
	}
	// Tickets that are no Flight SQL command.
	for _, raw := range [][]byte{{0xff, 0xff}, []byte("SELECT 1")} {
		checkStatus(t, fmt.Sprintf("ticket %q", raw), redeem(ctx, cl, &flight.Ticket{Ticket: raw}), codes.InvalidArgument, "08P01")
	}
	if running(srv) != 0 {
		t.Error("a malformed ticket runs")
	}
	// The ticket itself still runs.
	if err := redeem(ctx, cl, info.Endpoint[1].Ticket); err != nil {
		t.Errorf("the ticket as issued: %v", err)
	}
}
