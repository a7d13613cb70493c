package pgwire

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshql/meshql/internal/logbuf"
)

func TestErrors(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	ctx := context.Background()
	cases := []struct {
		sql      string
		mode     pgx.QueryExecMode
		code     string
		pos      int32
		detail   string
		hint     string
		severity string
	}{
		{"bogus", pgx.QueryExecModeSimpleProtocol, "42601", 1, "fake detail", "fake hint", "ERROR"},
		{"alltypes; bogus2", pgx.QueryExecModeSimpleProtocol, "42601", 11, "fake detail", "fake hint", "ERROR"},
		{"  bogus", pgx.QueryExecModeCacheStatement, "42601", 3, "fake detail", "fake hint", "ERROR"},
		{"nosuchcol", pgx.QueryExecModeSimpleProtocol, "42703", 8, "", "", "ERROR"},
		{"nosuchcol", pgx.QueryExecModeCacheStatement, "42703", 8, "", "", "ERROR"},
	}
	for _, tc := range cases {
		_, err := conn.Exec(ctx, tc.sql, tc.mode)
		pe := pgErr(t, err)
		if pe.Code != tc.code || pe.Position != tc.pos || pe.Detail != tc.detail || pe.Hint != tc.hint ||
			pe.Severity != tc.severity || pe.SeverityUnlocalized != tc.severity {
			t.Errorf("%q (%s): got %+v", tc.sql, tc.mode, pe)
		}
		var n int32
		if err := conn.QueryRow(ctx, "echo int4", 1).Scan(&n); err != nil {
			t.Fatalf("connection unusable after %q: %v", tc.sql, err)
		}
	}
}

func TestMultiStatement(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	pc := connect(t, addr, "analyst", "analyst").PgConn()
	ctx := context.Background()
	res, err := pc.Exec(ctx, "begin; alltypes; notice;").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, r := range res {
		tags = append(tags, r.CommandTag.String())
	}
	if len(res) != 3 || tags[0] != "BEGIN" || tags[1] != "SELECT 2" || tags[2] != "DO" || len(res[1].Rows) != 2 || len(res[1].FieldDescriptions) != 22 {
		t.Fatalf("tags %q", tags)
	}
	// A failing statement stops the rest.
	res, err = pc.Exec(ctx, "begin; nosuchcol; alltypes").ReadAll()
	if pe := pgErr(t, err); pe.Code != "42703" || len(res) < 1 || res[0].CommandTag.String() != "BEGIN" {
		t.Fatalf("got %d results, %v", len(res), err)
	}
	// Empty queries answer EmptyQueryResponse, in both protocols.
	for _, q := range []string{"", " ;", "-- nothing"} {
		res, err := pc.Exec(ctx, q).ReadAll()
		if err != nil || len(res) != 1 || res[0].CommandTag.String() != "" {
			t.Errorf("simple %q: %v %+v", q, err, res)
		}
		r := pc.ExecParams(ctx, q, nil, nil, nil, nil).Read()
		if r.Err != nil || r.CommandTag.String() != "" {
			t.Errorf("extended %q: %+v", q, r)
		}
	}
	// The extended protocol refuses several statements.
	r := pc.ExecParams(ctx, "begin; begin", nil, nil, nil, nil).Read()
	if pe := pgErr(t, r.Err); pe.Code != "42601" {
		t.Fatalf("got %+v", pe)
	}
}

func TestNotices(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	var mu sync.Mutex
	var got []*pgconn.Notice
	cfg, err := pgx.ParseConfig("postgres://analyst:analyst@" + addr + "/mesh?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
	}
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		if _, err := conn.Exec(context.Background(), "notice", mode); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].Severity != "WARNING" || got[0].Code != "01000" || got[0].Message != "product sales.orders_v1 is deprecated" || got[0].Hint != "use v2" {
		t.Fatalf("notices %+v", got)
	}
}

