package membudget

import (
	"sync/atomic"
)

// PoolSetting is the server setting that sizes the shared pool; 53200
// errors caused by the pool name it.
const PoolSetting = "query_memory_total"

// Pool is the memory all queries of a server share: every Budget built
// with it reserves from the pool as well as from its own limit, so that
// many queries at once cannot hold more than the pool however each one's
// budget is set. A refusal looks to an operator like its own budget
// running out (spill or 53200). It is safe for concurrent use.
type Pool struct {
	limit int64
	used  atomic.Int64
	peak  atomic.Int64
}

// NewPool returns a pool of limit bytes; limit <= 0 means unlimited (the
// pool then only counts).
func NewPool(limit int64) *Pool { return &Pool{limit: limit} }

// Limit is the pool's size in bytes (<= 0: unlimited).
func (p *Pool) Limit() int64 {
	if p == nil {
		return 0
	}
	return p.limit
}

// Used is the memory all queries have reserved now.
func (p *Pool) Used() int64 {
	if p == nil {
		return 0
	}
	return p.used.Load()
}

// Peak is the most memory reserved at once.
func (p *Pool) Peak() int64 {
	if p == nil {
		return 0
	}
	return p.peak.Load()
}

func (p *Pool) tryGrow(n int64) bool {
	for {
		u := p.used.Load()
		if p.limit > 0 && u+n > p.limit {
			return false
		}
		if p.used.CompareAndSwap(u, u+n) {
			notePeak(&p.peak, u+n)
			return true
		}
	}
}

func (p *Pool) forceGrow(n int64) { notePeak(&p.peak, p.used.Add(n)) }

func (p *Pool) release(n int64) { p.used.Add(-n) }

// DefaultPoolLimit is half of the memory meshql may use (see
// DefaultLimit): the other half is for the Go runtime, batches in flight
// and the page cache.
func DefaultPoolLimit() int64 {
	total := machineMemory()
	if total <= 0 {
		return 0
	}
	return max(total/2&^(1<<20-1), 64<<20)
}
