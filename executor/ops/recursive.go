package ops

import (
	"context"
	"hash/maphash"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// WorkTable holds the rows the previous round of a RecursiveUnion
// produced, for the working-table reads of the round that runs now.
type WorkTable struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

// NewWorkTable returns an empty working table of rows of schema (the
// recursive query's output schema, every field nullable).
func NewWorkTable(schema *arrow.Schema) *WorkTable {
	fs := fieldsOf(schema, true)
	return &WorkTable{schema: arrow.NewSchema(fs, nil)}
}

// Schema is the working table's row schema.
func (w *WorkTable) Schema() *arrow.Schema { return w.schema }

// Reader returns an operator that emits the working table's rows as they
// are when it is opened.
func (w *WorkTable) Reader() executor.Operator { return &workReader{w: w} }

type workReader struct {
	w       *WorkTable
	batches []arrow.RecordBatch
}

func (r *workReader) Schema() *arrow.Schema { return r.w.schema }

func (r *workReader) Open(ctx context.Context) error {
	r.release()
	for _, b := range r.w.batches {
		b.Retain()
		r.batches = append(r.batches, b)
	}
	return nil
}

func (r *workReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if len(r.batches) == 0 {
		return nil, io.EOF
	}
	b := r.batches[0]
	r.batches[0] = nil
	r.batches = r.batches[1:]
	return b, nil
}

func (r *workReader) release() {
	for _, b := range r.batches {
		b.Release()
	}
	r.batches = nil
}

func (r *workReader) Close() error { r.release(); return nil }

// recursiveUnion runs WITH RECURSIVE's query (see NewRecursiveUnion).
type recursiveUnion struct {
	env      *executor.Env
	anchor   executor.Operator
	term     executor.Operator // the round running now; nil between rounds
	rebuild  func() (executor.Operator, error)
	work     *WorkTable
	distinct bool
	res      *membudget.Reservation // kept batches and the UNION table
	table    hashTable              // UNION: every row produced so far
	perRow   int64
	gids     []int32
	sel      []int32
	next     []arrow.RecordBatch // this round's rows: the next working table
	nextSize int64
	workSize int64
	inAnchor bool
	done     bool
}

// NewRecursiveUnion returns the operator of a WITH RECURSIVE query, run
// as PostgreSQL runs it: anchor's rows are emitted and become the working
// table; then the recursive term runs, reading work (its WorkTable's
// readers see the previous round's rows), its rows are emitted and become
// the next working table, and so on until a round produces no row. term
// is the first round's operator tree; rebuild returns a fresh one for each
// further round (a tree runs once: operators are not rewound). distinct
// (UNION) drops every row produced before, and duplicates within a round,
// comparing rows as UNION does (NULLs equal; types as NewSetOp's), which
// ends cycles.
//
// Both inputs must have work's column types (the planner casts), else
// XX000. The working table and the round being built are kept in memory,
// reserved from the query's budget (53200 when it is refused; nothing
// spills), as is UNION's table of every row. An endless recursion runs
// until ctx ends (statement_timeout) or the budget runs out. It owns
// anchor and every term (closes them).
func NewRecursiveUnion(env *executor.Env, anchor, term executor.Operator, rebuild func() (executor.Operator, error), work *WorkTable, distinct bool, types []sqltypes.Type) (executor.Operator, error) {
	o := &recursiveUnion{env: env, anchor: anchor, term: term, rebuild: rebuild, work: work, distinct: distinct,
		res: env.Reserve("RecursiveUnion"), inAnchor: true}
	if err := o.checkInput(anchor); err != nil {
		return nil, err
	}
	if err := o.checkInput(term); err != nil {
		return nil, err
	}
	if distinct {
		types := columnKeyTypes(work.schema, types)
		t, err := newHashTable(types, maphash.MakeSeed())
		if err != nil {
			return nil, err
		}
		o.table, o.perRow = t, aggGroupCost(types, 0)
	}
	return o, nil
}

func (o *recursiveUnion) checkInput(in executor.Operator) error {
	if in == nil {
		return errInternal("recursive union input is nil")
	}
	if err := checkSchema(o.work.schema, in.Schema()); err != nil {
		return errInternal("recursive union input: %v", err)
	}
	return nil
}

// Reservation reports the memory the kept rows hold.
func (o *recursiveUnion) Reservation() *membudget.Reservation { return o.res }

func (o *recursiveUnion) Schema() *arrow.Schema { return o.work.schema }

// Open opens the anchor only: each round's tree is opened when the round
// starts, after the working table has been set.
func (o *recursiveUnion) Open(ctx context.Context) error { return o.anchor.Open(ctx) }

func (o *recursiveUnion) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		if o.done {
			return nil, io.EOF
		}
		in := o.anchor
		if !o.inAnchor {
			if o.term == nil {
				if err := o.nextRound(ctx); err != nil {
					return nil, err
				}
				continue
			}
			in = o.term
		}
		b, err := in.Next(ctx)
		if err == io.EOF {
			if o.inAnchor {
				o.inAnchor = false
				if err := o.startRound(ctx); err != nil {
					return nil, err
				}
			} else {
				err := o.term.Close()
				o.term = nil
				if err != nil {
					return nil, err
				}
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if out, err := o.keep(b); out != nil || err != nil {
			return out, err
		}
	}
}

// startRound makes the rows of the round that ended the working table and
// opens the tree of the next round, or ends the recursion when the round
// produced nothing.
func (o *recursiveUnion) startRound(ctx context.Context) error {
	o.releaseWork()
	if len(o.next) == 0 {
		o.done = true
		return nil
	}
	o.work.batches, o.workSize = o.next, o.nextSize
	o.next, o.nextSize = nil, 0
	return o.term.Open(ctx)
}

// nextRound builds a fresh tree for the next round and starts it.
func (o *recursiveUnion) nextRound(ctx context.Context) error {
	if len(o.next) == 0 {
		o.releaseWork()
		o.done = true
		return nil
	}
	t, err := o.rebuild()
	if err != nil {
		return err
	}
	o.term = t
	if err := o.checkInput(t); err != nil {
		return err
	}
	return o.startRound(ctx)
}

// keep returns the rows of b the query emits (nil if none) and keeps them
// for the next round; it takes ownership of b.
func (o *recursiveUnion) keep(b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	if n == 0 {
		b.Release()
		return nil, nil
	}
	if o.table != nil {
		o.gids = growTo(o.gids[:0], n)[:n]
		before := o.table.len()
		o.table.insert(b.Columns(), o.gids)
		if err := o.res.Grow(int64(o.table.len()-before) * o.perRow); err != nil {
			b.Release()
			return nil, err
		}
		// Group ids are assigned in order of first appearance: a row
		// is new when it is the first to carry the next new id.
		o.sel = o.sel[:0]
		fresh := int32(before)
		for i, g := range o.gids {
			if g == fresh {
				o.sel = append(o.sel, int32(i))
				fresh++
			}
		}
		switch len(o.sel) {
		case 0:
			b.Release()
			return nil, nil
		case n:
		default:
			out, err := takeBatch(o.env.Mem, o.work.schema, b.Columns(), o.sel)
			b.Release()
			if err != nil {
				return nil, err
			}
			b = out
		}
	}
	b = rebindTo(o.work.schema, b)
	size := membudget.BatchBytes(b)
	if err := o.res.Grow(size); err != nil {
		b.Release()
		return nil, err
	}
	b.Retain()
	o.next = append(o.next, b)
	o.nextSize += size
	return b, nil
}

// rebindTo returns b's columns under schema s (taking b).
func rebindTo(s *arrow.Schema, b arrow.RecordBatch) arrow.RecordBatch {
	if b.Schema() == s {
		return b
	}
	cols := make([]arrow.Array, b.NumCols())
	for i, c := range b.Columns() {
		c.Retain()
		cols[i] = c
	}
	n := int(b.NumRows())
	b.Release()
	return newBatch(s, cols, n)
}

func (o *recursiveUnion) releaseWork() {
	for _, b := range o.work.batches {
		b.Release()
	}
	o.work.batches = nil
	o.res.Shrink(o.workSize)
	o.workSize = 0
}

func (o *recursiveUnion) Close() error {
	o.done = true
	o.releaseWork()
	for _, b := range o.next {
		b.Release()
	}
	o.next, o.nextSize, o.table = nil, 0, nil
	o.res.Free()
	err := o.anchor.Close()
	if o.term != nil {
		if terr := o.term.Close(); err == nil {
			err = terr
		}
		o.term = nil
	}
	return err
}
