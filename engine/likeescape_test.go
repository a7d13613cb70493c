package engine

import (
	"context"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestLikeEscapeParams: $1 ILIKE $2 ESCAPE '!' with untyped parameters
// (as pgwire's Parse sends them) types both as text, as PostgreSQL does,
// and the escape applies to the pattern each execution sends (the
// binder panicked on a pattern it could not rewrite when binding).
func TestLikeEscapeParams(t *testing.T) {
	_, s := analystSession(t)
	sts, err := s.Prepare(context.Background(), "SELECT $1 ILIKE $2 ESCAPE '!'")
	if err != nil {
		t.Fatal(err)
	}
	st := sts[0]
	if got := st.ParamTypes(); len(got) != 2 || got[0].Kind != sqltypes.Text || got[1].Kind != sqltypes.Text {
		t.Fatalf("parameter types %v, want text, text", got)
	}
	for _, c := range []struct{ s, p, want string }{
		{"A%", "a!%", "t"},
		{"Ab", "a!%", "f"},
		{`a\b`, `A\b`, "t"},
		{"a!", "A!!", "t"},
	} {
		res, err := st.Execute(context.Background(), []sqltypes.Datum{c.s, c.p})
		if err != nil {
			t.Fatalf("%q ILIKE %q: %v", c.s, c.p, err)
		}
		got, err := drainRows(t, res)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%q ILIKE %q ESCAPE '!' = %v, want %s", c.s, c.p, got, c.want)
		}
	}
}
