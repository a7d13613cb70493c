package physical

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Plan is an executable operator tree and its EXPLAIN description.
type Plan struct {
	Root    executor.Operator
	Explain *ExplainNode
	// Partitions is the partition count of the plan's one data product
	// scan when every output row comes from that scan through row-by-row
	// operators only (filters, projections, unnest), so that disjoint
	// shares of its partitions give disjoint shares of the result (see
	// Split); 0 when the plan cannot be split that way.
	Partitions int
}

// Output names a result column for Build.
type Output struct {
	ID   logical.ColumnID
	Name string
}

// stream is the lowered form of a logical node: one or more operators that
// each produce part of the node's rows (parallel streams), all with the
// same layout.
type stream struct {
	ops []executor.Operator
	ids []logical.ColumnID
	lay layout
	ex  *ExplainNode
	// fold is set when the stream ends with a filter (and a projection
	// picking columns over it) that a hash join probing the stream may
	// evaluate inside its probe instead (ops.HashJoinSpec.ProbeFilter).
	fold *probeFold
}

// probeFold is the filter a stream ends with, for a hash join to fold.
type probeFold struct {
	in    []executor.Operator // per stream: the filter's input
	pred  expr.Expr           // over in's rows
	text  string              // pred for EXPLAIN
	proj  []expr.Expr         // nil: the stream is the filter's rows
	names []string
	// ex is the plan node the join's probe side shows when it folds the
	// filter; scan: ex is the scan that ran the filter, whose filter=
	// property then moves to the join and whose measurements are of in
	// (they were of its last stage, the filter or projection).
	ex   *ExplainNode
	scan bool
}

type builder struct {
	ctx     context.Context
	env     *executor.Env
	meta    *logical.Metadata
	analyze bool
	created []executor.Operator
	// splitScan is the scan whose partitions can be shared out (see
	// Plan.Partitions), split the share to read (nil = all), partitions
	// the scan's partition count.
	splitScan  *logical.Scan
	split      *Split
	partitions int
	limits     map[*logical.Scan]limitHint // see noteLimit
	// aggScans are the scans read straight by a hash aggregate, with
	// the columns it groups by (see scandict.go).
	aggScans map[*logical.Scan]logical.ColSet
	shared   map[int]*sharedPlan // by logical.Shared.Key
	// work are the working tables of the recursive queries being
	// lowered, by logical.RecursiveUnion.Key.
	work map[int]*ops.WorkTable
	// stats are the ANALYZE counters handed out so far (see statLog).
	stats statLog
}

// statLog lists the ANALYZE counters a builder hands out, in order. A
// recursive term rebuilt for another round starts from the first round's
// lists and takes the same counters again, so that EXPLAIN ANALYZE shows
// its operators' rows and time over all rounds.
type statLog struct {
	ops            []*ops.OpStats
	sources        []*ops.SourceStats
	nOps, nSources int
}

// nextStat returns the next counter of list, adding one past its end.
func nextStat[T any](list *[]*T, n *int) *T {
	if *n == len(*list) {
		*list = append(*list, new(T))
	}
	*n++
	return (*list)[*n-1]
}

// Options adjust BuildWith.
type Options struct {
	// Analyze instruments every operator and fills ExplainNode.Stats
	// while the plan runs.
	Analyze bool
	// Split, when set, builds only one share of a splittable plan's rows.
	Split *Split
}

// Build lowers root into operators producing out, in order. With analyze,
// every operator is instrumented and ExplainNode.Stats filled while it runs.
func Build(ctx context.Context, env *executor.Env, meta *logical.Metadata, root logical.Node, out []Output, analyze bool) (*Plan, error) {
	return BuildWith(ctx, env, meta, root, out, Options{Analyze: analyze})
}

