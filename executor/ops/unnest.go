package ops

import (
	"context"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// unnestOp emits one row per element position of its list values.
type unnestOp struct {
	env    *executor.Env
	child  executor.Operator
	spec   UnnestSpec
	schema *arrow.Schema
	// whole is the child batch being expanded, off its first row not yet
	// loaded; b is the slice of it loaded now (chunk rows at most).
	whole arrow.RecordBatch
	off   int64
	chunk int64
	b     arrow.RecordBatch // current slice of the child batch
	lists []array.ListLike  // list values of b, one per spec.Lists
	row   int               // next child row
	elem  int64             // next element position of that row
	rows  []int32
	idx   [][]int32 // per list: the element taken, -1 for NULL
	ord   []int64
	ordOK []bool
	ends  []bool // per gathered row: the last of its child row
	// With spec.Cond: the filter of the condition remapped to the
	// columns it reads (condCols of the output, in a batch of
	// condSchema), the gathered rows it is evaluated on (elems), the
	// ones that pass it (rowFilter's positions), whether the current
	// child row had one, and the rows that are output (rows, idx, ord,
	// ordOK of out).
	where      *rowFilter
	condCols   []int
	condSchema *arrow.Schema
	elems      gathered
	pass       []int32
	matched    bool
	out        gathered
	closed     bool
}

// gathered is the rows an output batch takes: child rows, element
// positions per list (-1 for NULL) and ordinalities (ordOK false for NULL).
type gathered struct {
	rows  []int32
	idx   [][]int32
	ord   []int64
	ordOK []bool
}

// UnnestSpec describes an unnest: Lists are list-typed expressions
// expanded in lockstep (as many rows as the longest, the others padded
// with NULLs), their elements output in columns called Names. Ordinality
// adds an int8 column "ordinality" numbering the rows from 1. Outer is
// LEFT JOIN LATERAL unnest(...) ON true: a child row whose lists are all
// NULL or empty yields one row of NULLs (and NULL ordinality) instead of
// none. Cond, when not nil, is a boolean over the output columns (ON
// Cond): only the rows for which it is TRUE are output, and with Outer a
// child row none of whose rows pass yields the row of NULLs; it is not
// evaluated on that row.
type UnnestSpec struct {
	Lists []expr.Expr
	Names []string
	// Whole, per list (nil: none), emits that list's elements as they
	// are, arrays included, instead of all leaf values of a
	// multidimensional array.
	Whole      []bool
	Ordinality bool
	Outer      bool
	Cond       expr.Expr
}

// NewUnnest returns an operator that emits, for every child row, the
// child's columns (repeated) followed by the element columns of spec.
// Output batches hold about env.Rows() rows.
func NewUnnest(env *executor.Env, child executor.Operator, spec UnnestSpec) (executor.Operator, error) {
	if len(spec.Lists) == 0 || len(spec.Lists) != len(spec.Names) {
		return nil, errInternal("unnest of %d lists with %d names", len(spec.Lists), len(spec.Names))
	}
	if child == nil {
		return nil, errInternal("unnest input is nil")
	}
	fs := fieldsOf(child.Schema(), false)
	spec.Lists = slices.Clone(spec.Lists)
	for i, list := range spec.Lists {
		if list == nil {
			return nil, errInternal("unnest of a nil expression")
		}
		// A multidimensional array unnests to all its elements in
		// row-major order, unless asked to keep them whole.
		if i >= len(spec.Whole) || !spec.Whole[i] {
			list = expr.FlattenArray(list)
		}
		spec.Lists[i] = list
		t := list.Type()
		if t.Kind != sqltypes.List || t.Elem == nil {
			return nil, sqltypes.New(sqltypes.CodeDatatypeMismatch, "function unnest(%s) does not exist", t)
		}
		fs = append(fs, arrow.Field{Name: spec.Names[i], Type: t.Elem.Arrow(), Nullable: true})
	}
	if spec.Ordinality {
		fs = append(fs, arrow.Field{Name: "ordinality", Type: arrow.PrimitiveTypes.Int64, Nullable: spec.Outer})
	}
	o := &unnestOp{env: env, child: child, spec: spec, schema: arrow.NewSchema(fs, nil), idx: make([][]int32, len(spec.Lists))}
	if spec.Cond != nil {
		if err := checkBool("JOIN/ON", spec.Cond); err != nil {
			return nil, err
		}
		// Only the columns the condition reads are gathered for it; the
		// output rows are gathered once, after it.
		if expr.Walkable(spec.Cond) {
			o.condCols = expr.Columns(spec.Cond)
			pos := make(map[int]int, len(o.condCols))
			cfs := make([]arrow.Field, len(o.condCols))
			for j, c := range o.condCols {
				pos[c], cfs[j] = j, fs[c]
			}
			o.condSchema = arrow.NewSchema(cfs, nil)
			o.where = newRowFilter(expr.Remap(spec.Cond, func(c int) int { return pos[c] }))
		} else { // all of them
			for c := range fs {
				o.condCols = append(o.condCols, c)
			}
			o.condSchema = o.schema
			o.where = newRowFilter(spec.Cond)
		}
		o.out.idx = make([][]int32, len(spec.Lists))
		o.elems.idx = make([][]int32, len(spec.Lists))
	}
	return o, nil
}

func (o *unnestOp) Schema() *arrow.Schema { return o.schema }

func (o *unnestOp) Open(ctx context.Context) error { return o.child.Open(ctx) }

func (o *unnestOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if o.closed {
			return nil, io.EOF
		}
		if o.b == nil {
			if o.whole == nil {
				b, err := o.child.Next(ctx)
				if err != nil {
					return nil, err
				}
				o.whole, o.off = b, 0
			}
			if err := o.load(ctx); err != nil {
				return nil, err
			}
			continue
		}
		out, err := o.emit(ctx)
		if out != nil || err != nil {
			return out, err
		}
		o.drop()
	}
}

