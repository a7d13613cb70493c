package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// graceJoin is a hash join whose inputs were partitioned to disk by key
// hash: partition k of the probe side can only match partition k of the
// build side, so the join is the concatenation of the joins of the
// partition pairs. Rows with a NULL key match nothing: probe rows land in
// some partition and are emitted there if the join type keeps them;
// build rows the join keeps are set aside in nullBuild and emitted at the
// end, since in one partition they could exceed the budget with no hash
// left to split them by.
type graceJoin struct {
	probe, build []*spillFile // per partition; nil = no rows
	nullBuild    *spillFile   // build rows with a NULL key, if kept; nil = none
	tail         *spillSource // reads nullBuild once the partitions are done
	k            int          // next partition to join
	cur          *hashJoinOp  // the join of the current partition pair
	// sharedBuild: the build partitions belong to a sharedBuild, read by
	// every join probing it and removed when the last one closes.
	sharedBuild bool
}

// buildCost is what one build batch costs in memory: the batch, its
// concatenated copy and keys, and per row the hash chain and table slot.
func buildCost(b arrow.RecordBatch) int64 { return materializeCost(b) + 32*b.NumRows() }

// collectBuild reads the build side into memory while the budget allows.
// Over budget, it partitions both inputs to disk (o.grace is set and no
// batches are returned).
func (o *hashJoinOp) collectBuild(ctx context.Context) ([]arrow.RecordBatch, error) {
	var held []arrow.RecordBatch
	for {
		b, err := safeNext(ctx, o.spec.Build)
		if err == io.EOF {
			return held, nil
		}
		if err == nil {
			err = ctxErr(ctx)
			if err == nil && b.NumRows() > 0 && !o.res.TryGrow(buildCost(b)) {
				return nil, o.spill(ctx, append(held, b))
			}
			if err != nil || b.NumRows() == 0 {
				b.Release()
			} else {
				held = append(held, b)
			}
		}
		if err != nil {
			releaseBatches(held)
			return nil, err
		}
	}
}

// spill partitions the held build batches (releasing them and their
// reservation first, so that the inputs' own operators get the budget
// back), the rest of the build side and the whole probe side to disk.
func (o *hashJoinOp) spill(ctx context.Context, held []arrow.RecordBatch) error {
	defer func() {
		releaseBatches(held)
		o.res.Free()
	}()
	if o.jt == MarkJoin || o.level >= maxSpillLevel || o.res.Budget() == nil {
		return o.res.Exceeded(buildCost(held[len(held)-1]))
	}
	h, err := o.keyHasher()
	if err != nil {
		return err
	}
	g := &graceJoin{}
	o.grace = g
	bp := newSpillPartitions(o.env.Mem, o.res, o.spec.Build.Schema(), o.level)
	var nulls *spillPartitions // one partition: every row has hash 0
	if o.jt.keepsBuild() {
		nulls = newSpillPartitions(o.env.Mem, o.res, o.spec.Build.Schema(), 0)
	}
	abort := func() {
		bp.abort()
		if nulls != nil {
			nulls.abort()
		}
	}
	for i, b := range held {
		err := o.partition(ctx, h, bp, o.spec.BuildKeys, b, true, nulls)
		b.Release()
		held[i] = nil
		if err != nil {
			held = held[i+1:]
			abort()
			return err
		}
	}
	held = nil
	o.res.Free()
	if err := o.drainInto(ctx, o.spec.Build, func(b arrow.RecordBatch) error {
		return o.partition(ctx, h, bp, o.spec.BuildKeys, b, true, nulls)
	}); err != nil {
		abort()
		return err
	}
	if g.build, err = bp.finish(); err != nil {
		if nulls != nil {
			nulls.abort()
		}
		return err
	}
	if nulls != nil {
		files, err := nulls.finish()
		if err != nil {
			return err
		}
		g.nullBuild = files[0]
	}
	return o.spillProbe(ctx, h)
}

// spillProbe partitions the whole probe side to disk like the build side
// (o.grace.build) was partitioned.
func (o *hashJoinOp) spillProbe(ctx context.Context, h *rowHasher) error {
	pp := newSpillPartitions(o.env.Mem, o.res, o.spec.Probe.Schema(), o.level)
	dropNullProbe := !o.jt.keepsProbe() && o.jt != AntiJoin && o.jt != MarkJoin
	if err := o.drainInto(ctx, o.spec.Probe, func(b arrow.RecordBatch) error {
		return o.partition(ctx, h, pp, o.spec.ProbeKeys, b, dropNullProbe, nil)
	}); err != nil {
		pp.abort()
		return err
	}
	var err error
	o.grace.probe, err = pp.finish()
	return err
}

// keyHasher hashes join keys for partitioning, with the join's seed: the
// joins probing one shared build side share its seed, so that their
// probe partitions line up with its build partitions.
func (o *hashJoinOp) keyHasher() (*rowHasher, error) {
	types := make([]arrow.DataType, len(o.spec.BuildKeys))
	for i, k := range o.spec.BuildKeys {
		types[i] = k.Type().Arrow()
	}
	return newRowHasher(types, o.seed)
}

