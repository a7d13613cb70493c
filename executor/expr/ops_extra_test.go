package expr

import (
	"context"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// Tests for anyarray.go, regex*.go, similar.go, json*.go, func_array2.go,
// func_quote.go and func_age.go. Every expected value is -- from
// PostgreSQL 15 (psql output of the query quoted next to each case).

var (
	tText    = sqltypes.TypeText
	tInt4Arr = sqltypes.ListOf(sqltypes.TypeInt4)
)

func col(i int, t sqltypes.Type) Expr { return Column(i, t, "") }

func checkRows(t *testing.T, what string, got []string, want string) {
	t.Helper()
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("%s:\n got %s\nwant %s", what, g, want)
	}
}

func TestAnyArray(t *testing.T) {
	env := newTestEnv(t)
	// select x = ANY(a), x < ALL(a), x <> ALL(a) from (values (1, '{1,NULL}'::int[]),
	// (2, '{1,NULL}'), (NULL, '{}'), (5, NULL), (NULL, '{3}'), (0, '{1,2,3}')) t(x,a);
	b := makeBatch(t, env,
		testCol{sqltypes.TypeInt4, []any{1, 2, nil, 5, nil, 0}},
		testCol{tInt4Arr, []any{[]any{1, nil}, []any{1, nil}, []any{}, nil, []any{3}, []any{1, 2, 3}}})
	defer b.Release()
	cases := []struct {
		op   BinaryOp
		all  bool
		want string // -- from PostgreSQL 15
	}{
		{OpEq, false, "t|NULL|f|NULL|NULL|f"},
		{OpLt, true, "f|f|t|NULL|NULL|t"},
		{OpNe, true, "f|NULL|t|NULL|NULL|t"},
	}
	for _, c := range cases {
		e := must(AnyArray(c.op, col(0, sqltypes.TypeInt4), col(1, tInt4Arr), c.all))
		checkRows(t, e.String(), mustStrings(t, env, e, b), c.want)
	}
	// a sliced batch exercises list offsets that do not start at 0
	s := b.NewSlice(1, 6)
	defer s.Release()
	e := must(AnyArray(OpEq, col(0, sqltypes.TypeInt4), col(1, tInt4Arr), false))
	checkRows(t, "sliced", mustStrings(t, env, e, s), "NULL|f|NULL|NULL|f")
	if _, err := AnyArray(OpEq, col(0, tText), col(1, tInt4Arr), false); sqltypes.Code(err) != "42883" {
		t.Errorf("text = ANY(int[]): %v", err)
	}
}

func TestAnyLike(t *testing.T) {
	env := newTestEnv(t)
	tTextArr := sqltypes.ListOf(tText)
	// select s like any (p), s ilike all (p), s not like any (p), s not ilike all (p)
	// from (values ('abc', array['a%','%z']), ('ABC', array['a%',null]), ('x', '{}'::text[]),
	// ('y', null), (null, array['%'])) v(s, p);
	b := makeBatch(t, env,
		testCol{tText, []any{"abc", "ABC", "x", "y", nil}},
		testCol{tTextArr, []any{[]any{"a%", "%z"}, []any{"a%", nil}, []any{}, nil, []any{"%"}}})
	defer b.Release()
	cases := []struct {
		negated, ilike, all bool
		want                string // -- from PostgreSQL 15
	}{
		{false, false, false, "t|NULL|f|NULL|NULL"},
		{false, true, true, "f|NULL|t|NULL|NULL"},
		{true, false, false, "t|t|f|NULL|NULL"},
		{true, true, true, "f|f|t|NULL|NULL"},
	}
	for _, c := range cases {
		e := must(AnyLike(col(0, tText), col(1, tTextArr), c.negated, c.ilike, c.all))
		checkRows(t, e.String(), mustStrings(t, env, e, b), c.want)
	}
	if _, err := AnyLike(col(0, tText), col(1, tInt4Arr), false, false, false); sqltypes.Code(err) != "42883" {
		t.Errorf("text LIKE ANY(int[]): %v", err)
	}
}

