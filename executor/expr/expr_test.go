package expr

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// must unwraps a constructor result in tests (a failure is a test bug).
func must(e Expr, err error) Expr {
	if err != nil {
		panic(err)
	}
	return e
}

func lit(t sqltypes.Type, v any) Expr { return Literal(t, v) }

func i4(v int32) Expr { return Literal(sqltypes.TypeInt4, v) }

func TestCaseIsLazy(t *testing.T) {
	env := newTestEnv(t)
	// x: 0, 2, NULL, 4 — CASE WHEN x <> 0 THEN 10 / x ELSE -1 END
	b := makeBatch(t, env, testCol{sqltypes.TypeInt4, []any{int32(0), int32(2), nil, int32(4)}})
	defer b.Release()
	x := Column(0, sqltypes.TypeInt4, "x")
	cond := must(Binary(OpNe, x, i4(0)))
	div := must(Binary(OpDiv, i4(10), x))
	c := Case([]When{{Cond: cond, Then: div}}, i4(-1), sqltypes.TypeInt4)
	got, err := evalStrings(t, env, c, b)
	if err != nil {
		t.Fatal(errString(err))
	}
	if want := "-1 5 -1 2"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	// without ELSE: NULL
	c = Case([]When{{Cond: cond, Then: div}}, nil, sqltypes.TypeInt4)
	got, _ = evalStrings(t, env, c, b)
	if want := "NULL 5 NULL 2"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	// a later WHEN condition that would fail on earlier-taken rows
	cond2 := must(Binary(OpGt, div, i4(1)))
	c = Case([]When{{Cond: must(Binary(OpEq, x, i4(0))), Then: i4(0)}, {Cond: cond2, Then: i4(1)}}, i4(2), sqltypes.TypeInt4)
	got, err = evalStrings(t, env, c, b)
	if err != nil {
		t.Fatal(errString(err))
	}
	if want := "0 1 2 1"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	// the error is still raised where the branch is taken
	c = Case([]When{{Cond: IsNull(x, true), Then: div}}, nil, sqltypes.TypeInt4)
	if _, err := evalStrings(t, env, c, b); sqltypes.Code(err) != "22012" {
		t.Fatalf("want 22012, got %v", err)
	}
	// text results and many rows through the filtered path
	s := Case([]When{{Cond: cond, Then: must(Cast(div, sqltypes.TypeText))}}, lit(sqltypes.TypeText, "zero"), sqltypes.TypeText)
	got, _ = evalStrings(t, env, s, b)
	if want := "zero 5 zero 2"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestCoalesceAndLogicAreLazy(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeInt4, []any{int32(0), int32(2), nil, int32(0)}})
	defer b.Release()
	x := Column(0, sqltypes.TypeInt4, "x")
	div := must(Binary(OpDiv, i4(10), x))
	// coalesce(nullif(x, 0)... ) — second argument only where the first is NULL
	nz := must(Call("nullif", []Expr{x, i4(0)}))
	co := must(Call("coalesce", []Expr{must(Binary(OpDiv, i4(10), nz)), i4(7)}))
	if got := strings.Join(mustStrings(t, env, co, b), " "); got != "7 5 7 7" {
		t.Fatalf("coalesce: %s", got)
	}
	// x <> 0 AND 10/x > 1: the right side fails on x = 0 but is not needed there
	and := must(Binary(OpAnd, must(Binary(OpNe, x, i4(0))), must(Binary(OpGt, div, i4(1)))))
	if got := strings.Join(mustStrings(t, env, and, b), " "); got != "f t NULL f" {
		t.Fatalf("and: %s", got)
	}
	or := must(Binary(OpOr, must(Binary(OpEq, x, i4(0))), must(Binary(OpGt, div, i4(1)))))
	if got := strings.Join(mustStrings(t, env, or, b), " "); got != "t t NULL t" {
		t.Fatalf("or: %s", got)
	}
}

func mustStrings(t *testing.T, env *executor.Env, e Expr, b arrow.RecordBatch) []string {
	t.Helper()
	got, err := evalStrings(t, env, e, b)
	if err != nil {
		t.Fatalf("%s: %s", e, errString(err))
	}
	return got
}

