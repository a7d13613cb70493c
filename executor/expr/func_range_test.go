package expr

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// The range kernels over columns (per-row ranges and elements, NULLs,
// repeated texts that reuse the last parse), with the checked allocator
// of newTestEnv. Expected values are PostgreSQL 15's.
func TestRangeKernels(t *testing.T) {
	env := newTestEnv(t)
	i4 := sqltypes.Type{Kind: sqltypes.Int4Range}
	b := makeBatch(t, env,
		testCol{i4, []any{"[1,5)", "[1,5)", "empty", nil, "(,3)", "[4,)"}},
		testCol{i4, []any{"[5,9)", "[2,3)", "[1,2)", "[1,2)", nil, "[1,5)"}},
		testCol{sqltypes.TypeInt4, []any{int32(4), int32(5), int32(1), int32(1), int32(2), nil}})
	defer b.Release()
	r, s, e := Column(0, i4, "r"), Column(1, i4, "s"), Column(2, sqltypes.TypeInt4, "e")
	for _, c := range []struct {
		fn   string
		args []Expr
		want string
	}{
		{"range_contains", []Expr{r, s}, "f|t|f|NULL|NULL|f"},
		{"range_contains_elem", []Expr{r, e}, "t|f|f|NULL|t|NULL"},
		{"elem_contained_by_range", []Expr{e, s}, "f|f|t|t|NULL|NULL"},
		{"range_overlaps", []Expr{r, s}, "f|t|f|NULL|NULL|t"},
		{"range_adjacent", []Expr{r, s}, "t|f|f|NULL|NULL|f"},
		{"range_before", []Expr{r, s}, "t|f|f|NULL|NULL|f"},
		{"range_merge", []Expr{r, s}, "[1,9)|[1,5)|[1,2)|NULL|NULL|[1,)"},
		{"range_intersect", []Expr{r, s}, "empty|[2,3)|empty|NULL|NULL|[4,5)"},
		{"lower", []Expr{r}, "1|1|NULL|NULL|NULL|4"},
		{"upper_inf", []Expr{r}, "f|f|f|NULL|f|t"},
		{"isempty", []Expr{r}, "f|f|t|NULL|f|f"},
	} {
		got, err := evalStrings(t, env, must(Call(c.fn, c.args)), b)
		if err != nil {
			t.Fatalf("%s: %v", c.fn, err)
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%s: got %s, want %s", c.fn, g, c.want)
		}
	}
	if got, err := evalStrings(t, env, must(Call("range_union", []Expr{r, s})), b); err != nil || strings.Join(got, "|") != "[1,9)|[1,5)|[1,2)|NULL|NULL|[1,)" {
		t.Errorf("range_union: got %v, %v", got, err)
	}
	// A union with a gap is the query's error (22000), and nothing leaks.
	gap := makeBatch(t, env, testCol{i4, []any{"[1,2)", "[1,2)"}}, testCol{i4, []any{"[2,3)", "[3,4)"}})
	defer gap.Release()
	if _, err := evalStrings(t, env, must(Call("range_union", []Expr{r, s})), gap); sqltypes.Code(err) != sqltypes.CodeDataException {
		t.Errorf("range_union: got %v, want 22000", err)
	}
	keys, err := RangeSortKeys(env.Mem, i4, b.Column(0))
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Release()
	if keys.NullN() != 1 || keys.IsNull(3) == false {
		t.Errorf("sort keys: NULLs at %d rows", keys.NullN())
	}
}

func TestRangeConstructorKernel(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeInt8, []any{int64(1), nil, int64(3), int64(5)}},
		testCol{sqltypes.NumericType(10, 2), []any{mustDec(t, "2.50"), mustDec(t, "1.00"), nil, mustDec(t, "5.00")}},
		testCol{sqltypes.TypeText, []any{"[]", "()", "(]", "()"}})
	defer b.Release()
	got, err := evalStrings(t, env, must(Call("numrange", []Expr{Column(0, sqltypes.TypeInt8, "a"), Column(1, sqltypes.NumericType(10, 2), "b"), Column(2, sqltypes.TypeText, "f")})), b)
	if err != nil {
		t.Fatal(err)
	}
	if g, want := strings.Join(got, "|"), "[1,2.50]|(,1.00)|(3,)|empty"; g != want {
		t.Errorf("numrange: got %s, want %s", g, want)
	}
}

func mustDec(t *testing.T, s string) any {
	t.Helper()
	v, err := sqltypes.ParseValue(sqltypes.NumericType(10, 2), s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestHeldRangeNotReadable checks that a range column holding text that
// is not a range (which meshql never writes and connectors.CheckTagged
// rejects) is an internal error in comparisons and searches, not an
// order by the text.
func TestHeldRangeNotReadable(t *testing.T) {
	env := newTestEnv(t)
	i4 := sqltypes.Type{Kind: sqltypes.Int4Range}
	txt := sqltypes.TypeText
	b := makeBatch(t, env,
		testCol{txt, []any{"[1,5)", "garbage"}},
		testCol{txt, []any{"[2,5)", "[2,5)"}},
		testCol{sqltypes.ListOf(txt), []any{[]any{"[1,5)"}, []any{"garbage"}}})
	defer b.Release()
	r, s, a := Column(0, i4, "r"), Column(1, i4, "s"), Column(2, sqltypes.ListOf(i4), "a")
	for name, e := range map[string]Expr{
		"r < s":               must(Binary(OpLt, r, s)),
		"a = a":               must(Binary(OpEq, a, a)),
		"array_position(a,s)": must(Call("array_position", []Expr{a, s})),
		"a @> a":              must(Call("array_contains", []Expr{a, a})),
	} {
		if _, err := evalStrings(t, env, e, b); sqltypes.Code(err) != sqltypes.CodeInternal || !strings.Contains(err.Error(), "garbage") {
			t.Errorf("%s: got %v, want XX000 quoting the text", name, err)
		}
	}
	// The readable rows alone compare as ranges.
	ok := makeBatch(t, env, testCol{txt, []any{"[1,5)"}}, testCol{txt, []any{"[2,5)"}}, testCol{sqltypes.ListOf(txt), []any{[]any{"[1,5)"}}})
	defer ok.Release()
	if got, err := evalStrings(t, env, must(Binary(OpLt, r, s)), ok); err != nil || strings.Join(got, "|") != "t" {
		t.Errorf("r < s: got %v, %v", got, err)
	}
}
