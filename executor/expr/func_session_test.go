package expr

import (
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestRegclassPerRow: the per-row text::regclass looks each row's name up
// once; the rows that do not reach it (a CASE branch not taken) raise
// nothing for their unknown names; NULL gives NULL
// without a lookup; a failed lookup is the query's error; an Env that
// cannot look names up refuses with 0A000 rather than guessing.
func TestRegclassPerRow(t *testing.T) {
	env := newTestEnv(t)
	var calls atomic.Int32
	var asked []string
	env.Session = func(fn string, args []sqltypes.Datum) (sqltypes.Datum, error) {
		if fn != "regclass" || len(args) != 1 {
			t.Fatalf("Session(%q, %v), want regclass of one name", fn, args)
		}
		name := args[0].(string)
		calls.Add(1)
		asked = append(asked, name)
		switch name {
		case "sales.orders_v1":
			return int32(7), nil
		case "pg_class":
			return int32(1259), nil
		}
		return nil, sqltypes.New(sqltypes.CodeUndefinedTable, "relation \"%s\" does not exist", name)
	}
	n := Column(0, sqltypes.TypeText, "n")
	cast, err := Call(SessionFunc("regclass"), []Expr{n})
	if err != nil {
		t.Fatal(err)
	}
	b := makeBatch(t, env, testCol{sqltypes.TypeText, []sqltypes.Datum{"sales.orders_v1", nil, "pg_class", "sales.orders_v1"}})
	defer b.Release()
	got, err := evalStrings(t, env, cast, b)
	if want := []string{"7", "NULL", "1259", "7"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if calls.Load() != 3 {
		t.Errorf("%d lookups for 3 names", calls.Load())
	}

	calls.Store(0)
	asked = nil
	b2 := makeBatch(t, env, testCol{sqltypes.TypeText, []sqltypes.Datum{"pg_class", "no_such", "pg_class"}})
	defer b2.Release()
	known, err := Binary(OpNe, n, Literal(sqltypes.TypeText, "no_such"))
	if err != nil {
		t.Fatal(err)
	}
	guarded := Case([]When{{Cond: known, Then: cast}}, nil, sqltypes.TypeInt4)
	got, err = evalStrings(t, env, guarded, b2)
	if want := []string{"1259", "NULL", "1259"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("CASE: got %q, %v; want %q", got, err, want)
	}
	// A branch taken by most rows may be tried on the whole batch first
	// (evalSelective), then on its own rows when that fails: each row is
	// looked up at most twice, never once per relation.
	if calls.Load() > 2*3 {
		t.Errorf("CASE looked up %q", asked)
	}
	if _, err := evalStrings(t, env, cast, b2); sqltypes.Code(err) != sqltypes.CodeUndefinedTable {
		t.Errorf("unknown name: %v, want 42P01", err)
	}

	env.Session = nil
	if _, err := evalStrings(t, env, cast, b2); sqltypes.Code(err) != sqltypes.CodeFeatureNotSupported {
		t.Errorf("no lookup in Env: %v, want 0A000", err)
	}
}

// TestSignalOnlyRowsReached: a per-row signal under a CASE branch most
// rows take signals those rows only, never the whole batch first (which
// other expressions may be, and retried on their rows after an error).
func TestSignalOnlyRowsReached(t *testing.T) {
	env := newTestEnv(t)
	var signaled []int32
	env.Session = func(fn string, args []sqltypes.Datum) (sqltypes.Datum, error) {
		if fn != "pg_terminate_backend" {
			t.Errorf("Session(%q), want pg_terminate_backend", fn)
		}
		signaled = append(signaled, args[0].(int32))
		return true, nil
	}
	pid := Column(0, sqltypes.TypeInt4, "pid")
	signal, err := Call(SessionFunc("pg_terminate_backend"), []Expr{pid})
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

// TestSessionFuncs: each session function takes its own arguments and
// result type through the one hook, a NULL argument (an optional one too)
// gives NULL without asking the session, EXPLAIN shows the function the
// user called, only the signals are volatile, none is callable by users,
// and a wrong signature is 42883.
func TestSessionFuncs(t *testing.T) {
	env := newTestEnv(t)
	var asked []string
	env.Session = func(fn string, args []sqltypes.Datum) (sqltypes.Datum, error) {
		asked = append(asked, fn)
		switch fn {
		case "current_setting":
			return "on:" + args[0].(string), nil
		case "regclassout":
			return "rel" + strconv.FormatUint(uint64(args[0].(uint32)), 10), nil // an oid
		}
		return nil, sqltypes.New(sqltypes.CodeInternal, "unexpected %s", fn)
	}
	name := Column(0, sqltypes.TypeText, "name")
	missing := Column(1, sqltypes.TypeBool, "missing")
	b := makeBatch(t, env,
		testCol{sqltypes.TypeText, []sqltypes.Datum{"a", "b", nil}},
		testCol{sqltypes.TypeBool, []sqltypes.Datum{true, nil, true}})
	defer b.Release()
	setting, err := Call(SessionFunc("current_setting"), []Expr{name, missing})
	if err != nil {
		t.Fatal(err)
	}
	got, err := evalStrings(t, env, setting, b)
	if want := []string{"on:a", "NULL", "NULL"}; err != nil || !slices.Equal(got, want) || len(asked) != 1 {
		t.Errorf("current_setting: %q, %v, asked %q; want %q asked once", got, err, asked, want)
	}
	if s := setting.String(); !strings.HasPrefix(s, "current_setting(") {
		t.Errorf("EXPLAIN shows %s", s)
	}
	out, err := Call(SessionFunc("regclassout"), []Expr{Literal(sqltypes.TypeInt4, int32(5))})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := evalStrings(t, env, out, b); err != nil || got[0] != "rel5" {
		t.Errorf("regclassout: %q, %v", got, err)
	}
	for fn, volatile := range map[string]bool{"regclass": false, "regclassout": false, "current_setting": false,
		"pg_cancel_backend": true, "pg_terminate_backend": true, "meshql_cancel": true} {
		if IsVolatile(SessionFunc(fn)) != volatile || !IsInternalFunction(SessionFunc(fn)) || !IsSessionFunc(fn) {
			t.Errorf("%s: volatile %v, internal %v", fn, IsVolatile(SessionFunc(fn)), IsInternalFunction(SessionFunc(fn)))
		}
	}
	for _, args := range [][]Expr{nil, {name, missing, missing}} {
		if _, err := Call(SessionFunc("current_setting"), args); sqltypes.Code(err) != sqltypes.CodeUndefinedFunction {
			t.Errorf("current_setting with %d arguments: %v, want 42883", len(args), err)
		}
	}
	if _, err := Call(SessionFunc("set_config"), []Expr{name, name, missing}); sqltypes.Code(err) != sqltypes.CodeUndefinedFunction {
		t.Errorf("set_config per row: %v, want 42883", err)
	}
}
