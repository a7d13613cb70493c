package ops

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
)

// topnBatch is an input batch some heap entries still point into.
type topnBatch struct {
	cols  []arrow.Array
	n     int   // rows
	bytes int64 // reserved for cols
	live  int   // heap entries in this batch
	base  int   // row offset in a concatenation (set when gathering)
	index int   // position in topnOp.held
}

// topnEntry is one candidate row: its normalized key and where it lives.
type topnEntry struct {
	key []byte
	b   *topnBatch
	row int32
}

// topnOp keeps the n first rows in a bounded max-heap.
type topnOp struct {
	env   *executor.Env
	child executor.Operator
	keys  []SortKey
	res   *membudget.Reservation // held batches
	n     int64
	heap  []topnEntry // max-heap by key: the worst kept row on top
	held  []*topnBatch
	rows  int // rows in held batches
	seq   uint64
	sc    keyScratch
	// first and rowsBuf are candidates' scratch: the first key column's
	// encodings and the rows that pass.
	first   keyScratch
	rowsBuf []int32
	out     arrow.RecordBatch // the result, sorted, emitted in slices
	pos     int64
	done    bool
	closed  bool
}

// NewTopN returns an operator that emits the first n rows of child in the
// order of keys (the same order, ties included, as NewSort followed by a
// limit). It keeps at most n candidate rows in a max-heap of normalized
// keys; input batches are retained only while heap entries point into
// them, and compacted when they hold more than about 2n + 4 batches of
// rows, so memory is O(n). Held batches reserve memory from the query's
// budget; when it is refused the query fails with 53200 (a top-N is
// meant to fit). n must be >= 0.
func NewTopN(env *executor.Env, child executor.Operator, keys []SortKey, n int64) (executor.Operator, error) {
	keys, err := checkSortKeys(keys)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > maxRows {
		return nil, errInternal("top-n count %d out of range", n)
	}
	return &topnOp{env: env, child: child, keys: keys, n: n, res: env.Reserve("TopN")}, nil
}

func (o *topnOp) Schema() *arrow.Schema { return o.child.Schema() }

func (o *topnOp) Open(ctx context.Context) error {
	if o.n == 0 {
		return nil
	}
	return o.child.Open(ctx)
}

func (o *topnOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.closed || o.n == 0 {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if !o.done {
		if err := o.consume(ctx); err != nil {
			return nil, err
		}
		o.done = true
		slices.SortFunc(o.heap, func(a, b topnEntry) int { return bytes.Compare(a.key, b.key) })
		out, err := o.gather()
		if err != nil {
			return nil, err
		}
		o.out = out
		o.heap = nil
	}
	if o.out == nil || o.pos >= o.out.NumRows() {
		return nil, io.EOF
	}
	end := min(o.pos+int64(o.env.Rows()), o.out.NumRows())
	s := o.out.NewSlice(o.pos, end)
	o.pos = end
	return s, nil
}

// consume feeds the whole input through the heap.
func (o *topnOp) consume(ctx context.Context) error {
	for {
		b, err := o.child.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		err = o.add(ctx, b)
		b.Release()
		if err != nil {
			return err
		}
	}
}

// add offers every row of b to the heap.
func (o *topnOp) add(ctx context.Context, b arrow.RecordBatch) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	n := int(b.NumRows())
	if n == 0 {
		return nil
	}
	ks, err := evalAll(ctx, o.env, sortExprs(o.keys), b)
	if err != nil {
		return err
	}
	seq := o.seq
	o.seq += uint64(n)
	limit := int(o.n)
	// rows maps the encoded rows to b's rows (nil: all of them).
	var rows []int32
	if len(o.heap) == limit {
		if rows, err = o.candidates(ks[0], n); err != nil {
			releaseArrays(ks)
			return err
		}
		switch {
		case len(rows) == 0:
			releaseArrays(ks)
			return nil
		case len(rows) > n/2:
			rows = nil // taking most rows costs more than encoding them all
		default:
			taken, err := takeColumns(o.env.Mem, ks, rows)
			releaseArrays(ks)
			if err != nil {
				return err
			}
			ks = taken
		}
	}
	m := n
	if rows != nil {
		m = len(rows)
	}
	arena, offs, err := encodeRowKeys(&o.sc, ks, o.keys, m, seq, rows)
	releaseArrays(ks)
	if err != nil {
		return err
	}
	tb := &topnBatch{n: n}
	for i := range m {
		key := arena[offs[i]:offs[i+1]:offs[i+1]]
		row := int32(i)
		if rows != nil {
			row = rows[i]
		}
		if len(o.heap) < limit {
			o.heap = append(o.heap, topnEntry{key: key, b: tb, row: row})
			tb.live++
			o.up(len(o.heap) - 1)
			continue
		}
		if bytes.Compare(key, o.heap[0].key) >= 0 {
			continue
		}
		o.heap[0].b.live--
		o.heap[0] = topnEntry{key: key, b: tb, row: row}
		tb.live++
		o.down(0)
	}
	if tb.live > 0 {
		o.sc.buf = nil // heap keys point into the arena: do not reuse it
		for _, c := range b.Columns() {
			c.Retain()
		}
		tb.cols = append([]arrow.Array(nil), b.Columns()...)
		tb.bytes = membudget.BatchBytes(b) + int64(len(arena))
		if err := o.res.Grow(tb.bytes); err != nil {
			releaseArrays(tb.cols)
			return err
		}
		tb.index = len(o.held)
		o.held = append(o.held, tb)
		o.rows += n
	}
	o.sweep()
	if o.rows > 2*limit+4*o.env.Rows() {
		return o.compact()
	}
	return nil
}

