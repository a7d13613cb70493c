package expr

import (
	"slices"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestSignalOnlyRowsReached: a per-row signal under a CASE branch most
// rows take signals those rows only, never the whole batch first (which
// other expressions may be, and retried on their rows after an error).
func TestSignalOnlyRowsReached(t *testing.T) {
	env := newTestEnv(t)
	var signaled []int32
	env.Signal = func(pid int32, terminate bool) (bool, error) {
		signaled = append(signaled, pid)
		return true, nil
	}
	pid := Column(0, sqltypes.TypeInt4, "pid")
	signal, err := Call(SignalBackendFunc, []Expr{pid, Literal(sqltypes.TypeBool, true)})
	if err != nil {
		t.Fatal(err)
	}
	notFour, err := Binary(OpNe, pid, Literal(sqltypes.TypeInt4, int32(4)))
	if err != nil {
		t.Fatal(err)
	}
	b := makeBatch(t, env, testCol{sqltypes.TypeInt4, []sqltypes.Datum{int32(1), int32(2), int32(3), int32(4)}})
	defer b.Release()
	got, err := evalStrings(t, env, Case([]When{{Cond: notFour, Then: signal}}, nil, sqltypes.TypeBool), b)
	if want := []string{"t", "t", "t", "NULL"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if want := []int32{1, 2, 3}; !slices.Equal(signaled, want) {
		t.Errorf("signaled %v, want %v", signaled, want)
	}
}
