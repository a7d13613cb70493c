package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// JoinType is the kind of a join. The probe (left) side is the one whose
// rows stream; the build (right) side is materialized.
type JoinType uint8

const (
	InnerJoin JoinType = iota
	LeftJoin           // unmatched probe rows, build side NULL
	RightJoin          // unmatched build rows, probe side NULL
	FullJoin           // both
	SemiJoin           // probe rows with at least one match (EXISTS), probe columns only
	// AntiJoin emits the probe rows with no match: NOT EXISTS semantics (a
	// pair whose condition is NULL is no match). NOT IN is not an anti
	// join: the planner plans it as MarkJoin followed by NOT mark.
	AntiJoin
	// MarkJoin emits every probe row once, followed by a nullable boolean
	// column "mark": the three-valued OR, over all build rows, of the join
	// condition (the key equalities as a row comparison, AND the
	// residual). So mark is TRUE if some build row matches, else NULL if
	// some build row's condition is NULL (a NULL probe or build key, or a
	// NULL residual), else FALSE; an empty build side gives FALSE. With
	// the condition `x = y` this is `x IN (SELECT y ...)`, with `x op y`
	// it is `x op ANY (...)`.
	MarkJoin
	// SingleJoin is LeftJoin for scalar subqueries: a probe row matching
	// more than one build row fails with 21000.
	SingleJoin
	// RightSemiJoin is SemiJoin with the roles of the sides swapped: it
	// emits, once the probe input ends, the build rows with at least one
	// match, build columns only. The planner builds the preserved side
	// this way when it is much smaller than the other: TPC-H Q21 keeps
	// 75k lines that have another supplier's line in their order, and a
	// semi join would hash all 6M lines to look them up.
	RightSemiJoin
	// RightAntiJoin emits, once the probe input ends, the build rows with
	// no match (NOT EXISTS semantics, as AntiJoin), build columns only.
	RightAntiJoin
)

var joinNames = [...]string{"inner", "left", "right", "full", "semi", "anti", "mark", "single", "right semi", "right anti"}

func (t JoinType) String() string {
	if int(t) < len(joinNames) {
		return joinNames[t]
	}
	return "join?"
}

// keepsProbe reports whether unmatched probe rows are emitted null-extended.
func (t JoinType) keepsProbe() bool { return t == LeftJoin || t == FullJoin || t == SingleJoin }

// keepsBuild reports whether unmatched build rows are emitted.
func (t JoinType) keepsBuild() bool { return t == RightJoin || t == FullJoin || t == RightAntiJoin }

// filtersProbe reports whether the output is probe rows only.
func (t JoinType) filtersProbe() bool { return t == SemiJoin || t == AntiJoin }

// filtersBuild reports whether the output is build rows only.
func (t JoinType) filtersBuild() bool { return t == RightSemiJoin || t == RightAntiJoin }

// tracksBuild reports whether the join records which build rows matched.
func (t JoinType) tracksBuild() bool { return t.keepsBuild() || t.filtersBuild() }

// probeOnly reports whether the output is computed per probe row once
// its pairs are done (matched pairs are only recorded, not emitted).
func (t JoinType) probeOnly() bool { return t.filtersProbe() || t == MarkJoin }

// recordsOnly reports whether matched pairs are only recorded, not
// emitted.
func (t JoinType) recordsOnly() bool { return t.probeOnly() || t.filtersBuild() }

// joinSchemas returns the output schema of a join and the schema its
// condition is evaluated on (probe fields ++ build fields).
func joinSchemas(jt JoinType, probe, build *arrow.Schema) (out, cand *arrow.Schema) {
	cf := append(fieldsOf(probe, jt.keepsBuild()), fieldsOf(build, true)...)
	cand = arrow.NewSchema(cf, nil)
	switch {
	case jt.filtersProbe():
		return probe, cand
	case jt.filtersBuild():
		return build, cand
	case jt == MarkJoin:
		f := arrow.Field{Name: "mark", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}
		return arrow.NewSchema(append(fieldsOf(probe, false), f), nil), cand
	}
	return cand, cand
}

// joinCore is the part of a join shared by the hash and nested-loop
// joins: given candidate pairs (probe row, build row), it applies the
// residual condition, tracks matches, and emits the joined, the
// null-extended and the semi/anti rows.
type joinCore struct {
	env      *executor.Env
	jt       JoinType
	residual expr.Expr
	res      *membudget.Reservation // the build side's memory
	out      *arrow.Schema
	cand     *arrow.Schema
	// pout and bout are the probe and build columns an inner join
	// outputs, outIdx the same as indexes into cand's columns (all
	// nil: every column; joinout.go).
	pout, bout, outIdx []int
	bcols              []arrow.Array // the build side, materialized
	bn                 int
	bmatched           []bool
	pb                 arrow.RecordBatch // current probe batch
	pmatched           []bool
	pmaybe             []bool // mark join: some pair's condition was NULL
	nulls              bool   // mark join: pairs are NULL-key candidates (see markjoin.go)
	// existsMark: the mark join's NULL is FALSE (HashJoinSpec.ExistsMark).
	existsMark bool
	pIdx       []int32
	bIdx       []int32
	sel        []int32
	rpos       int // next build row to check in the build tail
	// condCols are the candidate columns the residual reads, condSchema
	// theirs and condExpr the residual over them (see narrowResidual);
	// condCols nil: it reads a candidate batch of every column.
	condCols   []int
	condSchema *arrow.Schema
	condExpr   expr.Expr
	selP, selB []int32 // the pairs that passed the residual
}

