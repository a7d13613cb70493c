package expr

import (
	"fmt"
	"math"
	"math/big"
	mrand "math/rand"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// to_number does not read V (0A000) instead of reading something
// PostgreSQL would not; malformed formats are errors (the rest is
// compared with PostgreSQL in testdata/sql/tochar_number.slt and
// tochar_v.slt).
func TestToCharNumberUnsupportedFormats(t *testing.T) {
	for _, f := range []string{"999V99"} {
		_, err := scanNumFormat(f, true)
		if got := sqltypes.AsError(err); err == nil || got.Code != sqltypes.CodeFeatureNotSupported {
			t.Errorf("to_number format %q: got %v, want 0A000", f, err)
		}
		if _, err := parseNumFormat(f); err != nil {
			t.Errorf("to_char format %q: %v", f, err)
		}
	}
	for _, f := range []string{"9.9.9", "S9S", "S999MI", "999PRS", "9.9EEEE9", "FM9EEEE", "9EEEEEEEE", "9V9.9", "9.9V9", "9V9EEEE"} {
		if _, err := parseNumFormat(f); err == nil {
			t.Errorf("format %q: want an error", f)
		}
	}
}

// to_number refuses what PostgreSQL cannot read back (0A000), in
// PostgreSQL's words for RN and EEEE, and reports the largest scale a
// format reads (the binder's static scale).
func TestToNumberFormats(t *testing.T) {
	for f, want := range map[string]string{
		"9.99EEEE": `"EEEE" not supported for input`,
		"RN":       `"RN" not supported for input`,
		"999V99":   `to_number number format "V" is not supported`,
	} {
		_, err := parseToNumberFormat(f)
		if got := sqltypes.AsError(err); err == nil || got.Code != sqltypes.CodeFeatureNotSupported || got.Msg != want {
			t.Errorf("format %q: got %v, want 0A000 %s", f, err, want)
		}
	}
	for f, want := range map[string]int32{"9999": 0, "99D999": 3, "FM9,999.90S": 2, `"x"9.9`: 1} {
		if got, ok := ToNumberScale(f); !ok || got != want {
			t.Errorf("ToNumberScale(%q) = %d, %v; want %d", f, got, ok, want)
		}
	}
	if _, ok := ToNumberScale("9.9.9"); ok {
		t.Error("ToNumberScale(9.9.9): want not ok")
	}
}

// TestAppendSciMatchesReference compares the allocation-free EEEE
// formatting with the string-based form it replaced (kept here as the
// reference) on random and edge values of every input type and 0 to 40
// fractional digits: signs, zero, 9.99… that rounds up to 10, 38-digit
// numerics at scales 0 to 38, NaN and ±Infinity.
func TestAppendSciMatchesReference(t *testing.T) {
	env := newTestEnv(t)
	r := rand.New(rand.NewPCG(3, 4))
	numScale := func(s int32) sqltypes.Type { return sqltypes.NumericType(38, s) }
	var cases []struct {
		t    sqltypes.Type
		vals []sqltypes.Datum
	}
	add := func(t sqltypes.Type, vals ...sqltypes.Datum) {
		cases = append(cases, struct {
			t    sqltypes.Type
			vals []sqltypes.Datum
		}{t, vals})
	}
	floats := []sqltypes.Datum{0.0, math.Copysign(0, -1), 1.0, -1.0, 9.995, 9.9999999, 0.000123456, -1e-300, 1e308, math.MaxFloat64, math.NaN(), math.Inf(1), math.Inf(-1)}
	ints := []sqltypes.Datum{int64(0), int64(-1), int64(9), int64(99999), int64(math.MaxInt64), int64(math.MinInt64), int64(-995)}
	for range 300 {
		floats = append(floats, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(40)-20)))
		ints = append(ints, r.Int64()>>r.IntN(63))
	}
	add(sqltypes.TypeFloat8, floats...)
	f4 := make([]sqltypes.Datum, len(floats))
	for i, f := range floats {
		f4[i] = float32(f.(float64))
	}
	add(sqltypes.TypeFloat4, f4...)
	add(sqltypes.TypeInt8, ints...)
	i4 := []sqltypes.Datum{int32(0), int32(-7), int32(math.MaxInt32), int32(math.MinInt32)}
	add(sqltypes.TypeInt4, i4...)
	for _, s := range []int32{0, 2, 7, 20, 38} {
		var vals []sqltypes.Datum
		for range 100 {
			d := 1 + r.IntN(38)
			n := new(big.Int).Rand(mrand.New(mrand.NewSource(int64(r.Uint64()))), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil))
			if r.IntN(2) == 0 {
				n.Neg(n)
			}
			vals = append(vals, decimal128.FromBigInt(n))
		}
		nines, _ := new(big.Int).SetString(strings.Repeat("9", 38), 10)
		vals = append(vals, decimal128.Num{}, decimal128.FromBigInt(nines), decimal128.FromBigInt(new(big.Int).Neg(nines)), decimal128.FromI64(995), decimal128.FromI64(1))
		add(numScale(s), vals...)
	}
	for _, tc := range cases {
		b := makeBatch(t, env, testCol{tc.t, tc.vals})
		a := b.Column(0)
		for i := range tc.vals {
			for _, post := range []int{0, 1, 2, 5, 17, 40} {
				pre := 1
				want := sciTextRef(a, tc.t, i, pre, post)
				if got := string(appendSci([]byte("x"), a, tc.t, i, pre, post)); got != "x"+want {
					t.Fatalf("%s %v post %d: got %q, want %q", tc.t, tc.vals[i], post, got[1:], want)
				}
			}
		}
		b.Release()
	}
}

// sciTextRef is the former EEEE formatting (fmt.Sprintf and strings per row).
func sciTextRef(a arrow.Array, t sqltypes.Type, i, pre, post int) string {
	special := func() string {
		b := []byte(strings.Repeat("#", pre+post+6))
		b[0], b[pre+1] = ' ', '.'
		return string(b)
	}
	var dec string
	switch t.Kind {
	case sqltypes.Numeric:
		x, scale := numericAt(a, t, i)
		if isSpecial(x) {
			return special()
		}
		dec = sqltypes.FormatDecimal(x, scale)
	case sqltypes.Int8:
		dec = intText(a, t, i)
	default:
		var v float64
		if t.Kind == sqltypes.Int2 || t.Kind == sqltypes.Int4 {
			n, _ := strconv.ParseInt(intText(a, t, i), 10, 64)
			v = float64(n)
		} else {
			v, _ = floatValue(a, t, i)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return special()
		}
		s := strconv.FormatFloat(v, 'e', post, 64)
		if !strings.HasPrefix(s, "-") {
			s = " " + s
		}
		return s
	}
	neg := strings.HasPrefix(dec, "-")
	dec = strings.TrimPrefix(dec, "-")
	intPart, frac, _ := strings.Cut(dec, ".")
	digits := intPart + frac
	exp := 0
	if k := strings.IndexFunc(digits, func(r rune) bool { return r != '0' }); k >= 0 {
		exp = len(intPart) - k - 1
		digits = digits[k:]
	} else {
		digits = "0"
	}
	sig := digits[:1]
	if len(digits) > 1 {
		sig += "." + digits[1:]
	}
	_, sig = roundDigits(sig, post)
	sign, esign := " ", "+"
	if neg {
		sign = "-"
	}
	if exp < 0 {
		esign, exp = "-", -exp
	}
	return fmt.Sprintf("%s%se%s%02d", sign, sig, esign, exp)
}