// partition writes the rows of b to parts by the hash of keyExprs. With
// dropNulls, rows with a NULL key go to the first partition of nulls, or
// nowhere if nulls is nil: they match nothing, and all NULL keys hash
// alike, so in parts they would all land in one partition that no
// further level could split.
func (o *hashJoinOp) partition(ctx context.Context, h *rowHasher, parts *spillPartitions, keyExprs []expr.Expr, b arrow.RecordBatch, dropNulls bool, nulls *spillPartitions) error {
	keys, err := evalAll(ctx, o.env, keyExprs, b)
	if err != nil {
		return err
	}
	defer releaseArrays(keys)
	n := int(b.NumRows())
	var rows []int32 // nil: all
	if dropNulls && anyNull(keys) {
		rows = make([]int32, 0, n)
		var nullRows []int32
		for r := range n {
			if !nullKeyAt(keys, r) {
				rows = append(rows, int32(r))
			} else if nulls != nil {
				nullRows = append(nullRows, int32(r))
			}
		}
		if len(nullRows) > 0 {
			if err := nulls.add(b, make([]uint64, n), nullRows); err != nil {
				return err
			}
		}
		if len(rows) == 0 {
			return nil
		}
	}
	return parts.add(b, h.hash(keys, n), rows)
}

// nextNullBuild returns the next batch of the build rows with a NULL key
// (g.nullBuild), as the join emits unmatched build rows: probe side NULL,
// or alone for a right anti join.
func (o *hashJoinOp) nextNullBuild(ctx context.Context) (arrow.RecordBatch, error) {
	g := o.grace
	if g.tail == nil {
		g.tail = newSpillSource(o.env.Mem, o.spec.Build.Schema(), g.nullBuild)
		if err := g.tail.Open(ctx); err != nil {
			return nil, err
		}
	}
	b, err := g.tail.Next(ctx)
	if err != nil || o.jt.filtersBuild() {
		return b, err
	}
	n := int(b.NumRows())
	np := o.out.NumFields() - int(b.NumCols())
	cols := nullColumns(o.env.Mem, o.out.Fields()[:np], n)
	for _, c := range b.Columns() {
		c.Retain()
		cols = append(cols, c)
	}
	b.Release()
	return newBatch(o.out, cols, n), nil
}

// anyNull reports whether some row of keys has a NULL key.
func anyNull(keys []arrow.Array) bool {
	for _, k := range keys {
		if k.DataType().ID() == arrow.NULL || k.NullN() > 0 {
			return true
		}
	}
	return false
}

// nullKeyAt reports whether row r has a NULL key.
func nullKeyAt(keys []arrow.Array, r int) bool {
	for _, k := range keys {
		if k.DataType().ID() == arrow.NULL || !validityOf(k).OK(r) {
			return true
		}
	}
	return false
}

// drainInto passes every remaining batch of in to fn.
func (o *hashJoinOp) drainInto(ctx context.Context, in executor.Operator, fn func(arrow.RecordBatch) error) error {
	for {
		b, err := in.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err == nil {
			if err = ctxErr(ctx); err == nil {
				err = fn(b)
			}
			b.Release()
		}
		if err != nil {
			return err
		}
	}
}

// nextGrace emits the joins of the partition pairs, one after another.
func (o *hashJoinOp) nextGrace(ctx context.Context) (arrow.RecordBatch, error) {
	g := o.grace
	for {
		if g.cur != nil {
			b, err := g.cur.Next(ctx)
			if err != io.EOF {
				return b, err
			}
			g.closeCurrent()
			continue
		}
		if g.k >= len(g.build) {
			if g.nullBuild != nil {
				b, err := o.nextNullBuild(ctx)
				if err != io.EOF {
					return b, err
				}
			}
			o.done = true
			return nil, io.EOF
		}
		k := g.k
		pf, bf := g.probe[k], g.build[k]
		keepsProbe := o.jt.keepsProbe() || o.jt == AntiJoin
		if (pf == nil || bf == nil) && !(pf != nil && keepsProbe) && !(bf != nil && o.jt.keepsBuild()) {
			g.removePair(k)
			g.k++
			continue
		}
		spec := o.spec
		spec.Probe = o.partitionSource(spec.Probe.Schema(), pf)
		spec.Build = o.partitionSource(spec.Build.Schema(), bf)
		sub, err := newHashJoin(o.env, spec, o.level+1, o.res)
		if err != nil {
			spec.Probe.Close()
			spec.Build.Close()
			return nil, err
		}
		sub.minParallel = o.minParallel
		g.cur = sub
		if err := sub.Open(ctx); err != nil {
			return nil, err
		}
	}
}

// partitionSource reads one partition (an empty input if it has no rows).
func (o *hashJoinOp) partitionSource(schema *arrow.Schema, f *spillFile) executor.Operator {
	if f == nil {
		return NewBatches(schema, nil)
	}
	return newSpillSource(o.env.Mem, schema, f)
}

// closeCurrent ends the current partition pair and removes its files.
func (g *graceJoin) closeCurrent() {
	g.cur.Close()
	g.cur = nil
	g.removePair(g.k)
	g.k++
}

// removePair removes the files of partition pair k that this join owns.
func (g *graceJoin) removePair(k int) {
	if k < len(g.probe) {
		g.probe[k].remove()
	}
	if k < len(g.build) && !g.sharedBuild {
		g.build[k].remove()
	}
}

func (g *graceJoin) close() {
	if g.cur != nil {
		g.closeCurrent()
	}
	if g.tail != nil {
		g.tail.Close()
	}
	g.nullBuild.remove()
	for k := g.k; k < max(len(g.probe), len(g.build)); k++ {
		g.removePair(k)
	}
}
