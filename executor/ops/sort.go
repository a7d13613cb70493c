package ops

import (
	"cmp"
	"context"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// SortKey is one ORDER BY item. NULLs sort as larger than every value in
// PostgreSQL, so the planner sets NullsFirst = Desc unless the query says
// NULLS FIRST/LAST explicitly.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

// sortOp materializes its input and emits it in key order; over its
// memory budget it sorts runs to disk and merges them (sortspill.go).
type sortOp struct {
	env    *executor.Env
	child  executor.Operator
	keys   []SortKey
	res    *membudget.Reservation
	cols   []arrow.Array // the whole input, one array per column
	order  []int32
	pos    int
	runs   []*spillFile // sorted runs on disk, in input order
	merge  *sortMerge   // merges runs when the input spilled
	sorted bool
	closed bool
}

// NewSort returns an operator that emits child's rows ordered by keys,
// stably (rows with equal keys keep their input order). It materializes
// the input in memory, sorts a row index vector with per-key typed
// comparators and emits batches of env.Rows() rows gathered by take.
// When the query's memory budget refuses more input, the rows held so
// far are sorted and written to disk as a run; at the end the runs are
// merged (k-way, on normalized keys; the merge holds one batch per run).
// Keys of unsupported types fail with 0A000.
func NewSort(env *executor.Env, child executor.Operator, keys []SortKey) (executor.Operator, error) {
	keys, err := checkSortKeys(keys)
	if err != nil {
		return nil, err
	}
	return &sortOp{env: env, child: child, keys: keys, res: env.Reserve("Sort").Spills()}, nil
}

// checkSortKeys validates keys and returns them ready to sort by: a copy
// in which a jsonb key is replaced by its sort key (expr.SortKeyOf).
func checkSortKeys(keys []SortKey) ([]SortKey, error) {
	out := make([]SortKey, len(keys))
	for i, k := range keys {
		if k.Expr == nil {
			return nil, errInternal("sort key %d is nil", i)
		}
		if err := errRecordKey(k.Expr.Type()); err != nil {
			return nil, err
		}
		if !sqlKeyOK(k.Expr.Type()) {
			return nil, sqltypes.New(sqltypes.CodeUndefinedFunction, "could not identify an ordering operator for type %s", k.Expr.Type())
		}
		k.Expr = expr.SortKeyOf(k.Expr)
		out[i] = k
	}
	return out, nil
}

func (o *sortOp) Schema() *arrow.Schema { return o.child.Schema() }

func (o *sortOp) Open(ctx context.Context) error { return o.child.Open(ctx) }

func (o *sortOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.closed {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if !o.sorted {
		if err := o.materialize(ctx); err != nil {
			return nil, err
		}
		o.sorted = true
	}
	if o.merge != nil {
		return o.merge.next(ctx)
	}
	if o.pos >= len(o.order) {
		return nil, io.EOF
	}
	end := min(o.pos+o.env.Rows(), len(o.order))
	b, err := takeBatch(o.env.Mem, o.Schema(), o.cols, o.order[o.pos:end])
	o.pos = end
	return b, err
}

// materialize reads the whole input and sorts it, in memory or, over
// budget, in runs on disk to be merged.
func (o *sortOp) materialize(ctx context.Context) error {
	var held []arrow.RecordBatch
	defer func() { releaseBatches(held) }()
	for {
		b, err := o.child.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := ctxErr(ctx); err != nil {
			b.Release()
			return err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		// The rows' share of the sort (sortRowBytes) is reserved with
		// them: a run written when the budget refuses is sorted in
		// memory as well.
		cost := materializeCost(b) + sortRowBytes*b.NumRows()
		if o.res.TryGrow(cost) {
			held = append(held, b)
			continue
		}
		// Over budget: the held rows become a run (b too when nothing
		// is held: it alone is more than the budget has left).
		if len(held) == 0 {
			held, b = append(held, b), nil
		}
		err = o.writeRun(ctx, held)
		releaseBatches(held)
		held = held[:0]
		o.res.Free()
		if err != nil {
			if b != nil {
				b.Release()
			}
			return err
		}
		if b != nil {
			if o.res.TryGrow(cost) {
				held = append(held, b)
			} else {
				err = o.writeRun(ctx, []arrow.RecordBatch{b})
				b.Release()
				if err != nil {
					return err
				}
			}
		}
	}
	if len(o.runs) > 0 {
		if len(held) > 0 {
			if err := o.writeRun(ctx, held); err != nil {
				return err
			}
		}
		o.res.Free()
		m, err := newSortMerge(ctx, o.env, o.Schema(), o.keys, o.runs)
		o.merge = m
		return err
	}
	data, keys, n, err := concatWithKeys(ctx, o.env, o.Schema(), held, sortExprs(o.keys))
	if err != nil {
		return err
	}
	o.cols = data
	defer func() { releaseArrays(keys) }()
	o.order, err = sortRowsFrom(keys, o.keys, n, batchStarts(held))
	// Only the order outlives the sort.
	o.res.Shrink(int64(n) * (sortRowBytes - 4))
	return err
}

// sortIndices sorts idx by cmps, breaking ties by index so that the order
// is total and the sort stable.
func sortIndices(idx []int32, cmps []rowCmp) {
	if len(cmps) == 1 {
		c := cmps[0]
		slices.SortFunc(idx, func(a, b int32) int {
			if r := c(int(a), int(b)); r != 0 {
				return r
			}
			return cmp.Compare(a, b)
		})
		return
	}
	slices.SortFunc(idx, func(a, b int32) int {
		for _, c := range cmps {
			if r := c(int(a), int(b)); r != 0 {
				return r
			}
		}
		return cmp.Compare(a, b)
	})
}

func sortExprs(keys []SortKey) []expr.Expr {
	out := make([]expr.Expr, len(keys))
	for i, k := range keys {
		out[i] = k.Expr
	}
	return out
}

// collectWithKeys drains child, reserving every batch against res (53200
// when the budget refuses: the caller cannot spill), evaluating exprs on
// every batch, and returns the input columns and the expression results
// each concatenated into one array, and the row count.
func collectWithKeys(ctx context.Context, env *executor.Env, child executor.Operator, exprs []expr.Expr, res *membudget.Reservation) (data, keys []arrow.Array, n int, starts []int, err error) {
	var held []arrow.RecordBatch
	defer func() { releaseBatches(held) }()
	for {
		b, err := child.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, 0, nil, err
		}
		if err := ctxErr(ctx); err != nil {
			b.Release()
			return nil, nil, 0, nil, err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		held = append(held, b)
		if err := res.Grow(materializeCost(b)); err != nil {
			return nil, nil, 0, nil, err
		}
	}
	data, keys, n, err = concatWithKeys(ctx, env, child.Schema(), held, exprs)
	return data, keys, n, batchStarts(held), err
}

// batchStarts returns the first row of each batch in the rows of all of
// them.
func batchStarts(batches []arrow.RecordBatch) []int {
	starts := make([]int, len(batches))
	n := 0
	for i, b := range batches {
		starts[i] = n
		n += int(b.NumRows())
	}
	return starts
}

// materializeCost is the memory a batch costs an operator that
// materializes it: the batch, and its copy in the concatenated columns.
func materializeCost(b arrow.RecordBatch) int64 { return 2 * membudget.BatchBytes(b) }

// concatWithKeys evaluates exprs on every batch and returns the batches'
// columns and the expression results each concatenated into one array,
// and the row count. The caller keeps its batches.
func concatWithKeys(ctx context.Context, env *executor.Env, schema *arrow.Schema, batches []arrow.RecordBatch, exprs []expr.Expr) (data, keys []arrow.Array, n int, err error) {
	nd := schema.NumFields()
	var parts [][]arrow.Array // per batch: data columns ++ key columns
	// alias[nd+k] = c when key k is input column c itself in every batch
	// (ORDER BY a column): then it is not concatenated twice.
	alias := make([]int, nd+len(exprs))
	for i := range alias {
		alias[i] = -1
	}
	defer func() {
		for _, p := range parts {
			releaseArrays(p)
		}
	}()
	for _, b := range batches {
		ks, err := evalAll(ctx, env, exprs, b)
		if err != nil {
			return nil, nil, 0, err
		}
		for k, a := range ks {
			c := aliasOf(a, b)
			if len(parts) > 0 && alias[nd+k] != c {
				c = -1
			}
			alias[nd+k] = c
		}
		p := make([]arrow.Array, 0, nd+len(ks))
		for _, c := range b.Columns() {
			c.Retain()
			p = append(p, c)
		}
		parts = append(parts, append(p, ks...))
		n += int(b.NumRows())
		if n > maxRows {
			return nil, nil, 0, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "too many rows to materialize (%d)", n)
		}
	}
	for k := range exprs {
		if len(parts) == 0 || alias[nd+k] < 0 {
			alias[nd+k] = -1
		}
	}
	all, err := concatParts(env.Mem, parts, schema, exprs, alias)
	if err != nil {
		return nil, nil, 0, err
	}
	return all[:nd], all[nd:], n, nil
}

// maxRows bounds materialized inputs: row indexes are int32.
const maxRows = 1<<31 - 1

// MaxTopN is the largest n NewTopN takes (the rows it keeps are
// materialized); a planner sorts, then limits, past it.
const MaxTopN = maxRows

// aliasOf returns the index of the column of b that is a itself, or -1.
func aliasOf(a arrow.Array, b arrow.RecordBatch) int {
	for c, x := range b.Columns() {
		if x.Data() == a.Data() {
			return c
		}
	}
	return -1
}

// concatParts concatenates per-batch column lists column by column. With
// no parts it returns empty arrays of the right types. Where alias[c] >= 0
// (nil alias: nowhere), column c is a copy of the earlier column alias[c].
func concatParts(mem memory.Allocator, parts [][]arrow.Array, s *arrow.Schema, exprs []expr.Expr, alias []int) ([]arrow.Array, error) {
	width := s.NumFields() + len(exprs)
	out := make([]arrow.Array, width)
	for c := range width {
		if alias != nil && alias[c] >= 0 {
			out[c] = out[alias[c]]
			out[c].Retain()
			continue
		}
		switch len(parts) {
		case 0:
			var dt arrow.DataType
			if c < s.NumFields() {
				dt = s.Field(c).Type
			} else {
				dt = exprs[c-s.NumFields()].Type().Arrow()
			}
			out[c] = array.MakeArrayOfNull(mem, dt, 0)
		case 1:
			out[c] = parts[0][c]
			out[c].Retain()
		default:
			col := make([]arrow.Array, len(parts))
			for i, p := range parts {
				col[i] = p[c]
			}
			a, err := array.Concatenate(col, mem)
			if err != nil {
				releaseArrays(out)
				return nil, sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "cannot materialize input: %v", err)
			}
			out[c] = a
		}
	}
	return out, nil
}

func (o *sortOp) Close() error {
	if !o.closed {
		o.closed = true
		releaseArrays(o.cols)
		o.cols, o.order = nil, nil
		if o.merge != nil {
			o.merge.close()
			o.merge = nil
		}
		removeSpills(o.runs)
		o.runs = nil
		o.res.Free()
	}
	return o.child.Close()
}