// BuildWith is Build with options. With opts.Split, a plan that cannot be
// split (Plan.Partitions == 0) fails with XX000, and one whose scan no
// longer has opts.Split.Partitions partitions with 40001.
func BuildWith(ctx context.Context, env *executor.Env, meta *logical.Metadata, root logical.Node, out []Output, opts Options) (*Plan, error) {
	b := &builder{ctx: ctx, env: env, meta: meta, analyze: opts.Analyze, split: opts.Split, splitScan: splittableScan(root)}
	if b.split != nil && b.splitScan == nil {
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: a share of a plan that cannot be split was requested")
	}
	s, err := b.lower(root)
	if err != nil {
		b.closeAll()
		return nil, err
	}
	op := b.gather(s)
	exprs := make([]expr.Expr, len(out))
	names := make([]string, len(out))
	for i, o := range out {
		idx, ok := s.lay[o.ID]
		if !ok {
			b.closeAll()
			return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: output column %s is missing from the plan", o.Name)
		}
		exprs[i] = expr.Column(idx, meta.Column(o.ID).Type, o.Name)
		names[i] = o.Name
	}
	final, err := ops.NewProject(env, op, exprs, names)
	if err != nil {
		b.closeAll()
		return nil, err
	}
	return &Plan{Root: final, Explain: s.ex, Partitions: b.partitions}, nil
}

func (b *builder) closeAll() {
	for i := len(b.created) - 1; i >= 0; i-- {
		b.created[i].Close()
	}
}

// add registers a new operator (instrumented under ANALYZE, with its
// memory reservation shown if it has one).
func (b *builder) add(op executor.Operator, ex *ExplainNode) executor.Operator {
	b.created = append(b.created, op)
	if mu, ok := op.(ops.MemoryUser); ok && b.analyze {
		ex.Mem = mu.Reservation()
	}
	return b.instrument(op, ex)
}

// instrument wraps op so that its rows and time count for ex under
// ANALYZE. Each parallel stream's last operator of a node is instrumented
// once, so rows are not counted twice.
func (b *builder) instrument(op executor.Operator, ex *ExplainNode) executor.Operator {
	if b.analyze {
		if ex.Stats == nil {
			ex.Stats = nextStat(&b.stats.ops, &b.stats.nOps)
		}
		return ops.NewInstrumented(op, ex.Stats)
	}
	return op
}

// gather merges parallel streams into one operator.
func (b *builder) gather(s *stream) executor.Operator {
	if len(s.ops) == 1 {
		return s.ops[0]
	}
	g := ops.NewGather(b.env, s.ops)
	b.created = append(b.created, g)
	return g
}

// each applies fn to every parallel stream.
func (b *builder) each(s *stream, ex *ExplainNode, fn func(executor.Operator) (executor.Operator, error)) (*stream, error) {
	return b.eachMaybe(s, ex, true, fn)
}

// eachMaybe is each, instrumenting the new operators only if asked.
func (b *builder) eachMaybe(s *stream, ex *ExplainNode, instrument bool, fn func(executor.Operator) (executor.Operator, error)) (*stream, error) {
	out := &stream{ids: s.ids, lay: s.lay, ex: ex}
	for _, op := range s.ops {
		n, err := fn(op)
		if err != nil {
			return nil, err
		}
		b.created = append(b.created, n)
		if instrument {
			n = b.instrument(n, ex)
		}
		out.ops = append(out.ops, n)
	}
	return out, nil
}

func (b *builder) names(ids []logical.ColumnID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = b.meta.Column(id).Name
	}
	return out
}