func TestRegexMatch(t *testing.T) {
	env := newTestEnv(t)
	// select s ~ '^fo+', s ~* '^fo+', s !~ 'b.r$', s !~* 'B', s ~ 'a.b', s ~ p from (values
	// ('foobar', 'o{2}'), ('FOO', '[[:upper:]]+'), (NULL, 'x'), (E'a\nb', NULL), ('xyz', '\y.')) t(s,p);
	b := makeBatch(t, env,
		testCol{tText, []any{"foobar", "FOO", nil, "a\nb", "xyz"}},
		testCol{tText, []any{"o{2}", "[[:upper:]]+", "x", nil, `\y.`}})
	defer b.Release()
	s, p := col(0, tText), col(1, tText)
	cases := []struct {
		e    Expr
		want string // -- from PostgreSQL 15
	}{
		{must(RegexMatch(s, lit(tText, "^fo+"), false, false)), "t|f|NULL|f|f"},
		{must(RegexMatch(s, lit(tText, "^fo+"), true, false)), "t|t|NULL|f|f"},
		{must(RegexMatch(s, lit(tText, "b.r$"), false, true)), "f|t|NULL|t|t"},
		{must(RegexMatch(s, lit(tText, "B"), true, true)), "f|t|NULL|f|t"},
		{must(RegexMatch(s, lit(tText, "a.b"), false, false)), "f|f|NULL|t|f"},
		{must(RegexMatch(s, p, false, false)), "t|t|NULL|NULL|t"},
		// select s similar to '%(b|d)%', s not similar to 'f__%', s similar to '[a-f]*'
		// from (values ('abc'), ('foo'), (NULL), ('')) — on this batch's column:
		{must(SimilarTo(s, lit(tText, "%(b|d)%"), false)), "t|f|NULL|t|f"},
	}
	for _, c := range cases {
		checkRows(t, c.e.String(), mustStrings(t, env, c.e, b), c.want)
	}
	b2 := makeBatch(t, env, testCol{tText, []any{"abc", "foo", nil, ""}})
	defer b2.Release()
	s2 := col(0, tText)
	for pat, want := range map[string]string{"%(b|d)%": "t|f|NULL|f", "[a-f]*": "t|f|NULL|t"} {
		e := must(SimilarTo(s2, lit(tText, pat), false))
		checkRows(t, pat, mustStrings(t, env, e, b2), want)
	}
	e := must(SimilarTo(s2, lit(tText, "f__%"), true))
	checkRows(t, "not similar", mustStrings(t, env, e, b2), "t|f|NULL|t")
	// select 'a' ~ '(';  ERROR: invalid regular expression: parentheses () not balanced
	if _, err := RegexMatch(s, lit(tText, "("), false, false); sqltypes.Code(err) != "2201B" {
		t.Errorf("bad regex: %v", err)
	}
}

