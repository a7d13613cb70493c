package ops

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// The partial states of parallel inputs are merged into one part by
// absorb, on one goroutine. With many groups (TPC-H Q18's 1.5M orders)
// that merge and the final result took about half the query on two
// workers, more than the aggregation itself. mergeParallel instead splits
// the groups by a hash of their keys into one partition per input and
// merges the partitions on as many goroutines, each producing its own
// result batch.

// parallelMergeMin is the groups of all parts from which the merge runs
// in parallel: below it, starting goroutines and hashing the keys again
// costs more than it saves.
const parallelMergeMin = 1 << 15

// splitMerger is an accumulator whose merge only reads the per-group
// state of its source and skips source groups mapped to -1, so that
// several parts can merge disjoint groups of one source at once.
type splitMerger interface {
	// prepareSplit readies the source for concurrent merges (folding
	// anything merge would otherwise fold in the source).
	prepareSplit() error
}

func (a *countAcc) prepareSplit() error     { return nil }
func (a *statsAcc) prepareSplit() error     { return nil }
func (a *minMaxAcc[T]) prepareSplit() error { return nil }
func (a *sumAcc) prepareSplit() error {
	if !a.flush() {
		return errNumericOverflow()
	}
	return nil
}

// canMergeParallel reports whether parts (none of which spilled) can be
// merged by mergeParallel.
func (o *hashAggOp) canMergeParallel(parts []*aggPart) bool {
	if len(parts) < 2 || len(o.groups) == 0 || len(o.tasks) > 0 {
		return false
	}
	n := 0
	for _, p := range parts {
		if p.spill != nil {
			return false
		}
		for _, a := range p.accs {
			if _, ok := a.(splitMerger); !ok {
				return false
			}
		}
		n += p.table.len()
	}
	return n >= parallelMergeMin
}

// mergeParallel merges parts (releasing them) into len(parts) result
// batches, one per partition of the groups' key hashes. It reports
// false, having changed nothing, when the budget refuses the memory of
// the merged tables; the caller then merges on one goroutine.
func (o *hashAggOp) mergeParallel(ctx context.Context, parts []*aggPart) ([]arrow.RecordBatch, bool, error) {
	var cost int64
	for _, p := range parts {
		cost += p.bytes
	}
	if !o.res.TryGrow(cost) {
		return nil, false, nil
	}
	defer o.res.Shrink(cost)
	mem := o.env.Mem
	types := keyArrowTypes(o.groups)
	hasher, err := newRowHasher(types, o.seed)
	if err != nil {
		return nil, true, err
	}
	nparts := len(parts)
	keys := make([][]arrow.Array, nparts)
	sel := make([][][]int32, nparts) // per source part, per partition: its groups
	defer func() {
		for _, k := range keys {
			releaseArrays(k)
		}
	}()
	packed := packedGroups(parts)
	for i, p := range parts {
		for _, a := range p.accs {
			a.grow(p.table.len())
			if err := a.(splitMerger).prepareSplit(); err != nil {
				return nil, true, err
			}
		}
		n := p.table.len()
		sel[i] = make([][]int32, nparts)
		if packed != nil {
			for g, k := range packed[i] {
				// Mixed apart from the tables' Fibonacci slots: a bit of
				// k·fibMul can be constant over correlated pairs (a key
				// and its parity put every group in one partition).
				d := fmix64(uint64(k)) % uint64(nparts)
				sel[i][d] = append(sel[i][d], int32(g))
			}
			continue
		}
		keys[i] = p.table.keyArrays(mem)
		for g, h := range hasher.hash(keys[i], n) {
			d := (h >> 32) % uint64(nparts)
			sel[i][d] = append(sel[i][d], int32(g))
		}
	}
	out, err := mergeInParallel(nparts, func(d int) (arrow.RecordBatch, error) {
		return o.mergePartition(ctx, parts, keys, packed, sel, d)
	})
	if err != nil {
		return nil, true, err
	}
	for i, p := range parts {
		p.release()
		parts[i] = nil
	}
	return out, true, nil
}

