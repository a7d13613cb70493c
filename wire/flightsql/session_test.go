package flightsql

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestTokenLifecycle checks that settings persist per token, that
// CloseSession ends a token and that tokens expire after TokenTTL.
func TestTokenLifecycle(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem, func(c *Config) { c.TokenTTL = 2 * time.Second })
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.ExecuteUpdate(ctx, "SET search_path = public"); err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "SHOW search_path")
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, err := fetch(ctx, cl, info); err != nil || len(rows) != 1 || rows[0][0] != "public" {
		t.Errorf("SHOW search_path over DoGet: %v %v", rows, err)
	}
	info, err = cl.Execute(ctx, "SET application_name = 'nb'")
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, err := fetch(ctx, cl, info); err != nil || len(rows) != 0 {
		t.Errorf("SET over DoGet: %v %v", rows, err)
	}
	if _, err := cl.Execute(ctx, "SELECT * FROM nation"); status.Code(err) != codes.InvalidArgument {
		t.Errorf("after SET search_path = public, nation resolves: %v", err)
	}
	// A second login has its own session with the mesh's search_path.
	cl2, ctx2, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl2.Execute(ctx2, "SELECT * FROM nation"); err != nil {
		t.Errorf("fresh session: %v", err)
	}
	if _, err := cl2.CloseSession(ctx2, &flight.CloseSessionRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl2.Execute(ctx2, "SELECT 1"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("after CloseSession: %v", err)
	}
	time.Sleep(2100 * time.Millisecond)
	if _, err := cl.Execute(ctx, "SELECT 1"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("after TokenTTL: %v", err)
	}
}

// TestSessionsPerUserBounded: a user holds at most MaxSessionsPerUser
// sessions; a login past it ends that user's least recently used one
// (its token is refused, 28000, as after CloseSession), not a recently
// used one and not another user's, and the engine's sessions are closed
// with them (25,000 logins grew the server by 260 MB).
func TestSessionsPerUserBounded(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	srv, addr := startServer(t, eng, mem, func(c *Config) { c.MaxSessionsPerUser = 3 })
	other, octx, err := dial(t, addr, "marketing", "marketing")
	if err != nil {
		t.Fatal(err)
	}
	type login struct {
		cl  *flightsql.Client
		ctx context.Context
	}
	var logins []login
	for range 3 {
		cl, ctx, err := dial(t, addr, "analyst", "analyst")
		if err != nil {
			t.Fatal(err)
		}
		logins = append(logins, login{cl, ctx})
	}
	// The first session is used again: the second is now the least
	// recently used.
	if _, err := logins[0].cl.Execute(logins[0].ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		cl, ctx, err := dial(t, addr, "analyst", "analyst")
		if err != nil {
			t.Fatal(err)
		}
		logins = append(logins, login{cl, ctx})
	}
	for i, l := range logins {
		_, err := l.cl.Execute(l.ctx, "SELECT 1")
		ended := i == 1 || i == 2
		if ended && status.Code(err) != codes.Unauthenticated || !ended && err != nil {
			t.Errorf("analyst's login %d (ended: %v): %v", i, ended, err)
		}
	}
	if _, err := other.Execute(octx, "SELECT 1"); err != nil {
		t.Errorf("marketing's session: %v", err)
	}
	srv.svc.mu.Lock()
	n := len(srv.svc.tokens)
	srv.svc.mu.Unlock()
	if n != 4 {
		t.Errorf("%d sessions, want 3 of analyst and 1 of marketing", n)
	}
	var metrics strings.Builder
	eng.WriteMetrics(&metrics)
	if !strings.Contains(metrics.String(), "\nmeshql_sessions 4\n") {
		t.Errorf("the engine's sessions, want 4:\n%s", metrics.String())
	}
}