func TestTimeZoneSemantics(t *testing.T) {
	env := newTestEnv(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // sqltypes embeds the tz database
	}
	env.Location = ny
	ts := func(s string) Expr { return must(Cast(lit(sqltypes.TypeText, s), sqltypes.TypeTimestampTZ)) }
	iv := func(s string) Expr { return lit(sqltypes.TypeInterval, s) }
	tsl := func(s string) Expr { return lit(sqltypes.TypeTimestamp, s) }
	b := emptyBatch(1)
	defer b.Release()
	// -- from PostgreSQL 15 with SET TimeZone='America/New_York'
	cases := []struct {
		e    Expr
		want string
	}{
		{must(Binary(OpAdd, ts("2024-03-09 12:00:00-05"), iv("1 day"))), "2024-03-10 12:00:00-04"},
		{must(Binary(OpAdd, ts("2024-03-09 12:00:00-05"), iv("24 hours"))), "2024-03-10 13:00:00-04"},
		{must(Call("date_trunc", []Expr{lit(sqltypes.TypeText, "day"), ts("2024-03-10 12:00-04")})), "2024-03-10 00:00:00-05"},
		{must(Cast(tsl("2024-03-10 02:30:00"), sqltypes.TypeTimestampTZ)), "2024-03-10 03:30:00-04"},
		{must(Cast(tsl("2024-11-03 01:30:00"), sqltypes.TypeTimestampTZ)), "2024-11-03 01:30:00-05"},
		{must(Cast(ts("2024-07-01 12:00+00"), sqltypes.TypeTimestamp)), "2024-07-01 08:00:00"},
		{must(Cast(ts("2024-07-01 02:00+00"), sqltypes.TypeDate)), "2024-06-30"},
		{must(Cast(lit(sqltypes.TypeDate, "2024-07-01"), sqltypes.TypeTimestampTZ)), "2024-07-01 00:00:00-04"},
		{ts("2024-07-01 12:00"), "2024-07-01 12:00:00-04"},
		{must(Call("date_part", []Expr{lit(sqltypes.TypeText, "hour"), ts("2024-07-01 12:00+00")})), "8"},
		{must(Call("date_part", []Expr{lit(sqltypes.TypeText, "timezone"), ts("2024-07-01 12:00+00")})), "-14400"},
		{must(Call("to_char", []Expr{ts("2024-07-01 12:00+00"), lit(sqltypes.TypeText, "YYYY-MM-DD HH24:MI TZ OF")})), "2024-07-01 08:00 EDT -04"},
		{must(Cast(ts("2024-07-01 12:00+00"), sqltypes.TypeText)), "2024-07-01 08:00:00-04"},
	}
	for _, c := range cases {
		got, err := evalStrings(t, env, c.e, b)
		if err != nil {
			t.Fatalf("%s: %s", c.e, errString(err))
		}
		if got[0] != c.want {
			t.Errorf("%s = %s, want %s", c.e, got[0], c.want)
		}
	}
}

func TestInWithColumns(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeInt8, []any{int64(1), int64(2), nil, int64(4), int64(5)}},
		testCol{sqltypes.TypeInt8, []any{int64(1), nil, int64(3), int64(9), nil}})
	defer b.Release()
	x, y := Column(0, sqltypes.TypeInt8, "x"), Column(1, sqltypes.TypeInt8, "y")
	in := In(x, []Expr{y, Literal(sqltypes.TypeInt8, int64(4))}, false)
	if got := strings.Join(mustStrings(t, env, in, b), " "); got != "t NULL NULL t NULL" {
		t.Fatalf("IN: %s", got)
	}
	notIn := In(x, []Expr{y, Literal(sqltypes.TypeInt8, int64(4))}, true)
	if got := strings.Join(mustStrings(t, env, notIn, b), " "); got != "f NULL NULL f NULL" {
		t.Fatalf("NOT IN: %s", got)
	}
	// literal list of a narrower type is converted; hashed
	in = In(x, []Expr{i4(2), i4(5)}, false)
	if in.(*inExpr).set == nil {
		t.Fatal("literal list not hashed")
	}
	if got := strings.Join(mustStrings(t, env, in, b), " "); got != "f t NULL f t" {
		t.Fatalf("IN set: %s", got)
	}
}

func TestLikeNonConstantPattern(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeText, []any{"hello", "hello", "HELLO", nil, "a_c"}},
		testCol{sqltypes.TypeText, []any{"h%", "%x", "h%", "%", `a\_c`}})
	defer b.Release()
	l := must(Like(Column(0, sqltypes.TypeText, "s"), Column(1, sqltypes.TypeText, "p"), false, false))
	if got := strings.Join(mustStrings(t, env, l, b), " "); got != "t f f NULL t" {
		t.Fatalf("LIKE: %s", got)
	}
	il := must(Like(Column(0, sqltypes.TypeText, "s"), Column(1, sqltypes.TypeText, "p"), true, true))
	if got := strings.Join(mustStrings(t, env, il, b), " "); got != "f t f NULL f" {
		t.Fatalf("NOT ILIKE: %s", got)
	}
}