func TestCancel(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		done := make(chan error, 1)
		go func() {
			_, err := conn.Exec(context.Background(), "sleep", mode)
			done <- err
		}()
		select {
		case <-fb.started:
		case <-time.After(10 * time.Second):
			t.Fatal("query did not start")
		}
		if err := conn.PgConn().CancelRequest(context.Background()); err != nil {
			t.Fatal(err)
		}
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("cancel did not stop the query")
		}
		if pe := pgErr(t, err); pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
			t.Fatalf("%s: got %+v", mode, pe)
		}
		var n int32
		if err := conn.QueryRow(context.Background(), "echo int4", 1).Scan(&n); err != nil {
			t.Fatalf("after cancel: %v", err)
		}
	}
	// A context cancel in pgx (with the CancelRequest watcher) also works.
	cfg, _ := pgx.ParseConfig("postgres://analyst:analyst@" + addr + "/mesh?sslmode=disable")
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, CancelRequestDelay: 0, DeadlineDelay: 5 * time.Second}
	}
	c2, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-fb.started; cancel() }()
	_, err = c2.Exec(ctx, "sleep")
	if !errors.Is(err, context.Canceled) && !pgconn.Timeout(err) {
		if pe := pgErr(t, err); pe.Code != "57014" {
			t.Fatalf("got %v", err)
		}
	}
}

// TestPortalSuspension drives Execute with row limits through raw protocol
// messages, the way JDBC's setFetchSize does: each Execute sends exactly
// its limit of rows then PortalSuspended, limits span batch boundaries
// (the fixture has 5 batches of 2000 rows), a final Execute without limit
// sends the rest and CommandComplete (counting those rows), two portals interleave, and every
// row arrives once, in order, in the formats Bind asked for (id binary,
// name text).
func TestPortalSuspension(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	fe := conn.PgConn().Frontend()
	fe.Send(&pgproto3.Parse{Name: "s", Query: "numbers"})
	fe.Send(&pgproto3.Bind{DestinationPortal: "a", PreparedStatement: "s", ResultFormatCodes: []int16{1, 0}})
	fe.Send(&pgproto3.Bind{DestinationPortal: "b", PreparedStatement: "s", ResultFormatCodes: []int16{1}})
	limits := []struct {
		portal string
		max    uint32
	}{{"a", 3}, {"b", 2}, {"a", 1}, {"a", 1999}, {"b", 1}, {"a", 4000}, {"a", 0}, {"b", 2}}
	for _, l := range limits {
		fe.Send(&pgproto3.Execute{Portal: l.portal, MaxRows: l.max})
	}
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	next := map[string]int64{} // next expected id per portal
	step, rows := 0, 0
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			if step >= len(limits) {
				t.Fatalf("row after the last Execute")
			}
			p := limits[step].portal
			id := next[p]
			next[p]++
			rows++
			if got := int64(binary.BigEndian.Uint64(m.Values[0])); len(m.Values[0]) != 8 || got != id {
				t.Fatalf("portal %s: id %x, want %d", p, m.Values[0], id)
			}
			wantName := []byte("row " + itoa(int(id))) // text's binary form is the same bytes
			if id%7 == 0 {
				wantName = nil
			}
			if !bytes.Equal(m.Values[1], wantName) {
				t.Fatalf("portal %s row %d: name %q, want %q", p, id, m.Values[1], wantName)
			}
		case *pgproto3.PortalSuspended:
			l := limits[step]
			if l.max == 0 || rows != int(l.max) {
				t.Fatalf("Execute %d (%s, max %d): suspended after %d rows", step, l.portal, l.max, rows)
			}
			step, rows = step+1, 0
		case *pgproto3.CommandComplete:
			l := limits[step]
			// As PostgreSQL's, the tag counts the rows of this Execute.
			if l.max != 0 || next[l.portal] != 10000 || string(m.CommandTag) != "SELECT "+itoa(rows) {
				t.Fatalf("Execute %d (%s, max %d): complete %q at id %d", step, l.portal, l.max, m.CommandTag, next[l.portal])
			}
			step, rows = step+1, 0
		case *pgproto3.ErrorResponse:
			t.Fatalf("error %+v", m)
		case *pgproto3.ReadyForQuery:
			if step != len(limits) || next["a"] != 10000 || next["b"] != 5 {
				t.Fatalf("ready after %d Executes, a at %d, b at %d", step, next["a"], next["b"])
			}
			var n int32 // the connection goes on
			if err := conn.QueryRow(context.Background(), "echo int4", 7).Scan(&n); err != nil || n != 7 {
				t.Fatalf("after portals: %d, %v", n, err)
			}
			return
		}
	}
}

