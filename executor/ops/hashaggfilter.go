package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
)

// Filters folded into the hash aggregate. A filter that keeps most rows
// of a batch (TPC-H Q1 keeps 98%) would copy nearly all of them into a
// new batch only for the aggregate to read them once. Instead the
// aggregate reads the filter's input itself: it evaluates the predicate,
// then the keys and arguments on the whole batch, and gives the rows that
// failed the predicate group -1, which every accumulator skips. Batches
// of which few rows pass are still copied (evaluating the arguments on
// rows that are then dropped would cost more than the copy), and so is
// every batch once the part spills.

// fuseFilters replaces each input of o that is a filter by the filter's
// input, remembering its predicate in o.preds, when every aggregate
// accepts rows it skips: aggregates that keep their arguments
// (array_agg, DISTINCT, ORDER BY, …) would account the skipped ones too.
func (o *hashAggOp) fuseFilters() {
	for _, a := range o.aggs {
		if retains(a) {
			return
		}
	}
	for i, in := range o.inputs {
		// filterOp's Open and Close only forward to its child.
		if f, ok := in.(*filterOp); ok {
			if o.preds == nil {
				o.preds = make([]*rowFilter, len(o.inputs))
			}
			o.inputs[i], o.preds[i] = f.child, f.where
		}
	}
}

// pred returns the predicate folded from input i, or nil.
func (o *hashAggOp) pred(i int) *rowFilter {
	if o.preds == nil {
		return nil
	}
	return o.preds[i]
}

// consumeWhere folds the rows of b for which pred (nil: none) is TRUE.
func (p *aggPart) consumeWhere(ctx context.Context, b arrow.RecordBatch, pred *rowFilter) error {
	if pred == nil {
		return p.consume(ctx, b)
	}
	mem := p.o.env.Mem
	var err error
	if p.sel, err = pred.selectRows(ctx, p.o.env, b, p.sel); err != nil {
		return err
	}
	n := int(b.NumRows())
	switch {
	case len(p.sel) == 0:
		return nil
	case len(p.sel) == n:
		return p.consume(ctx, b)
	case p.spill == nil && 4*len(p.sel) >= 3*n:
		if done, err := p.consumeSelected(ctx, b); done || err != nil {
			return err
		}
	}
	fb, err := takeBatch(mem, b.Schema(), b.Columns(), p.sel)
	if err != nil {
		return err
	}
	defer fb.Release()
	return p.consume(ctx, fb)
}

// consumeSelected folds the rows p.sel of b, evaluating keys and
// arguments on all of b. It reports false, having changed nothing, when
// that evaluation raised a data error: the error may come from a row the
// filter drops (x <> 0 … sum(1/x)), so the caller evaluates again on the
// selected rows only.
func (p *aggPart) consumeSelected(ctx context.Context, b arrow.RecordBatch) (bool, error) {
	keys, err := p.o.evalKeys(ctx, b)
	if err != nil {
		return false, nonDataError(err)
	}
	defer releaseArrays(keys)
	in, err := p.evalInputs(ctx, b)
	if err != nil {
		return false, nonDataError(err)
	}
	defer in.release()
	n := int(b.NumRows())
	p.gids = growTo(p.gids[:0], n)[:n]
	before := p.held()
	if err := p.insertKeys(ctx, keys, p.sel); err != nil {
		return true, err
	}
	grown, err := p.update(in)
	if err != nil {
		return true, err
	}
	return true, p.account(p.held() - before + grown)
}

// nonDataError returns err unless it is a data error.
func nonDataError(err error) error {
	if expr.IsDataError(err) {
		return nil
	}
	return err
}

// selInserter is a hashTable that can insert some rows of a batch only.
type selInserter interface {
	// insertSelected is insert for the rows sel (ascending) of keys;
	// the other rows get group -1.
	insertSelected(keys []arrow.Array, sel, gids []int32)
}

// insertSelected sets p.gids to the groups of the rows p.sel of keys
// (adding groups) and -1 for the other rows.
func (p *aggPart) insertSelected(keys []arrow.Array) error {
	if t, ok := p.table.(selInserter); ok {
		t.insertSelected(keys, p.sel, p.gids)
		return nil
	}
	return insertTaken(p.o.env.Mem, p.table, keys, p.sel, p.gids)
}

// insertTaken is insertSelected for any table: it inserts a copy of the
// selected rows.
func insertTaken(mem memory.Allocator, t hashTable, keys []arrow.Array, sel, gids []int32) error {
	taken, err := takeColumns(mem, keys, sel)
	if err != nil {
		return err
	}
	defer releaseArrays(taken)
	sub := make([]int32, len(sel))
	t.insert(taken, sub)
	for i := range gids {
		gids[i] = -1
	}
	for k, r := range sel {
		gids[r] = sub[k]
	}
	return nil
}

// insertSelected implements selInserter.
func (constTable) insertSelected(_ []arrow.Array, sel, gids []int32) {
	for i := range gids {
		gids[i] = -1
	}
	for _, r := range sel {
		gids[r] = 0
	}
}

// trueBits returns a bitmap (offset 0) of the rows where a boolean
// predicate result is TRUE: NULL and FALSE rows are clear, and so is
// every row of a Null-typed array.
func trueBits(pred arrow.Array) []byte {
	n := pred.Len()
	out := make([]byte, (n+7)/8)
	b, ok := pred.(*array.Boolean)
	if !ok {
		return out
	}
	data, off := boolBits(b)
	if data == nil {
		return out
	}
	bitutil.CopyBitmap(data, off, n, out, 0)
	if v := validityOf(b); v.Bits != nil {
		bitutil.BitmapAnd(out, v.Bits, 0, int64(v.Off), out, 0, int64(n))
	}
	return out
}

// maskGroups sets dst[i] to gids[i] where bit i of mask is set and to -1
// (the group every accumulator skips) elsewhere. gids are ≥ -1.
func maskGroups(dst, gids []int32, mask []byte) {
	dst = dst[:len(gids)]
	for base := 0; base < len(gids); base += 8 {
		x := int32(mask[base/8])
		end := min(base+8, len(gids))
		if x == 0xff && end-base == 8 {
			copy(dst[base:end], gids[base:end])
			continue
		}
		for i := base; i < end; i++ {
			keep := x >> (i - base) & 1
			dst[i] = (gids[i]+1)*keep - 1
		}
	}
}
