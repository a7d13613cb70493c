package physical

import (
	"slices"
	"strconv"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

var joinTypes = map[logical.JoinType]ops.JoinType{
	logical.InnerJoin: ops.InnerJoin, logical.LeftJoin: ops.LeftJoin, logical.RightJoin: ops.RightJoin,
	logical.FullJoin: ops.FullJoin, logical.SemiJoin: ops.SemiJoin, logical.AntiJoin: ops.AntiJoin,
	logical.MarkJoin: ops.MarkJoin, logical.SingleJoin: ops.SingleJoin,
}

// lowerJoin plans a hash join on the equality conjuncts between the two
// sides (the rest is a residual condition), or a nested-loop join when
// there are none. The smaller input, by estimate, is the build side of an
// inner join; a RIGHT join is run as a LEFT join with the sides swapped,
// and a LEFT join whose inner side is much larger as a RIGHT join; so is
// a semi or anti join, which then builds the side it filters and emits
// its rows at the end (ops.RightSemiJoin, ops.RightAntiJoin).
func (b *builder) lowerJoin(x *logical.Join) (*stream, error) {
	left, right := x.Left, x.Right
	jt := x.Type
	swapped := false
	switch {
	case jt == logical.RightJoin:
		left, right, jt, swapped = right, left, logical.LeftJoin, true
	case jt == logical.InnerJoin && logical.Estimate(left) < logical.Estimate(right):
		left, right, swapped = right, left, true
	case (jt == logical.LeftJoin || jt == logical.SemiJoin || jt == logical.AntiJoin) &&
		logical.Estimate(right) > rightJoinFactor*logical.Estimate(left) && hasEquiKey(x):
		left, right, swapped = right, left, true
		if jt == logical.LeftJoin {
			jt = logical.RightJoin
		}
	}
	opType := joinTypes[jt]
	if swapped && jt == logical.SemiJoin {
		opType = ops.RightSemiJoin
	} else if swapped && jt == logical.AntiJoin {
		opType = ops.RightAntiJoin
	}
	ls, err := b.lower(left)
	if err != nil {
		return nil, err
	}
	rs, err := b.lower(right)
	if err != nil {
		return nil, err
	}
	leftCols, rightCols := logical.OutputSet(left), logical.OutputSet(right)
	var lkeys, rkeys []logical.Expr
	var residual []logical.Expr
	for _, c := range logical.Conjuncts(x.Cond) {
		// A FULL JOIN on a condition over one side stays 0A000 as in
		// PostgreSQL (not merge- or hash-joinable there).
		if l, r, ok := equiKey(c, leftCols, rightCols, jt != logical.FullJoin); ok {
			lkeys, rkeys = append(lkeys, l), append(rkeys, r)
			continue
		}
		residual = append(residual, c)
	}
	constKey := jt == logical.FullJoin && len(lkeys) == 0 && constant(residual)
	if constKey {
		// FULL JOIN ON true (or false, NULL), which PostgreSQL takes too:
		// a hash join on one constant key pairs every row with every row
		// of the other side and still keeps each side's unmatched rows.
		// A condition that never holds gets keys that never meet, so no
		// pair is even tried.
		key := &logical.Const{T: sqltypes.TypeBool, V: true}
		other := logical.Expr(key)
		for _, c := range residual {
			if k, ok := c.(*logical.Const); ok && k.V != true {
				other = &logical.Const{T: sqltypes.TypeBool, V: false}
			}
		}
		lkeys, rkeys = []logical.Expr{key}, []logical.Expr{other}
	}
	ids := append(append([]logical.ColumnID(nil), ls.ids...), rs.ids...)
	switch {
	case opType == ops.RightSemiJoin || opType == ops.RightAntiJoin:
		ids = rs.ids
	case jt == logical.SemiJoin || jt == logical.AntiJoin:
		ids = ls.ids
	case jt == logical.MarkJoin:
		ids = append(append([]logical.ColumnID(nil), ls.ids...), x.Mark)
	}
	combined := layoutOf(append(append([]logical.ColumnID(nil), ls.ids...), rs.ids...))
	var pout, bout []int
	if opType == ops.InnerJoin && len(lkeys) > 0 && !constKey {
		ids, pout, bout = joinOutput(x.Needed, ls.ids, rs.ids)
	}
	props := []string{}
	name := "HashJoin " + jt.String()
	if swapped && (x.Type == logical.InnerJoin || x.Type == logical.SemiJoin || x.Type == logical.AntiJoin) {
		props = append(props, "build=left")
	}
	if len(lkeys) > 0 && !constKey {
		var pairs []logical.Expr
		for i := range lkeys {
			pairs = append(pairs, &logical.Binary{Op: expr.OpEq, L: lkeys[i], R: rkeys[i], T: sqltypes.TypeBool})
		}
		props = append(props, "keys="+exprList(pairs))
	} else if !constKey {
		name = "NestedLoopJoin " + jt.String()
	}
	if len(residual) > 0 {
		props = append(props, "condition="+exprList(residual))
	}
	ex := &ExplainNode{Name: name, Props: props, Children: []*ExplainNode{ls.ex, rs.ex}}
	var res expr.Expr
	if len(residual) > 0 {
		if res, err = lowerExpr(logical.And(residual), combined); err != nil {
			return nil, err
		}
	}
	var pk, bk []expr.Expr
	if len(lkeys) > 0 {
		if pk, err = lowerAll(lkeys, ls.lay); err != nil {
			return nil, err
		}
		if bk, err = lowerAll(rkeys, rs.lay); err != nil {
			return nil, err
		}
	}
	spec := ops.HashJoinSpec{Type: opType, ProbeKeys: pk, BuildKeys: bk, Residual: res, ExistsMark: x.ExistsMark, ProbeOut: pout, BuildOut: bout}
	if b.analyze {
		spec.Stats = new(ops.JoinStats)
		ex.Join = spec.Stats
	}
	if len(lkeys) > 0 && !constKey {
		ls = b.foldProbeFilter(&spec, ls, ex)
		if b.parallelProbe(opType, ls, left, right, bk) {
			return b.lowerParallelProbe(spec, ls, rs, ids, ex)
		}
	}
	probe, build := b.gather(ls), b.gather(rs)
	var op executor.Operator
	if len(lkeys) > 0 {
		spec.Probe, spec.Build = probe, build
		op, err = ops.NewHashJoin(b.env, spec)
		if err != nil {
			return nil, err
		}
	} else {
		if jt == logical.FullJoin {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "FULL JOIN is only supported with an equality condition between the two sides")
		}
		op, err = ops.NewNestedLoopJoin(b.env, joinTypes[jt], probe, build, res)
		if err != nil {
			return nil, err
		}
	}
	return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: ids, lay: layoutOf(ids), ex: ex}, nil
}

