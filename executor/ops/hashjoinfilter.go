package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// Filters folded into a hash join's probe side. The rows a filter keeps
// (TPC-H Q3 keeps half of lineitem, Q7 a third) would be copied into a
// new batch only for the join to look up their keys and copy the few
// that match once more. Instead the join reads the filter's input
// itself, looks up the keys of the rows that pass only, and takes its
// output rows from the unfiltered batch. Only joins that never emit an
// unmatched probe row fold a filter (inner, semi, right, right semi,
// right anti): a row that fails the filter simply finds no match. The
// planner decides (HashJoinSpec.ProbeFilter), so that EXPLAIN shows it.
// The join reads the filter as an operator when its build side spilled
// (hashjoinspill.go), so the partitions on disk hold filtered rows.

// probeFilter is a filter folded into a hash join, with the projection
// over it when that only picks columns (the scan's, dropping the
// columns only the filter read).
type probeFilter struct {
	in    executor.Operator // the filter's input: what the join reads
	where *rowFilter
	proj  *projectOp // nil: the join probes the filter's rows as they are
	sel   []int32
}

// FoldsProbeFilter reports whether a hash join of type jt with probe keys
// keys can evaluate a filter of its probe side inside its probe
// (HashJoinSpec.ProbeFilter). The probe keys must be plain columns: they
// are evaluated on every row, and an expression could fail on a row the
// filter drops (a cast of text that only the passing rows hold as
// numbers).
func FoldsProbeFilter(jt JoinType, keys []expr.Expr) bool {
	switch jt {
	case InnerJoin, SemiJoin, RightJoin, RightSemiJoin, RightAntiJoin:
	default:
		return false
	}
	for _, k := range keys {
		if _, ok := k.(*expr.ColumnExpr); !ok {
			return false
		}
	}
	return true
}

// newProbeFilter returns the probe filter spec asks for (nil if none) and
// makes spec's probe side the filter and projection over spec.Probe, as
// operators: that is what a spill partitions to disk (filtered rows) and
// what the joins of its partitions then read without a filter.
func newProbeFilter(env *executor.Env, spec *HashJoinSpec) (*probeFilter, error) {
	if spec.ProbeFilter == nil {
		return nil, nil
	}
	if !FoldsProbeFilter(spec.Type, spec.ProbeKeys) {
		return nil, errInternal("a %s hash join cannot evaluate a probe filter", spec.Type)
	}
	f, err := NewFilter(env, spec.Probe, spec.ProbeFilter)
	if err != nil {
		return nil, err
	}
	pf := &probeFilter{in: spec.Probe, where: f.(*filterOp).where}
	spec.Probe, spec.ProbeFilter = f, nil
	if spec.ProbeProject != nil {
		for _, e := range spec.ProbeProject {
			// apply projects every row, the failing ones too.
			if _, ok := e.(*expr.ColumnExpr); !ok {
				return nil, errInternal("a probe filter's projection computes %s", e)
			}
		}
		p, err := NewProject(env, f, spec.ProbeProject, spec.ProbeNames)
		if err != nil {
			return nil, err
		}
		pf.proj = p.(*projectOp)
		spec.Probe, spec.ProbeProject, spec.ProbeNames = p, nil, nil
	}
	return pf, nil
}

// apply takes ownership of b, a batch of the filter's input, and
// returns the batch to probe (b, projected) and the rows of it that pass
// the filter (nil: all of them); a nil batch if none pass. A batch of
// which few rows pass is copied as the filter would when the projection
// decodes dictionaries (decodesDictionary): decoding every row would
// cost more than the copy.
func (f *probeFilter) apply(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.RecordBatch, []int32, error) {
	var err error
	if f.sel, err = f.where.selectRows(ctx, env, b, f.sel); err != nil || len(f.sel) == 0 {
		b.Release()
		return nil, nil, err
	}
	sel, n := f.sel, int(b.NumRows())
	if len(sel) == n {
		sel = nil
	} else if 2*len(sel) < n && f.decodesDictionary(b) {
		fb, err := takeBatch(env.Mem, b.Schema(), b.Columns(), sel)
		b.Release()
		if err != nil {
			return nil, nil, err
		}
		b, sel, n = fb, nil, len(sel)
	}
	if f.proj == nil {
		return b, sel, nil
	}
	cols, err := evalAll(ctx, env, f.proj.exprs, b)
	b.Release()
	if err != nil {
		return nil, nil, err
	}
	return newBatch(f.proj.schema, cols, n), sel, nil
}

// decodesDictionary reports whether probing b decodes dictionary columns
// on every row: those the projection keeps (ColumnExpr decodes them),
// or any when there is no projection. A scan's dictionary column that
// only the filter read (TPC-H Q10's l_returnflag) is dropped by the
// projection and decoded nowhere, so the rows that pass are probed in
// place rather than copied.
func (f *probeFilter) decodesDictionary(b arrow.RecordBatch) bool {
	if f.proj == nil {
		return hasDictionary(b.Columns())
	}
	for _, e := range f.proj.exprs {
		if b.Column(e.(*expr.ColumnExpr).Index).DataType().ID() == arrow.DICTIONARY {
			return true
		}
	}
	return false
}

// lookupSelected sets o.phead for a probe batch of n rows of which only
// the rows sel take part: their chains' heads, and -1 for every other
// row. Only the keys of the rows in sel are looked up.
func (o *hashJoinOp) lookupSelected(keys []arrow.Array, sel []int32, n int) error {
	o.phead = growTo(o.phead[:0], n)[:n]
	if rt, ok := o.table.(rowTable); ok && !o.packed {
		o.sheads = rt.lookupFiltered(keys, sel, o.phead, &o.kf, o.spec.Stats, o.sheads)
		return nil
	}
	sk, err := takeColumns(o.env.Mem, keys, sel)
	if err != nil {
		return err
	}
	defer releaseArrays(sk)
	o.sheads = growTo(o.sheads[:0], len(sel))[:len(sel)]
	o.lookupHeads(sk, o.sheads)
	for i := range o.phead {
		o.phead[i] = -1
	}
	for j, r := range sel {
		o.phead[r] = o.sheads[j]
	}
	return nil
}