func (b *builder) lower(n logical.Node) (*stream, error) {
	switch x := n.(type) {
	case *logical.Scan:
		return b.lowerScan(x)
	case *logical.Filter:
		in, err := b.lower(x.Input)
		if err != nil {
			return nil, err
		}
		pred, err := lowerExpr(x.Pred, in.lay)
		if err != nil {
			return nil, err
		}
		ex := &ExplainNode{Name: "Filter", Props: []string{"predicate=" + x.Pred.String()}, Children: []*ExplainNode{in.ex}}
		s, err := b.each(in, ex, func(op executor.Operator) (executor.Operator, error) { return ops.NewFilter(b.env, op, pred) })
		if err != nil {
			return nil, err
		}
		s.fold = &probeFold{in: in.ops, pred: pred, text: exprList(logical.Conjuncts(x.Pred)), ex: in.ex}
		return s, nil
	case *logical.Project:
		in, err := b.lower(x.Input)
		if err != nil {
			return nil, err
		}
		exprs, err := lowerAll(x.Exprs, in.lay)
		if err != nil {
			return nil, err
		}
		ex := &ExplainNode{Name: "Project", Props: []string{"columns=" + exprList(x.Exprs)}, Children: []*ExplainNode{in.ex}}
		s, err := b.each(in, ex, func(op executor.Operator) (executor.Operator, error) {
			return ops.NewProject(b.env, op, exprs, b.names(x.Cols))
		})
		if err != nil {
			return nil, err
		}
		s.ids, s.lay = x.Cols, layoutOf(x.Cols)
		s.fold = projectedFold(in.fold, exprs, b.names(x.Cols))
		return s, nil
	case *logical.Join:
		if s, ok, err := b.pushJoin(x); ok || err != nil {
			return s, err
		}
		return b.lowerJoin(x)
	case *logical.Aggregate:
		return b.lowerAggregate(x)
	case *logical.Sort:
		in, err := b.lower(x.Input)
		if err != nil {
			return nil, err
		}
		keys, err := b.sortKeys(x.Keys, in.lay)
		if err != nil {
			return nil, err
		}
		ex := &ExplainNode{Name: "Sort", Props: []string{"keys=" + sortKeyList(x.Keys)}, Children: []*ExplainNode{in.ex}}
		op, err := ops.NewSort(b.env, b.gather(in), keys)
		if err != nil {
			return nil, err
		}
		return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: in.ids, lay: in.lay, ex: ex}, nil
	case *logical.Limit:
		return b.lowerLimit(x)
	case *logical.Unnest:
		in, err := b.lower(x.Input)
		if err != nil {
			return nil, err
		}
		spec := ops.UnnestSpec{Ordinality: x.Ord != 0, Outer: x.Outer}
		var shown []string
		for i, l := range x.Lists {
			list, err := lowerExpr(l, in.lay)
			if err != nil {
				return nil, err
			}
			col := b.meta.Column(x.Cols[i])
			spec.Lists = append(spec.Lists, list)
			spec.Names = append(spec.Names, col.Name)
			// An array-typed output column takes the list's elements
			// whole (regexp_matches) instead of their leaf values.
			spec.Whole = append(spec.Whole, col.Type.Kind == sqltypes.List)
			shown = append(shown, l.String())
		}
		ex := &ExplainNode{Name: "Unnest", Props: []string{"list=" + strings.Join(shown, ", ")}, Children: []*ExplainNode{in.ex}}
		// The operator appends to its input's physical column order.
		ids := append(append([]logical.ColumnID(nil), in.ids...), x.Cols...)
		if x.Ord != 0 {
			ids = append(ids, x.Ord)
		}
		if x.Cond != nil {
			if spec.Cond, err = lowerExpr(x.Cond, layoutOf(ids)); err != nil {
				return nil, err
			}
			ex.Props = append(ex.Props, "cond="+x.Cond.String())
		}
		if x.Outer {
			ex.Props = append(ex.Props, "outer")
		}
		s, err := b.each(in, ex, func(op executor.Operator) (executor.Operator, error) {
			return ops.NewUnnest(b.env, op, spec)
		})
		if err != nil {
			return nil, err
		}
		s.ids, s.lay = ids, layoutOf(ids)
		return s, nil
	case *logical.Values:
		return b.lowerValues(x)
	case *logical.SetOp:
		return b.lowerSetOp(x)
	case *logical.Window:
		return b.lowerWindow(x)
	case *logical.Shared:
		return b.lowerShared(x)
	case *logical.RecursiveUnion:
		return b.lowerRecursive(x)
	case *logical.WorkTable:
		return b.lowerWorkTable(x)
	}
	return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: cannot plan %T", n)
}