// joinOutput returns the columns an inner hash join of the probe columns
// pids and build columns bids outputs: those read above it (needed, set
// by PruneColumns; nil: all), as ids and as indexes into each side (nil
// for a side that keeps all its columns). A key already matched, or a
// column only a condition read, is not copied into the join's rows (nor
// again by each join above). One column stays, so that batches carry
// their row count.
func joinOutput(needed logical.ColSet, pids, bids []logical.ColumnID) (ids []logical.ColumnID, pout, bout []int) {
	all := append(append([]logical.ColumnID(nil), pids...), bids...)
	if needed == nil {
		return all, nil, nil
	}
	keep := func(side []logical.ColumnID) []int {
		idx := []int{}
		for i, id := range side {
			if needed.Has(id) {
				idx = append(idx, i)
				ids = append(ids, id)
			}
		}
		return idx
	}
	pout, bout = keep(pids), keep(bids)
	switch {
	case len(ids) == len(all):
		return all, nil, nil
	case len(ids) == 0:
		return all[:1], []int{0}, []int{}
	}
	if len(pout) == len(pids) {
		pout = nil
	}
	if len(bout) == len(bids) {
		bout = nil
	}
	return ids, pout, bout
}

// constant reports whether conds read no column and draw no random
// value: PostgreSQL refuses `FULL JOIN ... ON random() > 0.5`, whose
// pairs could not be matched once for each row.
func constant(conds []logical.Expr) bool {
	for _, c := range conds {
		if logical.IsVolatile(c) || len(logical.ColumnsOf(c)) > 0 {
			return false
		}
	}
	return true
}