func TestColumnsAndRemap(t *testing.T) {
	x, y := Column(3, sqltypes.TypeInt4, "x"), Column(1, sqltypes.TypeInt4, "y")
	e := Case([]When{{Cond: must(Binary(OpLt, x, y)), Then: must(Call("abs", []Expr{x}))}}, In(y, []Expr{x, i4(1)}, false), sqltypes.TypeInt4)
	if got := Columns(e); len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Fatalf("Columns = %v", got)
	}
	r := Remap(e, func(i int) int { return i * 10 })
	if got := Columns(r); len(got) != 2 || got[0] != 10 || got[1] != 30 {
		t.Fatalf("Columns(Remap) = %v", got)
	}
	if got := Columns(e); got[0] != 1 {
		t.Fatal("Remap modified its input")
	}
	if !strings.Contains(r.String(), "CASE WHEN") {
		t.Fatalf("String: %s", r)
	}
	if !Walkable(e) {
		t.Error("Walkable is false for a tree of this package's nodes")
	}
	if Walkable(must(Binary(OpLt, x, foreignExpr{y}))) {
		t.Error("Walkable is true for a tree with a node from elsewhere, whose columns Columns cannot see")
	}
}

// foreignExpr is an Expr of another package: opaque to Columns and Remap.
type foreignExpr struct{ Expr }

func TestDictionaryAndSlicedInput(t *testing.T) {
	env := newTestEnv(t)
	db := array.NewDictionaryBuilder(env.Mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	for _, s := range []string{"b", "a", "b", "c"} {
		_ = db.AppendString(s)
	}
	db.AppendNull()
	dict := db.NewArray()
	db.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: dict.DataType(), Nullable: true}}, nil)
	full := array.NewRecordBatch(schema, []arrow.Array{dict}, int64(dict.Len()))
	dict.Release()
	b := full.NewSlice(1, full.NumRows())
	full.Release()
	defer b.Release()
	e := must(Binary(OpConcat, Column(0, sqltypes.TypeText, "s"), lit(sqltypes.TypeText, "!")))
	if got := strings.Join(mustStrings(t, env, e, b), " "); got != "a! b! c! NULL" {
		t.Fatalf("got %s", got)
	}
}

func TestConstructorErrors(t *testing.T) {
	cases := []struct {
		build func() (Expr, error)
		want  string
	}{
		{func() (Expr, error) { return Binary(OpAdd, lit(sqltypes.TypeText, "a"), i4(1)) }, "42883 operator does not exist: text + integer"},
		{func() (Expr, error) {
			return Binary(OpMod, lit(sqltypes.TypeFloat8, 1.0), lit(sqltypes.TypeFloat8, 2.0))
		}, "42883 operator does not exist: double precision % double precision"},
		{func() (Expr, error) { return Call("foo", []Expr{i4(1)}) }, "42883 function foo(integer) does not exist"},
		{func() (Expr, error) { return Call("lower", []Expr{i4(1)}) }, "42883 function lower(integer) does not exist"},
		{func() (Expr, error) { return Negate(lit(sqltypes.TypeText, "a")) }, "42883 operator does not exist: - text"},
		{func() (Expr, error) { return Cast(lit(sqltypes.TypeDate, "2024-01-01"), sqltypes.TypeInt4) }, "42846 cannot cast type date to integer"},
		{func() (Expr, error) { return Like(i4(1), lit(sqltypes.TypeText, "a"), false, false) }, "42883 operator does not exist: integer ~~ text"},
	}
	for _, c := range cases {
		_, err := c.build()
		if errString(err) != c.want {
			t.Errorf("got %q, want %q", errString(err), c.want)
		}
		var se *sqltypes.Error
		if err != nil && strings.HasPrefix(c.want, "42883") {
			if e, ok := err.(*sqltypes.Error); ok {
				se = e
			}
			if se == nil || se.Hint == "" {
				t.Errorf("%q: no hint", c.want)
			}
		}
	}
}

func TestCancelledContext(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeInt4, []any{int32(1)}})
	defer b.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := must(Binary(OpAdd, Column(0, sqltypes.TypeInt4, "x"), i4(1)))
	if _, err := e.Eval(ctx, env, b); sqltypes.Code(err) != "57014" {
		t.Fatalf("want 57014, got %v", err)
	}
}

func TestUnknownOperands(t *testing.T) {
	env := newTestEnv(t)
	b := emptyBatch(2)
	defer b.Release()
	null := Literal(sqltypes.TypeUnknown, nil)
	for _, e := range []Expr{
		must(Binary(OpAdd, i4(1), null)),
		must(Binary(OpEq, null, lit(sqltypes.TypeText, "a"))),
		must(Binary(OpAnd, null, lit(sqltypes.TypeBool, true))),
		Not(null),
		must(Call("coalesce", []Expr{null, null})),
		must(Cast(null, sqltypes.TypeDate)),
	} {
		if got := strings.Join(mustStrings(t, env, e, b), " "); got != "NULL NULL" {
			t.Errorf("%s = %s", e, got)
		}
	}
	if got := strings.Join(mustStrings(t, env, IsNull(null, false), b), " "); got != "t t" {
		t.Errorf("NULL IS NULL = %s", got)
	}
}

