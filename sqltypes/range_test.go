package sqltypes

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestParseRange: range_in's grammar and canonical output, expected
// values from PostgreSQL 15.
func TestParseRange(t *testing.T) {
	i4, i8, num := Type{Kind: Int4Range}, Type{Kind: Int8Range}, Type{Kind: NumRange}
	date, ts, tstz := Type{Kind: DateRange}, Type{Kind: TsRange}, Type{Kind: TstzRange}
	for _, tc := range []struct {
		t        Type
		in, want string
	}{
		{i4, "[1,5)", "[1,5)"},
		{i4, " ( 1 , 5 ] ", "[2,6)"},
		{i4, "EMPTY", "empty"},
		{i4, "  empty\t", "empty"},
		{i4, "[,]", "(,)"},
		{i4, "[1,]", "[1,)"},
		{i4, "[,1]", "(,2)"},
		{i4, "( 1,2)", "empty"},
		{i4, "[1,1]", "[1,2)"},
		{i4, `[1,"2" )`, "[1,2)"},
		{i4, `[1,\5)`, "[1,5)"},
		{i8, "[-9223372036854775808,9223372036854775807)", "[-9223372036854775808,9223372036854775807)"},
		{num, `[ "1.5" , "2" ]`, "[1.5,2]"},
		{num, "[1e-3,1e2)", "[0.001,100)"},
		{num, "(1.50,1.5]", "empty"},
		{num, "[-Infinity,NaN]", "[-Infinity,NaN]"},
		{date, "(2024-01-01,infinity]", "[2024-01-02,infinity]"},
		{date, "[-infinity,2024-01-01]", "[-infinity,2024-01-02)"},
		{ts, `["2024-01-01 10:00",)`, `["2024-01-01 10:00:00",)`},
		{tstz, `["2024-01-01 10:00:00.123456+05:30","infinity")`, `["2024-01-01 04:30:00.123456+00",infinity)`},
	} {
		r, err := ReadRange(tc.t, tc.in)
		if err != nil {
			t.Errorf("%s %q: %v", tc.t, tc.in, err)
			continue
		}
		if got := FormatRange(tc.t, r); got != tc.want {
			t.Errorf("%s %q = %q, want %q", tc.t, tc.in, got, tc.want)
		}
		// The output reads back as itself.
		if r2, err := ReadRange(tc.t, tc.want); err != nil || CompareRanges(r, r2) != 0 || FormatRange(tc.t, r2) != tc.want {
			t.Errorf("%s %q does not read back: %v", tc.t, tc.want, err)
		}
	}
}