func TestStartupTimeout(t *testing.T) {
	fb := newFakeBackend(t)
	// Long enough for a handshake on a loaded machine under -race; a
	// cleartext password, as SCRAM's 4096 hash iterations took longer
	// than that on a busy 2-core machine.
	const timeout = time.Second
	_, addr := startServer(t, fb, Config{StartupTimeout: timeout, Auth: AuthPassword})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("silent client not disconnected: %v", err)
	}
	// A connection that finished startup is not subject to the timeout.
	conn := connect(t, addr, "analyst", "analyst")
	time.Sleep(timeout + timeout/2)
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestServerClose closes the server under a running query and an idle
// connection: Close cancels, disconnects and returns.
func TestServerClose(t *testing.T) {
	fb := newFakeBackend(t)
	srv, addr := startServer(t, fb, Config{})
	idle, err := tryConnect(addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close(context.Background())
	busy, err := tryConnect(addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := busy.Exec(context.Background(), "sleep")
		done <- err
	}()
	<-fb.started
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs")
	}
	if err := <-done; err == nil {
		t.Fatal("query survived Close")
	}
	if err := idle.Ping(context.Background()); err == nil {
		t.Fatal("idle connection survived Close")
	}
	if _, err := tryConnect(addr, "analyst", "analyst"); err == nil {
		t.Fatal("connected after Close")
	}
}

// TestPanicWhileStreaming: a panic in Rows.Next after rows went out (in
// the encoding loop of both protocols) fails that statement with XX000,
// logs the stack, and the connection keeps serving.
func TestPanicWhileStreaming(t *testing.T) {
	fb := newFakeBackend(t)
	var logs logbuf.Buffer
	_, addr := startServer(t, fb, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	conn := connect(t, addr, "analyst", "analyst")
	ctx := context.Background()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		rows, err := conn.Query(ctx, "numbers then panic", mode)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if pe := pgErr(t, rows.Err()); pe.Code != "XX000" || !strings.Contains(pe.Message, "injected while streaming") {
			t.Errorf("%s: got %+v", mode, pe)
		}
		if n > 4000 {
			t.Errorf("%s: %d rows, but only two batches of 2000 preceded the panic", mode, n)
		}
		var v int32
		if err := conn.QueryRow(ctx, "echo int4", 7).Scan(&v); err != nil || v != 7 {
			t.Fatalf("%s: after the panic: %v, %v", mode, v, err)
		}
	}
	if s := logs.String(); !strings.Contains(s, "injected while streaming") || !strings.Contains(s, "goroutine ") {
		t.Errorf("the panic and its stack were not logged:\n%s", s)
	}
}

// TestMaxMessageSize: a message over Config.MaxMessageSize fails that
// statement with 54000 and the connection goes on.
func TestMaxMessageSize(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{MaxMessageSize: 64 << 10})
	conn := connect(t, addr, "analyst", "analyst")
	ctx := context.Background()
	big := "alltypes -- " + strings.Repeat("x", 100<<10)
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		_, err := conn.Exec(ctx, big, mode)
		if pe := pgErr(t, err); pe.Code != "54000" {
			t.Errorf("%s: got %+v", mode, pe)
		}
		var v int32
		if err := conn.QueryRow(ctx, "echo int4", 7).Scan(&v); err != nil || v != 7 {
			t.Fatalf("%s: after the oversize message: %v, %v", mode, v, err)
		}
	}
}