// candidates returns the rows of a batch whose first sort key, first (an
// array of n rows), is not worse than the full heap's worst row's: only
// they can enter the heap. Comparing that one column's encoding is much
// cheaper than encoding every row's whole key (a top-100 of millions of
// rows rejects nearly all of them here). The encoding is prefix-free, so
// a row's first-column encoding that differs from the same bytes of the
// worst key differs within the worst key's first column, and one that
// equals them is a tie on that column, which the whole key decides.
func (o *topnOp) candidates(first arrow.Array, n int) ([]int32, error) {
	if rows, ok, err := o.fixedCandidates(first, n); ok || err != nil {
		return rows, err
	}
	buf, offs, err := encodeRowKeys(&o.first, []arrow.Array{first}, o.keys[:1], n, 0, nil)
	if err != nil {
		return nil, err
	}
	worst := o.heap[0].key
	rows := o.rowsBuf[:0]
	for i := range n {
		k := buf[offs[i] : offs[i+1]-8] // without its sequence number
		if bytes.Compare(k, worst[:min(len(k), len(worst))]) <= 0 {
			rows = append(rows, int32(i))
		}
	}
	o.rowsBuf = rows
	return rows, nil
}

// fixedCandidates is candidates for a first key of a fixed width of at
// most 16 bytes, without writing keys: a row's ascending encoding, read as
// a big-endian number, is compared with the worst key's (a top-N over
// millions of prices spent most of its time encoding them). Rows whose
// first key is NULL are always candidates: the whole key decides them. ok
// is false when the key or the worst row does not allow it.
func (o *topnOp) fixedCandidates(first arrow.Array, n int) (rows []int32, ok bool, err error) {
	e, err := newKeyEncoder(first, o.keys[0])
	if err != nil || e.lists != nil {
		return nil, false, err
	}
	w := e.width()
	worst := o.heap[0].key
	if w <= 0 || w > 16 || len(worst) < 1+w || worst[0] != 1 {
		return nil, false, nil
	}
	var enc [16]byte
	copy(enc[:], worst[1:1+w])
	if e.desc {
		invert(enc[:w])
	}
	whi, wlo := binary.BigEndian.Uint64(enc[:8]), binary.BigEndian.Uint64(enc[8:])
	put := e.putter()
	var v [16]byte // put writes w bytes; the rest stay 0 on both sides
	rows = o.rowsBuf[:0]
	for i := range n {
		if !e.v.OK(i) {
			rows = append(rows, int32(i))
			continue
		}
		put(i, v[:])
		c := cmp.Compare(binary.BigEndian.Uint64(v[:8]), whi)
		if c == 0 {
			c = cmp.Compare(binary.BigEndian.Uint64(v[8:]), wlo)
		}
		if e.desc {
			c = -c
		}
		if c <= 0 {
			rows = append(rows, int32(i))
		}
	}
	o.rowsBuf = rows
	return rows, true, nil
}

