package pgwire

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/sqltypes"
)

var allModes = []pgx.QueryExecMode{
	pgx.QueryExecModeSimpleProtocol, // simple query: text, raw row path
	pgx.QueryExecModeExec,           // extended, text parameters and results
	pgx.QueryExecModeCacheStatement, // extended, binary where pgx can
	pgx.QueryExecModeDescribeExec,
}

// pgxValue is what pgx's rows.Values() should produce for a datum of t:
// pgx is the independent decoder of both wire formats.
func pgxValue(t sqltypes.Type, v sqltypes.Datum) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case decimal128.Num:
		switch {
		case sqltypes.IsNumericNaN(x):
			return pgtype.Numeric{NaN: true, Valid: true}
		case sqltypes.IsNumericSpecial(x) && x.Sign() > 0:
			return pgtype.Numeric{InfinityModifier: pgtype.Infinity, Valid: true}
		case sqltypes.IsNumericSpecial(x):
			return pgtype.Numeric{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
		}
		return new(big.Rat).SetFrac(x.BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Scale)), nil))
	case arrow.Date32:
		return time.Unix(int64(x)*86400, 0).UTC()
	case arrow.Timestamp:
		return time.UnixMicro(int64(x)).UTC()
	case arrow.MonthDayNanoInterval:
		return pgtype.Interval{Microseconds: x.Nanoseconds / 1000, Days: x.Days, Months: x.Months, Valid: true}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pgxValue(*t.Elem, e)
		}
		return out
	case string:
		if t.Kind == sqltypes.JSON {
			var j any
			if err := json.Unmarshal([]byte(x), &j); err != nil {
				panic(err)
			}
			return j
		}
	}
	return v
}

// normalize turns pgx results into comparable values.
func normalize(v any) any {
	switch x := v.(type) {
	case pgtype.Numeric:
		if x.NaN || x.InfinityModifier != pgtype.Finite {
			return x
		}
		r, _ := new(big.Rat).SetString(x.Int.String())
		e := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(x.Exp))), nil))
		if x.Exp < 0 {
			return r.Quo(r, e)
		}
		return r.Mul(r, e)
	case time.Time:
		return x.UTC()
	}
	return v
}

func abs(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func sameValue(got, want any) bool {
	got = normalize(got)
	switch w := want.(type) {
	case *big.Rat:
		g, ok := got.(*big.Rat)
		return ok && g.Cmp(w) == 0
	case time.Time:
		g, ok := got.(time.Time)
		return ok && g.Equal(w)
	}
	return reflect.DeepEqual(got, want)
}

func TestResultTypes(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	cols, row := allTypes()
	for _, mode := range allModes {
		t.Run(mode.String(), func(t *testing.T) {
			rows, err := conn.Query(context.Background(), "alltypes", mode)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]any
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, vals)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			fds := rows.FieldDescriptions()
			if tag := rows.CommandTag().String(); tag != "SELECT 2" {
				t.Errorf("tag %q", tag)
			}
			if len(got) != 2 {
				t.Fatalf("got %d rows", len(got))
			}
			binaryCols := 0
			for _, fd := range fds {
				binaryCols += int(fd.Format)
			}
			// pgx asks for binary except for text, varchar and json.
			if wantBinary := mode == pgx.QueryExecModeCacheStatement || mode == pgx.QueryExecModeDescribeExec; wantBinary != (binaryCols == len(fds)-3) {
				t.Errorf("%d of %d columns in binary", binaryCols, len(fds))
			}
			for j, c := range cols {
				fd := fds[j]
				if fd.Name != c.Name || fd.DataTypeOID != c.Type.OID() || fd.TypeModifier != c.Type.TypeModifier() ||
					fd.DataTypeSize != c.Type.Size() || fd.TableOID != c.TableOID || fd.TableAttributeNumber != uint16(c.ColumnNumber) {
					t.Errorf("column %s: field description %+v", c.Name, fd)
				}
				if want := pgxValue(c.Type, row[j]); !sameValue(got[0][j], want) {
					t.Errorf("column %s (format %d): got %#v, want %#v", c.Name, fd.Format, got[0][j], want)
				}
				if got[1][j] != nil {
					t.Errorf("column %s: NULL row gave %#v", c.Name, got[1][j])
				}
			}
		})
	}
}

