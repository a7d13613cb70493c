package expr

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/sqltypes"
)

// TestJSONBArrayCompare compares jsonb[] values (NULL rows and elements,
// prefixes, 1 = 1.0) with the six operators against compareDatums over
// the decoded arrays, on a batch and on a slice of it.
func TestJSONBArrayCompare(t *testing.T) {
	env := newTestEnv(t)
	docs := []any{`1`, `1.0`, `2`, `"a"`, `[]`, `{"a": 1}`, `null`, nil}
	r := rand.New(rand.NewSource(3))
	gen := func() []sqltypes.Datum {
		out := make([]sqltypes.Datum, 300)
		for i := range out {
			if r.Intn(12) == 0 {
				continue
			}
			arr := make([]any, r.Intn(4))
			for k := range arr {
				arr[k] = docs[r.Intn(len(docs))]
			}
			out[i] = arr
		}
		return out
	}
	jt := sqltypes.ListOf(sqltypes.TypeJSONB)
	batch := makeBatch(t, env, testCol{jt, gen()}, testCol{jt, gen()})
	defer batch.Release()
	sliced := batch.NewSlice(7, 250)
	defer sliced.Release()
	for _, b := range []struct {
		name string
		rb   arrow.RecordBatch
	}{{"whole", batch}, {"sliced", sliced}} {
		rb := b.rb
		for _, op := range []BinaryOp{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe} {
			e := must(Binary(op, Column(0, jt, "a"), Column(1, jt, "b")))
			got, err := evalStrings(t, env, e, rb)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				x, y := datumAt(rb.Column(0), jt, i), datumAt(rb.Column(1), jt, i)
				want := "NULL"
				if x != nil && y != nil {
					want = map[bool]string{true: "t", false: "f"}[cmpOpHolds(op, compareDatums(jt, x, y))]
				}
				if got[i] != want {
					t.Errorf("%s row %d: %v %s %v = %s, want %s", b.name, i, x, op, y, got[i], want)
				}
			}
		}
	}
}

// TestJSONBArrayCompareAllocs checks that a jsonb[] comparison does not
// allocate per element or per row: each element's sort key is encoded
// into one buffer per batch.
func TestJSONBArrayCompareAllocs(t *testing.T) {
	env := newTestEnv(t)
	jt := sqltypes.ListOf(sqltypes.TypeJSONB)
	vals := make([]sqltypes.Datum, 2000)
	for i := range vals {
		vals[i] = []any{`{"a": 1}`, `[1, 2]`, fmt.Sprint(i % 7)}
	}
	batch := makeBatch(t, env, testCol{jt, vals}, testCol{jt, vals})
	defer batch.Release()
	e := must(Binary(OpLt, Column(0, jt, "a"), Column(1, jt, "b")))
	allocs := testing.AllocsPerRun(5, func() {
		a, err := e.Eval(ctxBG, env, batch)
		if err != nil {
			t.Fatal(err)
		}
		a.Release()
	})
	if allocs > 200 {
		t.Errorf("%v allocations for %d rows, want fewer than 200", allocs, len(vals))
	}
}
