package expr

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// TestDecimalKernelRecycledOutput: decimal +, - and * write their
// output into recycled, uncleared buffers (membudget.Filling); with the
// recycler poisoning what it keeps, every row of each result, NULL rows
// included, is what a cleared buffer gives, evaluation after evaluation.
func TestDecimalKernelRecycledOutput(t *testing.T) {
	plain := newTestEnv(t)
	checkedMem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { checkedMem.AssertSize(t, 0) })
	budget := membudget.New(membudget.Options{Limit: 64 << 20})
	recycled := *plain
	recycled.Mem = membudget.NewRecycler(checkedMem, budget, true /* poison */)
	defer budget.Close()

	t1, t2 := sqltypes.NumericType(15, 2), sqltypes.NumericType(15, 2)
	r := rand.New(rand.NewSource(11))
	vals := func() []sqltypes.Datum {
		v := make([]sqltypes.Datum, 8192)
		for i := range v {
			if r.Intn(8) != 0 {
				v[i] = decimal128.FromI64(r.Int63n(1e12) - 5e11)
			}
		}
		return v
	}
	batch := makeBatch(t, plain, testCol{t1, vals()}, testCol{t2, vals()})
	defer batch.Release()
	for _, op := range []BinaryOp{OpAdd, OpSub, OpMul} {
		e := must(Binary(op, Column(0, t1, "a"), Column(1, t2, "b")))
		want, err := e.Eval(ctxBG, plain, batch)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 { // the second and third reuse released buffers
			got, err := e.Eval(ctxBG, &recycled, batch)
			if err != nil {
				t.Fatal(err)
			}
			if !array.Equal(got, want) {
				t.Errorf("%s over recycled memory differs from over cleared memory", op)
			}
			gv, wv := values[decimal128.Num](got), values[decimal128.Num](want)
			for i := range wv {
				if gv[i] != wv[i] {
					t.Fatalf("%s: row %d (valid %v) holds %v, want %v", op, i, want.IsValid(i), gv[i], wv[i])
				}
			}
			got.Release()
		}
		want.Release()
	}
}