// sortedShared reports whether n is a shared input sorted by keys (each
// grouping set's reference to the rows they all aggregate, sorted once):
// its one stream replays the rows in their stored order.
func sortedShared(n logical.Node, keys []logical.SortKey) bool {
	sh, ok := n.(*logical.Shared)
	if !ok {
		return false
	}
	s, ok := sh.Input.(*logical.Sort)
	return ok && reflect.DeepEqual(s.Keys, keys)
}

// unpaddedKey is a group (or DISTINCT) key of bpchar without a length as
// bpchar's = groups it, without trailing blanks: its values may differ in
// padding ('a  ' and 'a' from a VALUES list mixing lengths), unlike those
// of a character(n), which stay as they are.
func unpaddedKey(e expr.Expr) expr.Expr {
	if unpadded(e.Type()) {
		return expr.BpcharKey(e)
	}
	return e
}

// onlyWhere is an aggregate's argument computed only for the rows its
// FILTER keeps, as PostgreSQL computes it: sum(100 / (q - 1)) FILTER
// (WHERE q <> 1) divides by no zero. A column or a literal cannot fail
// and is read as it is.
func onlyWhere(filter, arg expr.Expr) expr.Expr {
	if _, ok := arg.(*expr.ColumnExpr); ok {
		return arg
	}
	if _, ok := expr.IsLiteral(arg); ok {
		return arg
	}
	return expr.Case([]expr.When{{Cond: filter, Then: arg}}, nil, arg.Type())
}

func unpadded(t sqltypes.Type) bool { return t.Kind == sqltypes.Bpchar && t.Precision == 0 }

