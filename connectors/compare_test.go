package connectors

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

func TestCompareDatums(t *testing.T) {
	num := func(s int32) sqltypes.Type { return sqltypes.NumericType(38, s) }
	d := func(v int64) decimal128.Num { return decimal128.FromI64(v) }
	big38, _ := decimal128.FromString("99999999999999999999999999999999999999", 38, 0)
	nan := math.NaN()
	cases := []struct {
		name   string
		at     sqltypes.Type
		a      any
		bt     sqltypes.Type
		b      any
		want   int
		wantOK bool
	}{
		{"int4 int8", sqltypes.TypeInt4, int32(5), sqltypes.TypeInt8, int64(6), -1, true},
		{"int2 int2", sqltypes.TypeInt2, int16(7), sqltypes.TypeInt2, int16(7), 0, true},
		{"dec scales", num(2), d(1050), num(3), d(10500), 0, true}, // 10.50 = 10.500
		{"dec scales lt", num(2), d(1050), num(3), d(10501), -1, true},
		{"int dec", sqltypes.TypeInt8, int64(10), num(1), d(101), -1, true},
		{"dec int", num(1), d(101), sqltypes.TypeInt8, int64(10), 1, true},
		{"dec negative", num(2), d(-1050), num(0), d(-10), -1, true},
		{"dec huge scale gap", num(0), big38, num(30), d(1), 1, true},
		{"dec huge scale gap neg", num(0), big38.Negate(), num(30), d(1), -1, true},
		{"float int", sqltypes.TypeFloat8, 2.5, sqltypes.TypeInt4, int32(2), 1, true},
		{"float int exact", sqltypes.TypeFloat8, 9007199254740993.0, sqltypes.TypeInt8, int64(9007199254740993), -1, true},
		{"float dec", sqltypes.TypeFloat8, 0.1, num(1), d(1), 1, true}, // 0.1 as a double is above 1/10
		{"float4 float8", sqltypes.TypeFloat4, float32(0.5), sqltypes.TypeFloat8, 0.5, 0, true},
		{"nan nan", sqltypes.TypeFloat8, nan, sqltypes.TypeFloat8, nan, 0, true},
		{"nan inf", sqltypes.TypeFloat8, nan, sqltypes.TypeFloat8, math.Inf(1), 1, true},
		{"num nan", sqltypes.TypeInt8, int64(1), sqltypes.TypeFloat8, nan, -1, true},
		{"-inf dec", sqltypes.TypeFloat8, math.Inf(-1), num(0), big38.Negate(), -1, true},
		{"text", sqltypes.TypeText, "abc", sqltypes.Type{Kind: sqltypes.Varchar}, "abd", -1, true},
		{"text bytes", sqltypes.TypeText, "é", sqltypes.TypeText, "z", 1, true}, // byte-wise
		{"bytea", sqltypes.TypeBytea, []byte{1}, sqltypes.TypeBytea, []byte{1, 0}, -1, true},
		{"bool", sqltypes.TypeBool, false, sqltypes.TypeBool, true, -1, true},
		{"date", sqltypes.TypeDate, arrow.Date32(3), sqltypes.TypeDate, arrow.Date32(2), 1, true},
		{"ts", sqltypes.TypeTimestamp, arrow.Timestamp(3), sqltypes.TypeTimestamp, arrow.Timestamp(3), 0, true},
		{"ts tz", sqltypes.TypeTimestamp, arrow.Timestamp(3), sqltypes.TypeTimestampTZ, arrow.Timestamp(3), 0, false},
		{"date ts", sqltypes.TypeDate, arrow.Date32(3), sqltypes.TypeTimestamp, arrow.Timestamp(3), 0, false},
		{"text int", sqltypes.TypeText, "1", sqltypes.TypeInt4, int32(1), 0, false},
		{"null", sqltypes.TypeInt4, nil, sqltypes.TypeInt4, int32(1), 0, false},
		{"bad repr", sqltypes.TypeInt4, "x", sqltypes.TypeInt4, int32(1), 0, false},
	}
	for _, tc := range cases {
		got, ok := CompareDatums(tc.at, tc.a, tc.bt, tc.b)
		if ok != tc.wantOK || (ok && got != tc.want) {
			t.Errorf("%s: got (%d, %v), want (%d, %v)", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}

// TestCompareDecimalsRandom checks mixed-scale decimal comparison against
// big.Rat arithmetic.
func TestCompareDecimalsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		sa, sb := int32(rng.IntN(40)), int32(rng.IntN(40))
		a := decimal128.New(rng.Int64N(1<<20)-1<<19, rng.Uint64())
		if rng.IntN(2) == 0 {
			a = decimal128.FromI64(rng.Int64() >> rng.IntN(64))
		}
		b := decimal128.FromI64(rng.Int64() >> rng.IntN(64))
		got, ok := CompareDatums(sqltypes.NumericType(38, sa), a, sqltypes.NumericType(38, sb), b)
		ra := new(big.Rat).SetFrac(a.BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(sa)), nil))
		rb := new(big.Rat).SetFrac(b.BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(sb)), nil))
		if want := ra.Cmp(rb); !ok || got != want {
			t.Fatalf("%s@%d vs %s@%d: got %d, want %d", a.BigInt(), sa, b.BigInt(), sb, got, want)
		}
	}
}
