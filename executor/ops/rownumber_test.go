package ops

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/meshql/meshql/executor/membudget"
)

// TestRowNumbersStream: row_number() OVER () numbers the rows in input
// order as they pass, under a budget too small to hold any of them (a
// materializing window fails there with 53200), each call its own column.
func TestRowNumbersStream(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 7)
	env.Budget = membudget.New(membudget.Options{Limit: 1, TempDir: t.TempDir()})
	rows := randomAggRows(rand.New(rand.NewPCG(3, 4)), 100, 5)
	op, err := NewWindow(env, source(mem, aggSchema, rows, 7, false),
		WindowSpec{Funcs: []WindowFunc{{Func: "row_number"}, {Func: "row_number"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(t, op)
	if err != nil {
		t.Fatal(err)
	}
	input := mustDrain(t, source(mem, aggSchema, rows, 7, false))
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i, row := range got {
		k := len(input[i])
		if !reflect.DeepEqual(row[:k], input[i]) {
			t.Fatalf("row %d: %v, want input row %v", i, row[:k], input[i])
		}
		if want := int64(i + 1); row[k] != want || row[k+1] != want {
			t.Fatalf("row %d numbered %v, %v; want %d", i, row[k], row[k+1], want)
		}
	}
}
