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

// SetOp is a set operation between two queries.
type SetOp uint8

const (
	Union SetOp = iota
	Intersect
	Except
)

var setOpNames = [...]string{"UNION", "INTERSECT", "EXCEPT"}

func (s SetOp) String() string {
	if int(s) < len(setOpNames) {
		return setOpNames[s]
	}
	return "SETOP?"
}

// setOpOp runs a set operation. UNION ALL streams; every other variant
// streams one side through a hash table of whole rows that holds, per
// distinct row, how often it was seen on the right (rcnt) and how many
// copies were seen on the left so far (lcnt).
type setOpOp struct {
	env *executor.Env
	op  SetOp
	all bool
	// inputs are UNION's branches, read in order, or INTERSECT's and
	// EXCEPT's left and right sides.
	inputs     []executor.Operator
	schema     *arrow.Schema
	table      hashTable
	res        *membudget.Reservation // the table's memory
	perRow     int64                  // estimated bytes per distinct row
	rcnt, lcnt []int64
	gids       []int32
	sel        []int32
	cur        int  // UNION: the input being read
	built      bool // INTERSECT, EXCEPT: right side counted
	done       bool
}

// NewSetOp returns left op right, with SQL multiset semantics: UNION ALL
// is the concatenation; UNION the distinct rows of both; INTERSECT and
// EXCEPT the distinct rows of left that are (not) in right; INTERSECT ALL
// emits min(m, n) copies of a row seen m times on the left and n times on
// the right, EXCEPT ALL max(m-n, 0). Rows compare with NULLs equal (NOT
// DISTINCT FROM) and by the grouping equality (NaN = NaN, -0 = 0,
// intervals by span).
//
// Both inputs must have the same column types (the planner casts), else
// XX000. Output: left's field names and types, nullable where either
// side's field is. Rows come in input order: UNION ALL emits left then
// right; UNION emits the first occurrence of each row (left, then right);
// the others emit left rows in order, the first copies of each row. All
// but UNION ALL keep one copy of every distinct row in memory (the right
// side's for INTERSECT and EXCEPT, which is read first); no input batch is
// retained; the table reserves memory from the query's budget and fails
// with 53200 when it is refused (set operations do not spill). Column
// types that cannot be hashed return 0A000.
//
// types are the columns' SQL types where the Arrow type does not say how
// they compare (jsonb: by value, 1.0 = 1); nil keys every column by its
// Arrow type.
func NewSetOp(env *executor.Env, op SetOp, all bool, left, right executor.Operator, types []sqltypes.Type) (executor.Operator, error) {
	if op > Except {
		return nil, errInternal("unknown set operation %d", op)
	}
	return newSetOp(env, op, all, []executor.Operator{left, right}, types)
}

// NewUnion returns the UNION [ALL] of inputs, read in order: one operator
// for a chain of them (`q1 UNION ALL q2 UNION ALL ... qn`), whose rows
// would otherwise pass through one operator per branch after theirs.
// types are as NewSetOp's.
func NewUnion(env *executor.Env, all bool, types []sqltypes.Type, inputs ...executor.Operator) (executor.Operator, error) {
	if len(inputs) < 2 {
		return nil, errInternal("UNION of %d inputs", len(inputs))
	}
	return newSetOp(env, Union, all, inputs, types)
}

func newSetOp(env *executor.Env, op SetOp, all bool, inputs []executor.Operator, types []sqltypes.Type) (executor.Operator, error) {
	for _, in := range inputs {
		if in == nil {
			return nil, errInternal("set operation input is nil")
		}
	}
	ls := inputs[0].Schema()
	fs := fieldsOf(ls, false)
	for _, in := range inputs[1:] {
		rs := in.Schema()
		if ls.NumFields() != rs.NumFields() {
			return nil, errInternal("%s inputs have %d and %d columns", op, ls.NumFields(), rs.NumFields())
		}
		for i := range fs {
			if !arrow.TypeEqual(fs[i].Type, rs.Field(i).Type) {
				return nil, errInternal("%s column %d: left type %s, right type %s", op, i+1, fs[i].Type, rs.Field(i).Type)
			}
			fs[i].Nullable = fs[i].Nullable || rs.Field(i).Nullable
		}
	}
	o := &setOpOp{env: env, op: op, all: all, inputs: inputs, schema: arrow.NewSchema(fs, nil)}
	if op != Union || !all {
		types := columnKeyTypes(o.schema, types)
		t, err := newHashTable(types, maphash.MakeSeed())
		if err != nil {
			return nil, err
		}
		o.table = t
		o.res, o.perRow = env.Reserve("SetOp"), aggGroupCost(types, 2)
	}
	return o, nil
}