// maxUnnestElems bounds the elements one evaluation of the lists holds:
// generate_series(1, n) over a batch of rows could otherwise build
// n × rows elements at once (9M × 8k is 70G), before any of them is
// output or the query's cancellation is looked at.
const maxUnnestElems = 1 << 20

// load evaluates the list expressions over the next rows of the child
// batch: chunk rows, which starts at one and doubles while the lists stay
// small, and shrinks when they outgrow maxUnnestElems (a single row's
// lists are taken whatever their size).
func (o *unnestOp) load(ctx context.Context) error {
	if err := ctxErr(ctx); err != nil {
		o.drop()
		return err
	}
	o.chunk = max(o.chunk, 1)
	for {
		rows := min(o.chunk, o.whole.NumRows()-o.off)
		b := o.whole.NewSlice(o.off, o.off+rows)
		o.b, o.row, o.elem = b, 0, 0
		var elems int64
		for _, e := range o.spec.Lists {
			l, err := evalOne(ctx, o.env, e, b)
			if err != nil {
				o.drop()
				return err
			}
			ll, ok := l.(array.ListLike)
			if !ok {
				l.Release()
				o.drop()
				return errInternal("unnest argument evaluated to %s", l.DataType())
			}
			o.lists = append(o.lists, ll)
			if rows > 0 {
				first, _ := ll.ValueOffsets(0)
				_, last := ll.ValueOffsets(int(rows) - 1)
				elems += last - first
			}
		}
		if elems <= maxUnnestElems || rows == 1 {
			o.off += rows
			if elems <= maxUnnestElems/4 && rows == o.chunk {
				o.chunk *= 2
			}
			return nil
		}
		o.releaseSlice()
		o.chunk = max(1, rows*maxUnnestElems/elems)
		if err := ctxErr(ctx); err != nil {
			o.drop()
			return err
		}
	}
}

// releaseSlice releases the loaded slice and its lists.
func (o *unnestOp) releaseSlice() {
	if o.b != nil {
		o.b.Release()
		for _, l := range o.lists {
			l.Release()
		}
		o.b, o.lists = nil, o.lists[:0]
	}
}

// drop releases the loaded slice, and the child batch once every row of
// it was loaded (or on an error or Close).
func (o *unnestOp) drop() {
	o.releaseSlice()
	if o.whole != nil && (o.off >= o.whole.NumRows() || o.closed) {
		o.whole.Release()
		o.whole = nil
	}
}

// rowLen is the number of rows child row i expands to: its longest list.
func (o *unnestOp) rowLen(i int) int64 {
	var n int64
	for _, l := range o.lists {
		if !l.IsNull(i) {
			start, end := l.ValueOffsets(i)
			n = max(n, end-start)
		}
	}
	return n
}

// emit returns the next output batch of the current child batch, or nil
// when it is exhausted.
func (o *unnestOp) emit(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		// A condition may reject every row of a long expansion: nothing
		// is returned for a long time.
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		o.gather()
		if len(o.rows) == 0 {
			return nil, nil
		}
		if o.where == nil {
			return o.build(gathered{rows: o.rows, idx: o.idx, ord: o.ord, ordOK: o.ordOK})
		}
		out, err := o.filter(ctx)
		if out != nil || err != nil {
			return out, err
		}
	}
}

