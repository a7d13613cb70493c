package sqltypes

import "testing"

// AdminShutdown is the error every front sends for pg_terminate_backend
// and a fast shutdown: PostgreSQL's FATAL 57P01 with its message, a new
// error each time so that one front's position does not leak into another's.
func TestAdminShutdown(t *testing.T) {
	a, b := AdminShutdown(), AdminShutdown()
	if a.Code != "57P01" || a.Severity != "FATAL" || a.Msg != "terminating connection due to administrator command" {
		t.Errorf("AdminShutdown() = %s %s %q", a.Severity, a.Code, a.Msg)
	}
	if a == b {
		t.Error("AdminShutdown returned the same error twice")
	}
}
