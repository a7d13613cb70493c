package pgwire

import (
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/sqltypes"
)

func TestParseText(t *testing.T) {
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	iv := func(m, d int32, us int64) arrow.MonthDayNanoInterval {
		return arrow.MonthDayNanoInterval{Months: m, Days: d, Nanoseconds: us * 1000}
	}
	cases := []struct {
		typ  sqltypes.Type
		in   string
		loc  *time.Location
		want sqltypes.Datum
	}{
		{sqltypes.TypeBool, " TRUE ", nil, true},
		{sqltypes.TypeBool, "y", nil, true},
		{sqltypes.TypeBool, "off", nil, false},
		{sqltypes.TypeBool, "0", nil, false},
		{sqltypes.TypeInt8, "-9223372036854775808", nil, int64(-9223372036854775808)},
		{sqltypes.TypeFloat8, "Infinity", nil, float64(posInf())},
		{sqltypes.TypeFloat8, "1e-310", nil, 1e-310}, // a denormal; 1e-400 is 22003 (below)
		{sqltypes.TypeBytea, `\x00FF`, nil, []byte{0, 255}},
		{sqltypes.TypeBytea, `a\\b\001`, nil, []byte{'a', '\\', 'b', 1}},
		{sqltypes.TypeUUID, "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}", nil, [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}},
		{sqltypes.TypeDate, "2024-02-29", nil, date("2024-02-29")},
		{sqltypes.TypeDate, "2024-02-29 23:59:59", nil, date("2024-02-29")},
		{sqltypes.TypeDate, "0044-03-15 BC", nil, arrow.Date32(sqltypes.DaysFromCivil(-43, 3, 15))},
		{sqltypes.TypeTimestamp, "2024-02-29T12:34:56.7890125", nil, ts("2024-02-29 12:34:56.789012")}, // as PostgreSQL 15 reads it
		{sqltypes.TypeTimestamp, "2024-02-29 12:34:56+05", nil, ts("2024-02-29 12:34:56")},
		{sqltypes.TypeTimestamp, "2024-02-29 24:00:00", nil, ts("2024-03-01 00:00:00")},
		{sqltypes.TypeTimestampTZ, "2024-02-29 12:34:56Z", nil, ts("2024-02-29 12:34:56")},
		{sqltypes.TypeTimestampTZ, "2024-02-29 12:34:56 -0330", nil, ts("2024-02-29 16:04:56")},
		{sqltypes.TypeTimestampTZ, "2024-02-29 12:34:56+05:30:10", nil, ts("2024-02-29 07:04:46")},
		{sqltypes.TypeTimestampTZ, "2024-01-02 08:34:05.5", kolkata, ts("2024-01-02 03:04:05.5")},
		{sqltypes.TypeInterval, "1 year 2 mons -3 days 04:05:06.000007", nil, iv(14, -3, 14706000007)},
		{sqltypes.TypeInterval, "-1 days +02:00:00", nil, iv(0, -1, 7200e6)},
		{sqltypes.TypeInterval, "@ 1 day 2 hours ago", nil, iv(0, -1, -7200e6)},
		{sqltypes.TypeInterval, "1.5 days", nil, iv(0, 1, 43200e6)},
		{sqltypes.TypeInterval, "1.5 months", nil, iv(1, 15, 0)},
		{sqltypes.TypeInterval, "2 weeks 3h 10min", nil, iv(0, 14, 3*3600e6+600e6)},
		{sqltypes.TypeInterval, "10", nil, iv(0, 0, 10e6)},
		{sqltypes.TypeInterval, "P1Y2M3DT4H5M6.5S", nil, iv(14, 3, 14706500000)},
		{sqltypes.TypeInterval, "PT0S", nil, iv(0, 0, 0)},
		{sqltypes.TypeInterval, "1 mon 2 day 03:04:05.000006", nil, iv(1, 2, 11045000006)}, // pgx's text form
		{sqltypes.TypeUnknown, "anything", nil, "anything"},
	}
	for _, tc := range cases {
		got, err := parseText(tc.in, tc.typ, sqltypes.InputContext{Loc: tc.loc})
		if err != nil {
			t.Errorf("%s %q: %v", tc.typ, tc.in, err)
			continue
		}
		if sqltypes.FormatValue(tc.typ, got) != sqltypes.FormatValue(tc.typ, tc.want) {
			t.Errorf("%s %q: got %v, want %v", tc.typ, tc.in, sqltypes.FormatValue(tc.typ, got), sqltypes.FormatValue(tc.typ, tc.want))
		}
	}
	for _, tc := range []struct {
		typ  sqltypes.Type
		in   string
		code string
	}{
		{sqltypes.TypeBool, "o", sqltypes.CodeInvalidTextRepr},
		{sqltypes.TypeFloat4, "1e39", sqltypes.CodeNumericOutOfRange},
		{sqltypes.TypeFloat8, "1e-400", sqltypes.CodeNumericOutOfRange}, // PostgreSQL 15: out of range
		{sqltypes.TypeFloat4, "1e-46", sqltypes.CodeNumericOutOfRange},
		{sqltypes.TypeBytea, `\q`, sqltypes.CodeInvalidTextRepr},
		{sqltypes.TypeDate, "2023-02-29", sqltypes.CodeDatetimeFieldOverflow},
		{sqltypes.TypeTimestamp, "2024-01-01 25:00:00", sqltypes.CodeDatetimeFieldOverflow},
		{sqltypes.TypeTimestamp, "someday", sqltypes.CodeInvalidDatetimeFormat},
		{sqltypes.TypeDate, "13/01/2024", sqltypes.CodeDatetimeFieldOverflow}, // MDY
		{sqltypes.TypeInterval, "1 fortnight", sqltypes.CodeInvalidDatetimeFormat},
		{sqltypes.NumericType(10, 2), "abc", sqltypes.CodeInvalidTextRepr},
		{typInt4Arr, "{1,x}", sqltypes.CodeInvalidTextRepr},
		{typInt4Arr, "{1", sqltypes.CodeInvalidTextRepr},
	} {
		if _, err := parseText(tc.in, tc.typ, sqltypes.InputContext{}); sqltypes.Code(err) != tc.code {
			t.Errorf("%s %q: got %v, want %s", tc.typ, tc.in, err, tc.code)
		}
	}
}

