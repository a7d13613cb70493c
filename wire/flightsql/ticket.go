package flightsql

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// A statement ticket's handle (TicketStatementQuery.statement_handle)
// is, in order:
//
//	version          1 byte, ticketVersion
//	kind             1 byte, ticketQuery or ticketPrepared
//	query id         16 bytes (CancelFlightInfo finds the execution by it)
//	share            index, count, partitions: uint32 each; count 0 = all rows
//	clock            statement and transaction start of the split, Unix ns (0 = none)
//	expires          Unix ns: the expiry of the bearer token that got the ticket
//	session          16 bytes: the id of that token's session
//	user             uint16 length, then the user name
//	payload          the SQL text, or the prepared statement's handle
//	MAC              HMAC-SHA256 of every byte above, first ticketMACSize bytes
//
// All integers are big-endian. The MAC is under a key the server draws at
// start, so a ticket is redeemed only by the server that issued it and as
// it issued it: the share fields decide which rows it reads, the clock the
// now() that row filters and masks on now() or current_date read, and the
// rest who may redeem it until when. Tickets of a whole result are signed
// too, so that no ticket is read unsigned.
const (
	ticketVersion = 1

	ticketQuery    = 'Q' // payload: SQL text
	ticketPrepared = 'P' // payload: a prepared statement's handle

	ticketMACSize = 16
	// ticketFixed is the length of the fields before the user name.
	ticketFixed = 2 + len(queryID{}) + 12 + 16 + 8 + len(sessionID{}) + 2
	// ticketMin is the shortest handle: empty user and one payload byte.
	ticketMin = ticketFixed + 1 + ticketMACSize
)

// sessionID names a session in its tickets; unlike the token it is no
// credential.
type sessionID [16]byte

// ticket is a parsed statement handle.
type ticket struct {
	kind    byte
	id      queryID
	share   *engine.Share // nil = all rows
	expires time.Time
	session sessionID
	user    string
	payload []byte
}

// newTicket returns a Flight SQL statement ticket for a new execution of
// the given share (nil = all rows) by session s.
func (v *service) newTicket(s *session, kind byte, share *engine.Share, payload []byte) ([]byte, error) {
	if len(s.user) > 1<<16-1 {
		return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "user name too long for a Flight SQL ticket")
	}
	var id queryID
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	var sh engine.Share
	if share != nil {
		sh = *share
	}
	h := make([]byte, 0, ticketFixed+len(s.user)+len(payload)+ticketMACSize)
	h = append(append(h, ticketVersion, kind), id[:]...)
	for _, n := range []int{sh.Index, sh.Count, sh.Partitions} {
		h = binary.BigEndian.AppendUint32(h, uint32(n))
	}
	h = appendTimes(h, sh.Start.Statement, sh.Start.Transaction, s.expires)
	h = append(h, s.id[:]...)
	h = binary.BigEndian.AppendUint16(h, uint16(len(s.user)))
	h = append(append(h, s.user...), payload...)
	return flightsql.CreateStatementQueryTicket(append(h, v.ticketMAC(h)...))
}

