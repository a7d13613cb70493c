package expr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// refMAC is HMAC-SHA-256 computed independently of the kernels.
func refMAC(key, msg string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func refHashInt8(key string, v int64) string {
	return strconv.FormatInt(int64(binary.BigEndian.Uint64(refMAC(key, strconv.FormatInt(v, 10)))), 10)
}

func refHashInt4(key string, v int64) string {
	return strconv.FormatInt(int64(int32(binary.BigEndian.Uint32(refMAC(key, strconv.FormatInt(v, 10))))), 10)
}

func refHashText(key, v string) string { return hex.EncodeToString(refMAC(key, v)[:16]) }

func textLit(s string) Expr { return Literal(sqltypes.TypeText, s) }

func TestMaskKernels(t *testing.T) {
	num := func(p, s int32) sqltypes.Type { return sqltypes.NumericType(p, s) }
	cases := []struct {
		fn    string
		t     sqltypes.Type
		in    []sqltypes.Datum
		param string // "" = no second argument
		want  []string
		rt    sqltypes.Type // result type; zero = t
	}{
		{"mesh_mask_null", sqltypes.TypeInt4, []any{int64(1), nil}, "", []string{"NULL", "NULL"}, sqltypes.Type{}},
		{"mesh_mask_null", sqltypes.TypeText, []any{"a"}, "", []string{"NULL"}, sqltypes.Type{}},
		{"mesh_mask_redact", sqltypes.TypeText, []any{"alice", nil, ""}, "", []string{"***", "NULL", "***"}, sqltypes.Type{}},
		{"mesh_mask_redact", sqltypes.Type{Kind: sqltypes.Varchar, Precision: 2}, []any{"ab"}, "", []string{"***"}, sqltypes.Type{}},
		{"mesh_mask_redact", sqltypes.TypeInt8, []any{int64(5), nil}, "", []string{"NULL", "NULL"}, sqltypes.Type{}},
		{"mesh_mask_partial", sqltypes.TypeText,
			[]any{"john.doe@example.com", "+49 170 1234", "abcd", nil, "ünïcödé", "a@", "x@y@corp.io", ""}, "",
			[]string{"***@example.com", "****1234", "****", "NULL", "****cödé", "****", "***@corp.io", "****"}, sqltypes.Type{}},
		{"mesh_mask_partial", sqltypes.TypeInt8, []any{int64(4111111111111234), nil, int64(7)}, "",
			[]string{"****1234", "NULL", "****"}, sqltypes.TypeText},
		{"mesh_mask_partial", sqltypes.TypeDate, []any{"2026-11-26"}, "", []string{"****1-26"}, sqltypes.TypeText},
		{"mesh_mask_hash", sqltypes.TypeInt8, []any{int64(42), nil, int64(42), int64(-7)}, "k",
			[]string{refHashInt8("k", 42), "NULL", refHashInt8("k", 42), refHashInt8("k", -7)}, sqltypes.Type{}},
		{"mesh_mask_hash", sqltypes.TypeInt4, []any{int64(42)}, "k", []string{refHashInt4("k", 42)}, sqltypes.Type{}},
		{"mesh_mask_hash", sqltypes.TypeText, []any{"bob@example.com", nil}, "other key",
			[]string{refHashText("other key", "bob@example.com"), "NULL"}, sqltypes.Type{}},
		{"mesh_mask_hash", sqltypes.TypeDate, []any{"2026-11-26"}, "k", []string{"NULL"}, sqltypes.Type{}},
		// character(n) is masked as its text: hashed and redacted like text.
		{"mesh_mask_hash", sqltypes.BpcharType(5), []any{"bob  ", nil}, "k", []string{refHashText("k", "bob"), "NULL"}, sqltypes.TypeText},
		{"mesh_mask_redact", sqltypes.BpcharType(5), []any{"bob  "}, "", []string{"***"}, sqltypes.TypeText},
		{"mesh_mask_partial", sqltypes.BpcharType(6), []any{"abcde "}, "", []string{"****bcde"}, sqltypes.TypeText},
		{"mesh_mask_null", sqltypes.BpcharType(2), []any{"ab"}, "", []string{"NULL"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeInt4, []any{int64(149), int64(150), int64(-150), int64(-149), int64(2147483550), int64(2147483647), nil}, "100",
			[]string{"100", "200", "-200", "-100", "2147483600", "2147483600", "NULL"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeInt2, []any{int64(32767), int64(-32768), int64(5)}, "100",
			[]string{"32700", "-32700", "0"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeInt8, []any{int64(9223372036854775807)}, "10", []string{"9223372036854775800"}, sqltypes.Type{}},
		{"mesh_mask_round", num(10, 2), []any{"123.45", "125.00", "-125.00", "0.04", nil}, "10",
			[]string{"120.00", "130.00", "-130.00", "0.00", "NULL"}, sqltypes.Type{}},
		{"mesh_mask_round", num(10, 2), []any{"123.45", "-0.05", "0.04"}, "0.1", []string{"123.50", "-0.10", "0.00"}, sqltypes.Type{}},
		{"mesh_mask_round", num(4, 2), []any{"99.99", "94.99"}, "10", []string{"90.00", "90.00"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeFloat8, []any{1.26, -1.25, 12345.678, nil}, "0.1", []string{"1.3", "-1.3", "12345.7", "NULL"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeFloat8, []any{12345.678}, "100", []string{"12300"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeFloat4, []any{float32(2.5)}, "1", []string{"3"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeDate, []any{"2026-11-26", "2024-02-29", nil}, "month",
			[]string{"2026-11-01", "2024-02-01", "NULL"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeDate, []any{"2026-11-26"}, "Year", []string{"2026-01-01"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeTimestamp, []any{"2026-11-26 13:45:12"}, "month", []string{"2026-11-01 00:00:00"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeTimestamp, []any{"2026-11-26 13:45:12"}, "hour", []string{"2026-11-26 13:00:00"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeTimestampTZ, []any{"2026-11-26 13:45:12+00"}, "day", []string{"2026-11-26 00:00:00+00"}, sqltypes.Type{}},
		{"mesh_mask_round", sqltypes.TypeText, []any{"x", nil}, "10", []string{"NULL", "NULL"}, sqltypes.Type{}},
	}
	for _, c := range cases {
		name := c.fn + "/" + c.t.String() + "/" + c.param
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t)
			b := makeBatch(t, env, testCol{c.t, c.in})
			defer b.Release()
			args := []Expr{Column(0, c.t, "v")}
			if c.param != "" {
				args = append(args, textLit(c.param))
			}
			e, err := MaskCall(c.fn, args)
			if err != nil {
				t.Fatalf("MaskCall: %v", err)
			}
			rt := c.rt
			if rt.Kind == sqltypes.Unknown {
				rt = c.t
			}
			if !e.Type().Equal(rt) {
				t.Errorf("type %s, want %s", e.Type(), rt)
			}
			got, err := evalStrings(t, env, e, b)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestMaskSliced runs masks over a sliced input (non-zero offset, NULLs),
// as batches arrive after a Filter or Limit.
func TestMaskSliced(t *testing.T) {
	env := newTestEnv(t)
	full := makeBatch(t, env,
		testCol{sqltypes.TypeText, []any{"skip@x.io", "a@b.io", nil, "123456", "tail"}},
		testCol{sqltypes.TypeInt8, []any{int64(1), int64(12349), nil, int64(42), int64(0)}})
	defer full.Release()
	b := full.NewSlice(1, 4)
	defer b.Release()
	check := func(e Expr, want ...string) {
		t.Helper()
		got, err := evalStrings(t, env, e, b)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s = %q, %v; want %q", e, got, err, want)
		}
	}
	mk := func(name string, args ...Expr) Expr {
		e, err := MaskCall(name, args)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	s, n := Column(0, sqltypes.TypeText, "s"), Column(1, sqltypes.TypeInt8, "n")
	check(mk("mesh_mask_partial", s), "***@b.io", "NULL", "****3456")
	check(mk("mesh_mask_hash", s, textLit("k")), refHashText("k", "a@b.io"), "NULL", refHashText("k", "123456"))
	check(mk("mesh_mask_hash", n, textLit("k")), refHashInt8("k", 12349), "NULL", refHashInt8("k", 42))
	check(mk("mesh_mask_round", n, textLit("100")), "12300", "NULL", "0")
	check(mk("mesh_mask_partial", n), "****2349", "NULL", "****")
}

func TestMaskBuildErrors(t *testing.T) {
	col := func(t sqltypes.Type) Expr { return Column(0, t, "v") }
	cases := []struct {
		name string
		args []Expr
		code string
	}{
		{"mesh_mask_round", []Expr{col(sqltypes.TypeInt4), textLit("0.1")}, "22023"},
		{"mesh_mask_round", []Expr{col(sqltypes.TypeInt4), textLit("-10")}, "22023"},
		{"mesh_mask_round", []Expr{col(sqltypes.NumericType(10, 2)), textLit("0.001")}, "22023"},
		{"mesh_mask_round", []Expr{col(sqltypes.TypeFloat8), textLit("abc")}, "22023"},
		{"mesh_mask_round", []Expr{col(sqltypes.TypeDate), textLit("fortnight")}, "22023"},
		{"mesh_mask_round", []Expr{col(sqltypes.TypeDate), Literal(sqltypes.TypeText, nil)}, "22023"},
		{"mesh_mask_hash", []Expr{col(sqltypes.TypeInt8), col(sqltypes.TypeText)}, "22023"},
		{"mesh_mask_hash", []Expr{col(sqltypes.TypeInt8), Literal(sqltypes.TypeInt4, int64(1))}, "42883"},
		{"mesh_mask_hash", []Expr{col(sqltypes.TypeInt8)}, "42883"},
		{"mesh_mask_null", []Expr{col(sqltypes.TypeInt8), textLit("x")}, "42883"},
		{"lower", []Expr{col(sqltypes.TypeText)}, "42883"},
	}
	for _, c := range cases {
		_, err := MaskCall(c.name, c.args)
		if sqltypes.Code(err) != c.code {
			t.Errorf("%s: got %q, want %s", callString(c.name, c.args), errString(err), c.code)
		}
	}
}

func TestMaskExprShape(t *testing.T) {
	e, err := MaskCall("mesh_mask_hash", []Expr{Column(3, sqltypes.TypeText, "email"), textLit("secret")})
	if err != nil {
		t.Fatal(err)
	}
	if s := e.String(); s != "mesh_mask_hash(email)" {
		t.Errorf("String = %q (must not show the key)", s)
	}
	if got := Columns(e); !slices.Equal(got, []int{3}) {
		t.Errorf("Columns = %v", got)
	}
	r := Remap(e, func(int) int { return 0 })
	if got := Columns(r); !slices.Equal(got, []int{0}) || r.String() != e.String() {
		t.Errorf("Remap: %v %s", got, r)
	}
	rd, _ := MaskCall("mesh_mask_round", []Expr{Column(0, sqltypes.TypeDate, "d"), textLit("month")})
	if s := rd.String(); s != "mesh_mask_round(d, 'month')" {
		t.Errorf("String = %q", s)
	}
	if !IsMaskFunction("mesh_mask_partial") || IsMaskFunction("mesh_mask_foo") {
		t.Errorf("IsMaskFunction")
	}
}

// TestMaskHashJoins checks that equal keys hash equally across batches
// and that different keys give different values.
func TestMaskHashJoins(t *testing.T) {
	env := newTestEnv(t)
	b1 := makeBatch(t, env, testCol{sqltypes.TypeInt8, []any{int64(7), int64(8)}})
	defer b1.Release()
	b2 := makeBatch(t, env, testCol{sqltypes.TypeText, []any{"pad"}}, testCol{sqltypes.TypeInt8, []any{int64(8)}})
	defer b2.Release()
	e1, _ := MaskCall("mesh_mask_hash", []Expr{Column(0, sqltypes.TypeInt8, "a"), textLit("k")})
	e2, _ := MaskCall("mesh_mask_hash", []Expr{Column(1, sqltypes.TypeInt8, "b"), textLit("k")})
	e3, _ := MaskCall("mesh_mask_hash", []Expr{Column(1, sqltypes.TypeInt8, "b"), textLit("k2")})
	g1, _ := evalStrings(t, env, e1, b1)
	g2, _ := evalStrings(t, env, e2, b2)
	g3, _ := evalStrings(t, env, e3, b2)
	if g1[1] != g2[0] || g1[0] == g1[1] || g3[0] == g2[0] {
		t.Errorf("hashes %v %v %v", g1, g2, g3)
	}
}

// BenchmarkMaskHashText measures the text hash kernel (one MAC per row).
func BenchmarkMaskHashText(b *testing.B) {
	env := newTestEnv(b)
	bld := array.NewStringBuilder(env.Mem)
	for i := 0; i < 8192; i++ {
		bld.Append("customer" + strconv.Itoa(i) + "@example.com")
	}
	col := bld.NewArray()
	bld.Release()
	rb := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "e", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{col}, 8192)
	col.Release()
	defer rb.Release()
	e, _ := MaskCall("mesh_mask_hash", []Expr{Column(0, sqltypes.TypeText, "e"), textLit("k")})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := e.Eval(ctxBG, env, rb)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}
