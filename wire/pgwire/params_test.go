package pgwire

import (
	"context"
	"encoding/binary"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/sqltypes"
)

// TestUndeterminedParameter: a parameter whose type the statement leaves
// Unknown (the query skips it) fails the Parse with 42P18, as
// PostgreSQL's does, unless the client declares its type.
func TestUndeterminedParameter(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	_, err := conn.Prepare(context.Background(), "u", "echo unknown")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != sqltypes.CodeIndeterminateDatatype {
		t.Fatalf("Prepare: got %v, want 42P18", err)
	}
}

func TestParameters(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	u := [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	ist := time.FixedZone("IST", 5*3600+1800)
	cases := []struct {
		stmt string
		arg  any
		want sqltypes.Datum // in the statement's column type
	}{
		{"echo bool", true, true},
		{"echo int2", int16(-5), int16(-5)},
		{"echo int4", int32(123456), int32(123456)},
		{"echo int8", int64(1 << 40), int64(1 << 40)},
		{"echo float4", float32(0.25), float32(0.25)},
		{"echo float8", 3.14159, 3.14159},
		{"echo numeric", pgtype.Numeric{Int: big.NewInt(12345), Exp: -2, Valid: true}, dec("123.45", 2)},
		{"echo numeric", pgtype.Numeric{Int: big.NewInt(1005), Exp: -3, Valid: true}, dec("1.01", 2)}, // rounds half away from zero
		{"echo numericbig", pgtype.Numeric{Int: mustBig("-12345678901234567890123456789"), Exp: -9, Valid: true}, dec("-12345678901234567890.123456789", 10)},
		{"echo numeric", pgtype.Numeric{NaN: true, Valid: true}, sqltypes.NumericNaN},
		{"echo numericbig", pgtype.Numeric{InfinityModifier: pgtype.Infinity, Valid: true}, sqltypes.NumericPosInf},
		{"echo numericbig", pgtype.Numeric{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, sqltypes.NumericNegInf},
		{"echo numeric", "NaN", sqltypes.NumericNaN},
		{"echo text", "héllo", "héllo"},
		{"echo varchar", "abc", "abc"},
		{"echo bytea", []byte{1, 2, 0, 255}, []byte{1, 2, 0, 255}},
		{"echo date", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), date("2024-02-29")},
		{"echo timestamp", time.Date(2024, 2, 29, 12, 34, 56, 789012000, time.UTC), ts("2024-02-29 12:34:56.789012")},
		{"echo timestamptz", time.Date(2024, 2, 29, 18, 4, 56, 500000000, ist), ts("2024-02-29 12:34:56.5")},
		{"echo interval", pgtype.Interval{Months: 14, Days: -3, Microseconds: 14706000007, Valid: true}, arrow.MonthDayNanoInterval{Months: 14, Days: -3, Nanoseconds: 14706000007000}},
		{"echo uuid", pgtype.UUID{Bytes: u, Valid: true}, u},
		{"echo json", `{"a":1}`, `{"a":1}`},
		{"echo int8", nil, nil},
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeExec, pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec} {
		for _, tc := range cases {
			rows, err := conn.Query(context.Background(), tc.stmt, mode, tc.arg)
			if err != nil {
				t.Fatalf("%s %s: %v", mode, tc.stmt, err)
			}
			var got []any
			for rows.Next() {
				if got, err = rows.Values(); err != nil {
					t.Fatal(err)
				}
			}
			if err := rows.Err(); err != nil {
				t.Errorf("%s %s(%v): %v", mode, tc.stmt, tc.arg, err)
				continue
			}
			typ := fb.defs[tc.stmt].cols[0].Type
			if want := pgxValue(typ, tc.want); len(got) != 1 || !sameValue(got[0], want) {
				t.Errorf("%s %s(%v): got %#v, want %#v", mode, tc.stmt, tc.arg, got, want)
			}
		}
	}
}

func mustBig(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return n
}

// TestDeclaredParameterTypes sends values in the format of a type the
// client declared in Parse that differs from the statement's own type.
func TestDeclaredParameterTypes(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	pc := conn.PgConn()
	be32 := func(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	cases := []struct {
		stmt   string
		oid    uint32
		format int16
		value  []byte
		want   string // text output of the result
	}{
		{"echo int8 strict", sqltypes.OIDInt4, 1, be32(-42), "-42"},
		{"echo int8 strict", sqltypes.OIDText, 0, []byte(" 42 "), "42"},
		{"echo int8 strict", sqltypes.OIDText, 1, []byte("42"), "42"},
		{"echo int8 strict", 0, 1, binary.BigEndian.AppendUint64(nil, 7), "7"},
		{"echo numeric strict", sqltypes.OIDNumeric, 0, []byte("1.005"), "1.01"},
		{"echo numeric strict", sqltypes.OIDInt4, 1, be32(12), "12.00"},
		{"echo timestamptz strict", sqltypes.OIDText, 0, []byte("2024-01-02 03:04:05.5-02:30"), "2024-01-02 05:34:05.5+00"},
		{"echo timestamptz strict", sqltypes.OIDTimestamp, 0, []byte("2024-01-02 03:04:05"), "2024-01-02 03:04:05+00"},
	}
	for _, tc := range cases {
		res := pc.ExecParams(context.Background(), tc.stmt, [][]byte{tc.value}, []uint32{tc.oid}, []int16{tc.format}, []int16{0}).Read()
		if res.Err != nil {
			t.Errorf("%s oid %d %q: %v", tc.stmt, tc.oid, tc.value, res.Err)
			continue
		}
		if len(res.Rows) != 1 || string(res.Rows[0][0]) != tc.want {
			t.Errorf("%s oid %d %q: got %q, want %q", tc.stmt, tc.oid, tc.value, res.Rows, tc.want)
		}
	}
}

func TestParameterErrors(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	pc := conn.PgConn()
	cases := []struct {
		stmt   string
		values [][]byte
		format int16
		code   string
		msg    string
	}{
		{"echo int4", [][]byte{[]byte("abc")}, 0, "22P02", `invalid input syntax for type integer: "abc"`},
		{"echo int2", [][]byte{[]byte("40000")}, 0, "22003", `value "40000" is out of range for type smallint`},
		{"echo int4", [][]byte{{1, 2}}, 1, "22P03", "incorrect binary data format in bind parameter 1"},
		{"echo date", [][]byte{[]byte("2024-02-30")}, 0, "22008", `date/time field value out of range: "2024-02-30"`},
		{"echo bool", [][]byte{[]byte("maybe")}, 0, "22P02", `invalid input syntax for type boolean: "maybe"`},
		{"echo int4", [][]byte{[]byte("1"), []byte("2")}, 0, "08P01", "bind message supplies 2 parameters, but prepared statement \"\" requires 1"},
		{"echo numeric", [][]byte{[]byte("-Infinity")}, 0, "22003", "numeric field overflow"},
		{"echo numeric", [][]byte{{0, 0, 0, 0, 0xd0, 0, 0, 0x20}}, 1, "22003", "numeric field overflow"},
	}
	for _, tc := range cases {
		res := pc.ExecParams(context.Background(), tc.stmt, tc.values, nil, []int16{tc.format}, nil).Read()
		pe := pgErr(t, res.Err)
		if pe.Code != tc.code || pe.Message != tc.msg {
			t.Errorf("%s %q: got %s %q", tc.stmt, tc.values, pe.Code, pe.Message)
		}
	}
	// The connection is still usable.
	var v int32
	if err := conn.QueryRow(context.Background(), "echo int4", 5).Scan(&v); err != nil || v != 5 {
		t.Fatalf("after errors: %v %v", v, err)
	}
}
