package clients

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
)

// checkBpchar: character(n) results carry type OID 1042 and typmod n+4
// (what psql and pgx see as character(n)), come back blank-padded in text
// and binary, and character(n) parameters in text and binary are padded
// and truncated as PostgreSQL's input does.
func checkBpchar(t *testing.T, f *fixture) {
	const oidBpchar = 1042
	const q = "SELECT 'ab'::char(5) AS c, 'x'::char, NULL::character(3), 'a'::bpchar, ARRAY['a'::char(2), 'b']"
	compareOn(t, f, "character(n) column types", func(conn *pgx.Conn) ([]string, error) {
		rows, err := conn.Query(t.Context(), q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for _, fd := range rows.FieldDescriptions() {
			out = append(out, fmt.Sprintf("%s %d %d", fd.Name, fd.DataTypeOID, fd.TypeModifier))
		}
		return out, nil
	})
	compareBinaryRow(t, f, "character(n) results in binary", q)
	compareQueries(t, f, []pgxQuery{
		{q, nil, nil, []int16{0}},
		{"SELECT $1::char(4), $1::char(4) = 'ab', length($1::char(4))", [][]byte{[]byte("ab")}, []uint32{0}, []int16{0}},
		{"SELECT $1, $1 = 'ab  ', octet_length($1)", [][]byte{[]byte("ab")}, []uint32{oidBpchar}, []int16{0}},
		{"SELECT $1, $1 || '|'", [][]byte{[]byte("ab ")}, []uint32{oidBpchar}, []int16{1}},
	})
}