// TestTextOutput pins the exact text psql would show for every type.
func TestTextOutput(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	want := []string{
		"t", "-32768", "2147483647", "-9223372036854775808", "1.5", "1000000",
		"1234567890.12", "-12345678901234567890.1234567890", "0.05",
		"héllo, \"world\"\n", "abc", `\x00ff10`, "2024-02-29", "0044-03-15 BC",
		"2024-02-29 12:34:56.789012", "1999-12-31 23:59:59.5+00",
		"1 year 2 mons -3 days +04:05:06.000007", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
		`{"a": [1, 2]}`, "{1,NULL,3}", `{"a b","","NULL","x\"y"}`, "4294967295",
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		rows, err := conn.Query(context.Background(), "alltypes", mode)
		if err != nil {
			t.Fatal(err)
		}
		rows.Next()
		raw := rows.RawValues()
		for j, w := range want {
			if string(raw[j]) != w {
				t.Errorf("%s column %d: got %q, want %q", mode, j, raw[j], w)
			}
		}
		rows.Close()
	}
}

func TestLargeResult(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	for _, mode := range allModes {
		rows, err := conn.Query(context.Background(), "numbers", mode)
		if err != nil {
			t.Fatal(err)
		}
		n, nulls := int64(0), 0
		for rows.Next() {
			var id int64
			var name *string
			if err := rows.Scan(&id, &name); err != nil {
				t.Fatal(err)
			}
			if id != n {
				t.Fatalf("%s: row %d has id %d", mode, n, id)
			}
			if name == nil {
				nulls++
			} else if *name != fmt.Sprint("row ", id) {
				t.Fatalf("%s: row %d name %q", mode, n, *name)
			}
			n++
		}
		if rows.Err() != nil || n != 10000 || nulls != 1429 || rows.CommandTag().String() != "SELECT 10000" {
			t.Fatalf("%s: n=%d nulls=%d tag=%q err=%v", mode, n, nulls, rows.CommandTag(), rows.Err())
		}
	}
}

// TestRegclassColumn: a result column of type regclass is described as
// regclass (2205, 4 bytes) and sent as the name the engine gives in text
// (simple and extended) and as the id, an unsigned 4-byte oid, in binary
// (PostgreSQL's regclasssend).
func TestRegclassColumn(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	pc := conn.PgConn()
	for _, format := range []int16{0, 1} {
		res := pc.ExecParams(context.Background(), "regclass", nil, nil, nil, []int16{format}).Read()
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		if fd := res.FieldDescriptions[0]; fd.DataTypeOID != 2205 || fd.DataTypeSize != 4 {
			t.Errorf("format %d: described as %d (%d bytes), want regclass 2205", format, fd.DataTypeOID, fd.DataTypeSize)
		}
		var got []string
		for _, row := range res.Rows {
			got = append(got, fmt.Sprintf("%q", row[0]))
		}
		want := `["pg_class" "4294967294" ""]`
		if format == 1 {
			want = `["\x00\x00\x04\xeb" "\xff\xff\xff\xfe" ""]`
		}
		if g := "[" + strings.Join(got, " ") + "]"; g != want {
			t.Errorf("format %d: %s, want %s", format, g, want)
		}
	}
	// The last row of a limited Execute goes through psql-wire, which
	// encodes it by the column's OID.
	fe := pc.Frontend()
	fe.Send(&pgproto3.Parse{Name: "rc", Query: "regclass"})
	fe.Send(&pgproto3.Bind{DestinationPortal: "t", PreparedStatement: "rc", ResultFormatCodes: []int16{0}})
	fe.Send(&pgproto3.Bind{DestinationPortal: "b", PreparedStatement: "rc", ResultFormatCodes: []int16{1}})
	fe.Send(&pgproto3.Execute{Portal: "t", MaxRows: 1})
	fe.Send(&pgproto3.Execute{Portal: "b", MaxRows: 1})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var limited []string
	for done := false; !done; {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			limited = append(limited, fmt.Sprintf("%q", m.Values[0]))
		case *pgproto3.ErrorResponse:
			t.Errorf("limited Execute: %s %s", m.Code, m.Message)
		case *pgproto3.ReadyForQuery:
			done = true
		}
	}
	if g := strings.Join(limited, " "); g != `"pg_class" "\x00\x00\x04\xeb"` {
		t.Errorf("limited Execute rows %s", g)
	}
	rows, err := conn.Query(context.Background(), "regclass", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	if v, err := rows.Values(); err != nil || fmt.Sprint(v) != "[pg_class]" {
		t.Errorf("simple protocol: %v, %v", v, err)
	}
}
