package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Join output pruning. Each row of a join's output is copied from its
// probe and build rows, column by column; a column nothing above reads
// (a key already used, TPC-H Q9's l_orderkey once orders is joined)
// would be copied again by every join above it. The planner names the
// columns an inner join outputs (HashJoinSpec.ProbeOut, BuildOut), and
// the join takes only those.

// pruneOutput makes o output only the probe columns pout and build
// columns bout (nil: all of a side's). Only inner joins prune.
func (o *hashJoinOp) pruneOutput(pout, bout []int) error {
	if pout == nil && bout == nil {
		return nil
	}
	if o.jt != InnerJoin {
		return errInternal("a %s join cannot leave out output columns", o.jt)
	}
	np, nb := o.spec.Probe.Schema().NumFields(), o.spec.Build.Schema().NumFields()
	if pout == nil {
		pout = allIndexes(np)
	}
	if bout == nil {
		bout = allIndexes(nb)
	}
	fields := o.cand.Fields()
	var out []arrow.Field
	var idx []int
	for _, i := range pout {
		if i < 0 || i >= np {
			return errInternal("join output column %d of %d probe columns", i, np)
		}
		idx = append(idx, i)
	}
	for _, i := range bout {
		if i < 0 || i >= nb {
			return errInternal("join output column %d of %d build columns", i, nb)
		}
		idx = append(idx, np+i)
	}
	if len(idx) == 0 {
		return errInternal("a join must output a column")
	}
	for _, i := range idx {
		out = append(out, fields[i])
	}
	o.out, o.pout, o.bout, o.outIdx = arrow.NewSchema(out, nil), pout, bout, idx
	return nil
}

// emitOutput is emitPairs for an inner join without residual that
// outputs some columns only: it takes just those for the pairs. (An
// inner join records no matches: nothing reads them.)
func (c *joinCore) emitOutput() (arrow.RecordBatch, error) {
	mem := c.env.Mem
	pc, err := takeColumns(mem, pick(c.pb.Columns(), c.pout), c.pIdx)
	if err != nil {
		return nil, err
	}
	bc, err := takeColumns(mem, pick(c.bcols, c.bout), c.bIdx)
	if err != nil {
		releaseArrays(pc)
		return nil, err
	}
	return newBatch(c.out, append(pc, bc...), len(c.pIdx)), nil
}

// pick returns the arrays cols[i] for i in idx, not retained.
func pick(cols []arrow.Array, idx []int) []arrow.Array {
	out := make([]arrow.Array, len(idx))
	for j, i := range idx {
		out[j] = cols[i]
	}
	return out
}

// retained retains every array of cols and returns cols.
func retained(cols []arrow.Array) []arrow.Array {
	for _, a := range cols {
		a.Retain()
	}
	return cols
}

// allIndexes is 0..n-1.
func allIndexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