// packedGroups returns the keys of every part's groups when each part
// holds them as integers, one 64-bit key or packed ones (int64Table),
// without a NULL group: the merge then routes and inserts those integers
// as they are, where it would otherwise build key columns from them, hash
// the columns and pack them again (a third of the analyst cohort query's
// merge). Else nil.
func packedGroups(parts []*aggPart) [][]int64 {
	out := make([][]int64, len(parts))
	for i, p := range parts {
		t := int64Table(p.table)
		if t == nil || t.nullGid >= 0 {
			return nil
		}
		out[i] = t.keys
	}
	return out
}

// int64Table is the integer table holding t's groups: t's own for one
// 64-bit integer-like key, a packTable's while it packs; else nil.
func int64Table(t hashTable) *intTable[int64] {
	switch x := t.(type) {
	case *intTable[int64]:
		return x
	case *packTable:
		if x.gen == nil {
			return x.it
		}
	}
	return nil
}

// mergePartition merges the groups of partition d of every part into a
// new part and returns its result batch (nil if it has no groups). The
// groups come from keys[i], or packed[i] when not nil (packedGroups).
func (o *hashAggOp) mergePartition(ctx context.Context, parts []*aggPart, keys [][]arrow.Array, packed [][]int64, sel [][][]int32, d int) (arrow.RecordBatch, error) {
	dst, err := o.newPart(0)
	if err != nil {
		return nil, err
	}
	defer dst.release()
	// At most the sum of the sources' groups: sized for it at once, the
	// table does not grow by doubling (each doubling reinserts every
	// group), and with sources that share most groups it is the size
	// doubling would reach anyway.
	total := 0
	for i := range parts {
		total += len(sel[i][d])
	}
	presize(dst.table, total)
	for i, src := range parts {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		if len(sel[i][d]) == 0 {
			continue // a nil sel would select every group
		}
		n := src.table.len()
		dst.sel = sel[i][d]
		dst.gids = growTo(dst.gids[:0], n)[:n]
		if err := dst.insertFrom(src, keys, packed, i); err != nil {
			return nil, err
		}
		for j, acc := range dst.accs {
			acc.grow(dst.table.len())
			if err := acc.merge(src.accs[j], dst.gids); err != nil {
				return nil, err
			}
		}
	}
	return o.result(dst)
}

// insertFrom inserts the groups p.sel selects of source part i, src,
// into p's table: as the integers packed[i] where both tables hold their
// keys so (int64Table), else from the key columns keys[i], built from
// src's table here when the merge packed them instead.
func (p *aggPart) insertFrom(src *aggPart, keys [][]arrow.Array, packed [][]int64, i int) error {
	if it := int64Table(p.table); packed != nil && it != nil {
		it.insertVals(packed[i], validity{}, p.sel, p.gids)
		return nil
	}
	if keys[i] != nil {
		return p.insertSelected(keys[i])
	}
	k := src.table.keyArrays(p.o.env.Mem)
	defer releaseArrays(k)
	return p.insertSelected(k)
}

// nextPending takes the first of o.pending (nil if none).
func (o *hashAggOp) nextPending() arrow.RecordBatch {
	if len(o.pending) == 0 {
		return nil
	}
	b := o.pending[0]
	o.pending = o.pending[1:]
	return b
}

// mergeInParallel runs merge(0..n-1) each on its own goroutine and returns
// their batches in order (nil where one had none); on an error or a panic
// in any, every batch made is released and the first error returned.
func mergeInParallel(n int, merge func(d int) (arrow.RecordBatch, error)) ([]arrow.RecordBatch, error) {
	out := make([]arrow.RecordBatch, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for d := range n {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					errs[d] = panicError(r)
				}
			}()
			out[d], errs[d] = merge(d)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			for _, b := range out {
				if b != nil {
					b.Release()
				}
			}
			return nil, err
		}
	}
	return out, nil
}