// narrowResidual makes the residual read only its columns of each
// candidate pair: a pair's other columns are gathered only when it passes
// and is output. A semi join of wide rows (an array of thousands of
// elements per group) with a big build side under a condition on a date
// otherwise copied every wide row once per build row (54000 "string column
// of a batch exceeds 2 GB", seed 19005's query 2494).
func (c *joinCore) narrowResidual() {
	if c.residual == nil || !expr.Walkable(c.residual) {
		return
	}
	cols := expr.Columns(c.residual)
	if len(cols) == 0 || len(cols) == c.cand.NumFields() {
		return
	}
	pos := make(map[int]int, len(cols))
	fs := make([]arrow.Field, len(cols))
	for j, ci := range cols {
		pos[ci], fs[j] = j, c.cand.Field(ci)
	}
	c.condCols, c.condSchema = cols, arrow.NewSchema(fs, nil)
	c.condExpr = expr.Remap(c.residual, func(ci int) int { return pos[ci] })
}

// setProbe makes b the current probe batch (the core takes ownership).
func (c *joinCore) setProbe(b arrow.RecordBatch) {
	c.pb = b
	c.pmatched = growTo(c.pmatched[:0], int(b.NumRows()))[:b.NumRows()]
	clear(c.pmatched)
	if c.jt == MarkJoin {
		c.pmaybe = growTo(c.pmaybe[:0], int(b.NumRows()))[:b.NumRows()]
		clear(c.pmaybe)
	}
}

func (c *joinCore) dropProbe() {
	if c.pb != nil {
		c.pb.Release()
		c.pb = nil
	}
}

// emitPairs joins the candidate pairs in pIdx/bIdx. It returns the joined
// rows that pass the residual (nil for semi/anti joins, or when none pass).
func (c *joinCore) emitPairs(ctx context.Context) (arrow.RecordBatch, error) {
	mem := c.env.Mem
	if c.outIdx != nil && c.residual == nil {
		return c.emitOutput()
	}
	if c.condCols != nil {
		return c.emitNarrow(ctx)
	}
	pc, err := takeColumns(mem, c.pb.Columns(), c.pIdx)
	if err != nil {
		return nil, err
	}
	bc, err := takeColumns(mem, c.bcols, c.bIdx)
	if err != nil {
		releaseArrays(pc)
		return nil, err
	}
	n := len(c.pIdx)
	cand := newBatch(c.cand, append(pc, bc...), n)
	if c.residual == nil {
		for k := range n {
			if err := c.mark(k); err != nil {
				cand.Release()
				return nil, err
			}
		}
		if c.jt.recordsOnly() {
			cand.Release()
			return nil, nil
		}
		return cand, nil
	}
	m, err := evalOne(ctx, c.env, c.residual, cand)
	if err != nil {
		cand.Release()
		return nil, err
	}
	if err := c.keepPassing(m); err != nil {
		cand.Release()
		return nil, err
	}
	switch {
	case c.jt.recordsOnly() || len(c.sel) == 0:
		cand.Release()
		return nil, nil
	case len(c.sel) == n:
		if c.outIdx != nil {
			out := newBatch(c.out, retained(pick(cand.Columns(), c.outIdx)), n)
			cand.Release()
			return out, nil
		}
		return cand, nil
	}
	s, cols := c.cand, cand.Columns()
	if c.outIdx != nil {
		s, cols = c.out, pick(cols, c.outIdx)
	}
	out, err := takeBatch(mem, s, cols, c.sel)
	cand.Release()
	return out, err
}

// keepPassing sets c.sel to the pairs whose residual m is true, marks
// them matched, and releases m.
func (c *joinCore) keepPassing(m arrow.Array) error {
	if c.jt == MarkJoin {
		c.markNulls(m)
	}
	c.sel = appendTrue(c.sel[:0], m)
	m.Release()
	for _, k := range c.sel {
		if err := c.mark(int(k)); err != nil {
			return err
		}
	}
	return nil
}