func TestUntypedStringLiteral(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeInt4, []any{int32(1), int32(41)}})
	defer b.Release()
	s := Literal(sqltypes.TypeUnknown, "41")
	e := must(Binary(OpEq, Column(0, sqltypes.TypeInt4, "x"), s))
	if got := strings.Join(mustStrings(t, env, e, b), " "); got != "f t" {
		t.Fatalf("x = '41': %s", got)
	}
	// -- from PostgreSQL 15: SELECT 1 + 'abc' → 22P02
	if _, err := Binary(OpAdd, i4(1), Literal(sqltypes.TypeUnknown, "abc")); errString(err) != `22P02 invalid input syntax for type integer: "abc"` {
		t.Fatalf("got %v", errString(err))
	}
	// -- from PostgreSQL 15: timestamp + '1 day'; date - '2024-01-01'; date + '1 mon' is ambiguous
	d := must(Binary(OpAdd, lit(sqltypes.TypeTimestamp, "2024-01-31 00:00:00"), Literal(sqltypes.TypeUnknown, "1 day")))
	if got := mustStrings(t, env, d, b); got[0] != "2024-02-01 00:00:00" {
		t.Fatalf("timestamp + '1 day': %v", got)
	}
	d = must(Binary(OpSub, lit(sqltypes.TypeDate, "2024-01-31"), Literal(sqltypes.TypeUnknown, "2024-01-01")))
	if got := mustStrings(t, env, d, b); got[0] != "30" {
		t.Fatalf("date - '2024-01-01': %v", got)
	}
	if _, err := Binary(OpAdd, lit(sqltypes.TypeDate, "2024-01-31"), Literal(sqltypes.TypeUnknown, "1 mon")); sqltypes.Code(err) != "42725" {
		t.Fatalf("date + unknown: %v", err)
	}
}
func TestArrayCtorInCase(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeInt4, []any{int32(1), int32(2), nil, int32(4)}})
	defer b.Release()
	x := Column(0, sqltypes.TypeInt4, "x")
	arr := MakeArray([]Expr{x, i4(9)}, sqltypes.TypeInt4)
	if _, ok := arr.(node); !ok {
		t.Fatal("arrayCtor is not a node")
	}
	c := Case([]When{{Cond: must(Binary(OpEq, x, i4(2))), Then: arr}}, nil, arr.Type())
	if got := strings.Join(mustStrings(t, env, c, b), " "); got != "NULL {2,9} NULL NULL" {
		t.Fatalf("got %s", got)
	}
	if got := Columns(arr); len(got) != 1 || got[0] != 0 {
		t.Fatalf("Columns = %v", got)
	}
}

// TestInShortStrings: text IN a few short literals (compared as packed
// integers) answers as IN a longer list (hashed): strings that differ
// only in length or a trailing zero byte, the empty string, 7 and 8
// bytes, NULL rows and a NULL member.
func TestInShortStrings(t *testing.T) {
	env := newTestEnv(t)
	rows := []any{"13", "1", "13\x00", "", "abcdefg", "abcdefgh", nil, "31", "x13", "abcdef"}
	b := makeBatch(t, env, testCol{sqltypes.TypeText, rows})
	defer b.Release()
	x := Column(0, sqltypes.TypeText, "x")
	lits := func(vs ...any) []Expr {
		out := make([]Expr, len(vs))
		for i, v := range vs {
			out[i] = Literal(sqltypes.TypeText, v)
		}
		return out
	}
	for _, tc := range []struct {
		list  []Expr
		short bool
		want  string
	}{
		{lits("13", "", "abcdefg"), true, "t f f t t f NULL f f f"},
		{lits("13", "", "abcdefg", nil), true, "t NULL NULL t t NULL NULL NULL NULL NULL"},
		{lits("13", "abcdefgh"), false, "t f f f f t NULL f f f"},
	} {
		in := In(x, tc.list, false)
		if s := in.(*inExpr).set; s == nil || (s.short != nil) != tc.short {
			t.Fatalf("IN %v: packed = %v, want %v", tc.list, s != nil && s.short != nil, tc.short)
		}
		if got := strings.Join(mustStrings(t, env, in, b), " "); got != tc.want {
			t.Errorf("IN %v: %s, want %s", tc.list, got, tc.want)
		}
	}
}
