package ops

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
)

// ParallelHashJoin is one hash join per probe stream over one build side,
// built once and probed by all of them at the same time: the probe side
// and every operator above the join keep running in parallel, whatever
// the size of the build side, and the build side is neither gathered
// into the probe's goroutine nor built once per stream.
type ParallelHashJoin struct {
	// Joins are the joins, one per probe stream, in the order of the
	// probes given to NewParallelHashJoin. Each is an ordinary operator
	// used by one goroutine; they may run on different goroutines.
	Joins []executor.Operator
	build *sharedBuild
}

// NewParallelHashJoin returns the joins of spec.Build (which it owns)
// with each of probes (spec.Probe is ignored). The join type must be
// one whose output depends only on each probe row and its matches:
// inner, left, semi, anti or single.
//
// The first join to need the build side builds it (reserving its memory
// from the query's budget, like NewHashJoin); the others wait for it
// under their own ctx, then look it up concurrently. Over budget, the
// build side is partitioned to disk once instead, and each join
// partitions its own probe stream the same way and joins the pairs of
// partitions (a grace hash join per probe stream over shared build
// partitions, removed when the last join closes). The build side is
// released when every join has been closed.
func NewParallelHashJoin(env *executor.Env, spec HashJoinSpec, probes []executor.Operator) (*ParallelHashJoin, error) {
	switch spec.Type {
	case InnerJoin, LeftJoin, SemiJoin, AntiJoin, SingleJoin:
	default:
		spec.Build.Close()
		return nil, errInternal("a %s join cannot be probed in parallel", spec.Type)
	}
	if len(probes) == 0 {
		spec.Build.Close()
		return nil, errInternal("parallel hash join without a probe input")
	}
	// The builder is a join with no probe rows: its build step, spill
	// included, is the one every join would run on its own.
	bspec := spec
	bspec.Probe = NewBatches(probes[0].Schema(), nil)
	builder, err := NewHashJoin(env, bspec)
	if err != nil {
		spec.Build.Close()
		return nil, err
	}
	sb := &sharedBuild{op: builder.(*hashJoinOp), done: make(chan struct{}), users: len(probes)}
	p := &ParallelHashJoin{build: sb}
	for _, probe := range probes {
		s := spec
		s.Probe = probe
		s.Build = NewBatches(spec.Build.Schema(), nil) // a placeholder: the rows come from sb
		o, err := newHashJoin(env, s, 0, env.Reserve("HashJoin").Spills())
		if err != nil {
			sb.users = len(p.Joins)
			p.Close()
			return nil, err
		}
		o.shared, o.seed = sb, sb.op.seed
		p.Joins = append(p.Joins, o)
	}
	return p, nil
}

// Reservation is the memory of the shared build side.
func (p *ParallelHashJoin) Reservation() *membudget.Reservation { return p.build.op.res }

// Close closes every join (each is also closed on its own; Close is
// idempotent), which releases the build side.
func (p *ParallelHashJoin) Close() error {
	var first error
	for _, j := range p.Joins {
		if err := j.Close(); err != nil && first == nil {
			first = err
		}
	}
	if len(p.Joins) == 0 {
		p.build.op.Close()
	}
	return first
}

// sharedBuild is the build side of a ParallelHashJoin: op's table,
// chains and columns, or its grace build partitions (op.grace.build),
// read-only once built.
type sharedBuild struct {
	op *hashJoinOp

	mu      sync.Mutex // guards the fields below
	started bool       // a join is building
	done    chan struct{}
	err     error
	users   int // joins not yet closed
}

// get returns the built side, building it in the first caller.
func (s *sharedBuild) get(ctx context.Context) (*hashJoinOp, error) {
	s.mu.Lock()
	first := !s.started
	s.started = true
	s.mu.Unlock()
	if first {
		err := s.op.Open(ctx)
		if err == nil {
			err = s.op.build(ctx)
		}
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.done)
		return s.op, err
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		return nil, ctxErr(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.op, s.err
}

// leave is called once by every join when it closes; the last one
// releases the build side (its rows, reservation and spill files).
func (s *sharedBuild) leave() {
	s.mu.Lock()
	s.users--
	last := s.users == 0
	s.mu.Unlock()
	if last {
		s.op.Close()
	}
}

// useShared makes the shared build side o's: a reader of its table and
// references to its columns, or, if it spilled, its partitions paired
// with o's own probe stream partitioned to disk.
func (o *hashJoinOp) useShared(ctx context.Context) error {
	b, err := o.shared.get(ctx)
	if err != nil {
		return err
	}
	if b.grace != nil {
		h, err := o.keyHasher()
		if err != nil {
			return err
		}
		o.grace = &graceJoin{build: b.grace.build, sharedBuild: true}
		return o.spillProbe(ctx, h)
	}
	o.table = joinReader(b.table)
	o.head, o.next, o.bn, o.packed, o.unique = b.head, b.next, b.bn, b.packed, b.unique
	o.bcols = make([]arrow.Array, len(b.bcols))
	for i, c := range b.bcols {
		c.Retain()
		o.bcols[i] = c
	}
	return nil
}
