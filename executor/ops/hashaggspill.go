package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
)

// spillState is what an aggregate part needs to account its memory and,
// over budget, to spill rows of new groups.
type spillState struct {
	level    int   // partitioning depth of this part's input (0: the real input)
	perGroup int64 // estimated bytes per group (table, keys, accumulators)
	bytes    int64 // reserved for this part
	spill    *spillPartitions
	hasher   *rowHasher
	hits     []int32
	misses   []int32
}

// aggTask is one spilled partition still to aggregate: the files the
// parts wrote for it, all at one level.
type aggTask struct {
	files []*spillFile
	level int
}

// aggGroupCost estimates the bytes one group costs: its hash table slots
// and hash, its keys, and its accumulator slots.
func aggGroupCost(types []arrow.DataType, naggs int) int64 {
	c := int64(48 + 24*naggs)
	for _, dt := range types {
		if fw, ok := dt.(arrow.FixedWidthDataType); ok {
			c += int64(max(fw.BitWidth()/8, 1))
		} else {
			c += 32
		}
	}
	return c
}

// retains reports whether an aggregate keeps its arguments (memory grows
// with rows, not groups).
func retains(a Aggregate) bool {
	switch a.Func {
	case "array_agg", "string_agg", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "percentile_cont", "percentile_disc", "mode":
		return true
	}
	return a.Distinct || len(a.Order) > 0
}

// account reserves n more bytes for the part. When the budget refuses,
// the part keeps what it has (it cannot give groups back) and spills the
// rows of new groups from now on; without group keys, or past the
// deepest partitioning level, that is impossible: 53200.
func (p *aggPart) account(n int64) error {
	res := p.o.res
	if res.TryGrow(n) {
		p.bytes += n
		return nil
	}
	if len(p.o.groups) == 0 || p.level >= maxSpillLevel {
		return res.Exceeded(n)
	}
	res.ForceGrow(n)
	p.bytes += n
	if p.set != nil {
		// Spilling looks rows' groups up: they go back to a table.
		before := p.held()
		p.toTable()
		if grown := p.held() - before; grown > 0 {
			res.ForceGrow(grown)
			p.bytes += grown
		}
	}
	types := keyArrowTypes(p.o.groups)
	h, err := newRowHasher(types, p.o.seed)
	if err != nil {
		return err
	}
	p.hasher = h
	p.spill = newSpillPartitions(p.o.env.Mem, res, p.o.plainSchema(), p.level)
	return nil
}

// consumeSpilling aggregates the rows of b whose groups the part has and
// writes the others, decoded from any dictionaries, to the spill
// partitions.
func (p *aggPart) consumeSpilling(ctx context.Context, b arrow.RecordBatch) error {
	b, err := p.o.plainBatch(ctx, b)
	if err != nil {
		return err
	}
	defer b.Release()
	keys, err := evalAll(ctx, p.o.env, p.o.groups, b)
	if err != nil {
		return err
	}
	defer releaseArrays(keys)
	misses, err := p.foldKnown(ctx, b, keys)
	if err != nil || len(misses) == 0 {
		return err
	}
	return p.spill.add(b, p.hasher.hash(keys, int(b.NumRows())), misses)
}

// foldKnown aggregates the rows of b (keys: its group keys) whose groups
// the part has, adding none, and returns the positions of the others.
func (p *aggPart) foldKnown(ctx context.Context, b arrow.RecordBatch, keys []arrow.Array) ([]int32, error) {
	n := int(b.NumRows())
	p.gids = growTo(p.gids[:0], n)[:n]
	p.table.lookup(keys, p.gids)
	p.hits, p.misses = p.hits[:0], p.misses[:0]
	for i, g := range p.gids {
		if g >= 0 {
			p.hits = append(p.hits, int32(i))
		} else {
			p.misses = append(p.misses, int32(i))
		}
	}
	if len(p.hits) == 0 {
		return p.misses, nil
	}
	hb, hk := b, keys
	if len(p.hits) < n {
		var err error
		if hb, err = takeBatch(p.o.env.Mem, b.Schema(), b.Columns(), p.hits); err != nil {
			return nil, err
		}
		defer hb.Release()
		if hk, err = takeColumns(p.o.env.Mem, keys, p.hits); err != nil {
			return nil, err
		}
		defer releaseArrays(hk)
	}
	retained, err := p.aggregate(ctx, hb, hk, false)
	if err != nil {
		return nil, err
	}
	if retained > 0 {
		// Growing state of groups already held: nothing to spill.
		if err := p.o.res.Grow(retained); err != nil {
			return nil, err
		}
		p.bytes += retained
	}
	return p.misses, nil
}