// hasEquiKey reports whether x's condition has a conjunct equiKey
// recognizes, i.e. whether x is planned as a hash join.
func hasEquiKey(x *logical.Join) bool {
	leftCols, rightCols := logical.OutputSet(x.Left), logical.OutputSet(x.Right)
	for _, c := range logical.Conjuncts(x.Cond) {
		if _, _, ok := equiKey(c, leftCols, rightCols, x.Type != logical.FullJoin); ok {
			return true
		}
	}
	return false
}

// equiKey recognizes `l = r` with l reading only the left side and r only
// the right (in either order), with both keys of one Arrow type. One side
// may read no column at all: `ARRAY[10, 3] NOT IN (SELECT a FROM t)` is a
// mark join on `'{10,3}' = a`, which stays in the join (its NULLs decide
// the mark), and hashed like any key it costs one probe per row where a
// nested loop compared every row with every row (17 s against
// PostgreSQL's 22 ms at SF0.01); only where constOK. A volatile one is
// not a constant: a nested loop evaluates it per pair.
func equiKey(c logical.Expr, leftCols, rightCols logical.ColSet, constOK bool) (logical.Expr, logical.Expr, bool) {
	bin, ok := c.(*logical.Binary)
	if !ok || bin.Op != expr.OpEq {
		return nil, nil, false
	}
	l, r := bin.L, bin.R
	lc, rc := logical.ColumnsOf(l), logical.ColumnsOf(r)
	if len(lc) == 0 && len(rc) == 0 || (len(lc) == 0 || len(rc) == 0) && (!constOK || logical.IsVolatile(c)) {
		return nil, nil, false
	}
	if !(lc.SubsetOf(leftCols) && rc.SubsetOf(rightCols)) {
		if lc.SubsetOf(rightCols) && rc.SubsetOf(leftCols) {
			l, r = r, l
		} else {
			return nil, nil, false
		}
	}
	if l.Type().Kind == sqltypes.Bpchar || r.Type().Kind == sqltypes.Bpchar {
		// bpchar keys match without their trailing blanks, as text.
		return bpcharKey(l), bpcharKey(r), true
	}
	if !l.Type().Equal(r.Type()) {
		lt, rt := l.Type(), r.Type()
		if lt.Kind != sqltypes.Numeric || rt.Kind != sqltypes.Numeric {
			if !(lt.IsString() && rt.IsString()) {
				return nil, nil, false
			}
			l, r = &logical.Cast{E: l, T: sqltypes.TypeText}, &logical.Cast{E: r, T: sqltypes.TypeText}
		} else if lt.VarScale || rt.VarScale {
			// Keyed by value: both sides variable-scale, of one nominal scale.
			t := sqltypes.VarNumericType(max(lt.Scale, rt.Scale))
			l, r = varScaleKey(l, t), varScaleKey(r, t)
		} else {
			t := sqltypes.NumericType(sqltypes.MaxNumericPrecision, max(lt.Scale, rt.Scale))
			l, r = &logical.Cast{E: l, T: t}, &logical.Cast{E: r, T: t}
		}
	}
	return l, r, true
}

// varScaleKey is the numeric e as a variable-scale numeric of type t.
func varScaleKey(e logical.Expr, t sqltypes.Type) logical.Expr {
	if et := e.Type(); !et.VarScale {
		e = &logical.Func{Name: sqltypes.WithScaleFunc, Args: []logical.Expr{e, &logical.Const{T: sqltypes.TypeInt4, V: et.Scale}},
			T: sqltypes.VarNumericType(et.Scale)}
	}
	if !e.Type().Equal(t) {
		e = &logical.Cast{E: e, T: t}
	}
	return e
}

// bpcharKey is a join key as bpchar's = compares it: as text, without
// trailing blanks (a cast of bpchar to text strips them).
func bpcharKey(e logical.Expr) logical.Expr {
	if e.Type().Kind == sqltypes.Bpchar || e.Type().Kind == sqltypes.Varchar {
		return &logical.Cast{E: e, T: sqltypes.TypeText}
	}
	return e
}