func (o *setOpOp) Schema() *arrow.Schema { return o.schema }

func (o *setOpOp) Open(ctx context.Context) error {
	for _, in := range o.inputs {
		if err := in.Open(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (o *setOpOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.done {
		return nil, io.EOF
	}
	if o.op != Union && !o.built {
		if err := o.countRight(ctx); err != nil {
			return nil, err
		}
		o.built = true
		if o.op == Intersect && o.table.len() == 0 {
			o.done = true
			return nil, io.EOF
		}
	}
	for {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		b, err := o.inputs[o.cur].Next(ctx)
		if err == io.EOF {
			if o.op == Union && o.cur+1 < len(o.inputs) {
				o.cur++
				continue
			}
			o.done = true
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		if out, err := o.filter(ctx, b); out != nil || err != nil {
			return out, err
		}
	}
}

// countRight inserts every right row into the table, counting copies.
func (o *setOpOp) countRight(ctx context.Context) error {
	for {
		b, err := o.inputs[1].Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctxErr(ctx); err != nil {
			b.Release()
			return err
		}
		n := int(b.NumRows())
		o.gids = growTo(o.gids[:0], n)[:n]
		before := o.table.len()
		o.table.insert(b.Columns(), o.gids)
		b.Release()
		if err := o.res.Grow(int64(o.table.len()-before) * o.perRow); err != nil {
			return err
		}
		o.rcnt = growTo(o.rcnt, o.table.len())
		for _, g := range o.gids {
			o.rcnt[g]++
		}
	}
}

// filter returns the rows of b the operation emits (nil if none); it
// takes ownership of b.
func (o *setOpOp) filter(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	if o.table == nil { // UNION ALL
		return o.rebind(b), nil
	}
	o.gids = growTo(o.gids[:0], n)[:n]
	if o.op == Union || o.op == Except {
		before := o.table.len()
		o.table.insert(b.Columns(), o.gids)
		if err := o.res.Grow(int64(o.table.len()-before) * o.perRow); err != nil {
			b.Release()
			return nil, err
		}
	} else {
		o.table.lookup(b.Columns(), o.gids)
	}
	o.lcnt = growTo(o.lcnt, o.table.len())
	o.rcnt = growTo(o.rcnt, o.table.len())
	o.sel = o.sel[:0]
	for i, g := range o.gids {
		if g < 0 {
			continue
		}
		l, r := o.lcnt[g], o.rcnt[g]
		o.lcnt[g] = l + 1
		var keep bool
		switch {
		case o.op == Union:
			keep = l == 0
		case o.op == Intersect && o.all:
			keep = l < r
		case o.op == Intersect:
			keep = l == 0 && r > 0
		case o.all: // EXCEPT ALL
			keep = l >= r
		default:
			keep = l == 0 && r == 0
		}
		if keep {
			o.sel = append(o.sel, int32(i))
		}
	}
	switch len(o.sel) {
	case 0:
		b.Release()
		return nil, nil
	case n:
		return o.rebind(b), nil
	}
	out, err := takeBatch(o.env.Mem, o.schema, b.Columns(), o.sel)
	b.Release()
	return out, err
}

// rebind returns b's columns under the output schema (taking b).
func (o *setOpOp) rebind(b arrow.RecordBatch) arrow.RecordBatch { return rebindTo(o.schema, b) }

func (o *setOpOp) Close() error {
	o.done = true
	o.table, o.rcnt, o.lcnt = nil, nil, nil
	if o.res != nil {
		o.res.Free()
	}
	var err error
	for _, in := range o.inputs {
		if cerr := in.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