// emitNarrow is emitPairs with a residual over a few of the candidate
// columns (narrowResidual): it gathers those for every pair, and the
// output columns for the pairs that pass only.
func (c *joinCore) emitNarrow(ctx context.Context) (arrow.RecordBatch, error) {
	mem := c.env.Mem
	np := int(c.pb.NumCols())
	cols := make([]arrow.Array, 0, len(c.condCols))
	for _, ci := range c.condCols {
		var src arrow.Array
		idx := c.pIdx
		if ci < np {
			src = c.pb.Column(ci)
		} else {
			src, idx = c.bcols[ci-np], c.bIdx
		}
		a, err := takeColumns(mem, []arrow.Array{src}, idx)
		if err != nil {
			releaseArrays(cols)
			return nil, err
		}
		cols = append(cols, a[0])
	}
	cond := newBatch(c.condSchema, cols, len(c.pIdx))
	m, err := evalOne(ctx, c.env, c.condExpr, cond)
	cond.Release()
	if err != nil {
		return nil, err
	}
	if err := c.keepPassing(m); err != nil {
		return nil, err
	}
	if c.jt.recordsOnly() || len(c.sel) == 0 {
		return nil, nil
	}
	c.selP, c.selB = c.selP[:0], c.selB[:0]
	for _, k := range c.sel {
		c.selP, c.selB = append(c.selP, c.pIdx[k]), append(c.selB, c.bIdx[k])
	}
	pcols, bcols := c.pb.Columns(), c.bcols
	if c.outIdx != nil {
		pcols, bcols = pick(pcols, c.pout), pick(bcols, c.bout)
	}
	pc, err := takeColumns(mem, pcols, c.selP)
	if err != nil {
		return nil, err
	}
	bc, err := takeColumns(mem, bcols, c.selB)
	if err != nil {
		releaseArrays(pc)
		return nil, err
	}
	return newBatch(c.out, append(pc, bc...), len(c.sel)), nil
}

// mark records that pair k satisfies the join condition. A second match
// of a probe row of a single join is error 21000.
func (c *joinCore) mark(k int) error {
	p := c.pIdx[k]
	switch {
	case c.nulls:
		c.pmaybe[p] = true
		return nil
	case c.jt == SingleJoin && c.pmatched[p]:
		return sqltypes.New(sqltypes.CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
	}
	c.pmatched[p] = true
	if c.bmatched != nil {
		c.bmatched[c.bIdx[k]] = true
	}
	return nil
}

// markNulls records the pairs of a mark join whose condition is NULL.
func (c *joinCore) markNulls(m arrow.Array) {
	if m.DataType().ID() == arrow.NULL {
		for _, p := range c.pIdx {
			c.pmaybe[p] = true
		}
		return
	}
	if v := validityOf(m); v.Bits != nil {
		for k, p := range c.pIdx {
			if !v.OK(k) {
				c.pmaybe[p] = true
			}
		}
	}
}

// probeTail returns what the join emits for the current probe batch once
// all its pairs are done: unmatched rows null-extended (left, full), the
// matched rows (semi) or the unmatched rows (anti); nil if none.
func (c *joinCore) probeTail() (arrow.RecordBatch, error) {
	if c.jt == MarkJoin {
		return c.markTail(), nil
	}
	if !c.jt.keepsProbe() && !c.jt.filtersProbe() {
		return nil, nil
	}
	want := c.jt == SemiJoin
	c.sel = c.sel[:0]
	for i, m := range c.pmatched {
		if m == want {
			c.sel = append(c.sel, int32(i))
		}
	}
	n := len(c.sel)
	if n == 0 {
		return nil, nil
	}
	mem := c.env.Mem
	if c.jt.filtersProbe() {
		if n == int(c.pb.NumRows()) {
			c.pb.Retain()
			return c.pb, nil
		}
		return takeBatch(mem, c.out, c.pb.Columns(), c.sel)
	}
	pc, err := takeColumns(mem, c.pb.Columns(), c.sel)
	if err != nil {
		return nil, err
	}
	np := c.pb.NumCols()
	nulls := nullColumns(mem, c.out.Fields()[np:], n)
	return newBatch(c.out, append(pc, nulls...), n), nil
}

// buildTail returns the next batch of unmatched build rows, probe side
// NULL (right and full joins; right anti joins without a probe side), or
// of matched build rows (right semi joins), or nil when there are no
// more.
func (c *joinCore) buildTail() (arrow.RecordBatch, error) {
	if !c.jt.tracksBuild() {
		return nil, nil
	}
	want := c.jt == RightSemiJoin
	c.sel = c.sel[:0]
	for c.rpos < c.bn && len(c.sel) < c.env.Rows() {
		if c.bmatched[c.rpos] == want {
			c.sel = append(c.sel, int32(c.rpos))
		}
		c.rpos++
	}
	n := len(c.sel)
	if n == 0 {
		return nil, nil
	}
	np := c.out.NumFields() - len(c.bcols)
	cols := nullColumns(c.env.Mem, c.out.Fields()[:np], n)
	bc, err := takeColumns(c.env.Mem, c.bcols, c.sel)
	if err != nil {
		releaseArrays(cols)
		return nil, err
	}
	return newBatch(c.out, append(cols, bc...), n), nil
}

func (c *joinCore) release() {
	c.dropProbe()
	releaseArrays(c.bcols)
	c.bcols = nil
	if c.res != nil {
		c.res.Free()
	}
}