func TestRegexpFunctions(t *testing.T) {
	env := newTestEnv(t)
	b := emptyBatch(1)
	defer b.Release()
	// -- from PostgreSQL 15: select regexp_replace('Thomas', '.[mN]a.', 'M'), …
	cases := []struct {
		name string
		args []Expr
		want string
	}{
		{"regexp_replace", []Expr{lit(tText, "Thomas"), lit(tText, ".[mN]a."), lit(tText, "M")}, "ThM"},
		{"regexp_replace", []Expr{lit(tText, "abc abc"), lit(tText, "(b)(c)"), lit(tText, `\2\1\&\\x`), lit(tText, "g")}, `acbbc\x acbbc\x`},
		{"regexp_replace", []Expr{lit(tText, "abc"), lit(tText, "B"), lit(tText, "x"), lit(tText, "i")}, "axc"},
		{"regexp_match", []Expr{lit(tText, "aaa"), lit(tText, "a(x)?")}, "{NULL}"},
		{"regexp_match", []Expr{lit(tText, "foobarbequebaz"), lit(tText, "(bar)(beque)")}, "{bar,beque}"},
		{"regexp_match", []Expr{lit(tText, "abc"), lit(tText, "x")}, "NULL"},
		{"regexp_split_to_array", []Expr{lit(tText, "hello world"), lit(tText, `\s+`)}, "{hello,world}"},
		{"regexp_split_to_array", []Expr{lit(tText, "abc"), lit(tText, "")}, "{a,b,c}"},
		{"regexp_split_to_array", []Expr{lit(tText, ""), lit(tText, ",")}, `{""}`},
		{"regexp_split_to_array", []Expr{lit(tText, ",a,"), lit(tText, ",")}, `{"",a,""}`},
		{"regexp_count", []Expr{lit(tText, "ababab"), lit(tText, "ab")}, "3"},
		{"regexp_count", []Expr{lit(tText, "ababab"), lit(tText, "ab"), i4(3)}, "2"},
		{"regexp_like", []Expr{lit(tText, "Hello"), lit(tText, "hello"), lit(tText, "i")}, "t"},
		{"array_to_string", []Expr{lit(tInt4Arr, []any{1, nil, 3}), lit(tText, ",")}, "1,3"},
		{"array_to_string", []Expr{lit(tInt4Arr, []any{1, nil, 3}), lit(tText, ","), lit(tText, "*")}, "1,*,3"},
		{"string_to_array", []Expr{lit(tText, "a,b,,c"), lit(tText, ",")}, `{a,b,"",c}`},
		{"string_to_array", []Expr{lit(tText, "abc"), lit(tText, nil)}, "{a,b,c}"},
		{"string_to_array", []Expr{lit(tText, "abc"), lit(tText, "")}, "{abc}"},
		{"string_to_array", []Expr{lit(tText, ""), lit(tText, ",")}, "{}"},
		{"string_to_array", []Expr{lit(tText, "a,b,,c"), lit(tText, ","), lit(tText, "b")}, `{a,NULL,"",c}`},
		{"array_position", []Expr{lit(tInt4Arr, []any{1, nil}), lit(sqltypes.TypeInt4, nil)}, "2"},
		{"array_upper", []Expr{lit(tInt4Arr, []any{1, 2, 3}), i4(1)}, "3"},
		{"array_upper", []Expr{lit(tInt4Arr, []any{}), i4(1)}, "NULL"},
		{"array_lower", []Expr{lit(tInt4Arr, []any{1, 2, 3}), i4(1)}, "1"},
		{"quote_ident", []Expr{lit(tText, "Foo")}, `"Foo"`},
		{"quote_ident", []Expr{lit(tText, "select")}, `"select"`},
		{"quote_ident", []Expr{lit(tText, "foo")}, "foo"},
		{"quote_literal", []Expr{lit(tText, `O'Re\illy`)}, `E'O''Re\\illy'`},
		{"quote_literal", []Expr{i4(42)}, "'42'"},
		{"format", []Expr{lit(tText, "%s-%I-%L"), lit(tText, "a"), lit(tText, "B c"), lit(tText, nil)}, `a-"B c"-NULL`},
		{"translate", []Expr{lit(tText, "12345"), lit(tText, "143"), lit(tText, "ax")}, "a2x5"},
		// select substring('foobar' from 'o(.)b'), substring('foobar' from 'x(.)?|f')
		{"substring", []Expr{lit(tText, "foobar"), lit(tText, "o(.)b")}, "o"},
		{"substring", []Expr{lit(tText, "foobar"), lit(tText, "x(.)?|f")}, "NULL"},
		{"substring", []Expr{lit(tText, "order 1234 shipped"), lit(tText, "[0-9]+")}, "1234"},
		{"age", []Expr{lit(sqltypes.TypeTimestamp, "2001-04-10"), lit(sqltypes.TypeTimestamp, "1957-06-13")}, "43 years 9 mons 27 days"},
		{"age", []Expr{lit(sqltypes.TypeTimestamp, "2020-01-31"), lit(sqltypes.TypeTimestamp, "2020-03-01")}, "-1 mons -1 days"},
		{"age", []Expr{lit(sqltypes.TypeTimestamp, "2020-03-01 10:00"), lit(sqltypes.TypeTimestamp, "2020-01-31 12:00")}, "1 mon 22:00:00"},
		{"age", []Expr{lit(sqltypes.TypeTimestamp, "2024-02-29 10:00"), lit(sqltypes.TypeTimestamp, "2023-03-31 11:30:00.5")}, "10 mons 28 days 22:29:59.5"},
		// env.Now is 2026-11-26 12:00 UTC: age(x) counts from 2026-11-26 00:00
		{"age", []Expr{lit(sqltypes.TypeTimestamp, "2025-10-20 06:00")}, "1 year 1 mon 5 days 18:00:00"},
	}
	for _, c := range cases {
		e, err := Call(c.name, c.args)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkRows(t, e.String(), mustStrings(t, env, e, b), c.want)
	}
	errs := []struct {
		name string
		args []Expr
		code string
	}{
		{"regexp_match", []Expr{lit(tText, "a"), lit(tText, "a"), lit(tText, "g")}, "22023"},
		{"regexp_replace", []Expr{lit(tText, "a"), lit(tText, "a"), lit(tText, "b"), lit(tText, "z")}, "22023"},
		{"regexp_like", []Expr{lit(tText, "a"), lit(tText, "(")}, "2201B"},
		{"format", []Expr{lit(tText, "%I"), lit(tText, nil)}, "22004"},
		{"format", []Expr{lit(tText, "%s %s"), lit(tText, "x")}, "22023"},
	}
	for _, c := range errs {
		e, err := Call(c.name, c.args)
		if err == nil {
			_, err = evalStrings(t, env, e, b)
		}
		if sqltypes.Code(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
}

func TestJSONOps(t *testing.T) {
	env := newTestEnv(t)
	// select j -> 'a', j ->> 'a', j -> 1, j ->> -1, j #> '{a,0}', j #>> '{a,1,b}' from (values
	// ('{"a": [1, {"b": "x\"y"}]}'::json), ('[10, "s", null]'), (NULL), ('{"a": null}')) t(j);
	b := makeBatch(t, env, testCol{sqltypes.TypeJSON, []any{`{"a": [1, {"b": "x\"y"}]}`, `[10, "s", null]`, nil, `{"a": null}`}})
	defer b.Release()
	j := col(0, sqltypes.TypeJSON)
	path := func(p ...any) Expr { return lit(textListType, p) }
	cases := []struct {
		e    Expr
		want string // -- from PostgreSQL 15
	}{
		{must(JSONGet(j, lit(tText, "a"), false)), `[1, {"b": "x\"y"}]|NULL|NULL|null`},
		{must(JSONGet(j, lit(tText, "a"), true)), `[1, {"b": "x\"y"}]|NULL|NULL|NULL`},
		{must(JSONGet(j, i4(1), false)), `NULL|"s"|NULL|NULL`},
		{must(JSONGet(j, i4(-1), true)), `NULL|NULL|NULL|NULL`},
		{must(JSONPath(j, path("a", "0"), false)), `1|NULL|NULL|NULL`},
		{must(JSONPath(j, path("a", "1", "b"), true)), `x"y|NULL|NULL|NULL`},
	}
	for _, c := range cases {
		checkRows(t, c.e.String(), mustStrings(t, env, c.e, b), c.want)
	}
	// select '{"a":1'::json -> 'a';  ERROR: invalid input syntax for type json (22P02)
	bad := makeBatch(t, env, testCol{sqltypes.TypeJSON, []any{`{"a":1`}})
	defer bad.Release()
	if _, err := evalStrings(t, env, must(JSONGet(j, lit(tText, "a"), false)), bad); sqltypes.Code(err) != "22P02" {
		t.Errorf("invalid json: %v", err)
	}
}

// TestAppendRepeated checks the doubling copy behind repeat() against
// strings.Repeat, for counts around powers of two, after a prefix, and
// over several of the chunks it copies between looks at the context.
func TestAppendRepeated(t *testing.T) {
	g := &genLimit{ctx: t.Context()}
	for _, unit := range []string{"", "x", "ab", "héllo"} {
		for _, c := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 1000, 3 * genCheckEvery / 2} {
			out, _, err := appendRepeated(g, []byte("pre"), []byte(unit), c)
			if want := "pre" + strings.Repeat(unit, c); err != nil || string(out) != want {
				t.Fatalf("appendRepeated(%q, %d): %d bytes, %v; want %d bytes equal to strings.Repeat", unit, c, len(out), err, len(want))
			}
		}
	}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	g = &genLimit{ctx: canceled}
	if _, _, err := appendRepeated(g, nil, []byte("ab"), 4*genCheckEvery); sqltypes.Code(err) != "57014" {
		t.Errorf("a long repeat under a canceled context: %v, want 57014", err)
	}
}