func posInf() float64 { var z float64; return 1 / z }

// TestSCRAMVector checks the verifier and proof arithmetic against the
// RFC 7677 test vector.
func TestSCRAMVector(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v := deriveVerifier("pencil", salt, 4096)
	clientFirstBare := "n=user,r=rOprNGfwEbeRWgbNEkqO"
	serverFirst := "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	final := "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	withoutProof, proof, err := parseClientFinal(final, "n,,", "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
	if err != nil {
		t.Fatal(err)
	}
	auth := []byte(clientFirstBare + "," + serverFirst + "," + withoutProof)
	sig := hmacSHA256(v.StoredKey, auth)
	key := make([]byte, len(proof))
	for i := range proof {
		key[i] = proof[i] ^ sig[i]
	}
	if h := sha256.Sum256(key); string(h[:]) != string(v.StoredKey) {
		t.Fatal("RFC 7677 proof does not verify")
	}
	if got := base64.StdEncoding.EncodeToString(hmacSHA256(v.ServerKey, auth)); got != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Fatalf("server signature %s", got)
	}
	if _, _, _, err := parseClientFirst("p=tls-server-end-point,,n=,r=x"); err == nil {
		t.Fatal("channel binding accepted")
	}
}

// FuzzDecodeParam checks that no parameter bytes make the decoders panic.
func FuzzDecodeParam(f *testing.F) {
	for _, s := range []string{"1 day 02:00", "2024-02-29 12:00:00+05:30 BC", `\x0102`, "P1Y", "{1,2}", "1e400", "-", "@ ago"} {
		f.Add([]byte(s), uint8(0), false)
	}
	f.Add([]byte{0, 2, 0xff, 0xff, 0x40, 0, 0, 7, 0, 1, 9, 36}, uint8(7), true)
	kinds := []sqltypes.Type{
		sqltypes.TypeBool, sqltypes.TypeInt2, sqltypes.TypeInt4, sqltypes.TypeInt8, sqltypes.TypeFloat4, sqltypes.TypeFloat8,
		sqltypes.NumericType(12, 2), sqltypes.TypeText, sqltypes.TypeBytea, sqltypes.TypeDate, sqltypes.TypeTimestamp,
		sqltypes.TypeTimestampTZ, sqltypes.TypeInterval, sqltypes.TypeUUID, sqltypes.TypeJSON, typInt4Arr,
	}
	f.Fuzz(func(t *testing.T, raw []byte, k uint8, binaryFormat bool) {
		typ := kinds[int(k)%len(kinds)]
		var err error
		if binaryFormat {
			_, err = decodeBinaryParam(raw, typ.OID(), typ, sqltypes.InputContext{Loc: time.UTC}, 1)
		} else {
			_, err = parseText(string(raw), typ, sqltypes.InputContext{Loc: time.UTC})
		}
		if err != nil && sqltypes.Code(err) == sqltypes.CodeInternal {
			t.Fatalf("untyped error: %v", err)
		}
	})
}

// TestBinaryDateParamRange checks binary date and timestamp parameters
// as PostgreSQL's date_recv and timestamp_recv read them: ±infinity pass,
// a finite value past the type's range is 22008 (it used to wrap into a
// wrong date). The expectations are PostgreSQL 15's answers to the same
// bytes sent as binary parameters of SELECT $1::text.
func TestBinaryDateParamRange(t *testing.T) {
	ctx := sqltypes.InputContext{Loc: time.UTC}
	for _, c := range []struct {
		typ  sqltypes.Type
		raw  []byte
		want string // FormatValue of the result, or the SQLSTATE
	}{
		{sqltypes.TypeDate, []byte{0, 0, 0, 0}, "2000-01-01"},
		{sqltypes.TypeDate, []byte{0x7f, 0xff, 0xff, 0xff}, "infinity"},
		{sqltypes.TypeDate, []byte{0x80, 0, 0, 0}, "-infinity"},
		{sqltypes.TypeDate, []byte{0x7f, 0xff, 0xff, 0xfe}, "22008"},
		{sqltypes.TypeTimestamp, []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "infinity"},
		{sqltypes.TypeTimestamp, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "1999-12-31 23:59:59.999999"},
		{sqltypes.TypeTimestampTZ, []byte{0x80, 0, 0, 0, 0, 0, 0, 1}, "22008"},
	} {
		v, err := decodeBinaryParam(c.raw, c.typ.OID(), c.typ, ctx, 1)
		got := sqltypes.Code(err)
		if err == nil {
			got = sqltypes.FormatValue(c.typ, v)
		}
		if got != c.want {
			t.Errorf("%s %x: got %s (%v), want %s", c.typ, c.raw, got, err, c.want)
		}
	}
}
