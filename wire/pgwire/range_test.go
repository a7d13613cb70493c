package pgwire

import (
	"bytes"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/sqltypes"
)

// TestRangeBinary: range_send's bytes read back through range_recv's
// decoder as the same range, and agree with pgx's range codec (the
// clients test compares them with PostgreSQL's own output).
func TestRangeBinary(t *testing.T) {
	m := pgtype.NewMap()
	i4, i8, date := sqltypes.Type{Kind: sqltypes.Int4Range}, sqltypes.Type{Kind: sqltypes.Int8Range}, sqltypes.Type{Kind: sqltypes.DateRange}
	day := func(s string) pgtype.Date {
		d, _ := time.Parse("2006-01-02", s)
		return pgtype.Date{Time: d, Valid: true}
	}
	for _, tc := range []struct {
		t    sqltypes.Type
		text string
		pgx  any
	}{
		{i4, "[1,5)", pgtype.Range[pgtype.Int4]{Lower: pgtype.Int4{Int32: 1, Valid: true}, Upper: pgtype.Int4{Int32: 5, Valid: true}, LowerType: pgtype.Inclusive, UpperType: pgtype.Exclusive, Valid: true}},
		{i4, "empty", pgtype.Range[pgtype.Int4]{LowerType: pgtype.Empty, UpperType: pgtype.Empty, Valid: true}},
		{i4, "(,-3)", pgtype.Range[pgtype.Int4]{Upper: pgtype.Int4{Int32: -3, Valid: true}, LowerType: pgtype.Unbounded, UpperType: pgtype.Exclusive, Valid: true}},
		{i8, "[-9223372036854775808,)", pgtype.Range[pgtype.Int8]{Lower: pgtype.Int8{Int64: -1 << 63, Valid: true}, LowerType: pgtype.Inclusive, UpperType: pgtype.Unbounded, Valid: true}},
		{date, "[2024-01-01,2024-02-01)", pgtype.Range[pgtype.Date]{Lower: day("2024-01-01"), Upper: day("2024-02-01"), LowerType: pgtype.Inclusive, UpperType: pgtype.Exclusive, Valid: true}},
	} {
		r, err := sqltypes.ReadRange(tc.t, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		got := appendRangeBinary(nil, r)
		want, err := m.Encode(tc.t.OID(), pgtype.BinaryFormatCode, tc.pgx, nil)
		if err != nil {
			t.Fatalf("%s: pgx: %v", tc.text, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s %s: sent %x, pgx %x", tc.t, tc.text, got, want)
		}
		back, err := sqltypes.DecodeRangeBinary(got, tc.t)
		if err != nil || sqltypes.FormatRange(tc.t, back) != tc.text {
			t.Errorf("%s %s: read back %s, %v", tc.t, tc.text, sqltypes.FormatRange(tc.t, back), err)
		}
	}
	// numrange keeps each bound's display scale; tstzrange its instant.
	for _, tc := range []struct{ t, text string }{
		{"numrange", "(1.50,Infinity]"}, {"numrange", "[-0.001,12345678901234567890.5)"},
		{"tsrange", `["2024-01-01 10:00:00.5",)`}, {"tstzrange", `(,"2000-01-01 00:00:00+00"]`}, {"daterange", "[-infinity,infinity]"},
	} {
		typ, _ := sqltypes.ParseType(tc.t)
		r, err := sqltypes.ReadRange(typ, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		back, err := sqltypes.DecodeRangeBinary(appendRangeBinary(nil, r), typ)
		if err != nil || sqltypes.FormatRange(typ, back) != tc.text {
			t.Errorf("%s %s: read back %s, %v", tc.t, tc.text, sqltypes.FormatRange(typ, back), err)
		}
	}
	// range_recv canonicalizes and checks what it reads.
	for raw, want := range map[string]string{
		"\x06\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x05": "[1,6)",
		"\x00\x00\x00\x00\x04\x00\x00\x00\x05\x00\x00\x00\x04\x00\x00\x00\x05": "empty",
		"\x02\x00\x00\x00\x04\x00\x00\x00\x05\x00\x00\x00\x04\x00\x00\x00\x01": "error 22000",
		"\x02\x00\x00\x00\x04\x00\x00\x00":                                     "error 22P03",
		"\x01\x00":                                                             "error 22P03",
	} {
		r, err := sqltypes.DecodeRangeBinary([]byte(raw), i4)
		got := sqltypes.FormatRange(i4, r)
		if err != nil {
			got = "error"
			if c := sqltypes.Code(err); c != sqltypes.CodeInternal {
				got += " " + c
			}
		}
		if got != want {
			t.Errorf("%x: got %s, want %s", raw, got, want)
		}
	}
}

// TestRangeText: the text the session sees follows its TimeZone and
// DateStyle; other ranges go out as held.
func TestRangeText(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // sqltypes embeds the tz database
	}
	tstz := sqltypes.Type{Kind: sqltypes.TstzRange}
	if got := string(encodeOne(t, tstz, `["2024-01-01 15:00:00+00",)`, encEnv{loc: ny}, false)); got != `["2024-01-01 10:00:00-05",)` {
		t.Errorf("tstzrange in New York: %s", got)
	}
	if got := string(encodeOne(t, sqltypes.Type{Kind: sqltypes.Int4Range}, "[1,5)", encEnv{loc: ny}, false)); got != "[1,5)" {
		t.Errorf("int4range: %s", got)
	}
}