// filter returns the gathered rows that pass spec.Cond, each child row
// none of whose rows passed (Outer) as one row of NULL elements in their
// place; nil if there are none.
func (o *unnestOp) filter(ctx context.Context) (arrow.RecordBatch, error) {
	// The NULL rows of empty child rows (ordOK false) are not evaluated.
	elems := gathered{rows: o.rows, idx: o.idx, ord: o.ord, ordOK: o.ordOK}
	if slices.Contains(o.ordOK, false) {
		e := &o.elems
		e.rows, e.ord, e.ordOK = e.rows[:0], e.ord[:0], e.ordOK[:0]
		for k := range e.idx {
			e.idx[k] = e.idx[k][:0]
		}
		for i, ok := range o.ordOK {
			if ok {
				e.rows, e.ord, e.ordOK = append(e.rows, o.rows[i]), append(e.ord, o.ord[i]), append(e.ordOK, true)
				for k := range o.idx {
					e.idx[k] = append(e.idx[k], o.idx[k][i])
				}
			}
		}
		elems = *e
	}
	o.pass = o.pass[:0]
	if len(elems.rows) > 0 {
		cols := make([]arrow.Array, 0, len(o.condCols))
		for _, c := range o.condCols {
			a, err := o.column(elems, c)
			if err != nil {
				releaseArrays(cols)
				return nil, err
			}
			cols = append(cols, a)
		}
		b := newBatch(o.condSchema, cols, len(elems.rows))
		var err error
		o.pass, err = o.where.selectRows(ctx, o.env, b, o.pass)
		b.Release()
		if err != nil {
			return nil, err
		}
	}
	out := &o.out
	out.rows, out.ord, out.ordOK = out.rows[:0], out.ord[:0], out.ordOK[:0]
	for k := range out.idx {
		out.idx[k] = out.idx[k][:0]
	}
	add := func(i int, ok bool) {
		out.rows, out.ord, out.ordOK = append(out.rows, o.rows[i]), append(out.ord, o.ord[i]), append(out.ordOK, ok)
		for k := range out.idx {
			e := int32(-1)
			if ok {
				e = o.idx[k][i]
			}
			out.idx[k] = append(out.idx[k], e)
		}
	}
	j, p := 0, 0 // position among elems, among o.pass
	for i, ok := range o.ordOK {
		if ok {
			if p < len(o.pass) && o.pass[p] == int32(j) {
				add(i, true)
				o.matched = true
				p++
			}
			j++
		}
		if o.ends[i] {
			if o.spec.Outer && !o.matched {
				add(i, false)
			}
			o.matched = false
		}
	}
	if len(out.rows) == 0 {
		return nil, nil
	}
	return o.build(*out)
}

// gather collects in rows, idx, ord, ordOK and ends the next rows of the
// current child batch, about env.Rows() of them; none when it is
// exhausted.
func (o *unnestOp) gather() {
	o.rows, o.ord, o.ordOK, o.ends = o.rows[:0], o.ord[:0], o.ordOK[:0], o.ends[:0]
	for k := range o.idx {
		o.idx[k] = o.idx[k][:0]
	}
	limit := o.env.Rows()
	n := o.b.NumRows()
	for len(o.rows) < limit && o.row < int(n) {
		total := o.rowLen(o.row)
		if total == 0 {
			if o.spec.Outer {
				o.rows = append(o.rows, int32(o.row))
				for k := range o.idx {
					o.idx[k] = append(o.idx[k], -1) // take of -1 is NULL
				}
				o.ord, o.ordOK, o.ends = append(o.ord, 0), append(o.ordOK, false), append(o.ends, true)
			}
			o.row, o.elem = o.row+1, 0
			continue
		}
		count := min(total-o.elem, int64(limit-len(o.rows)))
		for k, l := range o.lists {
			start, end := l.ValueOffsets(o.row)
			if l.IsNull(o.row) {
				end = start
			}
			for e := o.elem; e < o.elem+count; e++ {
				if start+e < end {
					o.idx[k] = append(o.idx[k], int32(start+e))
				} else {
					o.idx[k] = append(o.idx[k], -1)
				}
			}
		}
		for e := o.elem; e < o.elem+count; e++ {
			o.rows = append(o.rows, int32(o.row))
			o.ord, o.ordOK, o.ends = append(o.ord, e+1), append(o.ordOK, true), append(o.ends, e == total-1)
		}
		o.elem += count
		if o.elem >= total {
			o.row, o.elem = o.row+1, 0
		}
	}
}

// build returns the batch of rows g of the current child batch.
func (o *unnestOp) build(g gathered) (arrow.RecordBatch, error) {
	cols, err := takeColumns(o.env.Mem, o.b.Columns(), g.rows)
	if err != nil {
		return nil, err
	}
	for c := len(cols); c < o.schema.NumFields(); c++ {
		a, err := o.column(g, c)
		if err != nil {
			releaseArrays(cols)
			return nil, err
		}
		cols = append(cols, a)
	}
	return newBatch(o.schema, cols, len(g.rows)), nil
}

// column returns output column c of the rows g of the current child
// batch: a child column, a list's elements, or the ordinality.
func (o *unnestOp) column(g gathered, c int) (arrow.Array, error) {
	mem := o.env.Mem
	nc := int(o.b.NumCols())
	switch {
	case c < nc:
		return takeArray(mem, o.b.Column(c), g.rows)
	case c < nc+len(o.lists):
		return takeArray(mem, o.lists[c-nc].ListValues(), g.idx[c-nc])
	}
	var valid []bool
	if o.spec.Outer {
		valid = g.ordOK
	}
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, g.ord, valid), nil
}

func (o *unnestOp) Close() error {
	o.closed = true
	o.drop()
	return o.child.Close()
}
