package main

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// TestQueryNumericScales: csv shows each quotient with the scale
// PostgreSQL gives it (1/3 has 20 places, 10/4 16), and the Arrow output,
// which has no per-value scale, a decimal128 column of one scale with the
// values rounded to it.
func TestQueryNumericScales(t *testing.T) {
	dir := demoDataDir(t, "0.01")
	q := "SELECT x::numeric / y AS q FROM (VALUES (1, 3), (10, 4), (NULL, 1)) v(x, y) ORDER BY 1"
	code, stdout, stderr := runCLI(t, "query", "--data-dir", dir, "--demo-scale", "0.01", "--format", "csv", q)
	// PostgreSQL 15 prints these values.
	if want := "q\n0.33333333333333333333\n2.5000000000000000\n\n"; code != 0 || stdout != want {
		t.Errorf("csv: exit %d, %q, want %q; %s", code, stdout, want, stderr)
	}
	code, stdout, stderr = runCLI(t, "query", "--data-dir", dir, "--demo-scale", "0.01", "--format", "arrow", q)
	if code != 0 {
		t.Fatalf("arrow: exit %d, %s", code, stderr)
	}
	r, err := ipc.NewReader(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if dt, ok := r.Schema().Field(0).Type.(*arrow.Decimal128Type); !ok || dt.Scale != 16 {
		t.Fatalf("arrow schema %s, want decimal128(38, 16)", r.Schema())
	}
	var got []string
	for r.Next() {
		col := r.RecordBatch().Column(0).(*array.Decimal128)
		for i := range col.Len() {
			if col.IsNull(i) {
				got = append(got, "NULL")
			} else {
				got = append(got, col.Value(i).BigInt().String())
			}
		}
	}
	// Unscaled at scale 16: 1/3 rounded, 2.5 padded.
	if want := "3333333333333333 25000000000000000 NULL"; strings.Join(got, " ") != want {
		t.Errorf("arrow values %v, want %s", got, want)
	}
}