// appendTimes appends each time as Unix nanoseconds, 0 for the zero time.
func appendTimes(b []byte, ts ...time.Time) []byte {
	for _, t := range ts {
		n := int64(0)
		if !t.IsZero() {
			n = t.UnixNano()
		}
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return b
}

// readTime reads a time appendTimes wrote.
func readTime(b []byte) time.Time {
	if ns := int64(binary.BigEndian.Uint64(b)); ns != 0 {
		return time.Unix(0, ns).UTC()
	}
	return time.Time{}
}

func (v *service) ticketMAC(body []byte) []byte {
	m := hmac.New(sha256.New, v.ticketKey[:])
	m.Write(body)
	return m.Sum(nil)[:ticketMACSize]
}

// malformedTicket is the error of a handle this server did not write as
// it is: 08P01, gRPC InvalidArgument.
func malformedTicket(why string) error {
	e := sqltypes.New("08P01", "malformed Flight SQL ticket: %s", why)
	e.Hint = "Redeem tickets as GetFlightInfo returned them, on the server that issued them; call GetFlightInfo again."
	return toStatus(e)
}

// openTicket checks that this server issued h, unchanged, and parses it;
// whether the caller may redeem it is holdBy's.
func (v *service) openTicket(h []byte) (ticket, error) {
	var t ticket
	switch {
	case len(h) == 0:
		return t, malformedTicket("empty")
	case h[0] != ticketVersion:
		return t, malformedTicket("unknown version (a ticket of another server, or of another meshql release)")
	case len(h) < ticketMin:
		return t, malformedTicket("too short")
	}
	body := h[:len(h)-ticketMACSize]
	if !hmac.Equal(h[len(body):], v.ticketMAC(body)) {
		return t, malformedTicket("not issued by this server (changed, or issued before the server restarted)")
	}
	// Signed, so written by newTicket; still checked, so that a bug
	// there fails here rather than reads past a field.
	b := body[1:]
	t.kind, b = b[0], b[1:]
	b = b[copy(t.id[:], b):]
	sh := engine.Share{Index: int(binary.BigEndian.Uint32(b)), Count: int(binary.BigEndian.Uint32(b[4:])), Partitions: int(binary.BigEndian.Uint32(b[8:]))}
	sh.Start = engine.Clock{Statement: readTime(b[12:]), Transaction: readTime(b[20:])}
	t.expires = readTime(b[28:])
	b = b[36:]
	b = b[copy(t.session[:], b):]
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if n >= len(b) {
		return t, malformedTicket("user name or payload cut short")
	}
	t.user, t.payload = string(b[:n]), b[n:]
	switch {
	case t.kind != ticketQuery && t.kind != ticketPrepared:
		return t, malformedTicket("unknown kind")
	case t.expires.IsZero():
		return t, malformedTicket("no expiry")
	case sh.Count == 0:
		if sh.Index != 0 || sh.Partitions != 0 || !sh.Start.Statement.IsZero() || !sh.Start.Transaction.IsZero() {
			return t, malformedTicket("share fields in a ticket of all rows")
		}
	case sh.Count < 2 || sh.Count > v.cfg.MaxEndpoints || sh.Index >= sh.Count || sh.Partitions < sh.Count:
		return t, malformedTicket("impossible share")
	case sh.Start.Statement.IsZero() || sh.Start.Transaction.IsZero():
		return t, malformedTicket("share without the clock of its split")
	default:
		t.share = &sh
	}
	return t, nil
}

// holdBy reports whether session s may redeem t at now: a ticket is
// good for the user whose session called GetFlightInfo, while that
// session's bearer token is; a prepared statement's only in that session,
// which holds the statement and its bound values. A statement ticket is
// planned in the session redeeming it (clients sending Basic credentials
// on every call get a new session each time).
func (t ticket) holdBy(s *session, now time.Time) error {
	switch {
	case now.After(t.expires):
		return toStatus(expiredTicket(t.expires))
	case t.user != s.user:
		return toStatus(sqltypes.New(sqltypes.CodeInsufficientPrivilege, "Flight SQL ticket was issued to another user"))
	case t.kind == ticketPrepared && t.session != s.id:
		e := sqltypes.New(sqltypes.CodeInsufficientPrivilege, "Flight SQL ticket of a prepared statement was issued to another session")
		e.Hint = "Redeem a ticket with the bearer token that called GetFlightInfo."
		return toStatus(e)
	}
	return nil
}

// expiredTicket is the error of a ticket redeemed after it expired:
// 55000, gRPC FailedPrecondition. Not 28000 (Unauthenticated): a client
// that logs in again on that code and retries the call would redeem the
// same dead ticket again, and again; no retry of this call can succeed,
// only a new GetFlightInfo (gRPC's rule for FailedPrecondition: do not
// retry until the state is fixed). Neither arrow-go's client nor ADBC's
// driver retries a call on any code.
func expiredTicket(at time.Time) *sqltypes.Error {
	e := sqltypes.New(sqltypes.CodeObjectNotInState, "Flight SQL ticket expired; re-run the query")
	e.Detail = fmt.Sprintf("The ticket expired at %s, with the bearer token that called GetFlightInfo.", at.Format(time.RFC3339))
	e.Hint = "Call GetFlightInfo again for new tickets (logging in again first if the bearer token expired)."
	return e
}

// redeemTicket parses h for session s to redeem now.
func (v *service) redeemTicket(s *session, h []byte) (ticket, error) {
	t, err := v.openTicket(h)
	if err != nil {
		return t, err
	}
	return t, t.holdBy(s, time.Now())
}
