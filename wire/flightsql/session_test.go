package flightsql

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
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
