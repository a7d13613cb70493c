package sqltypes

import (
	"math/big"
	"testing"
	"time"
)

// rangeReadCases are ranges as meshql holds them (FormatRange's text), one
// per range type, with infinite, quoted and fractional bounds.
var rangeReadCases = []struct {
	t Type
	s string
}{
	{Type{Kind: Int4Range}, "[1,5)"},
	{Type{Kind: Int4Range}, "[-2147483648,)"},
	{Type{Kind: Int4Range}, "empty"},
	{Type{Kind: Int8Range}, "(,9223372036854775807)"},
	{Type{Kind: NumRange}, "[1.50,2.000]"},
	{Type{Kind: NumRange}, "(-Infinity,NaN)"},
	{Type{Kind: NumRange}, "[-0.001,123456789012345678901234.5)"},
	{Type{Kind: DateRange}, "[2024-01-01,2024-02-29)"},
	{Type{Kind: DateRange}, "[-infinity,infinity)"},
	{Type{Kind: DateRange}, `["0044-03-15 BC",2024-01-01)`},
	{Type{Kind: TsRange}, `["2024-01-01 10:00:00","2024-01-01 10:00:00.5")`},
	{Type{Kind: TstzRange}, `("2024-01-01 10:00:00.123456+00","2024-06-30 23:59:59+00"]`},
	{Type{Kind: TstzRange}, `["0099-12-31 23:00:00+00 BC",infinity)`},
}

// TestReadRangeCanonical checks the fast reader of held text against the
// input parser, on canonical text and on text it must hand over.
func TestReadRangeCanonical(t *testing.T) {
	check := func(rt Type, s string) {
		t.Helper()
		want, werr := ParseRange(rt, s, InputContext{Loc: time.UTC})
		got, gerr := ReadRange(rt, s)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("ReadRange(%s, %q) error %v, ParseRange error %v", rt, s, gerr, werr)
		}
		if werr == nil && (CompareRanges(got, want) != 0 || FormatRange(rt, got) != FormatRange(rt, want)) {
			t.Errorf("ReadRange(%s, %q) = %s, want %s", rt, s, FormatRange(rt, got), FormatRange(rt, want))
		}
	}
	for _, c := range rangeReadCases {
		if got := FormatRange(c.t, mustRange(t, c.t, c.s)); got != c.s {
			t.Fatalf("case %q is not canonical: %q", c.s, got)
		}
		check(c.t, c.s)
	}
	// Not canonical, or not a range: the input parser's answer.
	for _, c := range []struct {
		t Type
		s string
	}{
		{Type{Kind: Int4Range}, "[1,5]"}, {Type{Kind: Int4Range}, "(1,5)"}, {Type{Kind: Int4Range}, "[5,1)"},
		{Type{Kind: Int4Range}, "[3,3)"}, {Type{Kind: Int4Range}, "[1,99999999999)"}, {Type{Kind: Int4Range}, "[a,2)"},
		{Type{Kind: Int4Range}, "[1,2"}, {Type{Kind: Int4Range}, ""}, {Type{Kind: Int4Range}, `["1","2")`},
		{Type{Kind: Int4Range}, "[,2]"}, {Type{Kind: Int4Range}, "[ 1,2)"}, {Type{Kind: Int4Range}, "[+1,2)"},
		{Type{Kind: DateRange}, "[2024-02-30,2024-03-01)"}, {Type{Kind: DateRange}, "[2024-1-1,2024-03-01)"},
		{Type{Kind: TsRange}, `["2024-01-01 24:00:00",)`}, {Type{Kind: TsRange}, `["2024-01-01 10:00:00.1234567",)`},
		{Type{Kind: TstzRange}, `["2024-01-01 10:00:00+02",)`}, {Type{Kind: TstzRange}, `["2024-01-01 10:00:00",)`},
		{Type{Kind: TstzRange}, `["2024-01-01 10:00:00+00","2024-01-01 09:00:00+00")`},
		{Type{Kind: NumRange}, "[1e3,2000]"}, {Type{Kind: NumRange}, "[x,1]"}, {Type{Kind: NumRange}, "[1.,2]"}, {Type{Kind: NumRange}, "[-,2]"},
		{Type{Kind: NumRange}, "[-0,0.0]"}, {Type{Kind: NumRange}, "[.5,1]"},
	} {
		check(c.t, c.s)
	}
}

func mustRange(t *testing.T, rt Type, s string) Range {
	t.Helper()
	r, err := ParseRange(rt, s, InputContext{Loc: time.UTC})
	if err != nil {
		t.Fatalf("ParseRange(%q): %v", s, err)
	}
	return r
}

// BenchmarkReadRange is the per-value cost of reading a held range, which
// every range operator, sort key, hash key and binary encoding pays.
func BenchmarkReadRange(b *testing.B) {
	for _, c := range []struct {
		name string
		t    Type
		s    string
	}{
		{"int4range", Type{Kind: Int4Range}, "[1,5)"},
		{"numrange", Type{Kind: NumRange}, "[1.50,2.000]"},
		{"daterange", Type{Kind: DateRange}, "[2024-01-01,2024-02-29)"},
		{"tsrange", Type{Kind: TsRange}, `["2024-01-01 10:00:00","2024-01-01 10:00:00.5")`},
		{"tstzrange", Type{Kind: TstzRange}, `("2024-01-01 10:00:00.123456+00","2024-06-30 23:59:59+00"]`},
	} {
		b.Run(c.name+"/held", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ReadRange(c.t, c.s); err != nil {
					b.Fatal(err)
				}
			}
		})
		// What ReadRange cost before it read held text directly.
		b.Run(c.name+"/input", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseRange(c.t, c.s, InputContext{Loc: time.UTC}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCompareDecimalScales checks the int64 shortcut of CompareDecimal
// against big.Int arithmetic across scales, signs and the int64 edges.
func TestCompareDecimalScales(t *testing.T) {
	vals := []string{"0", "1", "-1", "1.5", "1.50", "-1.500", "0.001", "9223372036854775807", "-9223372036854775808",
		"922337203685477580.7", "0.000000000000000001", "12345678901234567890123", "-0.5", "100", "99.99999999999999999"}
	for _, s1 := range vals {
		for _, s2 := range vals {
			a, b := mustVarNumeric(t, s1), mustVarNumeric(t, s2)
			x, y := new(big.Rat).SetFrac(a.Num.BigInt(), pow10Big(a.Scale)), new(big.Rat).SetFrac(b.Num.BigInt(), pow10Big(b.Scale))
			if got, want := CompareDecimal(a, b), x.Cmp(y); got != want {
				t.Errorf("CompareDecimal(%s, %s) = %d, want %d", s1, s2, got, want)
			}
		}
	}
}

func mustVarNumeric(t *testing.T, s string) Decimal {
	t.Helper()
	d, err := ParseVarNumeric(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func pow10Big(n int32) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// BenchmarkDecodeRangeBinary reads range_recv's format, as the wire's
// binary parameters and the PostgreSQL connector's scans do per value.
func BenchmarkDecodeRangeBinary(b *testing.B) {
	for _, c := range []struct {
		name string
		t    Type
		raw  []byte
	}{
		{"int4range", Type{Kind: Int4Range}, []byte{RangeFlagLBInc, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5}},
		{"tsrange", Type{Kind: TsRange}, []byte{RangeFlagLBInc, 0, 0, 0, 8, 0, 2, 0xbc, 0x7e, 0x5a, 0x8c, 0x20, 0, 0, 0, 0, 8, 0, 2, 0xbc, 0x8e, 0x5a, 0x8c, 0x20, 0}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeRangeBinary(c.raw, c.t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