func TestParseRangeErrors(t *testing.T) {
	i4 := Type{Kind: Int4Range}
	for _, tc := range []struct{ in, code, detail string }{
		{"1,5", CodeInvalidTextRepr, "Missing left parenthesis or bracket."},
		{"", CodeInvalidTextRepr, "Missing left parenthesis or bracket."},
		{"[1,5", CodeInvalidTextRepr, "Unexpected end of input."},
		{`["1,5)`, CodeInvalidTextRepr, "Unexpected end of input."},
		{`[1,5\`, CodeInvalidTextRepr, "Unexpected end of input."},
		{"[1 5)", CodeInvalidTextRepr, "Missing comma after lower bound."},
		{"[1,2,3)", CodeInvalidTextRepr, "Too many commas."},
		{"[1,5) x", CodeInvalidTextRepr, "Junk after right parenthesis or bracket."},
		{"empty x", CodeInvalidTextRepr, `Junk after "empty" key word.`},
		{"[ , ]", CodeInvalidTextRepr, ""},
		{"[a,b)", CodeInvalidTextRepr, ""},
		{"[5,1)", CodeDataException, ""},
		{"[1,2147483647]", CodeNumericOutOfRange, ""},
	} {
		_, err := ReadRange(i4, tc.in)
		e := AsError(err)
		if e == nil || e.Code != tc.code || e.Detail != tc.detail {
			t.Errorf("%q: got %v (%+v), want %s %q", tc.in, err, e, tc.code, tc.detail)
		}
	}
}

func TestRangeBoundQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"":       `""`,
		"a":      "a",
		`a"b\c`:  `"a""b\\c"`,
		"a,b":    `"a,b"`,
		"(x]":    `"(x]"`,
		"1 2":    `"1 2"`,
		"\tx":    "\"\tx\"",
		"2024-1": "2024-1",
	} {
		if got := string(appendRangeBoundText(nil, []byte(in))); got != want {
			t.Errorf("%q quoted as %s, want %s", in, got, want)
		}
	}
}

// TestRangeStyle: tstzrange bounds in the session's zone, dates in its
// DateStyle (PostgreSQL 15's output under those settings).
func TestRangeStyle(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // sqltypes embeds the tz database
	}
	r, _ := ReadRange(Type{Kind: TstzRange}, "[2024-01-01 00:00+00,2024-07-01 00:00+00)")
	if got, want := string(AppendRange(nil, Type{Kind: TstzRange}, r, ny)), `["2023-12-31 19:00:00-05","2024-06-30 20:00:00-04")`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	st, _ := ParseDateStyle("German", DateStyle{})
	d, _ := ReadRange(Type{Kind: DateRange}, "[2024-02-01,2024-03-01)")
	if got, want := string(AppendRangeStyle(nil, Type{Kind: DateRange}, d, nil, st)), "[01.02.2024,01.03.2024)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestRangeSortKey: the sort key orders as range_cmp does and is equal
// exactly for equal ranges (numrange bounds of different scales too).
func TestRangeSortKey(t *testing.T) {
	num := Type{Kind: NumRange}
	texts := []string{"empty", "(,)", "(,-1)", "(,-1]", "(,0)", "[-10.5,-1)", "[-10.50,-1)", "[-10.5,-1]", "(-10.5,-1)", "[-2,0)",
		"[-1.25,)", "[0,0.001)", "[0,0.0010]", "[0.001,0.01)", "[0.01,1)", "[1,1e3)", "[1.000,1000.0)", "[999.99,)", "[1e30,)",
		"[Infinity,Infinity]", "[1,NaN)", "[NaN,NaN]", "(-Infinity,0)", "[-Infinity,0)", "[-1e-30,0)"}
	var rs []Range
	var keys [][]byte
	for _, s := range texts {
		r, err := ReadRange(num, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		rs = append(rs, r)
		keys = append(keys, AppendRangeSortKey(nil, r))
	}
	for i := range rs {
		for j := range rs {
			want := CompareRanges(rs[i], rs[j])
			if got := slices.Compare(keys[i], keys[j]); sign(got) != sign(want) {
				t.Errorf("%s vs %s: key order %d, range order %d", texts[i], texts[j], got, want)
			}
		}
	}
	// Discrete types: integers of both signs, dates.
	i8 := Type{Kind: Int8Range}
	var prev []byte
	for _, s := range []string{"empty", "(,-5)", "(,5)", "[-9223372036854775808,0)", "[-5,-4)", "[-5,0)", "[-1,)", "[0,1)", "[0,)", "[7,8)"} {
		r, err := ReadRange(i8, s)
		if err != nil {
			t.Fatal(err)
		}
		k := AppendRangeSortKey(nil, r)
		if prev != nil && slices.Compare(prev, k) >= 0 {
			t.Errorf("%s does not sort after its predecessor", s)
		}
		prev = k
	}
}

func sign(n int) int { return max(-1, min(1, n)) }

// TestMakeRange: constructor semantics (bounds order, empties,
// canonicalization and its overflow).
func TestMakeRange(t *testing.T) {
	i4 := Type{Kind: Int4Range}
	for _, tc := range []struct {
		lo, hi       Datum
		loInc, upInc bool
		want         string
	}{
		{int32(1), int32(10), true, false, "[1,10)"},
		{int32(1), int32(10), false, true, "[2,11)"},
		{int32(3), int32(3), true, true, "[3,4)"},
		{int32(3), int32(3), true, false, "empty"},
		{nil, int32(3), true, true, "(,4)"},
		{nil, nil, true, true, "(,)"},
		{int32(5), int32(1), true, false, "error 22000"},
		{int32(2147483647), nil, false, false, "error 22003"},
	} {
		r, err := MakeRange(i4, tc.lo, tc.hi, tc.loInc, tc.upInc)
		got := ""
		if err != nil {
			got = "error " + Code(err)
		} else {
			got = FormatRange(i4, r)
		}
		if got != tc.want {
			t.Errorf("%v", fmt.Sprintf("(%v, %v, %v, %v) = %s, want %s", tc.lo, tc.hi, tc.loInc, tc.upInc, got, tc.want))
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"[1,5)", "empty", `("a\"b",)`, "[-Infinity,NaN]", "(,2024-01-01]", `["2024-01-01 10:00+02",)`} {
		f.Add(uint8(0), s)
	}
	kinds := []Kind{Int4Range, Int8Range, NumRange, DateRange, TsRange, TstzRange}
	f.Fuzz(func(t *testing.T, k uint8, s string) {
		typ := Type{Kind: kinds[int(k)%len(kinds)]}
		r, err := ReadRange(typ, s)
		if err != nil {
			if Code(err) == CodeInternal {
				t.Fatalf("%q: internal error %v", s, err)
			}
			return
		}
		out := FormatRange(typ, r)
		r2, err := ReadRange(typ, out)
		if err != nil || CompareRanges(r, r2) != 0 || FormatRange(typ, r2) != out {
			t.Fatalf("%q printed %q, which reads back as %v (%v)", s, out, FormatRange(typ, r2), err)
		}
	})
}
