package ops

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// TestHashAggregatePresizeWithoutBudget: a query without a memory limit
// trusts a wild estimate (10^15 groups) only up to presizeUnbudgeted
// groups per input; it once sized the tables for all of them, with no
// budget to refuse it.
func TestHashAggregatePresizeWithoutBudget(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 1024) // no Budget
	s := schemaOf(i64, i64)
	inputs := []executor.Operator{source(mem, s, nil, 1024, false), source(mem, s, nil, 1024, false)}
	op, err := NewHashAggregate(env, inputs, []expr.Expr{col(0, tI8), col(1, tI8)}, []Aggregate{{Func: "count_star"}})
	if err != nil {
		t.Fatal(err)
	}
	HintGroups(op, 1e15, 1e15)
	checkPresized(t, op.(*hashAggOp), 2*presizeUnbudgeted)
	sameRows(t, mustDrain(t, op), nil)
}

// checkPresized presizes two new parts of o, keyed by two int8 columns,
// and checks that each table has slots slots.
func checkPresized(t *testing.T, o *hashAggOp, slots int) {
	t.Helper()
	parts := make([]*aggPart, 2)
	for i := range parts {
		var err error
		if parts[i], err = o.newPart(0); err != nil {
			t.Fatal(err)
		}
	}
	o.presizeParts(parts)
	for _, p := range parts {
		if got := len(p.table.(*packTable).it.sgids); got != slots {
			t.Errorf("table of %d slots, want %d", got, slots)
		}
		p.release()
	}
}

// TestHashAggregateMergePackedIntoGenericTable: a merge whose sources
// hold packed integer keys inserts them into a table that does not
// (packing given up) from key columns built from the source, where it
// once called the nil integer table.
func TestHashAggregateMergePackedIntoGenericTable(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 1024)
	s := schemaOf(i64, i64)
	op, err := NewHashAggregate(env, []executor.Operator{source(mem, s, nil, 1024, false)}, []expr.Expr{col(0, tI8), col(1, tI8)}, []Aggregate{{Func: "count_star"}})
	if err != nil {
		t.Fatal(err)
	}
	o := op.(*hashAggOp)
	src, err := o.newPart(0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.release()
	keys := make([]arrow.Array, 2)
	for c := range keys {
		bld := array.NewInt64Builder(mem)
		bld.AppendValues([]int64{1, 2, 3, 1}, nil)
		keys[c] = bld.NewArray()
		bld.Release()
	}
	src.table.insert(keys, make([]int32, 4))
	releaseArrays(keys)
	packed := packedGroups([]*aggPart{src})
	if packed == nil {
		t.Fatal("source keys not packed")
	}
	dst, err := o.newPart(0)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.release()
	gen, err := newGenTable(keyArrowTypes(o.groups), o.seed)
	if err != nil {
		t.Fatal(err)
	}
	dst.table = gen
	dst.sel, dst.gids = []int32{0, 2}, make([]int32, 3)
	if err := dst.insertFrom(src, make([][]arrow.Array, 1), packed, 0); err != nil {
		t.Fatal(err)
	}
	got := dst.table.keyArrays(mem)
	defer releaseArrays(got)
	if n := dst.table.len(); n != 2 || got[0].(*array.Int64).Value(1) != 3 {
		t.Errorf("merged %d groups (%v), want the keys 1 and 3", n, got[0])
	}
	sameRows(t, mustDrain(t, op), nil)
}
