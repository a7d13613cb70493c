package sqltypes

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"math"
	"testing"
	"time"
)

// Expected values are what PostgreSQL 15 printed for the same input.

func TestParseIntervalRoundTrip(t *testing.T) {
	cases := []struct{ in, want string }{ // -- from PostgreSQL 15: SELECT 'in'::interval
		{"-1 years 2 mons", "-10 mons"},
		{"1 year -2 mons", "10 mons"},
		{"-1 mon -1 day -01:00", "-1 mons -1 days -01:00:00"},
		{"1 mon -1 day +01:00", "1 mon -1 days +01:00:00"},
		{"-1 day +01:00", "-1 days +01:00:00"},
		{"0", "00:00:00"},
		{"1.001 years", "1 year"},
		{"0.5 mon", "15 days"},
		{"1.3 mon", "1 mon 9 days"},
		{"0.1 day", "02:24:00"},
		{"1.5 weeks", "10 days 12:00:00"},
		{"@ 1 day ago", "-1 days"},
		{"1 2:03", "1 day 02:03:00"},
		{"1:2:3.5", "01:02:03.5"},
		{"10", "00:00:10"},
		{"1day", "1 day"},
		{"-1.5 hours", "-01:30:00"},
		{"1 year 2 mons", "1 year 2 mons"},
		{"P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06"},
	}
	for _, c := range cases {
		iv, err := ParseInterval(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := FormatInterval(iv); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"abc", "", "1 day 1 day", "1:2:3:4", "5 fortnights"} {
		if _, err := ParseInterval(bad); Code(err) != CodeInvalidDatetimeFormat {
			t.Errorf("%q: want 22007, got %v", bad, err)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	cases := []struct {
		f    float64
		bits int
		want string
	}{ // -- from PostgreSQL 15
		{1e15, 64, "1e+15"}, {999999999999999, 64, "999999999999999"}, {1e-4, 64, "0.0001"},
		{1.5e-5, 64, "1.5e-05"}, {float64(float32(3.4028235e38)), 32, "3.4028235e+38"},
		{float64(float32(1e-45)), 32, "1e-45"}, {123456, 32, "123456"}, {1234567, 32, "1.234567e+06"},
		{float64(float32(0.000123)), 32, "0.000123"}, {math.Copysign(0, -1), 64, "-0"}, {0.30000000000000004, 64, "0.30000000000000004"},
		// The shortest decimal lies exactly halfway to a neighbour: Ryu
		// does not take it.
		{1e23, 64, "9.999999999999999e+22"}, {5e22, 64, "4.9999999999999996e+22"}, {-5e22, 64, "-4.9999999999999996e+22"},
		{6.05e21, 64, "6.049999999999999e+21"}, {6.16910157770111e16, 64, "6.1691015777011104e+16"},
		{7.95e21, 64, "7.950000000000001e+21"}, {7.047682543417274e16, 64, "7.0476825434172736e+16"}, {8.56e22, 64, "8.560000000000001e+22"},
		{float64(float32(8.1e9)), 32, "8.0999997e+09"}, {float64(float32(3.87e9)), 32, "3.8700001e+09"},
		{float64(float32(1.58e10)), 32, "1.5800001e+10"}, {float64(float32(-5.1e9)), 32, "-5.1000003e+09"},
		{1e22, 64, "1e+22"}, {9007199254740993, 64, "9.007199254740992e+15"},
	}
	for _, c := range cases {
		if got := string(AppendFloat(nil, c.f, c.bits)); got != c.want {
			t.Errorf("%v/%d: got %q, want %q", c.f, c.bits, got, c.want)
		}
	}
}

func TestParseNumericAndDecimalText(t *testing.T) {
	cases := []struct {
		in       string
		p, s     int32
		want     string
		wantCode string
	}{ // -- from PostgreSQL 15: SELECT 'in'::numeric(p,s)
		{"  -12.345e2 ", 0, 1, "-1234.5", ""},
		{"1.005", 5, 2, "1.01", ""},
		{"-0.005", 5, 2, "-0.01", ""},
		{".5e1", 0, 0, "5", ""},
		{"12345.678", 5, 2, "", CodeNumericOutOfRange},
		{"abc", 0, 0, "", CodeInvalidTextRepr},
		{"1e", 0, 0, "", CodeInvalidTextRepr},
		{"99999999999999999999999999999999999999", 0, 0, "99999999999999999999999999999999999999", ""},
	}
	for _, c := range cases {
		n, err := ParseNumeric(c.in, c.p, c.s)
		if c.wantCode != "" {
			if Code(err) != c.wantCode {
				t.Errorf("%q: want %s, got %v", c.in, c.wantCode, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := string(AppendDecimal(nil, n, c.s)); got != c.want || FormatDecimal(n, c.s) != c.want {
			t.Errorf("%q: got %q / %q, want %q", c.in, got, FormatDecimal(n, c.s), c.want)
		}
	}
}

func TestDatesAndTimestamps(t *testing.T) {
	d, err := ParseDate("0001-01-01")
	if err != nil {
		t.Fatal(err)
	}
	// -- from PostgreSQL 15: '0001-01-01'::date - 1 = 0001-12-31 BC
	if got := string(AppendDate(nil, int64(d)-1)); got != "0001-12-31 BC" {
		t.Errorf("got %s", got)
	}
	if d, err := ParseDate("4714-11-24 BC"); err != nil || int64(d) != MinDateDays {
		t.Errorf("4714-11-24 BC = %v, %v", d, err)
	}
	ts, err := ParseTimestamp("0044-03-15 BC", false, nil)
	if err != nil || string(AppendTimestamp(nil, int64(ts), nil, false)) != "0044-03-15 00:00:00 BC" {
		t.Errorf("BC timestamp: %v %v", ts, err)
	}
	ts, _ = ParseTimestamp("2024-01-02 10:11:12.1234567", false, nil)
	if got := string(AppendTimestamp(nil, int64(ts), nil, false)); got != "2024-01-02 10:11:12.123457" {
		t.Errorf("rounding: %s", got)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // sqltypes embeds the tz database
	}
	ts, _ = ParseTimestamp("2024-07-01 12:00", true, ny)
	if got := string(AppendTimestamp(nil, int64(ts), ny, true)); got != "2024-07-01 12:00:00-04" {
		t.Errorf("tz: %s", got)
	}
	ts, _ = ParseTimestamp("2024-07-01 12:00 Europe/Paris", true, ny)
	if got := string(AppendTimestamp(nil, int64(ts), time.UTC, true)); got != "2024-07-01 10:00:00+00" {
		t.Errorf("named zone: %s", got)
	}
	for _, bad := range []string{"2024-13-01", "2024-02-30", "2024-01-01 24:00:01"} {
		if _, err := ParseTimestamp(bad, false, nil); Code(err) != CodeDatetimeFieldOverflow {
			t.Errorf("%q: want 22008, got %v", bad, err)
		}
	}
	if _, err := ParseDate("2024/99"); Code(err) != CodeInvalidDatetimeFormat {
		t.Errorf("want 22007, got %v", err)
	}
}

func TestParseValueKinds(t *testing.T) {
	cases := []struct {
		t    Type
		in   string
		want string
	}{
		{TypeBool, " On ", "t"}, {TypeInt2, "-32768", "-32768"}, {TypeInt8, "+42", "42"},
		{TypeFloat8, "1e-3", "0.001"}, {TypeBytea, `\x0aff`, `\x0aff`}, {TypeBytea, `a\\b\101`, `\x615c6241`},
		{TypeUUID, "{550e8400-e29b-41d4-a716-446655440000}", "550e8400-e29b-41d4-a716-446655440000"},
		{ListOf(TypeText), `{"a b",c,NULL}`, `{"a b",c,NULL}`}, {TypeJSON, `[1]`, `[1]`},
		{TypeInterval, "3 hours ago", "-03:00:00"}, {TypeDate, "1/2/2024", "2024-01-02"},
		// Multidimensional arrays, printed as PostgreSQL 15 prints them.
		{ArrayOf(TypeInt4, 2), "{{1,2},{3,4}}", "{{1,2},{3,4}}"},
		{ArrayOf(TypeInt4, 2), " { { 1 , NULL } , {3,4} } ", "{{1,NULL},{3,4}}"},
		{ArrayOf(TypeText, 2), `{{a,"b c"},{NULL,""}}`, `{{a,"b c"},{NULL,""}}`},
		{ArrayOf(TypeText, 2), `{{"{x}",y\,z}}`, `{{"{x}","y,z"}}`},
		{ArrayOf(TypeInt8, 3), "{{{1}},{{2}}}", "{{{1}},{{2}}}"},
		{ArrayOf(TypeInt4, 2), "{}", "{}"},
	}
	for _, c := range cases {
		v, err := ParseValue(c.t, c.in)
		if err != nil {
			t.Errorf("%s %q: %v", c.t, c.in, err)
			continue
		}
		if got := FormatValue(c.t, v); got != c.want {
			t.Errorf("%s %q: got %q, want %q", c.t, c.in, got, c.want)
		}
	}
}

// TestParseTime covers the canonical forms the allocation-free path reads
// and the ones it leaves to the general parser (24:00, a leap second,
// AM/PM, a leading date), in microseconds since midnight.
func TestParseTime(t *testing.T) {
	const h, m, s = 3_600_000_000, 60_000_000, 1_000_000
	for in, want := range map[string]int64{
		"10:30:15":         10*h + 30*m + 15*s,
		"10:30:15.25":      10*h + 30*m + 15*s + 250_000,
		"00:00:00.000001":  1,
		"23:59:59.999999":  24*h - 1,
		"24:00:00":         24 * h,
		"23:59:60":         24 * h,
		"10:30":            10*h + 30*m,
		" 10:30:15 ":       10*h + 30*m + 15*s,
		"12:15 am":         15 * m,
		"2026-01-15 07:05": 7*h + 5*m,
	} {
		got, err := ParseTime(in)
		if err != nil || int64(got) != want {
			t.Errorf("ParseTime(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"25:00:00", "10:60:00", "1a:30:00", "", "today", "epoch"} {
		if _, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) accepted", in)
		}
	}
	// 'now' is the time of day of the transaction's start in its zone.
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	ctx := InputContext{Loc: zone, Now: time.Date(2026, 3, 1, 20, 0, 0, 123456000, time.UTC)}
	if got, err := ParseValueIn(TypeTime, " NOW ", ctx); err != nil || got != arrow.Time64(1*h+30*m+123456) {
		t.Errorf("'now'::time at 20:00:00.123456 UTC in UTC+5:30 = %v, %v; want 01:30:00.123456", got, err)
	}
}

// NaN and ±Infinity parse in any case and spelling PostgreSQL accepts,
// keep their order against numbers, print back as PostgreSQL prints them,
// and a typmod rejects ±Infinity but not NaN.
func TestParseNumericSpecialValues(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{{"NaN", "NaN"}, {" nan ", "NaN"}, {"Infinity", "Infinity"}, {"-inf", "-Infinity"}, {"+INF", "Infinity"}, {"-Infinity", "-Infinity"}, {"iNfInItY", "Infinity"}} {
		v, err := ParseNumeric(tc.in, 0, 2)
		if err != nil || FormatDecimal(v, 2) != tc.want || string(AppendDecimal(nil, v, 2)) != tc.want {
			t.Errorf("ParseNumeric(%q) = %v, %v; want %s", tc.in, FormatDecimal(v, 2), err, tc.want)
		}
		if d, err := ParseDecimal(tc.in, 0, 2); err != nil || d != v {
			t.Errorf("ParseDecimal(%q) = %v, %v", tc.in, d, err)
		}
	}
	for _, s := range []string{"nope", "infinit", "-nan", "in", "+-inf"} {
		if _, err := ParseNumeric(s, 0, 2); Code(err) != CodeInvalidTextRepr {
			t.Errorf("ParseNumeric(%q): %v", s, err)
		}
	}
	if _, err := ParseNumeric("NaN", 5, 2); err != nil {
		t.Errorf("NaN into numeric(5,2): %v", err)
	}
	if _, err := ParseNumeric("-inf", 5, 2); Code(err) != CodeNumericOutOfRange {
		t.Errorf("-inf into numeric(5,2): %v", err)
	}
	max, _ := ParseNumeric("99999999999999999999999999999999999999", 0, 0)
	order := []decimal128.Num{NumericNegInf, max.Negate(), {}, max, NumericPosInf, NumericNaN}
	for i := range order {
		if IsNumericSpecial(order[i]) != (i == 0 || i >= 4) {
			t.Errorf("IsNumericSpecial(%v) wrong", order[i])
		}
		if HasNumericSpecial([]decimal128.Num{max, order[i], max.Negate()}) != (i == 0 || i >= 4) {
			t.Errorf("HasNumericSpecial with %v wrong", order[i])
		}
		if i > 0 && order[i-1].Cmp(order[i]) >= 0 {
			t.Errorf("order: %v !< %v", order[i-1], order[i])
		}
	}
	if NumericPosInf.Negate() != NumericNegInf || !HasNumericSpecial([]decimal128.Num{{}, NumericNaN}) || HasNumericSpecial([]decimal128.Num{max, max.Negate()}) {
		t.Error("negation or HasNumericSpecial wrong")
	}
	// Every position of slices longer than the checker's four lanes, with
	// the extremes of the finite range around it.
	for n := 1; n <= 11; n++ {
		vals := make([]decimal128.Num, n)
		for i := range vals {
			vals[i] = max
			if i%2 == 1 {
				vals[i] = max.Negate()
			}
		}
		if HasNumericSpecial(vals) {
			t.Errorf("HasNumericSpecial of %d finite values is true", n)
		}
		for at := range n {
			for _, sp := range []decimal128.Num{NumericNegInf, NumericPosInf, NumericNaN} {
				old := vals[at]
				vals[at] = sp
				if !HasNumericSpecial(vals) {
					t.Errorf("HasNumericSpecial misses %v at %d of %d", sp, at, n)
				}
				vals[at] = old
			}
		}
	}
}

// TestTimestampMinimum: PostgreSQL 15 checks a timestamp's local date by
// its month only, then the instant against 4714-11-24 00:00 BC UTC (its
// answers to these inputs, taken with psql).
func TestTimestampMinimum(t *testing.T) {
	for _, tc := range []struct {
		s      string
		withTZ bool
		want   int64 // microseconds after the minimum; -1: 22008
	}{
		{"4714-11-24 00:00:00+01 BC", true, -1},
		{"4714-11-24 00:30:00+01 BC", true, -1},
		{"J0 +1", true, -1},
		{"4714-11-23 23:30:00-01 BC", true, 30 * 60 * MicrosPerSecond},
		{"4714-11-24 00:00:00+00 BC", true, 0},
		{"4714-11-23 23:30:00 BC", false, -1},
		{"4714-11-24 00:00:00+01 BC", false, 0}, // the zone is ignored
	} {
		v, err := ParseTimestamp(tc.s, tc.withTZ, time.UTC)
		switch {
		case tc.want < 0 && Code(err) != CodeDatetimeFieldOverflow:
			t.Errorf("%q (tz %v) = %d, %v; want 22008", tc.s, tc.withTZ, v, err)
		case tc.want >= 0 && (err != nil || int64(v)-MinTimestampMicros != tc.want):
			t.Errorf("%q (tz %v) = minimum + %d µs, %v; want + %d", tc.s, tc.withTZ, int64(v)-MinTimestampMicros, err, tc.want)
		}
	}
}
