package ops

import (
	"context"
	"hash/maphash"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// HashJoinSpec describes an equi-join.
type HashJoinSpec struct {
	Type         JoinType
	Probe, Build executor.Operator
	// ProbeKeys are evaluated on probe batches, BuildKeys on build
	// batches; key i of both sides must have the same Arrow type.
	ProbeKeys, BuildKeys []expr.Expr
	// Residual is nil, or a predicate over probe fields ++ build fields
	// that is part of the join condition: a pair matches only if its keys
	// are equal and Residual is TRUE (so it decides null extension too).
	Residual expr.Expr
	// ProbeOut and BuildOut, for an inner join, are the columns of each
	// side that it outputs (indexes into the side's schema; nil: all):
	// the join then copies no column that nothing above it reads
	// (join output pruning, joinout.go). Residual still sees every
	// column.
	ProbeOut, BuildOut []int
	// ProbeFilter, when set, is a filter the join evaluates inside its
	// probe (the planner decides, see FoldsProbeFilter): Probe is the
	// filter's input and ProbeFilter a predicate over its rows, and the
	// join's probe side is the rows that pass, picked by ProbeProject
	// (column expressions named ProbeNames; nil: Probe's columns).
	// ProbeKeys, Residual and ProbeOut read that probe side.
	ProbeFilter  expr.Expr
	ProbeProject []expr.Expr
	ProbeNames   []string
	// Stats, when set, counts what the join's runtime key filter skipped
	// (EXPLAIN ANALYZE).
	Stats *JoinStats
	// ExistsMark makes a MarkJoin's mark two-valued: FALSE where SQL's
	// would be NULL (no TRUE pair, some NULL one), as EXISTS over the
	// condition is. It skips the NULL phase (markjoin.go), whose NULL
	// probe keys cost a pass over the build rows each.
	ExistsMark bool
}

// hashJoinOp is a hash join over a materialized build side.
type hashJoinOp struct {
	joinCore
	spec HashJoinSpec
	// ht is the table of a build on one goroutine; table is what probes
	// look up: ht, or the partitioned table of a parallel build.
	ht    hashTable
	table joinTable
	// minParallel is the smallest build side hashed on several
	// goroutines (parallelBuildRows; tests lower it).
	minParallel int
	// minKeyFilter is the smallest slot array of a parallel build that
	// gets a runtime key filter (minKeyFilterBytes; tests lower it), and
	// kf this prober's use of it (hashjoinkeyfilter.go).
	minKeyFilter int
	kf           keyFilterUse
	head         []int32 // per group: first build row, -1 = none
	next         []int32 // per build row: next row of its group, -1 = end
	phead        []int32 // per probe row: first candidate build row (probe-only joins: next unvisited)
	prow         int
	per          int  // probe-only joins: candidates a row takes per pass
	more         bool // probe-only joins: a row of this pass has candidates left
	pcur         int32
	begun        bool // pcur is valid for prow
	tail         bool // current probe batch: pairs done, tail pending
	mark         markState
	built        bool
	eof          bool
	done         bool
	gids         []int32
	sheads       []int32 // lookupSelected: per selected probe row, its first build row
	// ksel is lookupHeads' scratch for the rows past the key filter: not
	// sheads, which lookupSelected passes to it as heads (seed 19007's
	// query 326: packed keys of a parallel build overwrote them, XX000).
	ksel  []int32
	seed  maphash.Seed
	level int        // grace partitioning depth of this join's inputs
	grace *graceJoin // set when the build side spilled (hashjoinspill.go)
	// shared is set when the build side is a ParallelHashJoin's, built
	// once for all its joins (hashjoinshared.go).
	shared *sharedBuild
	// pf is the filter folded into the probe side, or nil
	// (hashjoinfilter.go).
	pf *probeFilter
	// pack: the keys are two integer-like columns; packed: the build
	// side's pairs fit in one int64 each, and o.ht is keyed on them
	// (hashjoinpack.go).
	pack, packed bool
	packer       keyPacker // packs the probe keys when packed
	// unique: every build row has a key of its own (no chain is longer
	// than one row), so pairs are found without reading next.
	unique bool
}

// NewHashJoin returns a hash join. It materializes the whole build input
// and hashes it on BuildKeys (on env.Workers goroutines for a large build
// side keyed on one integer-like column), then streams probe batches, emitting
// batches of about env.Rows() rows gathered with typed takes. Output: probe
// fields ++ build fields (build fields nullable, probe fields nullable for
// right, full and single joins); probe fields only for semi and anti
// joins; build fields only for right semi and right anti joins; probe
// fields and "mark" for mark joins (see MarkJoin). NULL keys never match.
// Unmatched build rows of right, full and right anti joins, and matched
// build rows of right semi joins, are emitted after the probe input ends. Mismatched key types are an XX000
// planner bug; key types that cannot be hashed return 0A000.
//
// The build side reserves memory from the query's budget. When it is
// refused, the join becomes a grace hash join: both inputs are written to
// disk in partitions by a hash of their keys, and each pair of partitions
// is joined on its own (recursively, if its build side is still over
// budget). A mark join cannot be split that way (its NULL semantics look
// at the whole build side) and fails with 53200 instead, as does a build
// side whose rows share one key.
func NewHashJoin(env *executor.Env, spec HashJoinSpec) (executor.Operator, error) {
	return newHashJoin(env, spec, 0, env.Reserve("HashJoin").Spills())
}

// newHashJoin is NewHashJoin at a grace partitioning level, reserving
// from res.
func newHashJoin(env *executor.Env, spec HashJoinSpec, level int, res *membudget.Reservation) (*hashJoinOp, error) {
	if spec.Type > RightAntiJoin {
		return nil, errInternal("unknown join type %d", spec.Type)
	}
	if spec.Probe == nil || spec.Build == nil {
		return nil, errInternal("hash join input is nil")
	}
	if len(spec.ProbeKeys) != len(spec.BuildKeys) {
		return nil, errInternal("hash join has %d probe keys and %d build keys", len(spec.ProbeKeys), len(spec.BuildKeys))
	}
	spec.ProbeKeys, spec.BuildKeys = keyExprs(spec.ProbeKeys), keyExprs(spec.BuildKeys)
	types := make([]arrow.DataType, len(spec.BuildKeys))
	for i, bk := range spec.BuildKeys {
		pk := spec.ProbeKeys[i]
		if pk == nil || bk == nil {
			return nil, errInternal("hash join key %d is nil", i)
		}
		types[i] = bk.Type().Arrow()
		if !sqlKeyOK(bk.Type()) {
			return nil, sqltypes.New(sqltypes.CodeUndefinedFunction, "could not identify an equality operator for type %s", bk.Type())
		}
		if !arrow.TypeEqual(pk.Type().Arrow(), types[i]) {
			return nil, errInternal("hash join key %d: probe type %s, build type %s", i, pk.Type(), bk.Type())
		}
	}
	if spec.Residual != nil {
		if err := checkBool("JOIN", spec.Residual); err != nil {
			return nil, err
		}
	}
	seed := maphash.MakeSeed()
	t, err := newHashTable(types, seed)
	if err != nil {
		return nil, err
	}
	pf, err := newProbeFilter(env, &spec)
	if err != nil {
		return nil, err
	}
	o := &hashJoinOp{spec: spec, ht: t, table: t, minParallel: parallelBuildRows, minKeyFilter: minKeyFilterBytes, seed: seed, level: level, pf: pf}
	o.env, o.jt, o.residual, o.res = env, spec.Type, spec.Residual, res
	o.existsMark = spec.ExistsMark
	o.pack = packableKeys(types) && spec.Type != MarkJoin
	o.out, o.cand = joinSchemas(spec.Type, spec.Probe.Schema(), spec.Build.Schema())
	if err := o.pruneOutput(spec.ProbeOut, spec.BuildOut); err != nil {
		return nil, err
	}
	o.narrowResidual()
	return o, nil
}

func (o *hashJoinOp) Schema() *arrow.Schema { return o.out }

func (o *hashJoinOp) Open(ctx context.Context) error {
	if err := o.spec.Build.Open(ctx); err != nil {
		return err
	}
	return o.spec.Probe.Open(ctx)
}

// build materializes the build side and chains its rows by group; over
// budget it partitions both inputs to disk instead (o.grace).
func (o *hashJoinOp) build(ctx context.Context) error {
	if o.shared != nil {
		return o.useShared(ctx)
	}
	held, err := o.collectBuild(ctx)
	if err != nil || o.grace != nil {
		return err
	}
	cols, keys, n, err := concatWithKeys(ctx, o.env, o.spec.Build.Schema(), held, o.spec.BuildKeys)
	releaseBatches(held)
	if err != nil {
		return err
	}
	defer func() { releaseArrays(keys) }()
	o.bcols, o.bn = cols, n
	if o.jt == MarkJoin {
		if err := o.mark.prepareBuild(keys, n); err != nil {
			return err
		}
	}
	keys = o.packBuild(keys)
	if ok, err := o.buildParallel(ctx, keys, n); err != nil {
		return err
	} else if !ok {
		o.buildSerial(keys, n)
	}
	if o.jt.tracksBuild() {
		o.bmatched = make([]bool, n)
	}
	o.unique = !slices.ContainsFunc(o.next, func(r int32) bool { return r >= 0 })
	o.res.Shrink(o.res.Size() - builtCost(cols, keys, n) - o.keyFilterBytes())
	return nil
}

// builtCost is what a finished build holds: its rows once (buildCost
// reserved them twice, for the copy into one set of columns, which is
// done), the table at 32 bytes a row, and the key values when the table
// keeps its own copy of them beyond that (strings, several columns). The
// rest of the reservation is returned, so that the operators running
// beside a large build (TPC-H Q21's other lineitem joins) get it.
func builtCost(cols, keys []arrow.Array, n int) int64 {
	c := 32 * int64(n)
	for _, a := range cols {
		c += membudget.ArrayBytes(a)
	}
	if len(keys) == 1 {
		if _, fixed := keys[0].DataType().(arrow.FixedWidthDataType); fixed {
			return c
		}
	}
	for _, k := range keys {
		c += membudget.ArrayBytes(k)
	}
	return c
}

// buildSerial hashes the n build rows of keys into o.ht and chains them
// by group, on the calling goroutine.
func (o *hashJoinOp) buildSerial(keys []arrow.Array, n int) {
	gids := make([]int32, n)
	o.ht.insert(keys, gids)
	for _, k := range keys { // NULL keys never match: leave them unchained
		v := validityOf(k)
		for i := range gids {
			if k.DataType().ID() == arrow.NULL || !v.OK(i) {
				gids[i] = -1
			}
		}
	}
	o.head = make([]int32, o.ht.len())
	for i := range o.head {
		o.head[i] = -1
	}
	o.next = make([]int32, n)
	for r := n - 1; r >= 0; r-- {
		if g := gids[r]; g >= 0 {
			o.next[r] = o.head[g]
			o.head[g] = int32(r)
		}
	}
}

func (o *hashJoinOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.done {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if !o.built {
		if err := o.build(ctx); err != nil {
			return nil, err
		}
		o.built = true
		if o.grace == nil && o.bn == 0 && (o.jt == InnerJoin || o.jt == SemiJoin || o.jt == RightJoin || o.jt.filtersBuild()) {
			o.eof = true
		}
	}
	if o.grace != nil {
		return o.nextGrace(ctx)
	}
	for {
		if o.pb == nil {
			if o.eof {
				b, err := o.buildTail()
				if b == nil && err == nil {
					o.done = true
					return nil, io.EOF
				}
				return b, err
			}
			b, err := o.probeInput().Next(ctx)
			if err == io.EOF {
				o.eof = true
				continue
			}
			if err != nil {
				return nil, err
			}
			if err := o.loadProbe(ctx, b); err != nil {
				return nil, err
			}
			continue
		}
		if !o.tail {
			if o.nulls {
				if o.fillNullPairs(o.env.Rows()) == 0 {
					o.tail = true
					continue
				}
			} else if o.fillPairs(o.env.Rows()) == 0 {
				o.nulls = o.jt == MarkJoin && !o.existsMark
				o.tail = !o.nulls
				continue
			}
			out, err := o.emitPairs(ctx)
			if out != nil || err != nil {
				return out, err
			}
			continue
		}
		out, err := o.probeTail()
		o.dropProbe()
		if out != nil || err != nil {
			return out, err
		}
	}
}

// probeInput is what the join reads probe batches from: the input of a
// folded filter, or the probe operator.
func (o *hashJoinOp) probeInput() executor.Operator {
	if o.pf != nil {
		return o.pf.in
	}
	return o.spec.Probe
}

// loadProbe looks up the keys of a new probe batch (of the folded
// filter's input: then the rows the filter drops take no part, and a
// batch none of whose rows pass leaves no probe batch).
func (o *hashJoinOp) loadProbe(ctx context.Context, b arrow.RecordBatch) error {
	if err := ctxErr(ctx); err != nil {
		b.Release()
		return err
	}
	var sel []int32
	if o.pf != nil {
		var err error
		if b, sel, err = o.pf.apply(ctx, o.env, b); b == nil {
			return err
		}
	}
	keys, err := evalAll(ctx, o.env, o.spec.ProbeKeys, b)
	if err != nil {
		b.Release()
		return err
	}
	defer func() { releaseArrays(keys) }()
	n := int(b.NumRows())
	if o.jt == MarkJoin {
		if o.mark.pkeys, err = encodeKeys(keys); err != nil {
			b.Release()
			return err
		}
		o.mark.nrow, o.mark.ncur, o.nulls = 0, 0, false
	}
	o.setProbe(b)
	if sel != nil {
		if err := o.lookupSelected(keys, sel, n); err != nil {
			return err
		}
	} else {
		o.phead = growTo(o.phead[:0], n)[:n]
		o.lookupHeads(keys, o.phead)
	}
	o.prow, o.begun, o.tail = 0, false, false
	o.per, o.more = firstPassCandidates, false
	switch {
	case o.residual == nil && o.jt.probeOnly():
		for i, h := range o.phead { // matches need no pairs
			o.pmatched[i] = h >= 0
		}
		o.prow = n
	case o.residual == nil && o.jt.filtersBuild():
		for _, h := range o.phead { // each match marks its build rows' chain
			for r := h; r >= 0 && !o.bmatched[r]; r = o.next[r] {
				o.bmatched[r] = true
			}
		}
		o.prow = n
	}
	return nil
}

// lookupHeads sets heads[i] to the first build row whose key is row i's
// of keys, or -1 if there is none.
func (o *hashJoinOp) lookupHeads(keys []arrow.Array, heads []int32) {
	if o.packed {
		o.lookupPacked(keys, heads)
		return
	}
	if rt, ok := o.table.(rowTable); ok {
		o.ksel = rt.lookupFiltered(keys, nil, heads, &o.kf, o.spec.Stats, o.ksel)
		return
	}
	o.gids = growTo(o.gids[:0], len(heads))[:len(heads)]
	o.table.(hashTable).lookup(keys, o.gids)
	o.headsOf(o.gids, heads)
}

// headsOf sets heads[i] to the first build row of group gids[i] (-1: none).
func (o *hashJoinOp) headsOf(gids, heads []int32) {
	for i, g := range gids {
		if g >= 0 {
			heads[i] = o.head[g]
		} else {
			heads[i] = -1
		}
	}
}

// firstPassCandidates is how many candidates each probe row of a semi,
// anti or mark join takes in the first pass of fillProbeOnlyPairs.
const firstPassCandidates = 4

// fillPairs collects up to limit candidate pairs, resuming where the
// previous call stopped (a probe row may match more rows than fit).
func (o *hashJoinOp) fillPairs(limit int) int {
	if o.jt.probeOnly() {
		return o.fillProbeOnlyPairs(limit)
	}
	// Locals, not fields, in the loops: most probe rows of a selective
	// join have no candidate, and each is a few instructions.
	pIdx, bIdx := o.pIdx[:0], o.bIdx[:0]
	ph, next := o.phead, o.next
	n := len(ph)
	prow, pcur, begun := o.prow, o.pcur, o.begun
	if o.unique { // every chain is one row long
		for ; prow < n && len(pIdx) < limit; prow++ {
			if h := ph[prow]; h >= 0 {
				pIdx, bIdx = append(pIdx, int32(prow)), append(bIdx, h)
			}
		}
	}
	for len(pIdx) < limit && prow < n {
		if !begun {
			if pcur = ph[prow]; pcur < 0 {
				prow++
				continue
			}
			begun = true
		}
		pIdx, bIdx = append(pIdx, int32(prow)), append(bIdx, pcur)
		if pcur = next[pcur]; pcur < 0 {
			prow++
			begun = false
		}
	}
	o.pIdx, o.bIdx, o.prow, o.pcur, o.begun = pIdx, bIdx, prow, pcur, begun
	return len(pIdx)
}

// fillProbeOnlyPairs is fillPairs for semi, anti and mark joins, where a
// probe row is decided by its first pair whose residual is TRUE: a key
// shared by thousands of build rows (EXISTS (... WHERE i.status =
// o.status AND i.date <> o.date)) would otherwise make every probe row
// try all of them. Rows take their candidates in passes, a few in the
// first and four times more in each next one, and a pass skips the rows
// an earlier pass matched; the pairs of a pass are evaluated before the
// next pass starts. phead[i] advances to row i's next unvisited candidate.
func (o *hashJoinOp) fillProbeOnlyPairs(limit int) int {
	o.pIdx, o.bIdx = o.pIdx[:0], o.bIdx[:0]
	n := len(o.phead)
	for len(o.pIdx) < limit {
		if o.prow >= n {
			if !o.more || len(o.pIdx) > 0 {
				break // done, or evaluate this pass first
			}
			o.prow, o.more, o.per = 0, false, min(o.per*4, 1<<20)
		}
		i := o.prow
		if o.pmatched[i] || o.phead[i] < 0 {
			o.prow++
			continue
		}
		take := o.per
		for take > 0 && o.phead[i] >= 0 && len(o.pIdx) < limit {
			o.pIdx = append(o.pIdx, int32(i))
			o.bIdx = append(o.bIdx, o.phead[i])
			o.phead[i] = o.next[o.phead[i]]
			take--
		}
		if o.phead[i] >= 0 {
			if take > 0 {
				break // limit reached inside the row: resume it
			}
			o.more = true
		}
		o.prow++
	}
	return len(o.pIdx)
}

func (o *hashJoinOp) Close() error {
	o.done = true
	if o.grace != nil {
		o.grace.close()
		o.grace = nil
	}
	o.release()
	if o.shared != nil {
		o.shared.leave()
		o.shared = nil
	}
	err := o.spec.Probe.Close()
	if berr := o.spec.Build.Close(); err == nil {
		err = berr
	}
	return err
}