// parallelProbe reports whether a hash join should probe each of the probe
// side's parallel streams on its own (lowerParallelProbe): the output of
// these join types depends only on the probe row and its matches. The
// build side is built once and shared by the streams' joins (over the
// memory budget it spills once, and each stream's join partitions its own
// probe rows to match). A build side keyed on one integer-like column is
// hashed on all workers, so sharing it always pays (TPC-H Q4's semi join
// builds lineitem, 66 times its probe side of a quarter's orders, and is
// faster shared). Other keys are hashed on one thread, and then a build
// side much larger than the probe side keeps the single join, measured
// faster when Q4's build ran on one thread (389 ms shared: 661 ms at SF1).
func (b *builder) parallelProbe(jt ops.JoinType, ls *stream, probe, build logical.Node, buildKeys []expr.Expr) bool {
	switch jt {
	case ops.InnerJoin, ops.LeftJoin, ops.SemiJoin, ops.AntiJoin, ops.SingleJoin:
		return len(ls.ops) >= 2 && (ops.BuildsInParallel(buildKeys) || logical.Estimate(build) <= serialBuildFactor*logical.Estimate(probe))
	}
	return false
}

// lowerParallelProbe plans one hash join per probe stream over one shared
// build side (ops.ParallelHashJoin), so the joins and every operator
// above them run in parallel instead of after a gather.
func (b *builder) lowerParallelProbe(spec ops.HashJoinSpec, ls, rs *stream, ids []logical.ColumnID, ex *ExplainNode) (*stream, error) {
	spec.Build = b.gather(rs)
	pj, err := ops.NewParallelHashJoin(b.env, spec, ls.ops)
	if err != nil {
		return nil, err
	}
	ex.Props = append(ex.Props, "parallel="+strconv.Itoa(len(ls.ops)))
	if b.analyze {
		ex.Mem = pj.Reservation()
	}
	out := &stream{ids: ids, lay: layoutOf(ids), ex: ex}
	for _, op := range pj.Joins {
		b.created = append(b.created, op)
		out.ops = append(out.ops, b.instrument(op, ex))
	}
	return out, nil
}

// foldProbeFilter gives the join of spec the filter its probe side ls
// ends with, when the join can evaluate it inside its probe
// (ops.FoldsProbeFilter): the rows the filter keeps are then not copied
// into batches of their own only to be looked up and copied once more.
// It returns the stream the join then probes (the filter's input) and
// shows the filter on the join's plan node ex, as PostgreSQL shows a
// Join Filter.
func (b *builder) foldProbeFilter(spec *ops.HashJoinSpec, ls *stream, ex *ExplainNode) *stream {
	f := ls.fold
	if f == nil || !ops.FoldsProbeFilter(spec.Type, spec.ProbeKeys) {
		return ls
	}
	spec.ProbeFilter, spec.ProbeProject, spec.ProbeNames = f.pred, f.proj, f.names
	in := &stream{ops: f.in, ids: ls.ids, lay: ls.lay, ex: f.ex}
	if f.scan {
		in.ops = make([]executor.Operator, len(f.in))
		for i, op := range f.in {
			in.ops[i] = b.instrument(op, f.ex)
		}
		f.ex.Props = slices.DeleteFunc(f.ex.Props, func(p string) bool { return p == "filter="+f.text })
	}
	ex.Props = append(ex.Props, "probe_filter="+f.text)
	ex.Children[0] = f.ex
	return in
}

// serialBuildFactor is how much larger than the probe side (by estimate)
// a shared build hashed on one thread may be before the single join is
// cheaper: Q7 and Q9 at SF1 gain from sharing builds up to a few times
// their probe side, Q4 (66 times) lost before its build ran in parallel.
const serialBuildFactor = 8

// rightJoinFactor is how much larger than its preserved side (by
// estimate) the inner side of a LEFT join must be for the join to build
// the preserved side instead and emit its unmatched rows at the end (a
// RIGHT join with the sides swapped): inserting a row costs a few times
// more than probing one, and TPC-H Q13 built 1.5M orders to probe 150k
// customers. (The RIGHT join's probe is not split per stream, while a
// LEFT join's is when its build side is small enough, hence a margin.)
// Semi and anti joins use the same margin to build the side they filter
// (TPC-H Q21 built 6M lines to look up 75k).
const rightJoinFactor = 2
