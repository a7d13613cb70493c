package pgwire

import (
	"context"
	"testing"
)

// TestOidParamRoundTrip: an oid parameter is read in text (oidin, where
// '-1' is 4294967295) and in binary (4 unsigned bytes), and an oid result
// column is described as oid (26, 4 bytes) and decoded by pgx as the
// unsigned value in every mode.
func TestOidParamRoundTrip(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	for _, mode := range allModes[1:] { // the fake's "echo" has no $1 to put a literal in
		for _, in := range []any{uint32(4294967295), "4294967295", "-1"} {
			rows, err := conn.Query(context.Background(), "echo oid", mode, in)
			if err != nil {
				t.Fatalf("%s %v: %v", mode, in, err)
			}
			var got uint32
			for rows.Next() {
				if err := rows.Scan(&got); err != nil {
					t.Fatalf("%s %v: %v", mode, in, err)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("%s %v: %v", mode, in, err)
			}
			if fd := rows.FieldDescriptions()[0]; fd.DataTypeOID != 26 || fd.DataTypeSize != 4 {
				t.Errorf("%s: described as %d (%d bytes), want oid 26", mode, fd.DataTypeOID, fd.DataTypeSize)
			}
			if got != 4294967295 {
				t.Errorf("%s %v: got %d", mode, in, got)
			}
		}
	}
}
