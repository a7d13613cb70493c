package ops

import (
	"bytes"
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
)

// writeRun sorts batches (input order) and appends them to a new run file.
func (o *sortOp) writeRun(ctx context.Context, batches []arrow.RecordBatch) error {
	data, keys, n, err := concatWithKeys(ctx, o.env, o.Schema(), batches, sortExprs(o.keys))
	if err != nil {
		return err
	}
	defer releaseArrays(data)
	order, err := sortRows(keys, o.keys, n)
	releaseArrays(keys)
	if err != nil {
		return err
	}
	w, err := newSpillWriter(o.env.Mem, o.res, o.Schema())
	if err != nil {
		return err
	}
	for pos := 0; pos < n; pos += o.env.Rows() {
		if err := ctxErr(ctx); err != nil {
			w.abort()
			return err
		}
		b, err := takeBatch(o.env.Mem, o.Schema(), data, order[pos:min(pos+o.env.Rows(), n)])
		if err == nil {
			err = w.write(b)
			b.Release()
		}
		if err != nil {
			w.abort()
			return err
		}
	}
	f, err := w.finish()
	if err != nil {
		return err
	}
	f.schema = o.Schema()
	o.runs = append(o.runs, f)
	return nil
}

// sortMerge merges sorted runs. Each run's current batch has its keys
// normalized (rowkey.go) with the run number and row position appended,
// so byte order is the sort order and ties keep input order (runs are in
// input order): the merge is as stable as the in-memory sort.
type sortMerge struct {
	env     *executor.Env
	schema  *arrow.Schema
	keys    []SortKey
	srcs    []*mergeRun
	heap    []*mergeRun // min-heap by current key
	retired []arrow.RecordBatch
}

// mergeRun is one run being merged.
type mergeRun struct {
	src  *spillSource
	b    arrow.RecordBatch
	sc   keyScratch
	keys []byte
	offs []int
	row  int
	seq  uint64
}

func (r *mergeRun) key() []byte { return r.keys[r.offs[r.row]:r.offs[r.row+1]] }

func newSortMerge(ctx context.Context, env *executor.Env, schema *arrow.Schema, keys []SortKey, runs []*spillFile) (*sortMerge, error) {
	m := &sortMerge{env: env, schema: schema, keys: keys}
	for i, f := range runs {
		r := &mergeRun{src: newSpillSource(env.Mem, schema, f), seq: uint64(i) << 40}
		m.srcs = append(m.srcs, r)
		if err := r.src.Open(ctx); err != nil {
			return m, err
		}
		ok, err := m.load(ctx, r)
		if err != nil {
			return m, err
		}
		if ok {
			m.heap = append(m.heap, r)
			m.up(len(m.heap) - 1)
		}
	}
	return m, nil
}

// load reads r's next batch (the previous one is retired: picked rows
// point into it until the output batch is built).
func (m *sortMerge) load(ctx context.Context, r *mergeRun) (bool, error) {
	if r.b != nil {
		m.retired = append(m.retired, r.b)
		r.b = nil
	}
	b, err := r.src.Next(ctx)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ks, err := evalAll(ctx, m.env, sortExprs(m.keys), b)
	if err != nil {
		b.Release()
		return false, err
	}
	r.keys, r.offs, err = encodeRowKeys(&r.sc, ks, m.keys, int(b.NumRows()), r.seq, nil)
	releaseArrays(ks)
	if err != nil {
		b.Release()
		return false, err
	}
	r.seq += uint64(b.NumRows())
	r.b, r.row = b, 0
	return true, nil
}

// next returns the next merged batch of up to env.Rows() rows.
func (m *sortMerge) next(ctx context.Context) (arrow.RecordBatch, error) {
	if len(m.heap) == 0 {
		return nil, io.EOF
	}
	type pick struct {
		b   arrow.RecordBatch
		row int32
	}
	picks := make([]pick, 0, m.env.Rows())
	for len(picks) < m.env.Rows() && len(m.heap) > 0 {
		r := m.heap[0]
		picks = append(picks, pick{r.b, int32(r.row)})
		r.row++
		if r.row == int(r.b.NumRows()) {
			ok, err := m.load(ctx, r)
			if err != nil {
				return nil, err
			}
			if !ok {
				last := len(m.heap) - 1
				m.heap[0] = m.heap[last]
				m.heap = m.heap[:last]
			}
		}
		m.down(0)
	}
	// Gather per source batch, then interleave: cost proportional to the
	// output, whatever the number of runs.
	var pieces []arrow.RecordBatch
	index := map[arrow.RecordBatch]int{}
	var sel [][]int32
	perm := make([]int32, len(picks))
	for k, p := range picks {
		i, ok := index[p.b]
		if !ok {
			i = len(pieces)
			index[p.b] = i
			pieces = append(pieces, p.b)
			sel = append(sel, nil)
		}
		perm[k] = int32(len(sel[i]))
		sel[i] = append(sel[i], p.row)
	}
	parts := make([][]arrow.Array, len(pieces))
	defer func() {
		for _, p := range parts {
			releaseArrays(p)
		}
		releaseBatches(m.retired)
		m.retired = m.retired[:0]
	}()
	base := make([]int32, len(pieces))
	var total int32
	for i, b := range pieces {
		cols, err := takeColumns(m.env.Mem, b.Columns(), sel[i])
		if err != nil {
			return nil, err
		}
		parts[i] = cols
		base[i] = total
		total += int32(len(sel[i]))
	}
	if len(parts) == 1 {
		cols := parts[0]
		parts = nil
		return newBatch(m.schema, cols, len(picks)), nil
	}
	for k, p := range picks {
		perm[k] += base[index[p.b]]
	}
	all, err := concatParts(m.env.Mem, parts, m.schema, nil, nil)
	if err != nil {
		return nil, err
	}
	defer releaseArrays(all)
	return takeBatch(m.env.Mem, m.schema, all, perm)
}

func (m *sortMerge) up(i int) {
	h := m.heap
	for i > 0 {
		p := (i - 1) / 2
		if bytes.Compare(h[i].key(), h[p].key()) >= 0 {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (m *sortMerge) down(i int) {
	h := m.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && bytes.Compare(h[r].key(), h[l].key()) < 0 {
			c = r
		}
		if bytes.Compare(h[c].key(), h[i].key()) >= 0 {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

func (m *sortMerge) close() {
	for _, r := range m.srcs {
		if r.b != nil {
			r.b.Release()
			r.b = nil
		}
		r.src.Close()
	}
	releaseBatches(m.retired)
	m.retired = nil
	m.heap = nil
}