// collectSpills closes the spill partitions of parts and queues one task
// per partition (the files of every part for it).
func (o *hashAggOp) collectSpills(parts []*aggPart) error {
	var byPart [spillFanout][]*spillFile
	level := 0
	var first error
	for _, p := range parts {
		if p == nil || p.spill == nil {
			continue
		}
		files, err := p.spill.finish()
		p.spill = nil
		if err != nil && first == nil {
			first = err
		}
		level = p.level + 1
		for k, f := range files {
			if f != nil {
				byPart[k] = append(byPart[k], f)
			}
		}
	}
	for k := range byPart {
		if len(byPart[k]) == 0 {
			continue
		}
		if first != nil {
			removeSpills(byPart[k])
			continue
		}
		o.tasks = append(o.tasks, aggTask{files: byPart[k], level: level})
	}
	return first
}

// nextSpilled returns the groups of the next spilled partition; more is
// false when all are done.
func (o *hashAggOp) nextSpilled(ctx context.Context) (out arrow.RecordBatch, more bool, err error) {
	for len(o.tasks) > 0 {
		t := o.tasks[0]
		o.tasks = o.tasks[1:]
		out, err := o.runTask(ctx, t)
		removeSpills(t.files)
		if err != nil || out != nil {
			return out, err == nil, err
		}
	}
	return nil, false, nil
}

// runTask aggregates one spilled partition.
func (o *hashAggOp) runTask(ctx context.Context, t aggTask) (arrow.RecordBatch, error) {
	p, err := o.newPart(t.level)
	if err != nil {
		return nil, err
	}
	defer p.release()
	err = o.readSpilled(ctx, t.files, func(b arrow.RecordBatch) error { return p.consume(ctx, b) })
	if err != nil {
		return nil, err
	}
	if err := o.collectSpills([]*aggPart{p}); err != nil {
		return nil, err
	}
	return o.result(p)
}

// readSpilled passes every batch of files to fn (which does not keep it).
func (o *hashAggOp) readSpilled(ctx context.Context, files []*spillFile, fn func(arrow.RecordBatch) error) error {
	schema := o.plainSchema()
	for _, f := range files {
		src := newSpillSource(o.env.Mem, schema, f)
		err := src.Open(ctx)
		for err == nil {
			var b arrow.RecordBatch
			if b, err = src.Next(ctx); err != nil {
				break
			}
			err = fn(b)
			b.Release()
		}
		src.Close()
		if err != io.EOF {
			return err
		}
	}
	return nil
}

// foldSpilled folds the spilled rows of groups final holds into final and
// rewrites each partition with the other rows only, so that final can be
// emitted and freed before the partitions are aggregated. (With parallel
// inputs, one input's spilled rows may belong to groups another input
// kept in memory.)
func (o *hashAggOp) foldSpilled(ctx context.Context, final *aggPart) error {
	for i := range o.tasks {
		t := &o.tasks[i]
		w, err := newSpillWriter(o.env.Mem, o.res, o.plainSchema())
		if err != nil {
			return err
		}
		err = o.readSpilled(ctx, t.files, func(b arrow.RecordBatch) error {
			keys, err := evalAll(ctx, o.env, o.groups, b)
			if err != nil {
				return err
			}
			misses, err := final.foldKnown(ctx, b, keys)
			releaseArrays(keys)
			switch {
			case err != nil || len(misses) == 0:
				return err
			case len(misses) == int(b.NumRows()):
				return w.write(b)
			}
			rest, err := takeBatch(o.env.Mem, b.Schema(), b.Columns(), misses)
			if err != nil {
				return err
			}
			defer rest.Release()
			return w.write(rest)
		})
		if err != nil {
			w.abort()
			return err
		}
		f, err := w.finish()
		if err != nil {
			return err
		}
		removeSpills(t.files)
		t.files = []*spillFile{f}
	}
	return nil
}