func (b *builder) sortKeys(keys []logical.SortKey, lay layout) ([]ops.SortKey, error) {
	out := make([]ops.SortKey, len(keys))
	for i, k := range keys {
		e, err := lowerExpr(k.Expr, lay)
		if err != nil {
			return nil, err
		}
		out[i] = ops.SortKey{Expr: expr.BpcharKey(e), Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	return out, nil
}

func (b *builder) lowerLimit(x *logical.Limit) (*stream, error) {
	if x.Bounds != nil {
		return b.lowerComputedLimit(x)
	}
	props := []string{fmt.Sprintf("offset=%d", x.Offset)}
	if x.Count >= 0 {
		props = append(props, fmt.Sprintf("count=%d", x.Count))
	}
	ex := &ExplainNode{Name: "Limit", Props: props}
	// ORDER BY … LIMIT n keeps only the top offset+n rows while sorting
	// (unless that is more rows than a sort, which can spill, should hold).
	top := x.Offset + x.Count
	bounded := x.Count >= 0 && top >= x.Offset && top <= ops.MaxTopN
	if srt, ok := x.Input.(*logical.Sort); ok && bounded {
		b.noteLimit(srt.Input, top, srt.Keys)
		in, err := b.lower(srt.Input)
		if err != nil {
			return nil, err
		}
		keys, err := b.sortKeys(srt.Keys, in.lay)
		if err != nil {
			return nil, err
		}
		tex := &ExplainNode{Name: "TopN", Props: []string{"keys=" + sortKeyList(srt.Keys), fmt.Sprintf("n=%d", top)}, Children: []*ExplainNode{in.ex}}
		topN, err := ops.NewTopN(b.env, b.gather(in), keys, top)
		if err != nil {
			return nil, err
		}
		ex.Children = []*ExplainNode{tex}
		lim := ops.NewLimit(b.add(topN, tex), x.Offset, x.Count)
		return &stream{ops: []executor.Operator{b.add(lim, ex)}, ids: in.ids, lay: in.lay, ex: ex}, nil
	}
	if bounded {
		b.noteLimit(x.Input, top, nil)
	}
	in, err := b.lower(x.Input)
	if err != nil {
		return nil, err
	}
	ex.Children = []*ExplainNode{in.ex}
	lim := ops.NewLimit(b.gather(in), x.Offset, x.Count)
	return &stream{ops: []executor.Operator{b.add(lim, ex)}, ids: in.ids, lay: in.lay, ex: ex}, nil
}

// lowerComputedLimit lowers a limit whose bounds a plan computes when the
// limit opens (PostgreSQL's InitPlan): the input cannot be cut short by a
// TopN or a source limit.
func (b *builder) lowerComputedLimit(x *logical.Limit) (*stream, error) {
	bounds, err := b.lower(x.Bounds)
	if err != nil {
		return nil, err
	}
	in, err := b.lower(x.Input)
	if err != nil {
		return nil, err
	}
	bex := &ExplainNode{Name: "LimitBounds", Children: []*ExplainNode{bounds.ex}}
	ex := &ExplainNode{Name: "Limit", Props: []string{"bounds=computed"}, Children: []*ExplainNode{in.ex, bex}}
	lim := ops.NewComputedLimit(b.gather(in), b.gather(bounds))
	return &stream{ops: []executor.Operator{b.add(lim, ex)}, ids: in.ids, lay: in.lay, ex: ex}, nil
}

func (b *builder) lowerAggregate(x *logical.Aggregate) (*stream, error) {
	if s, ok, err := b.pushAggregate(x); ok || err != nil {
		return s, err
	}
	var in *stream
	var err error
	if len(x.InputOrder) > 0 {
		// Order-sensitive aggregates consume one sorted stream; the hash
		// aggregate keeps input order within each group.
		sorted := x.Input
		if !sortedShared(x.Input, x.InputOrder) {
			sorted = &logical.Sort{Input: x.Input, Keys: x.InputOrder}
		}
		if in, err = b.lower(sorted); err != nil {
			return nil, err
		}
	} else {
		// A scan node that other references share is lowered for
		// them without the aggregate: forget it once lowered here.
		done := b.noteAggScan(x)
		in, err = b.lower(x.Input)
		done()
		if err != nil {
			return nil, err
		}
	}
	groups, err := lowerAll(x.Groups, in.lay)
	if err != nil {
		return nil, err
	}
	for i, g := range groups {
		// A key over one text column that may arrive as a dictionary
		// (scandict.go) is computed per dictionary entry, one computed
		// from a date per distinct date of a batch.
		groups[i] = expr.OverDates(expr.OverDictionary(unpaddedKey(g)))
	}
	aggs := make([]ops.Aggregate, len(x.Aggs))
	var aggText []string
	for i, a := range x.Aggs {
		args, err := lowerAll(a.Args, in.lay)
		if err != nil {
			return nil, err
		}
		var filter expr.Expr
		if a.Filter != nil {
			if filter, err = lowerExpr(a.Filter, in.lay); err != nil {
				return nil, err
			}
			// Its text column may arrive as a dictionary (scandict.go).
			filter = expr.OverDictionaries(filter)
			for j := range args {
				args[j] = onlyWhere(filter, args[j])
			}
		}
		if a.Distinct {
			for j := range args {
				args[j] = unpaddedKey(args[j])
			}
		}
		aggs[i] = ops.Aggregate{Func: a.Func, Args: args, Distinct: a.Distinct, Filter: filter, Type: a.T}
		if isOrderedSet(a.Func) {
			aggs[i].Desc = len(a.Order) > 0 && a.Order[0].Desc
			aggText = append(aggText, aggString(a))
			continue
		}
		for _, k := range a.Order {
			e, err := lowerExpr(k.Expr, in.lay)
			if err != nil {
				return nil, err
			}
			if filter != nil {
				e = onlyWhere(filter, e)
			}
			aggs[i].Order = append(aggs[i].Order, ops.SortKey{Expr: e, Desc: k.Desc, NullsFirst: k.NullsFirst})
		}
		aggText = append(aggText, aggString(a))
	}
	props := []string{}
	if len(x.Groups) > 0 {
		props = append(props, "groups="+exprList(x.Groups))
	}
	if len(aggText) > 0 {
		props = append(props, "aggregates=["+strings.Join(aggText, ", ")+"]")
	}
	if len(in.ops) > 1 {
		props = append(props, fmt.Sprintf("parallel=%d", len(in.ops)))
	}
	ex := &ExplainNode{Name: "HashAggregate", Props: props, Children: []*ExplainNode{in.ex}}
	op, err := ops.NewHashAggregate(b.env, in.ops, groups, aggs)
	if err != nil {
		return nil, err
	}
	// Sized by the estimate only where the input's rows are known (a
	// filter's or a join's guessed rows would turn unique keys into an
	// equally guessed table size: 4× the memory where a filter keeps a
	// third of what the default selectivity guesses), and where the keys
	// repeat: an estimate near the rows says the [min, max] range of a
	// sparse key exceeds them (TPC-H Q18's l_orderkey spans 6M values
	// for 1.5M orders), not how many groups there are.
	if g, rows, ok := logical.AggregateGroups(x); ok && g <= rows/2 && logical.ExactRows(x.Input) {
		ops.HintGroups(op, g, rows)
	}
	ids := x.Output()
	return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: ids, lay: layoutOf(ids), ex: ex}, nil
}

// isOrderedSet reports whether fn is an ordered-set aggregate: its
// AggCall.Order is WITHIN GROUP (ORDER BY value), which it sorts itself.
func isOrderedSet(fn string) bool {
	return fn == "percentile_cont" || fn == "percentile_disc" || fn == "mode"
}

func aggString(a logical.AggCall) string {
	var s string
	if a.Func == "count_star" {
		s = "count(*)"
	} else {
		d := ""
		if a.Distinct {
			d = "DISTINCT "
		}
		s = a.Func + "(" + d + exprList(a.Args)[1:len(exprList(a.Args))-1]
		if len(a.Order) > 0 {
			keys := sortKeyList(a.Order)
			s += " ORDER BY " + keys[1:len(keys)-1]
		}
		s += ")"
	}
	if a.Filter != nil {
		s += " FILTER (WHERE " + a.Filter.String() + ")"
	}
	return s
}

func (b *builder) lowerValues(x *logical.Values) (*stream, error) {
	fields := make([]arrow.Field, len(x.Cols))
	for i, id := range x.Cols {
		m := b.meta.Column(id)
		fields[i] = arrow.Field{Name: m.Name, Type: m.Type.Arrow(), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	if len(x.Rows) == 0 {
		ex := &ExplainNode{Name: "Values", Props: []string{"rows=0"}}
		return &stream{ops: []executor.Operator{b.add(ops.NewBatches(schema, nil), ex)}, ids: x.Cols, lay: layoutOf(x.Cols), ex: ex}, nil
	}
	cols := make([]arrow.Array, len(x.Cols))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	one := oneRow(b.env)
	defer one.Release()
	for c := range x.Cols {
		parts := make([]arrow.Array, 0, len(x.Rows))
		for _, row := range x.Rows {
			e, err := lowerExpr(row[c], layout{})
			if err == nil {
				var a arrow.Array
				if a, err = e.Eval(b.ctx, b.env, one); err == nil {
					parts = append(parts, a)
					continue
				}
			}
			for _, p := range parts {
				p.Release()
			}
			return nil, err
		}
		col, err := array.Concatenate(parts, b.env.Mem)
		for _, p := range parts {
			p.Release()
		}
		if err != nil {
			return nil, err
		}
		cols[c] = col
	}
	batch := array.NewRecordBatch(schema, cols, int64(len(x.Rows)))
	ex := &ExplainNode{Name: "Values", Props: []string{fmt.Sprintf("rows=%d", len(x.Rows))}}
	op := ops.NewBatches(schema, []arrow.RecordBatch{batch})
	batch.Release() // NewBatches retained it
	return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: x.Cols, lay: layoutOf(x.Cols), ex: ex}, nil
}

// exprList renders expressions for EXPLAIN.
func exprList(es []logical.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func sortKeyList(keys []logical.SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		s := k.Expr.String()
		if k.Desc {
			s += " DESC"
		}
		if k.NullsFirst != k.Desc {
			if k.NullsFirst {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		parts[i] = s
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// filterList renders pushed filters for EXPLAIN.
func filterList(fs []connectors.Filter) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

var setOps = map[logical.SetOpKind]ops.SetOp{logical.Union: ops.Union, logical.Intersect: ops.Intersect, logical.Except: ops.Except}

func (b *builder) lowerSetOp(x *logical.SetOp) (*stream, error) {
	name := x.Kind.String()
	if x.All {
		name += " All"
	}
	// Rows compare as keys unless UNION ALL just appends them.
	keys := x.Kind != logical.Union || !x.All
	branches := []logical.Node{x.Left, x.Right}
	if x.Kind == logical.Union {
		branches = unionBranches(x, nil)
	}
	ex := &ExplainNode{Name: name}
	inputs := make([]executor.Operator, len(branches))
	for i, br := range branches {
		s, err := b.lower(br)
		if err != nil {
			return nil, err
		}
		ex.Children = append(ex.Children, s.ex)
		// Every branch presents its columns in the set operation's order.
		if inputs[i], err = b.reorder(s, br.Output(), keys); err != nil {
			return nil, err
		}
	}
	var op executor.Operator
	var err error
	if x.Kind == logical.Union {
		op, err = ops.NewUnion(b.env, x.All, b.columnTypes(x.Cols), inputs...)
	} else {
		op, err = ops.NewSetOp(b.env, setOps[x.Kind], x.All, inputs[0], inputs[1], b.columnTypes(x.Cols))
	}
	if err != nil {
		return nil, err
	}
	return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: x.Cols, lay: layoutOf(x.Cols), ex: ex}, nil
}

// unionBranches appends to out the queries x's UNION reads, in order: a
// branch that is itself a UNION whose rows x may take as they are (a
// UNION ALL; under a distinct UNION, any UNION: duplicates go either way)
// contributes its own branches, so that a chain of n becomes one
// operator. A branch that casts its columns sits under a projection and
// stays whole.
func unionBranches(x *logical.SetOp, out []logical.Node) []logical.Node {
	for _, br := range []logical.Node{x.Left, x.Right} {
		if u, ok := passThrough(br).(*logical.SetOp); ok && u.Kind == logical.Union && (u.All || !x.All) {
			out = unionBranches(u, out)
			continue
		}
		out = append(out, br)
	}
	return out
}

// columnTypes returns the SQL types of the columns ids.
func (b *builder) columnTypes(ids []logical.ColumnID) []sqltypes.Type {
	out := make([]sqltypes.Type, len(ids))
	for i, id := range ids {
		out[i] = b.meta.Column(id).Type
	}
	return out
}

// passThrough returns the input of a projection that passes its input's
// columns on unchanged and in order (the binder's renaming of a set
// operation's branch), else n.
func passThrough(n logical.Node) logical.Node {
	p, ok := n.(*logical.Project)
	if !ok {
		return n
	}
	in := p.Input.Output()
	if len(p.Exprs) != len(in) {
		return n
	}
	for i, e := range p.Exprs {
		if c, ok := e.(*logical.ColRef); !ok || c.ID != in[i] {
			return n
		}
	}
	return p.Input
}

// reorder gathers s and projects it to exactly the columns ids, in order;
// as keys, columns of bpchar without a length lose their trailing blanks
// (unpaddedKey).
func (b *builder) reorder(s *stream, ids []logical.ColumnID, keys bool) (executor.Operator, error) {
	op := b.gather(s)
	same := len(ids) == len(s.ids)
	for i, id := range ids {
		if same && id != s.ids[i] || keys && unpadded(b.meta.Column(id).Type) {
			same = false
		}
	}
	if same {
		return op, nil
	}
	exprs := make([]expr.Expr, len(ids))
	for i, id := range ids {
		m := b.meta.Column(id)
		exprs[i] = expr.Column(s.lay[id], m.Type, m.Name)
		if keys {
			exprs[i] = unpaddedKey(exprs[i])
		}
	}
	p, err := ops.NewProject(b.env, op, exprs, b.names(ids))
	if err != nil {
		return nil, err
	}
	b.created = append(b.created, p)
	return p, nil
}

// frameOffsets checks the frame offsets that were not constants while
// binding and that the optimizer has folded since ($1, 1+1), as
// PostgreSQL checks them when the window starts, and puts those of ROWS
// and GROUPS frames into fn.Frame. One that did not fold (a scalar
// subquery, random()) the executor computes (fn.Offsets).
func frameOffsets(fn *ops.WindowFunc, offs [2]logical.Expr, lay layout) error {
	for i, bound := range []*ops.FrameBound{&fn.Frame.Start, &fn.Frame.End} {
		if offs[i] == nil {
			continue
		}
		c, ok := offs[i].(*logical.Const)
		if !ok {
			e, err := lowerExpr(offs[i], lay)
			if err != nil {
				return err
			}
			fn.Offsets[i] = e
			continue
		}
		n, err := ops.CheckFrameOffset(fn.Frame.Mode, ops.FrameWhich[i], c.V)
		if err != nil {
			return err
		}
		if fn.Frame.Mode != ops.FrameRange {
			bound.Offset = n
		}
	}
	return nil
}

func (b *builder) lowerWindow(x *logical.Window) (*stream, error) {
	in, err := b.lower(x.Input)
	if err != nil {
		return nil, err
	}
	part, err := lowerAll(x.PartitionBy, in.lay)
	if err != nil {
		return nil, err
	}
	for i := range part {
		part[i] = expr.BpcharKey(part[i])
	}
	order, err := b.sortKeys(x.OrderBy, in.lay)
	if err != nil {
		return nil, err
	}
	spec := ops.WindowSpec{PartitionBy: part, OrderBy: order}
	var calls []string
	for _, c := range x.Calls {
		args, err := lowerAll(c.Args, in.lay)
		if err != nil {
			return nil, err
		}
		var filter expr.Expr
		if c.Filter != nil {
			if filter, err = lowerExpr(c.Filter, in.lay); err != nil {
				return nil, err
			}
			for j := range args {
				args[j] = onlyWhere(filter, args[j])
			}
		}
		fn := ops.WindowFunc{Func: c.Func, Args: args, Filter: filter, Frame: c.Frame, Type: c.T}
		if err := frameOffsets(&fn, c.Offsets, in.lay); err != nil {
			return nil, err
		}
		for _, r := range []struct {
			from logical.Expr
			to   *expr.Expr
		}{{c.RangeKey, &fn.Range.Key}, {c.RangeStart, &fn.Range.Start}, {c.RangeEnd, &fn.Range.End}} {
			if r.from == nil {
				continue
			}
			if *r.to, err = lowerExpr(r.from, in.lay); err != nil {
				return nil, err
			}
		}
		spec.Funcs = append(spec.Funcs, fn)
		calls = append(calls, c.Func+exprList(c.Args))
	}
	props := []string{"functions=[" + strings.Join(calls, ", ") + "]"}
	if len(x.PartitionBy) > 0 {
		props = append(props, "partition_by="+exprList(x.PartitionBy))
	}
	if len(x.OrderBy) > 0 {
		props = append(props, "order_by="+sortKeyList(x.OrderBy))
	}
	ex := &ExplainNode{Name: "Window", Props: props, Children: []*ExplainNode{in.ex}}
	op, err := ops.NewWindow(b.env, b.gather(in), spec)
	if err != nil {
		return nil, err
	}
	ids := append(append([]logical.ColumnID(nil), in.ids...), x.Cols...)
	return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: ids, lay: layoutOf(ids), ex: ex}, nil
}

// projectedFold is fold (nil: none) with a projection exprs over it, if
// that only picks columns of the filter's rows: a hash join folding the
// filter takes the projection too.
func projectedFold(fold *probeFold, exprs []expr.Expr, names []string) *probeFold {
	if fold == nil || fold.proj != nil {
		return nil
	}
	for _, e := range exprs {
		if _, ok := e.(*expr.ColumnExpr); !ok {
			return nil
		}
	}
	f := *fold
	f.proj, f.names = exprs, names
	return &f
}
