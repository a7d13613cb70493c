package ops

import (
	"context"
	"hash/maphash"
	"io"
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// hashAggOp groups its inputs' rows and computes aggregates per group.
type hashAggOp struct {
	env    *executor.Env
	inputs []executor.Operator
	preds  []*rowFilter // per input: a filter folded into the aggregate (hashaggfilter.go), or nil
	groups []expr.Expr
	shared []expr.Expr // arithmetic the arguments share (hashaggshare.go)
	aggs   []Aggregate
	schema *arrow.Schema
	seed   maphash.Seed
	res    *membudget.Reservation
	// plain is the inputs' schema without dictionaries (hashaggdict.go).
	plain     *arrow.Schema
	plainOnce sync.Once
	out       arrow.RecordBatch
	// pending are the result batches after out (hashaggmerge.go).
	pending []arrow.RecordBatch
	pos     int64
	done    bool
	closed  bool
	// Spilling (hashaggspill.go): partitions still to aggregate.
	tasks []aggTask
	// hintGroups and hintRows are the planner's estimate of the groups
	// and input rows (0: none; see HintGroups).
	hintGroups, hintRows float64
	// keySets: parts may keep their groups as key sets (hashaggset.go).
	keySets bool
}

// HintGroups gives a hash aggregate (op from NewHashAggregate; others
// ignore it) the planner's estimate of its groups and of its inputs'
// rows, all inputs together. Each input's table is then sized once for
// the groups that input is expected to meet, instead of doubling from
// empty, when that memory fits well within the query's budget.
func HintGroups(op executor.Operator, groups, rows float64) {
	if o, ok := op.(*hashAggOp); ok && groups >= 1 && rows >= groups {
		o.hintGroups, o.hintRows = groups, rows
	}
}

// presizeParts sizes the tables of parts (one per input) for half the
// groups each is expected to meet: a group of m = rows/groups rows has
// one in a given input of k with probability 1-(1-1/k)^m, so an input
// meets groups·(1-(1-1/k)^m) of them (all with one input; a k-th of
// unique keys). Half, because distinct counts taken from a column's
// [min, max] range are upper bounds (TPC-H's sparse order keys: 6M for
// 1.5M): an estimate up to twice the truth then sizes the table as
// doubling would have, and an exact one still saves all doublings but
// the last. Skipped when the tables would take more than half of what
// is left of the budget: an overestimate must not take memory the query
// needs elsewhere. Without a budget limit to check, the estimate is
// trusted for at most presizeUnbudgeted groups per input: a wild one
// must not allocate what no row fills (nor overflow int).
func (o *hashAggOp) presizeParts(parts []*aggPart) {
	if o.hintGroups < 1 || len(o.groups) == 0 || len(parts) == 0 {
		return
	}
	k := float64(len(parts))
	m := o.hintRows / o.hintGroups
	each := o.hintGroups * (1 - math.Pow(1-1/k, m)) / 2
	var b *membudget.Budget
	if o.res != nil {
		b = o.res.Budget()
	}
	switch {
	case math.IsNaN(each) || each < 1:
		return
	case b == nil || b.Limit() <= 0:
		each = min(each, presizeUnbudgeted)
	case each*k*float64(parts[0].perGroup) > float64(b.Limit()-b.Used())/2:
		return
	}
	for _, p := range parts {
		if o.keySets && each >= keySetMin {
			p.startKeySet(0)
			continue
		}
		presize(p.table, int(each))
	}
}

// presizeUnbudgeted is the most groups presizeParts sizes an input's
// table for when the query has no memory limit (a few tens of MB).
const presizeUnbudgeted = 1 << 20

// NewHashAggregate returns an operator that groups the rows of all inputs
// (which share one schema) by the values of groups and computes aggs per
// group. Output columns: the group keys (types groups[i].Type()), then one
// column per aggregate (type aggs[i].Type, which must equal
// AggregateType's answer or be the zero Type). NULL keys form one group.
// Without group keys there is exactly one output row, even for empty
// input (count 0, other aggregates NULL); with keys, empty input yields no
// rows. Groups are emitted in order of first appearance (for one input
// that did not spill).
//
// With more than one input, each input runs in its own goroutine into a
// partial hash table; partial states are merged at the end (sums and
// counts add, array_agg concatenates in input order, DISTINCT sets
// unite). A panic in a worker becomes XX000; the first error cancels the
// other workers.
//
// The hash tables reserve memory from the query's budget. When it is
// refused, a table stops taking new groups: rows of groups it already has
// are still aggregated, rows of new groups are written to disk, split
// into partitions by a hash of their keys, and each partition is
// aggregated on its own afterwards (recursively, if it too is over
// budget). Without group keys, or for groups whose array_agg,
// string_agg, DISTINCT or percentile state keeps growing, there is
// nothing to spill and the query fails with 53200.
func NewHashAggregate(env *executor.Env, inputs []executor.Operator, groups []expr.Expr, aggs []Aggregate) (executor.Operator, error) {
	if len(inputs) == 0 {
		return nil, errInternal("hash aggregate without inputs")
	}
	fs := make([]arrow.Field, 0, len(groups)+len(aggs))
	for i, g := range groups {
		if g == nil {
			return nil, errInternal("group key %d is nil", i)
		}
		if err := errRecordKey(g.Type()); err != nil {
			return nil, err
		}
		if !sqlKeyOK(g.Type()) {
			return nil, sqltypes.New(sqltypes.CodeUndefinedFunction, "could not identify an equality operator for type %s", g.Type())
		}
		fs = append(fs, arrow.Field{Name: g.String(), Type: g.Type().Arrow(), Nullable: true})
	}
	aggs = append([]Aggregate(nil), aggs...)
	for i := range aggs {
		a := &aggs[i]
		types := make([]sqltypes.Type, len(a.Args))
		for j, x := range a.Args {
			if x == nil {
				return nil, errInternal("argument %d of aggregate %s is nil", j, a.Func)
			}
			types[j] = x.Type()
		}
		t, err := AggregateType(a.Func, types)
		if err != nil {
			return nil, err
		}
		switch {
		case a.Type.Kind == sqltypes.Unknown && a.Type.Elem == nil:
			a.Type = t
		case varStats(a.Func, a.Type, t):
		case !arrow.TypeEqual(a.Type.Arrow(), t.Arrow()):
			return nil, errInternal("aggregate %s declared %s, computes %s", a.Func, a.Type, t)
		}
		if a.Filter != nil {
			if err := checkBool("FILTER", a.Filter); err != nil {
				return nil, err
			}
		}
		if len(a.Order) > 0 {
			if !OrderSensitive(a.Func) {
				return nil, errInternal("aggregate %s has its own ORDER BY", a.Func)
			}
			order, err := checkSortKeys(a.Order)
			if err != nil {
				return nil, err
			}
			aggs[i].Order = order
		}
		fs = append(fs, arrow.Field{Name: a.Func, Type: a.Type.Arrow(), Nullable: true})
	}
	o := &hashAggOp{env: env, inputs: append([]executor.Operator(nil), inputs...), groups: groups, aggs: aggs, schema: arrow.NewSchema(fs, nil), seed: maphash.MakeSeed(),
		res: env.Reserve("HashAggregate").Spills()}
	o.shareArguments()
	o.keySets = o.keySetsFit()
	p, err := o.newPart(0) // validates key and argument types now
	if err != nil {
		return nil, err
	}
	p.release()
	o.fuseFilters()
	return o, nil
}

// aggPart is one hash table with its accumulators (a partial state when
// inputs run in parallel).
type aggPart struct {
	o     *hashAggOp
	table hashTable
	set   *keySet // the groups instead of table (hashaggset.go), or nil
	accs  []accumulator
	gids  []int32
	fgids []int32
	sel   []int32
	dict  dictScratch
	spillState
}

func (o *hashAggOp) newPart(level int) (*aggPart, error) {
	types := keyArrowTypes(o.groups)
	t, err := newGroupTable(types, o.seed)
	if err != nil {
		return nil, err
	}
	p := &aggPart{o: o, table: t}
	p.level = level
	p.perGroup = aggGroupCost(types, len(o.aggs))
	for _, a := range o.aggs {
		acc, err := o.newAccumulator(a)
		if err != nil {
			p.release()
			return nil, err
		}
		p.accs = append(p.accs, acc)
	}
	shareRetained(o.aggs, p.accs)
	return p, nil
}

func (o *hashAggOp) newAccumulator(a Aggregate) (accumulator, error) {
	argTypes := make([]arrow.DataType, len(a.Args))
	for i, x := range a.Args {
		argTypes[i] = x.Type().Arrow()
	}
	var acc accumulator
	var err error
	switch a.Func {
	case "sum", "avg", "min", "max", "sum_merge":
		if len(a.Args) == 1 && a.Args[0].Type().VarScale {
			fn := a.Func
			if fn == "sum_merge" {
				fn = "sum" // a sum of partial sums
			}
			acc = &varNumAcc{fn: fn, dt: a.Type.Arrow()}
			break
		}
		acc, err = o.newAccumulatorOf(a, argTypes)
	default:
		acc, err = o.newAccumulatorOf(a, argTypes)
	}
	if err != nil {
		return nil, err
	}
	return o.wrapAccumulator(a, acc)
}

func (o *hashAggOp) newAccumulatorOf(a Aggregate, argTypes []arrow.DataType) (accumulator, error) {
	var acc accumulator
	var err error
	switch a.Func {
	case "count_star":
		acc = &countAcc{star: true}
	case "count":
		acc = &countAcc{}
	case "sum", "avg":
		if argTypes[0].ID() == arrow.INTERVAL_MONTH_DAY_NANO {
			acc = &intervalSumAcc{avg: a.Func == "avg"}
			break
		}
		if id := argTypes[0].ID(); a.Func == "avg" && (id == arrow.FLOAT32 || id == arrow.FLOAT64) {
			acc, err = newStatsAcc(a.Func, argTypes[0], a.Type)
			break
		}
		acc, err = newSumAcc(argTypes[0], a.Type, a.Func == "avg")
	case "min", "max":
		if t := a.Args[0].Type(); t.Kind == sqltypes.List {
			acc = &minMaxList{t: t, max: a.Func == "max"}
			break
		}
		acc, err = newMinMax(argTypes[0], a.Func == "max")
		if mb, ok := acc.(*minMaxBytes); ok && a.Args[0].Type().Kind == sqltypes.Bpchar {
			mb.trim = true // bpchar orders without trailing blanks
		}
	case "count_merge":
		acc = &countAcc{add: true}
	case "sum_merge":
		acc, err = newSumMerge(argTypes[0], a.Type)
	case "avg_merge":
		acc, err = newAvgMerge(argTypes[0], a.Type)
	case "bool_and", "bool_or":
		acc = &boolAcc{and: a.Func == "bool_and"}
	case "range_intersect_agg":
		acc = &rangeIntersectAcc{t: a.Args[0].Type()}
	case "array_agg":
		acc = &arrayAgg{elem: argTypes[0]}
	case "string_agg":
		acc = &stringAgg{dt: a.Type.Arrow()}
	case "json_agg", "jsonb_agg":
		acc = &jsonAgg{t: a.Args[0].Type(), jsonb: a.Func == "jsonb_agg", rows: expr.IsRowToJSON(a.Args[0]), env: o.env}
	case "json_object_agg", "jsonb_object_agg":
		acc = &jsonAgg{t: a.Args[1].Type(), key: a.Args[0].Type(), object: true, jsonb: a.Func == "jsonb_object_agg", env: o.env}
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		acc, err = newStatsAcc(a.Func, argTypes[0], a.Type)
	case "bit_and", "bit_or", "bit_xor":
		acc = &bitAcc{op: a.Func, dt: a.Type.Arrow()}
	case "percentile_cont", "percentile_disc", "mode":
		if a.Distinct {
			return nil, errUnsupported("DISTINCT is not supported with WITHIN GROUP")
		}
		acc = &percentileAcc{mem: o.env.Mem, cont: a.Func == "percentile_cont", mode: a.Func == "mode", desc: a.Desc, dt: argTypes[1], jsonb: a.Args[1].Type().Kind == sqltypes.JSONB}
	default:
		if !isRegrFunc(a.Func) {
			return nil, errInternal("aggregate %s has no implementation", a.Func)
		}
		acc = &regrAcc{fn: a.Func, mem: o.env.Mem}
	}
	return acc, err
}

// wrapAccumulator adds a call's own ORDER BY and DISTINCT to acc.
func (o *hashAggOp) wrapAccumulator(a Aggregate, acc accumulator) (accumulator, error) {
	argTypes := keyArrowTypes(a.Args)
	if len(a.Order) > 0 {
		specs := make([]SortKey, len(a.Order))
		for i, k := range a.Order {
			specs[i] = SortKey{Desc: k.Desc, NullsFirst: k.NullsFirst}
			argTypes = append(argTypes, k.Expr.Type().Arrow())
		}
		acc = &orderedAcc{mem: o.env.Mem, inner: acc, nArgs: len(a.Args), specs: specs}
	}
	if !a.Distinct {
		return acc, nil
	}
	sorted := OrderSensitive(a.Func)
	return newDistinctAcc(o.env.Mem, acc, argTypes, sorted, o.seed)
}

// consume folds one batch into the part, or, once the part is over
// budget, the rows of its known groups, spilling the others.
func (p *aggPart) consume(ctx context.Context, b arrow.RecordBatch) error {
	if p.spill != nil {
		return p.consumeSpilling(ctx, b)
	}
	keys, err := p.o.evalKeys(ctx, b)
	if err != nil {
		return err
	}
	defer releaseArrays(keys)
	before := p.held()
	retained, err := p.aggregate(ctx, b, keys, true)
	if err != nil {
		return err
	}
	return p.account(p.held() - before + retained)
}

// aggregate folds rows into the part (adding groups only if add) and
// returns the bytes of arguments that accumulators retained.
func (p *aggPart) aggregate(ctx context.Context, b arrow.RecordBatch, keys []arrow.Array, add bool) (int64, error) {
	n := int(b.NumRows())
	p.gids = growTo(p.gids[:0], n)[:n]
	if add {
		if err := p.insertKeys(ctx, keys, nil); err != nil {
			return 0, err
		}
	} else {
		p.table.lookup(keys, p.gids)
	}
	in, err := p.evalInputs(ctx, b)
	if err != nil {
		return 0, err
	}
	defer in.release()
	grown, err := p.update(in)
	return in.retained + grown, err
}

// aggInputs are the evaluated arguments of every aggregate for one batch.
type aggInputs struct {
	args     [][]arrow.Array // per aggregate: its arguments, then its ORDER BY keys
	keep     [][]byte        // per aggregate with FILTER: a bitmap of the rows that pass
	retained int64           // bytes of arguments that accumulators keep
}

func (in *aggInputs) release() {
	for _, a := range in.args {
		releaseArrays(a)
	}
}

// evalInputs evaluates the arguments and FILTER clauses of every
// aggregate on b. Nothing is folded yet, so an error leaves the part as
// it was.
func (p *aggPart) evalInputs(ctx context.Context, b arrow.RecordBatch) (*aggInputs, error) {
	env := p.o.env
	if len(p.o.shared) > 0 {
		xb, err := p.o.withShared(ctx, b)
		if err != nil {
			return nil, err
		}
		defer xb.Release()
		b = xb
	}
	in := &aggInputs{args: make([][]arrow.Array, len(p.o.aggs)), keep: make([][]byte, len(p.o.aggs))}
	for j, a := range p.o.aggs {
		if a.Filter != nil {
			m, err := evalOne(ctx, env, a.Filter, b)
			if err != nil {
				in.release()
				return nil, err
			}
			in.keep[j] = trueBits(m)
			m.Release()
		}
		args, err := evalAll(ctx, env, a.Args, b)
		if err != nil {
			in.release()
			return nil, err
		}
		for _, k := range a.Order {
			v, err := evalOne(ctx, env, k.Expr, b)
			if err != nil {
				releaseArrays(args)
				in.release()
				return nil, err
			}
			args = append(args, v)
		}
		in.args[j] = args
		// A DISTINCT aggregate reports what its set retains itself
		// (update): its arguments' bytes would count every duplicate.
		if retains(a) && !a.Distinct {
			for _, x := range args {
				in.retained += membudget.ArrayBytes(x)
			}
		}
	}
	return in, nil
}

// update folds the evaluated inputs into the accumulators of the groups
// in p.gids (rows of group -1 are skipped) and returns the bytes the
// DISTINCT sets grew by.
func (p *aggPart) update(in *aggInputs) (int64, error) {
	var grown int64
	for j := range p.o.aggs {
		acc := p.accs[j]
		acc.grow(p.table.len())
		gids := p.gids
		if p.o.aggs[j].Filter != nil {
			p.fgids = growTo(p.fgids[:0], len(p.gids))[:len(p.gids)]
			maskGroups(p.fgids, p.gids, in.keep[j])
			gids = p.fgids
		}
		if err := acc.update(gids, in.args[j]); err != nil {
			return grown, err
		}
		if d, ok := acc.(*distinctAcc); ok {
			grown += d.grown()
		}
	}
	return grown, nil
}

// absorb merges src into p and releases src (p takes over its memory
// reservation and its spilled partitions).
func (p *aggPart) absorb(src *aggPart) error {
	p.bytes += src.bytes
	src.bytes = 0
	defer src.release()
	mem := p.o.env.Mem
	keys := src.table.keyArrays(mem)
	defer releaseArrays(keys)
	gmap := make([]int32, src.table.len())
	p.table.insert(keys, gmap)
	for j, acc := range p.accs {
		acc.grow(p.table.len())
		src.accs[j].grow(src.table.len())
		if err := acc.merge(src.accs[j], gmap); err != nil {
			return err
		}
	}
	return nil
}

func (p *aggPart) release() {
	for _, a := range p.accs {
		a.release()
	}
	p.accs = nil
	p.o.res.Shrink(p.bytes)
	p.bytes = 0
	if p.spill != nil {
		p.spill.abort()
		p.spill = nil
	}
}

func (o *hashAggOp) Schema() *arrow.Schema { return o.schema }

func (o *hashAggOp) Open(ctx context.Context) error {
	if len(o.inputs) == 1 {
		return o.inputs[0].Open(ctx)
	}
	return ctxErr(ctx)
}

func (o *hashAggOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.closed {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if !o.done {
		o.done = true
		out, err := o.run(ctx)
		if err != nil {
			return nil, err
		}
		o.out = out
	}
	for o.out == nil || o.pos >= o.out.NumRows() {
		if o.out != nil {
			o.out.Release()
			o.out, o.pos = nil, 0
		}
		if len(o.pending) > 0 {
			o.out = o.nextPending()
			continue
		}
		out, more, err := o.nextSpilled(ctx)
		if err != nil {
			return nil, err
		}
		if !more {
			return nil, io.EOF
		}
		o.out = out
	}
	end := min(o.pos+int64(o.env.Rows()), o.out.NumRows())
	s := o.out.NewSlice(o.pos, end)
	o.pos = end
	return s, nil
}

// run aggregates every input and returns the first result batch (nil if
// empty or if every group waits for spilled partitions).
func (o *hashAggOp) run(ctx context.Context) (arrow.RecordBatch, error) {
	parts := make([]*aggPart, len(o.inputs))
	defer func() {
		for _, p := range parts {
			if p != nil {
				p.release()
			}
		}
	}()
	for i := range parts {
		p, err := o.newPart(0)
		if err != nil {
			return nil, err
		}
		parts[i] = p
	}
	o.presizeParts(parts)
	if len(o.inputs) == 1 {
		if err := feed(ctx, o.inputs[0], o.pred(0), parts[0]); err != nil {
			return nil, err
		}
	} else if err := o.runParallel(ctx, parts); err != nil {
		return nil, err
	}
	if err := o.collectSpills(parts); err != nil {
		return nil, err
	}
	if withKeySets(parts) {
		if len(o.tasks) == 0 && keySetsMerge(parts) {
			outs, err := o.mergeKeySets(ctx, parts)
			if err != nil {
				return nil, err
			}
			for _, b := range outs {
				if b != nil {
					o.pending = append(o.pending, b)
				}
			}
			return o.nextPending(), nil
		}
		for _, p := range parts {
			p.toTable()
		}
	}
	if o.canMergeParallel(parts) {
		outs, ok, err := o.mergeParallel(ctx, parts)
		if err != nil {
			return nil, err
		}
		if ok {
			for _, b := range outs {
				if b != nil {
					o.pending = append(o.pending, b)
				}
			}
			return o.nextPending(), nil
		}
	}
	final := parts[0]
	for i := 1; i < len(parts); i++ {
		src := parts[i]
		parts[i] = nil
		if err := final.absorb(src); err != nil {
			return nil, err
		}
	}
	if len(o.tasks) > 0 && len(o.inputs) > 1 {
		// Spilled rows of one input may belong to groups another input
		// holds: fold those into the merged part before emitting it.
		if err := o.foldSpilled(ctx, final); err != nil {
			return nil, err
		}
	}
	return o.result(final)
}

// feed drains an opened input into p, keeping the rows where pred (nil:
// every row) is TRUE.
func feed(ctx context.Context, in executor.Operator, pred *rowFilter, p *aggPart) error {
	for {
		b, err := in.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err = ctxErr(ctx); err == nil {
			err = safeConsume(ctx, p, b, pred)
		}
		b.Release()
		if err != nil {
			return err
		}
	}
}

// runParallel aggregates input i into parts[i] in its own goroutine.
func (o *hashAggOp) runParallel(ctx context.Context, parts []*aggPart) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i, in := range o.inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cerr error
			err := drive(wctx, in, func(b arrow.RecordBatch) bool {
				if cerr = ctxErr(wctx); cerr == nil {
					cerr = safeConsume(wctx, parts[i], b, o.pred(i))
				}
				b.Release()
				return cerr == nil
			})
			if err == nil {
				err = cerr
			}
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctxErr(ctx)
	}
	return first
}

func safeConsume(ctx context.Context, p *aggPart, b arrow.RecordBatch, pred *rowFilter) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return p.consumeWhere(ctx, b, pred)
}

// result builds the output batch of the final part.
func (o *hashAggOp) result(p *aggPart) (arrow.RecordBatch, error) {
	n := p.table.len()
	if n == 0 {
		return nil, nil
	}
	mem := o.env.Mem
	cols := p.table.keyArrays(mem)
	for _, acc := range p.accs {
		acc.grow(n)
		a, err := acc.finish(mem)
		if err != nil {
			releaseArrays(cols)
			return nil, err
		}
		cols = append(cols, a)
	}
	return newBatch(o.schema, cols, n), nil
}

func (o *hashAggOp) Close() error {
	if !o.closed {
		o.closed = true
		if o.out != nil {
			o.out.Release()
			o.out = nil
		}
		for _, b := range o.pending {
			b.Release()
		}
		o.pending = nil
		for _, t := range o.tasks {
			removeSpills(t.files)
		}
		o.tasks = nil
		o.res.Free()
	}
	var first error
	for _, in := range o.inputs {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
