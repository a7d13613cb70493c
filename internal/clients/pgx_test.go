package clients

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// pgxChecks are checks that need no client program, only pgx, against
// meshql and PostgreSQL holding the same data (TestClients runs them on its
// fixture).
var pgxChecks = []struct {
	name string
	run  func(t *testing.T, f *fixture)
}{
	{"numeric-params", checkNumericParams},
}

// pgxURI is tg as a pgx connection string.
func pgxURI(tg target) string {
	return fmt.Sprintf("postgres://%s:%s@%s:%s/%s?sslmode=%s", tg.user, tg.pw, tg.host, tg.port, tg.db, tg.sslmode)
}

func connectTarget(t *testing.T, tg target) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pgxURI(tg))
	if err != nil {
		t.Fatalf("connect to %s: %v", tg.name, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgxQuery is one extended-protocol query: parameters in the given formats
// (0 text, 1 binary) with the OIDs declared in Parse (0: inferred).
type pgxQuery struct {
	sql     string
	params  [][]byte
	oids    []uint32
	formats []int16
}

// execText runs q and returns the rows as text, "NULL" for NULL, cells
// joined by "|".
func execText(ctx context.Context, conn *pgx.Conn, q pgxQuery) ([]string, error) {
	res := conn.PgConn().ExecParams(ctx, q.sql, q.params, q.oids, q.formats, []int16{0}).Read()
	if res.Err != nil {
		return nil, res.Err
	}
	var out []string
	for _, row := range res.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = "NULL"
			if v != nil {
				cells[i] = string(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out, nil
}

// compareQueries runs each query on PostgreSQL and on meshql and reports
// every difference in the text results.
func compareQueries(t *testing.T, f *fixture, queries []pgxQuery) {
	t.Helper()
	mq, pg := connectTarget(t, f.meshql), connectTarget(t, f.postgres)
	for _, q := range queries {
		want, err := execText(t.Context(), pg, q)
		if err != nil {
			t.Fatalf("%s %q on postgres: %v", q.sql, q.params, err)
		}
		got, err := execText(t.Context(), mq, q)
		if err != nil {
			t.Errorf("%s %q on meshql: %v", q.sql, q.params, err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s %q:\nmeshql   %q\npostgres %q", q.sql, q.params, got, want)
		}
	}
}

// numericBinary is numeric_send's format of digits (base-10000 groups,
// most significant first) with the given weight and display scale.
func numericBinary(neg bool, weight, dscale int16, digits ...uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(digits)))
	b = binary.BigEndian.AppendUint16(b, uint16(weight))
	sign := uint16(0)
	if neg {
		sign = 0x4000
	}
	b = binary.BigEndian.AppendUint16(b, sign)
	b = binary.BigEndian.AppendUint16(b, uint16(dscale))
	for _, d := range digits {
		b = binary.BigEndian.AppendUint16(b, d)
	}
	return b
}

// checkNumericParams sends numeric values to parameters of numeric type
// without a modifier, in text and in binary: each value keeps its own
// scale, as in PostgreSQL.
func checkNumericParams(t *testing.T, f *fixture) {
	const oidNumeric = 1700
	var qs []pgxQuery
	for _, v := range []string{"1.50", "7", "-0.001", "12345678901234567890.123", "1.5e3", "2.5E-3", " 42.0 ", "0.0000000000001"} {
		for _, sql := range []string{"SELECT $1::numeric", "SELECT $1::numeric * 2, $1::numeric + 0.5", "SELECT CAST($1 AS numeric) AS n"} {
			qs = append(qs, pgxQuery{sql, [][]byte{[]byte(v)}, []uint32{0}, []int16{0}})
		}
	}
	// Declared numeric, binary: 1.50 (groups 1, 5000; dscale 2) and
	// -123456.7 (12, 3456, 7000; dscale 1).
	for _, raw := range [][]byte{numericBinary(false, 0, 2, 1, 5000), numericBinary(true, 1, 1, 12, 3456, 7000)} {
		qs = append(qs, pgxQuery{"SELECT $1::numeric, $1::numeric * 4 - 1", [][]byte{raw}, []uint32{oidNumeric}, []int16{1}})
	}
	// Two parameters of different scales, run again with other scales and
	// then the first ones (one analysis is cached per combination).
	for _, vs := range [][2]string{{"1.25", "3"}, {"2", "0.125"}, {"1.25", "3"}} {
		qs = append(qs, pgxQuery{"SELECT $1::numeric + $2::numeric, $1::numeric, $2::numeric", [][]byte{[]byte(vs[0]), []byte(vs[1])}, []uint32{0, 0}, []int16{0}})
	}
	compareQueries(t, f, qs)
}