// sweep releases held batches no heap entry points into.
func (o *topnOp) sweep() {
	kept := o.held[:0]
	for _, tb := range o.held {
		if tb.live == 0 {
			o.rows -= tb.n
			releaseArrays(tb.cols)
			o.res.Shrink(tb.bytes)
			continue
		}
		tb.index = len(kept)
		kept = append(kept, tb)
	}
	clear(o.held[len(kept):])
	o.held = kept
}

// compact gathers the heap's rows into one batch (keys copied into one
// arena) and releases the batches they came from.
func (o *topnOp) compact() error {
	out, err := o.gatherIn(o.heap)
	if err != nil {
		return err
	}
	tb := &topnBatch{cols: out, n: len(o.heap), live: len(o.heap)}
	size := 0
	for i := range o.heap {
		size += len(o.heap[i].key)
	}
	arena := make([]byte, 0, size)
	for i := range o.heap {
		arena = append(arena, o.heap[i].key...)
	}
	pos := 0
	for i := range o.heap {
		l := len(o.heap[i].key)
		o.heap[i] = topnEntry{key: arena[pos : pos+l : pos+l], b: tb, row: int32(i)}
		pos += l
	}
	o.releaseHeld()
	tb.bytes = int64(size)
	for _, c := range out {
		tb.bytes += membudget.ArrayBytes(c)
	}
	if err := o.res.Grow(tb.bytes); err != nil {
		releaseArrays(out)
		return err
	}
	o.held = []*topnBatch{tb}
	o.rows = len(o.heap)
	return nil
}

// gather builds the result batch from the (sorted) heap.
func (o *topnOp) gather() (arrow.RecordBatch, error) {
	if len(o.heap) == 0 {
		return nil, nil
	}
	cols, err := o.gatherIn(o.heap)
	if err != nil {
		return nil, err
	}
	o.releaseHeld()
	o.held, o.rows = nil, 0
	return newBatch(o.Schema(), cols, len(o.heap)), nil
}

// gatherIn takes the rows of entries, in entry order, from the held batches.
func (o *topnOp) gatherIn(entries []topnEntry) ([]arrow.Array, error) {
	parts := make([][]arrow.Array, len(o.held))
	base := 0
	for i, h := range o.held {
		parts[i] = h.cols
		h.base = base
		base += h.n
	}
	all, err := concatParts(o.env.Mem, parts, o.Schema(), nil, nil)
	if err != nil {
		return nil, err
	}
	defer releaseArrays(all)
	idx := make([]int32, len(entries))
	for i, e := range entries {
		idx[i] = int32(e.b.base) + e.row
	}
	return takeColumns(o.env.Mem, all, idx)
}

// releaseHeld releases every held batch and its reservation.
func (o *topnOp) releaseHeld() {
	for _, h := range o.held {
		releaseArrays(h.cols)
		o.res.Shrink(h.bytes)
	}
	o.held = nil
}

func (o *topnOp) up(i int) {
	h := o.heap
	for i > 0 {
		p := (i - 1) / 2
		if bytes.Compare(h[i].key, h[p].key) <= 0 {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (o *topnOp) down(i int) {
	h := o.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && bytes.Compare(h[r].key, h[l].key) > 0 {
			c = r
		}
		if bytes.Compare(h[c].key, h[i].key) <= 0 {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

func (o *topnOp) Close() error {
	if !o.closed {
		o.closed = true
		o.releaseHeld()
		o.held, o.heap = nil, nil
		if o.out != nil {
			o.out.Release()
			o.out = nil
		}
	}
	return o.child.Close()
}
